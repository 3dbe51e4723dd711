"""Budgets of the public pages: a fixed number of queries whatever the size of the
event; ETag and Last-Modified with 304 answers; a cache that serves repeats and never
serves stale content after a change."""

import datetime as dt
import re
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from events.models import Event
from schedule.models import Session
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    sized_conference,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12
SMALL, BIG = 20, 600


def build_event(slug: str, n_sessions: int) -> Event:
    """The shared sized conference, with drafts among its sessions (never shown)."""
    event = sized_conference(slug, n_sessions, tracks=6, draft_every=17).event
    Event.objects.filter(pk=event.pk).touch()
    return event


@pytest.fixture(scope="module")
def sized(django_db_setup, django_db_blocker):
    """Two events built once for the module (committed, so deleted at the end)."""
    with django_db_blocker.unblock():
        events = {SMALL: build_event("small-conf", SMALL), BIG: build_event("big-conf", BIG)}
        yield events
        for event in events.values():
            Session.objects.filter(event=event).delete()
            event.delete()


def pages(slug: str) -> dict[str, tuple[str, dict]]:
    return {
        "event list": ("/", {}),
        "event home": (f"/{slug}/", {}),
        "schedule list": (f"/{slug}/schedule/", {}),  # the big one opens at its first day
        "all days list": (f"/{slug}/schedule/?day=all", {}),
        "schedule grid": (f"/{slug}/schedule/grid/", {}),
        "filtered list": (f"/{slug}/schedule/?day=2030-05-06&track=track-0&q=text", {}),
        "filtered grid": (f"/{slug}/schedule/grid/?room=room-1&type=type-0&speaker=person-3", {}),
        "htmx list": (f"/{slug}/schedule/?q=session+text", {"HX-Request": "true"}),
        "embedded grid": (f"/{slug}/embed/grid/?day=2030-05-06&track=track-0", {}),
        "session page": (f"/{slug}/sessions/session-0/", {}),
        "speaker list": (f"/{slug}/speakers/", {}),
        "speaker search": (f"/{slug}/speakers/?q=person", {}),
        "speaker page": (f"/{slug}/speakers/person-0/", {}),
        "schedule.ics": (f"/{slug}/schedule.ics", {}),
        "session .ics": (f"/{slug}/sessions/session-0.ics", {}),
    }


def measure(url: str, headers: dict) -> tuple[int, bytes]:
    """Queries run by one uncached request (a new client: no cookies)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response.content


@pytest.mark.parametrize("page", list(pages("x")))
def test_query_count_does_not_grow_with_the_event(sized, page):
    small_url, headers = pages("small-conf")[page]
    big_url, _ = pages("big-conf")[page]
    small, _ = measure(small_url, headers)
    big, content = measure(big_url, headers)
    assert big == small, f"{page}: {small} queries for {SMALL} sessions, {big} for {BIG}"
    assert big <= MAX_QUERIES
    if page == "all days list":  # the big page really shows the big event
        shown = int(re.search(rb"(\d+) sessions", content).group(1))
        assert shown == Session.objects.public().filter(event=sized[BIG]).count() > 500


# Conditional GET and the page cache ------------------------------------------

PAGES = [
    "/cnc16/",
    "/cnc16/schedule/",
    "/cnc16/schedule/grid/",
    "/cnc16/schedule/?track=ops&q=kubernetes",
    "/cnc16/sessions/kubernetes-101/",
    "/cnc16/speakers/",
    "/cnc16/speakers/kelsey-hightower/",
    "/cnc16/schedule.ics",
    "/cnc16/sessions/kubernetes-101.ics",
]
# Pages that are the same for every visitor honour If-Modified-Since too. (Pages with
# star buttons also change with the visitor's agenda, which only their ETag reflects.)
SHARED_PAGES = [
    "/cnc16/",
    "/cnc16/speakers/",
    "/cnc16/speakers/kelsey-hightower/",
    "/cnc16/schedule.ics",
    "/cnc16/sessions/kubernetes-101.ics",
]


def settled_etag(client, url: str) -> str:
    """The ETag of a repeat request (the same as the first's: no cookie is set)."""
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"]


def settle(event) -> None:
    """Move the last change a few seconds back: Last-Modified is only sent once the second
    of the last change is over (an HTTP date has no fractions)."""
    Event.objects.filter(pk=event.pk).update(changed_at=timezone.now() - dt.timedelta(seconds=5))


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_etag_and_last_modified(client, conf, url):
    settle(conf.event)
    response = client.get(url)
    assert response.status_code == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    conf.event.refresh_from_db()
    assert response["Last-Modified"] == http_date(int(conf.event.changed_at.timestamp()))
    # Everyone's page: browsers ask again each time (and get 304), proxies keep it a minute.
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("url", PAGES)
def test_the_first_answers_etag_gets_304_at_once(conf, url):
    """No cookie comes with a page, so the browser's first revalidation already matches."""
    browser = Client()
    first = browser.get(url)
    assert not first.cookies
    again = browser.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("url", PAGES)
def test_if_none_match_gives_304(client, conf, url):
    etag = settled_etag(client, url)
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(url, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("url", SHARED_PAGES)
def test_if_modified_since_gives_304(client, conf, url):
    settle(conf.event)
    last_modified = client.get(url)["Last-Modified"]
    response = client.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304
    assert response.content == b""
    conf.event.refresh_from_db()
    earlier = http_date(int(conf.event.changed_at.timestamp()) - 60)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "yesterday"}).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_repeat_request_is_served_from_cache(client, conf, url):
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    with CaptureQueriesContext(connection) as second:
        again = client.get(url)
    assert again.status_code == 200
    assert len(second) <= min(2, len(first))
    if response.templates:  # a page: rendered the first time only
        assert not again.templates
    else:  # an export: its sessions are read the first time only
        assert len(second) < len(first)
    assert again.content == response.content
    assert again["Content-Type"] == response["Content-Type"]


