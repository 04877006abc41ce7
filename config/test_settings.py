"""Settings for the test suite: the development defaults, with fast password hashing."""

import os

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Rate-limit counters must not outlive a test run, as they would in a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Test data is made faster than anyone types; tests of the limit set the real one.
POSTS_PER_MINUTE = 100_000
