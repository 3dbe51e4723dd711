"""One conditional response for every public page, export, feed and API answer.

An answer is named by plain key parts that say what it was made from (for a page of
an event: the event and when its data last changed, the page's own parameters). From
them come its ETag (and, given the time of the last change, its Last-Modified), so a
repeat request gets 304; and the cache entry that holds its rendered, compressed body
(lib/compression.py), so nothing needs explicit invalidation: a change makes new keys.

An answer is the same for every visitor (no CSRF token in its forms: lib/origin.py),
so it goes out ``public`` with a short shared lifetime: a proxy or CDN may keep it and
answer for SHARED_SECONDS. Only a visitor with an agenda gets their own copy (their
stars switched on by a ``Personal``, whose ``version`` goes into the ETag), ``private``.

This module imports no app: apps hand it their key parts and a render function.
"""

import datetime as dt
import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from .compression import PERSONAL_SECONDS, etag_for, load, negotiate, plain, respond

CACHE_SECONDS = 60 * 60 * 24
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
# How long a shared cache may answer without asking: an edit shows everywhere within a
# minute, and a conference morning's crowd costs one request a minute per page and proxy.
SHARED_SECONDS = 60
# How the answer was made, for the request log (lib/requestlog.py): "render", "hit", "304".
PAGE_CACHE = "lineup.page_cache"


@dataclass
class Personal:
    """How one visitor's copy of a shared page differs: a version and a rewrite."""

    version: str
    apply: Callable[[bytes], bytes]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an answer is rendered, as it was after.

    A render builds tens of thousands of short-lived objects (a row, its people and its
    texts per session) and drops them all at the end: none in a cycle, so the collector,
    which runs every 700 new objects and at times walks every object of the process,
    finds nothing to free. It took 8 % of a 5,000-session schedule.json's time. A cycle
    made meanwhile waits for the next collection. The switch is the process's: a thread
    that finds it off (another render) leaves it as it found it.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


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


def conditional_response(
    request: HttpRequest,
    *,
    key: Iterable[str],
    changed_at: dt.datetime | None,
    render: Callable[[], HttpResponse],
    personal: Personal | None = None,
    private: bool = False,
    vary: Iterable[str] = ("Accept-Encoding",),
) -> HttpResponse:
    """Answer with 304, the cached body, or a freshly rendered one, in that order.

    ``key`` names what the answer is made from; the scheme, host and path are added
    (answers carry absolute URLs). ``changed_at`` gives Last-Modified (None: ETag
    only). Only 200 answers are stored; any other is returned as ``render`` made it.
    ``private`` answers (one visitor's) are never kept by shared caches.
    """
    key = _hash(
        *key,
        request.build_absolute_uri(request.path),
        "htmx" if request.headers.get("HX-Request") == "true" else "",
    )
    personal_version = personal.version if personal else ""
    encoding = negotiate(request)
    etag = etag_for(_hash(key, personal_version), encoding)
    # A visitor's own page (their stars) changes with their agenda too: only its ETag can
    # tell. Without an agenda the page is everyone's, and its date says when it changed.
    own = bool(personal and personal.version)
    current, last_modified = validators(request, etag, None if own else changed_at)
    response: HttpResponse
    if current:
        request.META[PAGE_CACHE] = "304"
        response = HttpResponseNotModified()
    else:
        refused = []
        request.META[PAGE_CACHE] = "hit"

        def make():
            request.META[PAGE_CACHE] = "render"
            with collector_paused():
                fresh = render()
                if fresh.status_code != 200:
                    refused.append(fresh)
                    return None
                if isinstance(fresh, SimpleTemplateResponse) and not fresh.is_rendered:
                    fresh.render()
            return fresh.content, {name: fresh[name] for name in KEPT_HEADERS if name in fresh}

        # Stored compressed (lib/compression.py): a cached answer costs no compression.
        stored = load(f"page:{key}", encoding, make)
        if stored is None:
            return refused[0]
        html = stored.headers.get("Content-Type", "").startswith("text/html")
        if html and personal is not None and personal.version:
            shared = stored
            stored = load(
                f"page:{key}:{_hash(personal.version)}",
                encoding,
                lambda: (personal.apply(plain(shared)), shared.headers),
                PERSONAL_SECONDS,
            )
        response = respond(stored, encoding)
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = last_modified
    if private or own:
        response["Cache-Control"] = "private, no-cache"
    else:
        response["Cache-Control"] = f"public, max-age=0, s-maxage={SHARED_SECONDS}"
    patch_vary_headers(response, tuple(vary))
    return response
