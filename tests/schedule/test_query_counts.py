"""Every list, export and feed runs the same, literal number of queries with one item and
with three (pretalx's habit: that is how N+1 stays out). Uncached, no cookies."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from schedule import agenda as agendas
from schedule.models import Agenda, AgendaItem
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SessionTypeFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

# name: (path under the event, queries); {feed} is the event's agenda feed token.
PAGES = {
    "list": ("schedule/", 7),
    "grid": ("schedule/grid/", 8),
    "filtered list": ("schedule/?track=track&type=talk&q=session", 9),
    "speaker directory": ("speakers/", 2),
    "schedule.ics": ("schedule.ics", 3),
    "filtered schedule.ics": ("schedule.ics?track=track", 4),
    "schedule.xml": ("schedule.xml", 4),  # and the latest release, named in its version
    "schedule.json": ("schedule.json", 4),
    "agenda feed": ("agenda/{feed}.ics", 4),
    "API sessions": ("/api/v1/events/{event}/sessions/", 4),
}


def conference(slug: str, sessions: int) -> dict:
    event = EventFactory(slug=slug)
    track = TrackFactory(event=event, slug="track")
    talk = SessionTypeFactory(event=event, slug="talk")
    agenda = Agenda.objects.create(event=event)
    start = dt.datetime.combine(event.start_date, dt.time(9), tzinfo=dt.UTC)
    for n in range(sessions):
        starts_at = start + dt.timedelta(hours=n)
        session = SessionFactory(
            event=event, track=track, session_type=talk, room=RoomFactory(event=event),
            starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=45),
        )  # fmt: skip
        for k in range(2):  # a speaker and a moderator each
            SessionSpeakerFactory(
                session=session, speaker=SpeakerFactory(event=event), position=k,
                role="moderator" if k else "speaker",
            )  # fmt: skip
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