@pytest.mark.parametrize("url", PAGES)
def test_304_runs_at_most_two_queries(client, conf, url):
    etag = settled_etag(client, url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert len(queries) <= 2


def changed(client, url, etag, *, expect: str | None = None, absent: str | None = None):
    """After a change: the old ETag no longer matches and the new content is served."""
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200, url
    assert response["ETag"] != etag
    content = response.content.decode()
    if expect is not None:
        assert expect in content, (url, expect)
    if absent is not None:
        assert absent not in content, (url, absent)
    return response


def test_editing_a_session_invalidates_its_pages(client, conf):
    urls = ["/cnc16/schedule/", "/cnc16/schedule/grid/", "/cnc16/sessions/kubernetes-101/",
            "/cnc16/speakers/kelsey-hightower/", "/cnc16/schedule.ics"]  # fmt: skip
    etags = {url: settled_etag(client, url) for url in urls}
    conf.k101.title = "Kubernetes 102"
    conf.k101.save()
    for url in urls:
        changed(client, url, etags[url], expect="Kubernetes 102", absent="Kubernetes 101")


def test_adding_a_room_invalidates_the_grid(client, conf, html):
    etag = settled_etag(client, "/cnc16/schedule/grid/")
    RoomFactory(event=conf.event, name="Room 402", slug="room-402", position=9)
    response = changed(client, "/cnc16/schedule/grid/", etag)
    header = html.find_all(html.find_all(html.dom(response), "thead")[0], "th")
    assert [html.text(th) for th in header][-1] == "Room 402"


def test_publishing_with_set_status_invalidates(client, conf):
    urls = ["/cnc16/schedule/", "/cnc16/speakers/", "/cnc16/schedule.ics"]
    etags = {url: settled_etag(client, url) for url in urls}
    assert client.get("/cnc16/sessions/secret-roadmap/").status_code == 404
    Session.objects.filter(slug="secret-roadmap").set_status("published")
    changed(client, "/cnc16/schedule/", etags["/cnc16/schedule/"], expect="Secret roadmap")
    changed(client, "/cnc16/speakers/", etags["/cnc16/speakers/"], expect="Gustav Draftson")
    changed(client, "/cnc16/schedule.ics", etags["/cnc16/schedule.ics"], expect="Secret roadmap")
    assert client.get("/cnc16/sessions/secret-roadmap/").status_code == 200
    assert client.get("/cnc16/speakers/gustav-draftson/").status_code == 200


def test_unpublishing_a_session_with_set_status_invalidates(client, conf):
    etag = settled_etag(client, "/cnc16/schedule/")
    assert client.get("/cnc16/sessions/helm-charts/").status_code == 200
    Session.objects.filter(slug="helm-charts").set_status("draft")
    changed(client, "/cnc16/schedule/", etag, absent="Helm charts")
    assert client.get("/cnc16/sessions/helm-charts/").status_code == 404


def test_cancelling_invalidates_the_ics(client, conf):
    etag = settled_etag(client, "/cnc16/sessions/kubernetes-101.ics")
    Session.objects.filter(slug="kubernetes-101").set_status("cancelled")
    changed(client, "/cnc16/sessions/kubernetes-101.ics", etag, expect="STATUS:CANCELLED")


def test_renaming_a_speaker_invalidates_session_pages(client, conf):
    etag = settled_etag(client, "/cnc16/sessions/kubernetes-101/")
    conf.kelsey.name = "Kelsey H."
    conf.kelsey.save()
    changed(client, "/cnc16/sessions/kubernetes-101/", etag, expect="Kelsey H.")


def test_linking_a_speaker_invalidates(client, conf):
    etag = settled_etag(client, "/cnc16/sessions/helm-charts/")
    SessionSpeakerFactory(session=conf.helm, speaker=conf.sarah, position=1)
    changed(client, "/cnc16/sessions/helm-charts/", etag, expect="Sarah Novotny")


def test_deleting_a_session_invalidates(client, conf):
    etag = settled_etag(client, "/cnc16/schedule/")
    conf.helm.delete()
    changed(client, "/cnc16/schedule/", etag, absent="Helm charts")


def test_editing_the_event_invalidates_its_home(client, conf):
    etag = settled_etag(client, "/cnc16/")
    conf.event.tagline = "Now in Seattle and online"
    conf.event.save()
    changed(client, "/cnc16/", etag, expect="Now in Seattle and online")


def test_another_events_change_does_not_invalidate(client, conf):
    etag = settled_etag(client, "/cnc16/schedule/")
    SessionFactory(event=EventFactory(slug="elsewhere"), title="Unrelated")
    assert client.get("/cnc16/schedule/", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("url", PAGES)
def test_unpublished_event_is_gone_even_for_a_cached_page(client, conf, url):
    etag = settled_etag(client, url)
    conf.event.is_published = False
    conf.event.save()
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_places_read_apart_are_the_places_read_with_each_row():
    """``rows.load_rows`` reads the rooms, tracks and types of its sessions in a query of
    their own; one session's read joins them to it. Both make the same rows, whole or
    brief: every field of every place, as the models hold it (a guid a UUID, a break a
    boolean), and none where a session has none."""
    from events.models import Room, SessionType
    from schedule.rows import load_rows

    event = sized_conference("apart", 12, tracks=2, types=2).event
    Room.objects.filter(event=event, position=1).update(capacity=40)
    SessionType.objects.filter(event=event, slug="type-1").update(is_break=True)
    schedule = Session.objects.for_schedule(event)
    bare = schedule.first()
    Session.objects.filter(pk=bare.pk).update(room=None, track=None, session_type=None)
    for brief in (False, True):
        apart = load_rows(schedule, event, brief=brief)
        assert apart == load_rows(schedule, event, brief=brief, joined=True)
        assert {r.pk for r in apart if not (r.room or r.track or r.session_type)} == {bare.pk}
    apart = load_rows(schedule, event)
    rooms = {r.room.pk: r.room for r in apart if r.room}
    for room in Room.objects.filter(event=event):
        place = rooms[room.pk]
        assert (place.name, place.slug, place.position) == (room.name, room.slug, room.position)
        assert (place.guid, place.capacity) == (room.guid, room.capacity)
        assert isinstance(place.guid, uuid.UUID)
    breaks = {r.session_type.slug: r.session_type.is_break for r in apart if r.session_type}
    assert breaks == {"type-0": False, "type-1": True}
