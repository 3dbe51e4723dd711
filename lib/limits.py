"""Login rate limiting (django-axes) with a client address that cannot be forged.

Failed sign-ins are counted per (user name, client address) in the database, so the
count holds across all workers, one attacker cannot lock everybody out, and a
legitimate user elsewhere is not locked out by someone guessing their password.
"""

import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _


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


def sign_in_blocked(request) -> bool:
    """Too many failed sign-ins from this address, whatever the user names.

    Axes counts per (user name, address): rotating user names never locks out, and
    each attempt costs a password hash (about 250 ms). Its records also give the sum
    per address, in the database, so the limit holds across workers.
    """
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(
        ip_address=client_ip(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class RateLimitedLoginBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in that comes with a request, and the limit
    per address (checked first: a blocked address costs no password hashing).

    Sign-ins without a request (Django's test client, management code) cannot be
    brute-forced from outside and are left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if sign_in_blocked(request):
            # Stops the other backends (no hashing); the sign-in fails.
            raise PermissionDenied(_("Too many failed sign-ins from this address."))
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


class RequestSizeLimit(FileUploadHandler):
    """Refuses an upload larger than its sender may send, before any of it is read.

    First of FILE_UPLOAD_HANDLERS: Django asks it about every multipart body with its
    Content-Length, before the body is read, written to a temporary file or held in
    memory. Staff (organizers: schedule imports, avatars) may send
    UPLOAD_MAX_BYTES_STAFF, everybody else UPLOAD_MAX_BYTES (a 5 MB avatar through the
    API fits). Too large is a 400, as for any request Django finds too big.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        user = getattr(self.request, "user", None)
        staff = user is not None and user.is_active and user.is_staff
        limit = settings.UPLOAD_MAX_BYTES_STAFF if staff else settings.UPLOAD_MAX_BYTES
        if content_length > limit:
            raise RequestDataTooBig(
                f"Request body of {content_length} bytes exceeds the limit of {limit}."
            )

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
