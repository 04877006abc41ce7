"""The production settings, with the channel layer and its Redis pool set by the bench.

config/settings.py picks RedisPubSubChannelLayer whenever REDIS_URL is set; the bench also
runs the same app on RedisChannelLayer (BENCH_CHANNEL_LAYER=core) to compare them.

BENCH_TUNED_POOL=true changes two redis-py defaults the shipped settings inherit, both of
which drop sockets (the connections benchmark measures them as shipped):
- max_connections 100: a burst of sockets opening or closing at once exhausts the pool, and
  the consumer dies with MaxConnectionsError;
- socket_timeout 5 s, equal to channels-redis' 5 s BZPOPMIN: on a busy event loop the read
  times out before Redis answers an empty wait, and the consumer dies with TimeoutError.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS

_LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
_layer = CHANNEL_LAYERS["default"]
if os.environ.get("BENCH_CHANNEL_LAYER"):
    _layer["BACKEND"] = _LAYERS[os.environ["BENCH_CHANNEL_LAYER"]]
if os.environ.get("BENCH_TUNED_POOL") == "true" and "CONFIG" in _layer:
    _layer["CONFIG"]["hosts"] = [
        {"address": host, "max_connections": 10_000, "socket_timeout": 30}
        for host in _layer["CONFIG"]["hosts"]
    ]

# The pages benchmark renders templates without a collectstatic run; production's manifest
# lookup is a dictionary read, so plain storage times the same.
if os.environ.get("BENCH_PLAIN_STATIC") == "true":
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

# Seeding only: the journeys' demo accounts are signed in with force_login, so no page that
# is measured checks a password, and hashing each at production cost is a second apiece.
# Never set where signing up or in is measured (bench.signup keeps production hashing).
if os.environ.get("BENCH_CHEAP_HASHING") == "true":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
