"""The board's conference (tests/factories.board_conference, shared with the browser's
board test) and the shared permission cast, under the names the board's tests use."""

import datetime as dt
import zoneinfo

import pytest

from tests.factories import SharedRows, board_conference

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
DAY1 = dt.date(2030, 5, 6)


def at(hour: int, minute: int = 0, day: dt.date = DAY1) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LA)


@pytest.fixture(scope="module")
def _board_conference(django_db_setup, django_db_blocker):
    shared = SharedRows(django_db_blocker, board_conference)
    yield shared
    shared.close()


@pytest.fixture
def conf(request, _board_conference):
    """The board's conference (tests/factories.board_conference), built once per module
    (tests/factories.SharedRows)."""
    return _board_conference.for_test(request)


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
