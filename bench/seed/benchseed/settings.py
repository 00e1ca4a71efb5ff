"""The seed's Django Channels stack, reduced to what its document describes for notifications:
daphne, Channels and the Redis channel layer. Only the benchmark runs it (bench/README.md)."""

import os

SECRET_KEY = "herald-bench-seed"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["daphne", "channels"]
MIDDLEWARE = []
ROOT_URLCONF = "benchseed.urls"
ASGI_APPLICATION = "benchseed.asgi.application"
DATABASES = {}
USE_TZ = True
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [("127.0.0.1", int(os.environ.get("REDIS_PORT", "6379")))]},
    },
}
# The HS256 key the benchmark signs tokens with (the seed passes its token as ?token=).
JWT_SECRET = os.environ["HERALD_JWT_SECRET"]
