"""One log line per request, with an id that ties it to any error logged on the way.

The id comes from the proxy's X-Request-ID when it looks like one, else it is new; it
is sent back in the response, so a visitor's report can be matched to the logs. An
answer of the page cache (lib/conditional.py) says how it was made: ``cache=render``
(rendered now), ``cache=hit`` (the stored copy) or ``cache=304``.

The logged path never carries a secret: a URL part named ``token`` (the agenda feed's)
is written as ``[feed]``. Client errors (404, 403, 400) are one INFO line like any
answer; only an unexpected exception is logged with its traceback.
"""

import logging
import re
import time
import uuid

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404

from .conditional import PAGE_CACHE

log = logging.getLogger("lineup.request")
# Matched with fullmatch: "^...$" lets a trailing newline through, which then breaks
# the response header (a 500) and the log line.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{8,64}")
CLIENT_ERRORS = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        response["X-Request-ID"] = request.id
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        cached = request.META.get(PAGE_CACHE)
        log.log(
            level,
            "request_id=%s method=%s path=%s status=%s duration_ms=%.1f%s",
            request.id,
            request.method,
            loggable_path(request),
            response.status_code,
            elapsed_ms,
            f" cache={cached}" if cached else "",
        )
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, CLIENT_ERRORS):
            return  # Django answers 4xx; the request line says so
        log.exception(
            "request_id=%s method=%s path=%s unhandled %s",
            getattr(request, "id", "-"),
            request.method,
            loggable_path(request),
            type(exception).__name__,
        )


def loggable_path(request) -> str:
    """The path, with any URL part named ``token`` (a secret) left out."""
    match = getattr(request, "resolver_match", None)
    token = match.kwargs.get("token") if match else None
    if not token:
        return request.path
    return request.path.replace(token, "[feed]")
