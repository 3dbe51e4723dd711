"""Public pages and exports keyed on when their event's data last changed.

Every saved change to an event's rows bumps ``Event.changed_at`` (signals.py). A page
or export of that event is then identified by (event, changed_at, request variant):
that gives its ETag and Last-Modified, lets a repeat request get 304, and names the
cache entry holding the rendered body, so no explicit invalidation is needed.

Pages that differ per visitor (starred sessions, the CSRF token in their forms) are
cached once for everybody, with placeholders; a ``Personal`` fills them in on the way
out, and its ``version`` makes the ETag differ per visitor.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.http import http_date, parse_http_date_safe

from .compression import etag_for, load, negotiate, plain, respond
from .models import Event

CACHE_SECONDS = 60 * 60 * 24
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
CSRF_PLACEHOLDER = "__lineup_csrf_token__"
# Only this exact markup is filled in, never the placeholder text elsewhere: an abstract
# may contain the word, and must not receive a visitor's token (it would leak it).
CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'


@dataclass
class Personal:
    """How one visitor's copy of a shared page differs: a version and a rewrite."""

    version: str
    apply: Callable[[bytes], bytes]


def _hash(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _not_modified(request: HttpRequest, etag: str, last_modified: int | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return last_modified is not None and since is not None and last_modified <= since


def with_csrf(request: HttpRequest, content: bytes) -> bytes:
    """Put this visitor's CSRF token into a shared page (bytes: no decoding of big pages)."""
    placeholder = CSRF_INPUT.format(CSRF_PLACEHOLDER).encode()
    if placeholder not in content:
        return content
    return content.replace(placeholder, CSRF_INPUT.format(get_token(request)).encode())


def cached_event_response(
    request: HttpRequest,
    event: Event,
    render: Callable[[], HttpResponse],
    *,
    variant: str = "",
    personal: Personal | None = None,
) -> HttpResponse:
    """Answer with 304, a cached body, or a freshly rendered one, in that order.

    Only 200 responses are stored. ``variant`` separates responses that differ for the
    same URL (for example the current day during a live event).
    """
    key = _hash(
        str(event.pk),
        event.changed_at.isoformat(),
        event.phase(),  # the banner changes when the event starts and ends
        request.build_absolute_uri(),  # host and scheme too: pages carry absolute URLs
        request.headers.get("HX-Request", ""),
        variant,
    )
    personal_version = personal.version if personal else ""
    csrf = request.COOKIES.get("csrftoken", "")
    encoding = negotiate(request)
    etag = etag_for(_hash(key, personal_version, csrf), encoding)
    last_modified = int(event.changed_at.timestamp())
    # A personal page changes with the visitor's agenda too: only its ETag can tell.
    since_ok = None if personal else last_modified
    if request.method in ("GET", "HEAD") and _not_modified(request, etag, since_ok):
        response = HttpResponseNotModified()
    else:
        refused = []

        def make():
            fresh = render()
            if hasattr(fresh, "render"):
                fresh.render()
            if fresh.status_code != 200:
                refused.append(fresh)
                return None
            return fresh.content, {name: fresh[name] for name in KEPT_HEADERS if name in fresh}

        # Stored compressed (events/compression.py): a cached answer costs no
        # compression; the CSRF token goes into each answer's short plain tail.
        stored = load(f"page:{key}", encoding, make)
        if stored is None:
            fresh = refused[0]
            if fresh.get("Content-Type", "").startswith("text/html"):
                fresh.content = with_csrf(request, fresh.content)
            return fresh
        html = stored.headers.get("Content-Type", "").startswith("text/html")
        if html and personal and personal.version:
            shared = stored
            stored = load(
                f"page:{key}:{_hash(personal.version)}",
                encoding,
                lambda: (personal.apply(plain(shared)), shared.headers),
            )
        response = respond(stored, encoding, partial(with_csrf, request) if html else None)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, no-cache" if personal or csrf else "no-cache"
    response["Vary"] = "HX-Request, Cookie, Accept-Encoding"
    return response
