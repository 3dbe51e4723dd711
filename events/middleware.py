"""One log line per request, with an id that ties it to any error logged on the way.

The id comes from the proxy's X-Request-ID when it looks like one, else it is new; it
is sent back in the response, so a visitor's report can be matched to the logs.
"""

import logging
import re
import time
import uuid

log = logging.getLogger("lineup.request")
# Matched with fullmatch: "^...$" lets a trailing newline through, which then breaks
# the response header (a 500) and the log line.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{8,64}")


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
        log.log(
            level,
            "request_id=%s method=%s path=%s status=%s duration_ms=%.1f",
            request.id,
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
        )
        return response

    def process_exception(self, request, exception):
        log.exception(
            "request_id=%s method=%s path=%s unhandled %s",
            getattr(request, "id", "-"),
            request.method,
            request.path,
            type(exception).__name__,
        )
