"""Compressed answers: gzip or Brotli, compressed once and kept compressed in the cache.

A cached page, export, feed or API answer is stored as a ``Stored``: its headers and its
body already compressed for one encoding. Serving it again costs no compression work:
the stored bytes are sent as they are, or inflated for the rare client that accepts no
encoding (inflating is some ten times cheaper than compressing).

Cached answers hold no per-visitor secret (public pages carry no CSRF token: star posts
are checked by Origin, lib/origin.py), so there is nothing to fill in per answer and
nothing for BREACH to guess. Uncached dynamic pages with forms (the agenda, sign-in, the
admin) go through ``CompressionMiddleware`` (Django's GZipMiddleware, which pads the
gzip header with random bytes per answer, "Heal The Breach"), and Django masks their
tokens differently in every answer.

Why not simply compress after personalizing: measured on the 600-session list (960 KB
before issue 17's trimming), gzip level 6 took 10 ms and Brotli quality 5 15 ms per
answer (quality 4, used since issue 13, half that for 8-10% more bytes), against a
cached answer's 1-2 ms; inflating, by contrast, takes about 1.5 ms.
So a visitor with starred sessions (whose stars are switched on in the middle of the
page) gets their own copy, made once from the shared one (inflate, switch the stars on,
compress) and kept for ``PERSONAL_SECONDS`` under their agenda's version; everybody
else is served the shared bytes.

Bodies under ``MIN_SIZE`` bytes go out plain: compressing them saves less than a packet.
"""

import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import brotli
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

MIN_SIZE = 500
CACHE_SECONDS = 60 * 60 * 24  # as lib.conditional: entries are keyed by version
# A visitor's own copy (their stars on a shared page) is kept while they browse only:
# thousands of attendees must not each hold every page in the cache for a day.
PERSONAL_SECONDS = 10 * 60
GZIP_LEVEL = 6  # zlib's default: level 9 saves under 1% more here, for twice the time
BROTLI_QUALITY = 4  # for dynamic content: 5 took twice the time for 8-10% fewer bytes
# Quality 1 at both ends. The whole-schedule exports (460 KB-760 KB at 600 sessions, 4-6
# MB at 5,000): it took a quarter of quality 4's time (json: 2.8 ms against 10.9; 26 ms
# against 72) for 15-29% more bytes, still fewer than gzip's level 6 gives them. A page
# of a few KB (a session's, a speaker's): quality 4 first clears a 512 KB match table,
# which took longer than the rest of compressing (in a worker, 0.4-0.6 ms of a 6 KB
# page against 0.1-0.15 at quality 1) to save some 300 bytes, within the same packets.
SMALL_BODY = 16 * 1024
LARGE_BODY = 256 * 1024
BROTLI_QUALITY_QUICK = 1
ETAG_SUFFIX = {"br": "-br", "gzip": "-gz", None: ""}
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time


def accepts(request: HttpRequest, coding: str) -> bool:
    """Whether Accept-Encoding accepts ``coding``: listed (or ``*`` is) with a weight
    above zero; ``q=0`` refuses one."""
    weights: dict[str, float] = {}
    for item in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    return weights.get(coding, weights.get("*", 0.0)) > 0


def negotiate(request: HttpRequest) -> str | None:
    """The encoding to answer in: "br" if accepted, else "gzip", else None (plain)."""
    for coding in ("br", "gzip"):
        if accepts(request, coding):
            return coding
    return None


def etag_for(tag: str, encoding: str | None) -> str:
    """A strong ETag per encoding: the bytes differ, so the tags must too."""
    return f'"{tag}{ETAG_SUFFIX[encoding]}"'


@dataclass(frozen=True)
class Stored:
    """One answer as kept in the cache: its headers and its body, compressed."""

    headers: dict[str, str]
    encoding: str | None  # None: the body was too small to compress; kept plain
    body: bytes


def store(body: bytes, encoding: str | None, headers: dict[str, str]) -> Stored:
    """Compress ``body`` for ``encoding``, once."""
    if encoding is None or len(body) < MIN_SIZE:
        return Stored(headers, None, body)
    if encoding == "gzip":
        deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        packed = GZIP_HEADER + deflate.compress(body) + deflate.flush()
        trailer = zlib.crc32(body).to_bytes(4, "little") + (len(body) & 0xFFFFFFFF).to_bytes(
            4, "little"
        )
        return Stored(headers, encoding, packed + trailer)
    quick = len(body) < SMALL_BODY or len(body) >= LARGE_BODY
    quality = BROTLI_QUALITY_QUICK if quick else BROTLI_QUALITY
    return Stored(headers, encoding, brotli.compress(body, quality=quality))


