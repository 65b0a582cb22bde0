"""The Redis cache as an accelerator: when Redis cannot be reached, the cache answers like an empty one.

Reads are misses (the page or API computes the figures directly), writes and deletes do nothing. The
first failure of an outage is logged once, as an error, by each process; for ``CACHE_REDIS_RETRY_SECONDS``
after a failure no connection is tried (no time lost per request), then the next call tries again; the
first success after an outage is logged once too. Errors other than an unreachable server (a bad command,
a value that cannot be pickled) are raised as usual.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("ntm.cache")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """Per process and server: is Redis known to be down, and until when is it not tried again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0


_OUTAGES: dict[str, _Outage] = {}
_OUTAGES_LOCK = threading.Lock()


def _outage(location: str) -> _Outage:
    with _OUTAGES_LOCK:
        return _OUTAGES.setdefault(location, _Outage())


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose calls degrade to misses and no-ops while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self._state = _outage(self._location)

    @property
    def is_available(self) -> bool:
        """False while an outage is known and the retry pause has not passed."""
        return not (self._state.down and time.monotonic() < self._state.retry_at)

    def _call(self, method, fallback, *args, **kwargs):
        if not self.is_available:
            return fallback
        try:
            result = method(*args, **kwargs)
        except UNREACHABLE as exc:
            with self._state.lock:
                first = not self._state.down
                self._state.down = True
                self._state.retry_at = time.monotonic() + settings.CACHE_REDIS_RETRY_SECONDS
            if first:
                logger.error(
                    "Redis is down (%s unreachable: %s). The cache is off: pages and the API compute every "
                    "figure directly until Redis is back; it is tried again every %s s.",
                    self._location, exc, settings.CACHE_REDIS_RETRY_SECONDS,
                )
            return fallback
        if self._state.down:
            with self._state.lock:
                recovered = self._state.down
                self._state.down = False
            if recovered:
                logger.warning("Redis is back (%s): the cache is on again.", self._location)
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call(super().incr, missing, key, delta, version)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
