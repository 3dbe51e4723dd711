"""A small two-day conference in Los Angeles and its organizers, for the board's tests.

Rooms Hall (300 seats), Cedar (40) and Oak (120); Ada Lovelace speaks in the keynote
(9:00–10:00, Hall) and in the second talk (10:00–10:40, Cedar); a draft waits unscheduled;
a coffee break (a break type) sits in Hall at 11:00.
"""

import datetime as dt
import zoneinfo

import pytest

from schedule.models import Session, SessionSpeaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionTypeFactory,
    SpeakerFactory,
    TrackFactory,
)

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
DAY1 = dt.date(2030, 5, 6)


def at(hour: int, minute: int = 0, day: dt.date = DAY1) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LA)


@pytest.fixture
def conf():
    event = EventFactory(
        name="Board Conf", slug="board-conf", timezone="America/Los_Angeles",
        start_date=DAY1, end_date=DAY1 + dt.timedelta(days=1),
    )  # fmt: skip
    hall = RoomFactory(event=event, name="Hall", capacity=300, position=0)
    cedar = RoomFactory(event=event, name="Cedar", capacity=40, position=1)
    oak = RoomFactory(event=event, name="Oak", capacity=120, position=2)
    track = TrackFactory(event=event, name="Data", color="#aa3300")
    talk = SessionTypeFactory(event=event, name="Talk")
    coffee = SessionTypeFactory(event=event, name="Break", is_break=True)
    ada = SpeakerFactory(event=event, name="Ada Lovelace")
    keynote = SessionFactory(
        event=event, title="Keynote", room=hall, track=track, session_type=talk,
        starts_at=at(9), ends_at=at(10),
    )  # fmt: skip
    SessionSpeaker.objects.create(session=keynote, speaker=ada)
    talk_b = SessionFactory(
        event=event, title="Second talk", room=cedar, session_type=talk,
        starts_at=at(10), ends_at=at(10, 40),
    )  # fmt: skip
    SessionSpeaker.objects.create(session=talk_b, speaker=ada)
    loose = SessionFactory(
        event=event, title="Loose talk", room=None, starts_at=None, ends_at=None,
        status=Session.Status.DRAFT,
    )  # fmt: skip
    pause = SessionFactory(
        event=event, title="Coffee", room=hall, session_type=coffee,
        starts_at=at(11), ends_at=at(11, 30),
    )  # fmt: skip
    return type("Conf", (), dict(locals()))


# The board's tests name the shared permission cast's members (tests/conftest.py).


@pytest.fixture
def owner(cast):
    return cast.owner


@pytest.fixture
def editor(cast):
    return cast.editor


@pytest.fixture
def stranger(cast):
    """An organizer of another event."""
    return cast.stranger