def plain(stored: Stored) -> bytes:
    """The whole plain body."""
    if stored.encoding is None:
        return stored.body
    if stored.encoding == "gzip":
        return zlib.decompress(stored.body, 16 + zlib.MAX_WBITS)
    return brotli.decompress(stored.body)


def load(
    key: str,
    encoding: str | None,
    make: Callable[[], tuple[bytes, dict] | None],
    seconds: int = CACHE_SECONDS,
):
    """The stored answer under ``key`` for ``encoding``, made and stored on a miss.

    ``make`` returns (plain body, headers to keep), or None for an answer not to store.
    A client that accepts no encoding reads the gzip copy, inflated.

    Misses of one entry at the same time make it once: after an edit every page misses
    at once, and on a conference morning each is asked for by many visitors in the same
    second. ``cache.add`` is atomic (Redis, local memory): the first caller takes the
    entry's lock and renders; the others wait for the entry, and render themselves only
    if the lock holder stored nothing (an error, an answer not to store) or took longer
    than FLIGHT_SECONDS. Without a cache (Redis away) every caller renders.
    """
    kept = encoding or "gzip"
    full_key = f"{key}:{kept}"
    stored = cache.get(full_key)
    if stored is not None:
        return stored
    lock_key = f"{full_key}:lock"
    owner = cache.add(lock_key, 1, FLIGHT_SECONDS)
    if not owner:
        stored = _wait_for(full_key, lock_key)
        if stored is not None:
            return stored
    try:
        made = make()
        if made is None:
            return None
        body, headers = made
        stored = store(body, kept, headers)
        cache.set(full_key, stored, seconds)
        return stored
    finally:
        if owner:
            cache.delete(lock_key)


FLIGHT_SECONDS = 10  # the longest one render may hold the others back
WAIT_STEP = 0.005


def _wait_for(full_key: str, lock_key: str) -> Stored | None:
    deadline = time.monotonic() + FLIGHT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        stored = cache.get(full_key)
        if stored is not None:
            return stored
        if not cache.get(lock_key):
            return cache.get(full_key)
    return None


def respond(stored: Stored, encoding: str | None) -> HttpResponse:
    """An HttpResponse for a stored answer: its bytes as stored, or inflated for a client
    that does not accept their encoding."""
    if stored.encoding is not None and encoding == stored.encoding:
        response = HttpResponse(stored.body)
        response["Content-Encoding"] = stored.encoding
    else:
        response = HttpResponse(plain(stored))
    for name, value in stored.headers.items():
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


class CompressionMiddleware(GZipMiddleware):
    """gzip for answers no view compressed: uncached, dynamic pages and API writes.

    Django's middleware compresses on every answer, which is right for pages made per
    visitor and wrong for cached ones; those come compressed from the cache and carry a
    Content-Encoding, so this leaves them alone. Same size threshold as the cache.
    """

    def process_response(self, request, response):
        if not response.streaming and len(response.content) < MIN_SIZE:
            return response
        if not accepts(request, "gzip"):  # Django's own test ignores "gzip;q=0"
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)


class _SizedCompressor:
    """WhiteNoise's compressor, with Brotli copies only for files up to ``limit`` bytes."""

    def __init__(self, limit: int, **kwargs):
        self.limit = limit
        self.small = Compressor(**kwargs)
        self.large = Compressor(**{**kwargs, "use_brotli": False})

    def should_compress(self, name: str) -> bool:
        return self.small.should_compress(name)

    def compress(self, path: str) -> list[str]:
        size = os.path.getsize(path)
        return (self.small if size <= self.limit else self.large).compress(path)


class GzipStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, pre-compressed static files: gzip, and Brotli up to 256 KB.

    Brotli at WhiteNoise's quality 11 took collectstatic from 16 s to over 3 minutes here
    for the API docs' megabyte bundles; for the pages' own CSS and JS (static/bundles/)
    it takes well under a second and saves a phone some 5 KB on a first visit.
    """

    BROTLI_MAX_BYTES = 256 * 1024

    def create_compressor(self, **kwargs):
        return _SizedCompressor(self.BROTLI_MAX_BYTES, **kwargs)
