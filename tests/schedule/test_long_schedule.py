"""Very long schedules open one day at a time (the full list stays one click away)."""

import datetime as dt

import pytest

from schedule import views
from tests.factories import EventFactory, RoomFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_days():
    event = EventFactory(slug="big", start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 7))
    room = RoomFactory(event=event)
    for day, hours in ((6, (9, 10, 11)), (7, (9, 10))):
        for hour in hours:
            start = dt.datetime(2030, 5, day, hour, tzinfo=dt.UTC)
            SessionFactory(event=event, room=room, title=f"Day {day} at {hour}",
                           starts_at=start, ends_at=start + dt.timedelta(minutes=45))  # fmt: skip
    return event


@pytest.mark.parametrize("path", ["/big/schedule/", "/big/schedule/grid/"])
def test_long_schedule_opens_at_its_first_day(client, two_days, monkeypatch, path):
    monkeypatch.setattr(views, "LONG_SCHEDULE", 4)
    page = client.get(path).content.decode()
    assert "Day 6 at 9" in page and "Day 6 at 11" in page
    assert "Day 7 at 9" not in page
    assert "opens one day at a time" in page
    everything = client.get(path + "?day=all").content.decode()
    assert "Day 6 at 9" in everything and "Day 7 at 10" in everything
    assert "opens one day at a time" not in everything


def test_short_schedule_shows_every_day(client, two_days):
    page = client.get("/big/schedule/").content.decode()
    assert "Day 6 at 9" in page and "Day 7 at 10" in page
    assert "opens one day at a time" not in page
