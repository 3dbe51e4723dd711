"""A Redis cache that degrades to "no cache" when Redis is away, instead of failing.

Pages are only cached copies: when Redis cannot be reached, or refuses a command (full
with no eviction, read-only replica, failing snapshots: "OOM", "READONLY", "MISCONF"),
a read is a miss and a write is skipped, so visitors get freshly rendered pages and
nothing breaks. Each failure is logged; the client's short timeouts keep a dead Redis
from slowing pages, and after a failure the process leaves Redis alone for a moment
(BREAK_SECONDS): a hung Redis then costs one timeout per process every few seconds, not
one per cache call of every request.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
FAILURES = (RedisError, OSError)


# One warning per interval and process while Redis is away, with the count of the
# failures it stands for: an outage under load is thousands of failed calls a second.
WARN_INTERVAL = 10.0
_quiet = {"until": 0.0, "suppressed": 0}
_quiet_lock = threading.Lock()


def warn_unavailable(name: str, exc: Exception) -> None:
    with _quiet_lock:
        now = time.monotonic()
        if now < _quiet["until"]:
            _quiet["suppressed"] += 1
            return
        suppressed, _quiet["suppressed"] = _quiet["suppressed"], 0
        _quiet["until"] = now + WARN_INTERVAL
    log.warning(
        "cache unavailable (%s: %s); serving without it (%d more failures since the last warning)",
        name,
        exc,
        suppressed,
    )


BREAK_SECONDS = 2.0
_breaker = {"until": 0.0}


def _tolerant(name: str, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        if time.monotonic() < _breaker["until"]:  # failed a moment ago: do without it
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        try:
            return method(self, *args, **kwargs)
        except FAILURES as exc:
            _breaker["until"] = time.monotonic() + BREAK_SECONDS
            warn_unavailable(name, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    get = _tolerant("get", _default)
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    delete = _tolerant("delete", False)
    touch = _tolerant("touch", False)
    get_many = _tolerant("get_many", {})
    set_many = _tolerant("set_many", [])
    delete_many = _tolerant("delete_many", None)
    has_key = _tolerant("has_key", False)
    incr = _tolerant("incr", None)
    clear = _tolerant("clear", None)
