"""Pioneros settings, read from the environment in this one place (see README)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.flag("DEBUG", default=False)
# Development (make run, make test) sets DEBUG; without it this is production,
# which must never run on a guessable key or an open host list.
if DEBUG:
    SECRET_KEY = env.text("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.listing("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env.text("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise env.ConfigError("SECRET_KEY must be at least 50 characters of random text.")
    ALLOWED_HOSTS = env.listing("ALLOWED_HOSTS", required=True)

CSRF_TRUSTED_ORIGINS = env.listing("CSRF_TRUSTED_ORIGINS")
# Where links in emails point; the request is not at hand in background tasks.
PUBLIC_URL = env.url("PUBLIC_URL", {"http", "https"}) or "http://127.0.0.1:8000"

# Not Daphne's app: it only makes `runserver` serve with Daphne, and it loads Twisted (42 MiB)
# into every process, Uvicorn's and the task worker's too. `make run` serves with Daphne
# itself (config/serve.py).
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.sites",
    "channels",
    "allauth",
    "allauth.account",
    "taggit",
    "django_countries",
    "django_htmx",
    "bootstrap",
    "pgtrigger",
    # Before django_tasks_db: core's db_worker (which requeues lost tasks) replaces its own.
    "core",
    "network",
    "django_tasks",
    "django_tasks_db",
    # Before the apps that report contributions: its demo programmes must exist first.
    "incentives",
    "forums",
    # Below mentoring and guides: they register what the diagnostic suggests.
    "readiness",
    "mentoring",
    "guides",
    # Above network, mentoring and incentives: reads them, none of them imports it.
    "evidence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the database: turns its outage into a 503 page.
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.MemberTimezoneMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forums.context_processors.notifications",
            ],
        },
    },
]
FORM_RENDERER = "network.forms.PionerosFormRenderer"

# --- Data stores ---------------------------------------------------------------
DATABASE_URL = env.url("DATABASE_URL", {"sqlite", "postgres", "postgresql"})
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'pioneros.sqlite3'}",
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Daphne answers each request in a thread of its own, with its own connection. In WAL
    # mode a reader never waits for a writer; a write transaction takes the lock when it
    # begins and waits its turn, instead of failing with "database is locked" when two
    # transactions that began by reading both try to write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Pages run short queries; PostgreSQL's JIT compiles any whose estimated cost is high,
    # which cost search 0.79 s of its 1.04 s at 100,000 posts (docs/performance.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # Prepared statements are planned as PostgreSQL chooses: after five runs, once for all
    # values when that plan looks no costlier. Planning each run for its values cost the
    # coordinator's home 12 of its 52 ms; a foreign key that leads an index of several columns
    # has no index of its own, which kept a plan made without values from reading a long
    # topic's deep page through it (tests/test_indexes.py, docs/performance.md).
    options["options"] = "-c jit=off"
    # A page's two dozen statements are each parsed once per connection: it prepares a
    # statement the second time it runs it.
    options["server_side_binding"] = True
    options["prepare_threshold"] = 1
    # Each request runs in a thread of its own, so only a pool lets a page reuse a connection
    # (and its prepared statements) of an earlier one (config/database). A page waits at most
    # DATABASE_POOL_WAIT seconds for one when all are busy, then answers 503.
    # A server that drops packets instead of refusing them fails a connection in 5 seconds.
    options["connect_timeout"] = 5
    DATABASE_POOL_SIZE = env.integer("DATABASE_POOL_SIZE", 20)
    DATABASE_POOL_WAIT = env.integer("DATABASE_POOL_WAIT", 5)
    if DATABASE_POOL_WAIT < 1:
        raise env.ConfigError("DATABASE_POOL_WAIT must be at least 1 second.")
    if DATABASE_POOL_SIZE > 0:
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise env.ConfigError(
                "DATABASE_CONN_MAX_AGE keeps a connection per thread and DATABASE_POOL_SIZE "
                "shares a pool of them: set DATABASE_POOL_SIZE=0 to use the first."
            )
        DATABASES["default"]["ENGINE"] = "config.database"
        options["pool"] = {
            "min_size": min(2, DATABASE_POOL_SIZE),
            "max_size": DATABASE_POOL_SIZE,
            "timeout": DATABASE_POOL_WAIT,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.url("REDIS_URL", {"redis", "rediss"})
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # One PUBLISH per group message, whatever the group's size; the core layer's
            # per-channel queues cost a Redis write per member (docs/performance.md).
            # Nothing relies on those queues: a socket catches up from the database.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.text("CHANNELS_PREFIX", "pioneros"),
            },
        }
    }
    # Shared cache so allauth's rate limits hold across several Daphne processes; while
    # Redis is down, each process counts on its own (config/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.text("CHANNELS_PREFIX", "pioneros"),
        }
    }
else:
    # The process's hub holds its groups for as long as it runs (core/hub.py); the layer's
    # default would drop them after a day, and every live page with them.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"group_expiry": 10 * 365 * 24 * 3600},
        }
    }

# Without a worker process, tasks run in the request; with one, in the database queue.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if env.flag("TASK_WORKER", default=False)
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Replies and topics one member may post in any 60 seconds, whichever way they post; load and
# fault tests raise it, since their writers post faster than anyone types.
POSTS_PER_MINUTE = env.integer("POSTS_PER_MINUTE", 10)
if POSTS_PER_MINUTE < 1:
    raise env.ConfigError("POSTS_PER_MINUTE must be 1 or more.")

# Agencies' import files (evidence): the largest upload, and what an XLSX may unpack to.
EVIDENCE_MAX_UPLOAD_BYTES = env.integer("EVIDENCE_MAX_UPLOAD_MB", 200) * 2**20
EVIDENCE_MAX_UNPACKED_BYTES = env.integer("EVIDENCE_MAX_UNPACKED_MB", 2000) * 2**20

# First retry of a failed email after this many seconds, then 4x longer each time (5 tries).
TASK_RETRY_DELAY = env.integer("TASK_RETRY_DELAY", 60)
# A task still running after this long is checked: on PostgreSQL it is queued again as soon
# as its worker is gone (docs/operations.md); workers check this often.
TASK_STALE_AFTER = timedelta(seconds=env.integer("TASK_STALE_AFTER", 30))
# Without PostgreSQL nothing tells a dead worker from a slow one: a task running this long
# is presumed lost and queued again.
TASK_LEASE = timedelta(seconds=env.integer("TASK_LEASE", 3600))

# --- Accounts --------------------------------------------------------------------
AUTH_USER_MODEL = "network.User"
# Django's database sessions, read by a statement compiled once (core.sessions).
SESSION_ENGINE = "core.sessions"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_ADAPTER = "network.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "network.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

# --- Email -----------------------------------------------------------------------
EMAIL_HOST = env.text("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.integer("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env.text("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", default=True)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    raise env.ConfigError("EMAIL_HOST is required when DEBUG is off.")
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "Pioneros <no-reply@pioneros.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("es", _("Spanish")), ("pt-br", _("Portuguese (Brazil)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
COUNTRIES_FIRST = ["AR", "BR", "CL", "CO", "CR", "MX", "PE", "UY"]

# --- Static files ----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
if not WHITENOISE_USE_FINDERS:
    STATIC_ROOT = BASE_DIR / "staticfiles"
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- Security ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain HTTP
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env.flag("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.flag("SECURE_COOKIES", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Paths of calendar feeds, invitations and account keys are keys: logged redacted.
    "filters": {"private_links": {"()": "core.log_filters.RedactPrivateLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        name: {"filters": ["private_links"]}
        for name in ("django.request", "django.security.csrf", "django.server")
    },
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
}
