"""Compressed answers (issue 17): pages, exports, the agenda feed and the API go out in
gzip or Brotli when the client accepts it, compressed once and kept so in the cache, with
``Vary: Accept-Encoding``, an ETag per encoding and 304 on a repeat; plain otherwise."""

import datetime as dt
import gzip
import pickle
import re
import time
import zoneinfo

import brotli
import pytest
from django.core.cache import cache
from django.test import Client

from lib import compression
from lib.compression import MIN_SIZE, PERSONAL_SECONDS, Stored, negotiate
from schedule import agenda as agendas
from schedule.models import Agenda, AgendaItem
from tests.factories import EventFactory, RoomFactory, SessionFactory, TrackFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def event(db):
    """Enough sessions that every page and export is well over the plain-size limit."""
    event = EventFactory(
        slug="zip30",
        timezone="Europe/Paris",
        start_date=dt.date(2030, 6, 10),
        end_date=dt.date(2030, 6, 11),
    )
    room = RoomFactory(event=event, name="Main hall")
    track = TrackFactory(event=event, name="Web", color="#336699")
    for n in range(12):
        start = dt.datetime(2030, 6, 10, 9 + n % 8, tzinfo=PARIS)
        SessionFactory(
            event=event,
            title=f"Talk number {n}",
            room=room,
            track=track,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=45),
        )
    return event


def decode(response) -> bytes:
    """The body as the client reads it (gzip and brotli both check their own integrity:
    gzip its CRC-32 and length)."""
    coding = response.get("Content-Encoding")
    if coding == "gzip":
        return gzip.decompress(response.content)
    if coding == "br":
        return brotli.decompress(response.content)
    assert coding is None, coding
    return response.content


def stored_entries() -> list[Stored]:
    """Every answer in the (local memory) cache, as stored."""
    found = []
    for value in cache._cache.values():
        item = pickle.loads(value)
        if isinstance(item, Stored):
            found.append(item)
    return found


EXPORTS = ["/zip30/schedule.json", "/zip30/schedule.ics", "/zip30/schedule.xml"]


