"""Every list, export and feed runs the same, literal number of queries with one item and
with three (pretalx's habit: that is how N+1 stays out). Uncached, no cookies."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from schedule import agenda as agendas
from schedule.models import Agenda, AgendaItem
from tests.factories import sized_conference

pytestmark = pytest.mark.django_db

# name: (path under the event, queries); {feed} is the event's agenda feed token.
PAGES = {
    "list": ("schedule/", 5),
    "grid": ("schedule/grid/", 5),
    "filtered list": ("schedule/?track=track-0&type=type-0&q=session", 7),
    "speaker directory": ("speakers/", 2),
    # One session's and one speaker's: the event, then one statement (with its people,
    # with their sessions); a session's .ics: the event, the session, its people.
    "session page": ("sessions/session-0/", 2),
    "speaker page": ("speakers/person-0/", 2),
    "session .ics": ("sessions/session-0.ics", 3),
    "schedule.ics": ("schedule.ics", 3),
    "filtered schedule.ics": ("schedule.ics?track=track-0", 4),
    "schedule.xml": ("schedule.xml", 4),  # and the latest release, named in its version
    "schedule.json": ("schedule.json", 4),
    "agenda feed": ("agenda/{feed}.ics", 4),
    "API sessions": ("/api/v1/events/{event}/sessions/", 4),
}


def conference(slug: str, sessions: int) -> dict:
    """The shared sized conference (one track and type: every session matches the
    filters), each session with a speaker and a moderator, all in one agenda."""
    built = sized_conference(slug, sessions, timezone="UTC", tracks=1, types=1, moderators=True)
    agenda = Agenda.objects.create(event=built.event)
    for session in built.sessions:
        item = AgendaItem(agenda=agenda, session=session)
        item.remember(session)
        item.save()
    return {"event": slug, "feed": agendas.feed_token(agenda)}


def queries(names: dict, path: str) -> int:
    url = path.format(**names)
    url = url if url.startswith("/") else f"/{names['event']}/{url}"
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def test_one_and_three_items_run_the_same_literal_number_of_queries():
    one, three = conference("one-item", 1), conference("three-items", 3)
    counted = {
        name: (queries(one, path), queries(three, path)) for name, (path, _) in PAGES.items()
    }
    expected = {name: (count, count) for name, (_, count) in PAGES.items()}
    assert counted == expected
