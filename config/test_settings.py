"""Settings for the test suite: the development defaults, with fast password hashing."""

import os
import tempfile

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Rate-limit counters must not outlive a test run, as they would in a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Test data is made faster than anyone types; tests of the limit set the real one.
POSTS_PER_MINUTE = 100_000

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as `make run` uses. In Django's shared in-memory test database a read fails at
    # once ("database table is locked") while another thread's write is open, and browser
    # journeys serve pages from Daphne threads beside the test's own writes. The file lives in
    # memory (/dev/shm) where there is one, one per test process, so side-by-side runs never
    # meet.
    _folder = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(_folder, f"pioneros-test-{os.getpid()}.sqlite3")
    }
