"""Every list, export and feed runs the same, literal number of queries with one item and
with three (pretalx's habit: that is how N+1 stays out). Uncached; no cookies but the
visitor's agenda key where the page is the visitor's own."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from schedule import agenda as agendas
from schedule import releases
from schedule.models import Agenda, AgendaItem, Session
from tests.factories import sized_conference

pytestmark = pytest.mark.django_db

API = "/api/v1/events/{event}"
# name: (path under the event, queries); {feed} is the event's agenda feed token. An item
# is a session (with its speaker and moderator), and for the changelog a release.
PAGES = {
    "event list": ("/", 1),
    "event home": ("", 1),
    "list": ("schedule/", 6),
    "grid": ("schedule/grid/", 6),
    "filtered list": ("schedule/?track=track-0&type=type-0&q=session", 8),
    "htmx list": ("schedule/?q=session", 6),
    "embedded list": ("embed/", 7),
    "embedded grid": ("embed/grid/", 7),
    "speaker directory": ("speakers/", 2),
    # One session's and one speaker's: the event, then one statement (with its people,
    # with their sessions); a session's .ics: the event, the session, its people.
    "session page": ("sessions/session-0/", 2),
    "speaker page": ("speakers/person-0/", 2),
    "session .ics": ("sessions/session-0.ics", 3),
    "schedule.ics": ("schedule.ics", 4),
    "filtered schedule.ics": ("schedule.ics?track=track-0", 5),
    "schedule.xml": ("schedule.xml", 5),  # and the latest release, named in its version
    "schedule.json": ("schedule.json", 5),
    "agenda page": ("agenda/", 6),  # the visitor's own (their key in a cookie)
    "agenda feed": ("agenda/{feed}.ics", 5),
    "changelog": ("changes/", 3),
    "changelog feed": ("changes/atom.xml", 3),
    "API events": ("/api/v1/events/", 3),
    "API sessions": (f"{API}/sessions/", 5),
    "API speakers": (f"{API}/speakers/", 3),
    "API rooms": (f"{API}/rooms/", 3),
    "API tracks": (f"{API}/tracks/", 3),
    "API types": (f"{API}/types/", 3),
    "API changes": (f"{API}/changes/?since=1", 4),
}
HTMX = {"htmx list"}
VISITORS = {"agenda page"}


def conference(slug: str, sessions: int) -> dict:
    """The shared sized conference (one track and type: every session matches the
    filters), each session with a speaker and a moderator, all in one agenda, and each
    a release of its own in the changelog after the first."""
    built = sized_conference(slug, sessions, timezone="UTC", tracks=1, types=1, moderators=True)
    key = f"key-of-{slug}"
    agenda = Agenda.objects.create(event=built.event, key_hash=agendas.digest(key))
    for session in built.sessions:
        item = AgendaItem(agenda=agenda, session=session)
        item.remember(session)
        item.save()
    releases.baseline(built.event)
    for session in built.sessions:
        Session.objects.filter(pk=session.pk).update(title=f"{session.title}, renamed")
        releases.record(built.event, None, [session.pk])
    return {
        "event": slug,
        "feed": agendas.feed_token(agenda),
        "cookie": (agendas.cookie_name(built.event), key),
    }


def queries(names: dict, page: str) -> tuple[int, bytes]:
    path = PAGES[page][0]
    url = path.format(**names)
    url = url if url.startswith("/") else f"/{names['event']}/{url}"
    client = Client(headers={"HX-Request": "true"} if page in HTMX else {})
    if page in VISITORS:
        client.cookies[names["cookie"][0]] = names["cookie"][1]
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response.content


def test_one_and_three_items_run_the_same_literal_number_of_queries():
    one, three = conference("one-item", 1), conference("three-items", 3)
    served = {name: (queries(one, name), queries(three, name)) for name in PAGES}
    counted = {name: (a[0], b[0]) for name, (a, b) in served.items()}
    expected = {name: (count, count) for name, (_, count) in PAGES.items()}
    assert counted == expected
    # The items are really there: more of them in the second event's.
    for name, marker in [
        ("list", b"renamed"), ("schedule.json", b"renamed"), ("agenda feed", b"BEGIN:VEVENT"),
        ("changelog feed", b"<entry>"), ("API speakers", b'"slug":'),
    ]:  # fmt: skip
        (_, small), (_, big) = served[name]
        assert big.count(marker) > small.count(marker) > 0, name
