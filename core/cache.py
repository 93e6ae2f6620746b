"""The cache failing is not the site failing.

Django's RedisCache raises when Redis is unreachable, which would turn every cached feed and every
rate-limited page into a 500. ResilientRedisCache answers as an empty cache instead (a get misses, a set
or add does nothing, incr gives None, which django-ratelimit with RATELIMIT_FAIL_OPEN lets through) and
logs the failure — at most once a minute per process, so an outage does not flood the logs.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("core.cache")
FAILURES = (RedisError, RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60
_last_logged = [0.0]


def _log(operation: str, error: Exception) -> None:
    now = time.monotonic()
    if now - _last_logged[0] >= LOG_EVERY_SECONDS:
        _last_logged[0] = now
        logger.error("Cache unavailable (%s failed: %s); answering uncached.", operation, error)


def _fallback(default_from):
    def wrap(method):
        @functools.wraps(method)
        def safe(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except FAILURES as error:
                _log(method.__name__, error)
                return default_from(args, kwargs)

        return safe

    return wrap


def _default(args, kwargs):
    if "default" in kwargs:
        return kwargs["default"]
    return args[1] if len(args) > 1 else None


class ResilientRedisCache(RedisCache):
    get = _fallback(_default)(RedisCache.get)
    set = _fallback(lambda a, k: None)(RedisCache.set)
    add = _fallback(lambda a, k: False)(RedisCache.add)
    touch = _fallback(lambda a, k: False)(RedisCache.touch)
    delete = _fallback(lambda a, k: False)(RedisCache.delete)
    incr = _fallback(lambda a, k: None)(RedisCache.incr)
    has_key = _fallback(lambda a, k: False)(RedisCache.has_key)
    get_many = _fallback(lambda a, k: {})(RedisCache.get_many)
    set_many = _fallback(lambda a, k: list(a[0]) if a else [])(RedisCache.set_many)
    delete_many = _fallback(lambda a, k: None)(RedisCache.delete_many)
    clear = _fallback(lambda a, k: False)(RedisCache.clear)