@pytest.mark.parametrize("path", EXPORTS)
@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_exports_are_compressed_with_vary_and_a_304_per_encoding(event, path, coding):
    client = Client()
    plain = client.get(path)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    packed = client.get(path, HTTP_ACCEPT_ENCODING=f"{coding}, deflate")
    assert packed["Content-Encoding"] == coding
    assert "Accept-Encoding" in packed["Vary"]
    assert decode(packed) == plain.content
    assert len(packed.content) < len(plain.content) / 3
    assert packed["Content-Type"] == plain["Content-Type"]
    assert packed["Content-Disposition"] == plain["Content-Disposition"]
    # Each encoding has its own ETag, and each answers its own repeat with 304.
    assert packed["ETag"] != plain["ETag"]
    assert packed["ETag"].endswith('-gz"' if coding == "gzip" else '-br"')
    again = client.get(path, HTTP_ACCEPT_ENCODING=coding, HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304
    assert "Accept-Encoding" in again["Vary"]
    # The plain copy's tag does not match the compressed answer: full answer, compressed.
    other = client.get(path, HTTP_ACCEPT_ENCODING=coding, HTTP_IF_NONE_MATCH=plain["ETag"])
    assert other.status_code == 200
    assert other["Content-Encoding"] == coding
    assert client.get(path, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_a_page_is_compressed_and_its_star_form_works(event):
    client = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    first = client.get("/zip30/schedule/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert first["Content-Encoding"] == "br"
    html = decode(first)
    assert b"Talk number 11" in html
    assert html.rstrip().endswith(b"</html>")
    assert TOKEN_RE.search(html) is None  # everyone's page: no visitor's token in it
    assert "Accept-Encoding" in first["Vary"]
    assert first["ETag"].endswith('-br"')
    again = client.get(
        "/zip30/schedule/", HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    gz = client.get(
        "/zip30/schedule/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert gz.status_code == 200  # another encoding, another representation
    assert gz["Content-Encoding"] == "gzip"
    session = event.sessions.get(title="Talk number 3")
    starred = client.post(f"/zip30/agenda/{session.slug}/add")
    assert starred.status_code == 302  # the star form of the compressed page works


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_a_cached_page_sends_the_stored_compressed_bytes_as_they_are(event, coding):
    """Compressed once: the cache holds the compressed body; later answers, to other
    visitors, are exactly those bytes (no compression again)."""
    Client().get("/zip30/schedule/", HTTP_ACCEPT_ENCODING=coding)
    (stored,) = [s for s in stored_entries() if s.headers["Content-Type"].startswith("text/html")]
    assert stored.encoding == coding
    assert len(compression.plain(stored)) > 3 * len(stored.body)  # the whole page, compressed
    for _ in range(3):
        answer = Client().get("/zip30/schedule/", HTTP_ACCEPT_ENCODING=coding)
        assert answer.content == stored.body  # no per-visitor part: the stored bytes


def test_cached_exports_hold_compressed_bytes(event):
    client = Client()
    answer = client.get("/zip30/schedule.json", HTTP_ACCEPT_ENCODING="gzip")
    (stored,) = stored_entries()
    assert stored.encoding == "gzip"
    assert stored.body.startswith(b"\x1f\x8b")
    assert len(stored.body) < len(compression.plain(stored)) / 3
    assert answer.content == stored.body
    plain = client.get("/zip30/schedule.json")  # plain clients read the same entry
    assert len(stored_entries()) == 1
    assert plain.content == gzip.decompress(answer.content)


def test_personal_stars_survive_compression(event):
    """The starred sessions of a visitor are marked in the compressed page too."""
    client = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    client.get("/zip30/schedule/", HTTP_ACCEPT_ENCODING="gzip")
    session = event.sessions.get(title="Talk number 5")
    assert client.post(f"/zip30/agenda/{session.slug}/add").status_code == 302
    for coding in ("gzip", "br", ""):
        html = decode(client.get("/zip30/schedule/", HTTP_ACCEPT_ENCODING=coding)).decode()
        assert html.count('aria-pressed="true"') == 1
        on = re.search(r'<button[^>]*aria-pressed="true"[^>]*>', html).group(0)
        assert f"/agenda/{session.slug}/remove" in on
        assert not TOKEN_RE.findall(html.encode())
    # The visitor's own copies are kept for a while only; the shared ones for a day.
    lifetimes = sorted(
        cache._expire_info[key] - time.time()
        for key, value in cache._cache.items()
        if isinstance(pickle.loads(value), Stored)
        and pickle.loads(value).headers["Content-Type"].startswith("text/html")
    )
    assert len(lifetimes) == 4  # shared and personal, in gzip and br
    assert all(0 < left <= PERSONAL_SECONDS for left in lifetimes[:2])
    assert all(left > 60 * 60 for left in lifetimes[2:])
    # Another visitor shares the cached page, without the first one's stars.
    other = decode(Client().get("/zip30/schedule/", HTTP_ACCEPT_ENCODING="gzip")).decode()
    assert 'aria-pressed="true"' not in other


def test_without_accept_encoding_the_answer_is_plain(event):
    client = Client()
    for path in ["/zip30/schedule/", "/zip30/schedule/grid/", *EXPORTS, "/api/v1/events/"]:
        for header in ({}, {"HTTP_ACCEPT_ENCODING": "identity"}, {"HTTP_ACCEPT_ENCODING": ""}):
            response = client.get(path, **header)
            assert response.status_code == 200, path
            assert "Content-Encoding" not in response, (path, header)
            assert "Accept-Encoding" in response["Vary"], path
    refused = client.get("/zip30/schedule.json", HTTP_ACCEPT_ENCODING="gzip;q=0, br;q=0")
    assert "Content-Encoding" not in refused
    assert refused.content.startswith(b"{")


def test_accept_encoding_weights():
    def pick(value):
        class Request:
            headers = {"Accept-Encoding": value}

        return negotiate(Request)

    assert pick("gzip, deflate, br") == "br"
    assert pick("gzip") == "gzip"
    assert pick("br;q=0, gzip;q=0.5") == "gzip"
    assert pick("*") == "br"
    assert pick("*;q=0") is None
    assert pick("gzip;q=bogus") is None
    assert pick("identity") is None
    assert pick("br, gzip;q=0") == "br"
    assert pick("") is None


def test_small_answers_stay_plain(event):
    client = Client()
    theme = client.get("/zip30/theme.css", HTTP_ACCEPT_ENCODING="gzip, br")
    assert theme.status_code == 200
    assert len(theme.content) < MIN_SIZE
    assert "Content-Encoding" not in theme
    assert "Accept-Encoding" in theme["Vary"]
    health = client.get("/healthz", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in health


def test_large_and_small_bodies_take_the_quicker_brotli_quality():
    """Whole-schedule exports (hundreds of KB) and pages of a few KB are compressed at
    quality 1, the pages between at 4; all inflate to the body."""
    words = " ".join(f"session {n} in room {n % 7} at {n % 24}:00" for n in range(20_000))
    large = words.encode()[: compression.LARGE_BODY]
    middle = large[: compression.LARGE_BODY // 4]
    small = large[: compression.SMALL_BODY - 1]
    assert compression.SMALL_BODY <= len(middle) < compression.LARGE_BODY
    packed = compression.store(large, "br", {})
    assert packed.body == brotli.compress(large, quality=compression.BROTLI_QUALITY_QUICK)
    assert compression.plain(packed) == large
    kept = compression.store(middle, "br", {})
    assert kept.body == brotli.compress(middle, quality=compression.BROTLI_QUALITY)
    assert compression.plain(kept) == middle
    quick = compression.store(small, "br", {})
    assert quick.body == brotli.compress(small, quality=compression.BROTLI_QUALITY_QUICK)
    assert compression.plain(quick) == small
    assert compression.BROTLI_QUALITY_QUICK != compression.BROTLI_QUALITY


def test_the_api_is_compressed_with_a_304_per_encoding(event):
    client = Client()
    path = "/api/v1/events/zip30/sessions/"
    plain = client.get(path)
    for coding in ("gzip", "br"):
        packed = client.get(path, HTTP_ACCEPT_ENCODING=coding)
        assert packed["Content-Encoding"] == coding
        assert "Accept-Encoding" in packed["Vary"]
        assert decode(packed) == plain.content
        assert packed["ETag"] != plain["ETag"]
        repeat = client.get(path, HTTP_ACCEPT_ENCODING=coding, HTTP_IF_NONE_MATCH=packed["ETag"])
        assert repeat.status_code == 304
    assert any(s.encoding == "gzip" for s in stored_entries())


def test_the_agenda_feed_is_compressed_with_a_304_per_encoding(event):
    agenda = Agenda.objects.create(event=event)
    for session in event.sessions.all()[:8]:
        item = AgendaItem(agenda=agenda, session=session)
        item.remember(session)
        item.save()
    path = f"/zip30/agenda/{agendas.feed_token(agenda)}.ics"
    client = Client()
    plain = client.get(path)
    assert plain.status_code == 200
    assert plain.content.startswith(b"BEGIN:VCALENDAR")
    for coding in ("gzip", "br"):
        packed = client.get(path, HTTP_ACCEPT_ENCODING=coding)
        assert packed["Content-Encoding"] == coding
        assert "Accept-Encoding" in packed["Vary"]
        assert decode(packed) == plain.content
        assert packed["ETag"] != plain["ETag"]
        repeat = client.get(path, HTTP_ACCEPT_ENCODING=coding, HTTP_IF_NONE_MATCH=packed["ETag"])
        assert repeat.status_code == 304
    # Starring one more session changes the feed, and its ETag.
    AgendaItem.objects.filter(agenda=agenda).first().delete()
    agenda.save(update_fields=["updated_at"])
    changed = client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert changed.status_code == 200


def test_uncached_pages_are_gzipped_per_answer(event):
    """The agenda page is made per visitor: GZipMiddleware compresses it."""
    response = Client().get("/zip30/agenda/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"My agenda" in decode(response)
    refused = Client().get("/zip30/agenda/", HTTP_ACCEPT_ENCODING="gzip;q=0")
    assert "Content-Encoding" not in refused
    assert "Accept-Encoding" in refused["Vary"]
    bad = Client().get("/zip30/schedule/?track=nope", HTTP_ACCEPT_ENCODING="gzip")
    assert bad.status_code == 400
    assert b"nope" in decode(bad)
