"""Public pages and exports keyed on when their event's data last changed.

Every saved change to an event's rows bumps ``Event.changed_at`` (signals.py). A page
or export of that event is then identified by (event, changed_at, request variant):
that gives its ETag and Last-Modified, lets a repeat request get 304, and names the
cache entry holding the rendered body, so no explicit invalidation is needed.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from .models import Event

CACHE_SECONDS = 60 * 60 * 24
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def _variant_key(event: Event, request: HttpRequest, variant: str) -> str:
    raw = "|".join(
        [
            str(event.pk),
            event.changed_at.isoformat(),
            event.phase(),  # the banner changes when the event starts and ends
            request.get_full_path(),
            request.headers.get("HX-Request", ""),
            variant,
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _not_modified(request: HttpRequest, etag: str, last_modified: int) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and last_modified <= since


def cached_event_response(
    request: HttpRequest,
    event: Event,
    render: Callable[[], HttpResponse],
    *,
    variant: str = "",
) -> HttpResponse:
    """Answer with 304, a cached body, or a freshly rendered one, in that order.

    Only 200 responses are stored. ``variant`` separates responses that differ for the
    same URL (for example the current day during a live event).
    """
    key = _variant_key(event, request, variant)
    etag = quote_etag(key)
    last_modified = int(event.changed_at.timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": "no-cache",
        "Vary": "HX-Request, Cookie",
    }
    if request.method in ("GET", "HEAD") and _not_modified(request, etag, last_modified):
        response = HttpResponseNotModified()
    else:
        stored = cache.get(f"page:{key}")
        if stored is not None:
            content, kept = stored
            response = HttpResponse(content)
            for name, value in kept.items():
                response[name] = value
        else:
            response = render()
            if response.status_code != 200:
                return response
            if hasattr(response, "render"):
                response.render()
            kept = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(f"page:{key}", (response.content, kept), CACHE_SECONDS)
    for name, value in headers.items():
        response[name] = value
    return response
