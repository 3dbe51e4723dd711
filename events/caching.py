"""Public pages and exports keyed on when their event's data last changed.

Every saved change to an event's rows bumps ``Event.changed_at`` (signals.py). A page
or export of that event is then identified by (event, changed_at, request variant):
that gives its ETag and Last-Modified, lets a repeat request get 304, and names the
cache entry holding the rendered body, so no explicit invalidation is needed.

Pages that differ per visitor (starred sessions, the CSRF token in their forms) are
cached once for everybody, with placeholders; a ``Personal`` fills them in on the way
out, and its ``version`` makes the ETag differ per visitor.
"""

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.middleware.csrf import get_token
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from .compression import PERSONAL_SECONDS, etag_for, load, negotiate, plain, respond
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


def canonical_query(params: QueryDict, names) -> QueryDict:
    """The parameters a page takes, each value once, in one order: what a page is
    rendered from and cached under. Other parameters are ignored, so ``?bust=N`` finds
    the same entry instead of making a new one."""
    query = QueryDict(mutable=True)
    for name in sorted(names):
        values = sorted(set(params.getlist(name)))
        if values:
            query.setlist(name, values)
    return query


def validators(
    request: HttpRequest, etag: str, changed_at: dt.datetime | None
) -> tuple[bool, str | None]:
    """Whether the client's copy is current, and the Last-Modified header to send.

    The ETag (which holds ``changed_at`` to the microsecond) is checked first; only
    without If-None-Match does If-Modified-Since count. An HTTP date has whole seconds,
    so a Last-Modified is only sent once its second is over: a client that has one
    fetched after every change of that second, and "not modified since" is then true.
    """
    if_none_match = request.headers.get("If-None-Match")
    if request.method not in ("GET", "HEAD"):
        fresh = False
    elif if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        fresh = etag in tags or "*" in tags
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        fresh = changed_at is not None and since is not None and changed_at.timestamp() < since + 1
    if changed_at is None:
        return fresh, None
    second = int(changed_at.timestamp())
    if second + 1 > time.time():
        return fresh and if_none_match is not None, None
    return fresh, http_date(second)


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
    query: QueryDict | None = None,
) -> HttpResponse:
    """Answer with 304, a cached body, or a freshly rendered one, in that order.

    Only 200 responses are stored. ``variant`` separates responses that differ for the
    same URL (for example the current day during a live event). ``query`` is the
    page's own parameters from ``canonical_query``, what it renders from; any other
    part of the query string is not part of the key.
    """
    key = _hash(
        str(event.pk),
        event.changed_at.isoformat(),
        event.phase(),  # the banner changes when the event starts and ends
        # Scheme, host and path (pages carry absolute URLs), and the page's parameters.
        request.build_absolute_uri(request.path),
        query.urlencode() if query else "",
        "htmx" if request.headers.get("HX-Request") == "true" else "",
        variant,
        get_language(),  # the words, dates and times of the page are in this language
    )
    personal_version = personal.version if personal else ""
    csrf = request.COOKIES.get("csrftoken", "")
    encoding = negotiate(request)
    etag = etag_for(_hash(key, personal_version, csrf), encoding)
    # A visitor's own page (their stars) changes with their agenda too: only its ETag can
    # tell. Without an agenda the page is everyone's, and its date says when it changed.
    own = bool(personal and personal.version)
    current, last_modified = validators(request, etag, None if own else event.changed_at)
    if current:
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
                PERSONAL_SECONDS,
            )
        response = respond(stored, encoding, partial(with_csrf, request) if html else None)
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = last_modified
    response["Cache-Control"] = "private, no-cache" if own or csrf else "no-cache"
    # Cookie also holds the language a visitor chose (django_language).
    response["Vary"] = "HX-Request, Cookie, Accept-Encoding, Accept-Language"
    return response
