"""Login rate limiting (django-axes) with a client address that cannot be forged.

Failed sign-ins are counted per (user name, client address) in the database, so the
count holds across all workers, one attacker cannot lock everybody out, and a
legitimate user elsewhere is not locked out by someone guessing their password.
"""

import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """REMOTE_ADDR, or with ``TRUSTED_PROXIES=N`` the address the N-th proxy saw.

    X-Forwarded-For is only believed as far as our own proxies wrote it: entries further
    left came from the client and may be anything.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class RateLimitedLoginBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in that comes with a request.

    Sign-ins without a request (Django's test client, management code) cannot be
    brute-forced from outside and are left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def count_hit(scope: str, ident: str, window: int) -> int:
    """Count one hit of ``ident`` in the current ``window`` seconds; return the count.

    A fixed window held in the shared cache: ``add`` then ``incr`` are atomic in Redis,
    so parallel requests on several workers cannot slip past the limit. Without a cache
    (Redis away) nothing is counted: the site keeps serving, unthrottled.
    """
    slot = int(time.time() // window)
    key = f"hits:{scope}:{ident}:{slot}"
    cache.add(key, 0, window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window + 1)
        count = 1
    return count or 0


def hits(scope: str, ident: str, window: int) -> int:
    """How many hits ``ident`` has in the current window (without counting one)."""
    slot = int(time.time() // window)
    return cache.get(f"hits:{scope}:{ident}:{slot}") or 0


def seconds_left(window: int) -> int:
    """Until the current window ends (for Retry-After)."""
    return max(1, int(window - time.time() % window))
