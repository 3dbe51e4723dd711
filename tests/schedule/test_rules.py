"""The scheduling rules (schedule/rules.py), through Session.full_clean and check_session."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from schedule.models import Session, SessionSpeaker
from schedule.rules import check_session, find_clashes
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

UTC = dt.UTC
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
MAY_6 = dt.date(2030, 5, 6)
MAY_8 = dt.date(2030, 5, 8)


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 5, day, hour, minute, tzinfo=UTC)


def messages(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.fixture
def event():
    return EventFactory(start_date=MAY_6, end_date=MAY_8)


@pytest.fixture
def room(event):
    return RoomFactory(event=event, name="Main Hall")


def talk(event, room, start, minutes=40, **extra):
    return SessionFactory(
        event=event, room=room, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes),
        **extra,
    )  # fmt: skip


def unsaved(event, room, start, minutes=40, **extra):
    return Session(
        event=event, room=room, title=extra.pop("title", "New talk"), slug="new-talk",
        starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **extra,
    )  # fmt: skip


# --- rooms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes"),
    [
        (utc(6, 10, 0), 40),  # the same slot
        (utc(6, 10, 20), 40),  # starts during the other
        (utc(6, 9, 50), 20),  # ends during the other
        (utc(6, 9, 0), 180),  # contains the other
        (utc(6, 10, 10), 5),  # inside the other
    ],
)
def test_room_clash_is_refused_naming_the_other_session(event, room, start, minutes):
    talk(event, room, utc(6, 10), title="Keynote: the future")
    new = unsaved(event, room, start, minutes)
    with pytest.raises(ValidationError) as excinfo:
        new.full_clean()
    [message] = messages(excinfo)["room"]
    assert "“Keynote: the future”" in message
    assert "Main Hall" in message
    with pytest.raises(ValidationError) as excinfo:
        check_session(new, speaker_ids=[])
    assert "Keynote: the future" in messages(excinfo)["room"][0]


def test_room_clash_message_gives_the_other_sessions_time_in_the_events_zone():
    event = EventFactory(timezone="America/Los_Angeles", start_date=MAY_6, end_date=MAY_8)
    room = RoomFactory(event=event)
    talk(event, room, dt.datetime(2030, 5, 6, 10, 0, tzinfo=LA), title="Morning")
    new = unsaved(event, room, dt.datetime(2030, 5, 6, 10, 15, tzinfo=LA))
    with pytest.raises(ValidationError) as excinfo:
        new.full_clean()
    message = messages(excinfo)["room"][0]
    assert "10:00am–10:40am PDT" in message
    assert "May 6" in message


def test_editing_a_session_does_not_clash_with_itself(event, room):
    session = talk(event, room, utc(6, 10))
    session.ends_at += dt.timedelta(minutes=10)
    session.full_clean()
    check_session(session, speaker_ids=[])


def test_back_to_back_sessions_are_fine(event, room):
    speaker = SpeakerFactory(event=event)
    before = talk(event, room, utc(6, 10), minutes=40)
    SessionSpeaker.objects.create(session=before, speaker=speaker)
    after = unsaved(event, room, utc(6, 10, 40), minutes=40)
    after.full_clean()
    check_session(after, speaker_ids=[speaker.pk])
    earlier = unsaved(event, room, utc(6, 9, 20), minutes=40)
    earlier.full_clean()
    check_session(earlier, speaker_ids=[speaker.pk])


def test_other_rooms_are_free(event, room):
    talk(event, room, utc(6, 10))
    new = unsaved(event, RoomFactory(event=event), utc(6, 10))
    new.full_clean()


def test_cancelled_sessions_free_their_room_and_speakers(event, room):
    speaker = SpeakerFactory(event=event)
    cancelled = talk(event, room, utc(6, 10), status=Session.Status.CANCELLED)
    SessionSpeaker.objects.create(session=cancelled, speaker=speaker)
    new = unsaved(event, room, utc(6, 10))
    new.full_clean()
    check_session(new, speaker_ids=[speaker.pk])


def test_a_cancelled_session_never_clashes_itself(event, room):
    speaker = SpeakerFactory(event=event)
    live = talk(event, room, utc(6, 10))
    SessionSpeaker.objects.create(session=live, speaker=speaker)
    new = unsaved(event, room, utc(6, 10), status=Session.Status.CANCELLED)
    new.full_clean()
    check_session(new, speaker_ids=[speaker.pk])


def test_sessions_of_other_events_do_not_clash(event, room):
    other_event = EventFactory(start_date=MAY_6, end_date=MAY_8)
    speaker = SpeakerFactory(event=other_event)
    elsewhere = talk(other_event, RoomFactory(event=other_event), utc(6, 10))
    SessionSpeaker.objects.create(session=elsewhere, speaker=speaker)
    unsaved(event, room, utc(6, 10)).full_clean()


def test_unscheduled_sessions_are_not_checked_for_clashes(event, room):
    talk(event, room, utc(6, 10))
    new = Session(event=event, room=room, title="Someday", slug="someday")
    new.full_clean()


# --- speakers -------------------------------------------------------------------------


def test_speaker_clash_names_the_other_session(event, room):
    speaker = SpeakerFactory(event=event, name="Ada Lovelace")
    free = SpeakerFactory(event=event, name="Grace Hopper")
    busy = talk(event, room, utc(6, 10), title="Analytical engines")
    SessionSpeaker.objects.create(session=busy, speaker=speaker)
    new = unsaved(event, RoomFactory(event=event), utc(6, 10, 30))
    check_session(new, speaker_ids=[free.pk])  # someone else is fine
    new.full_clean()  # full_clean alone does not know the speakers yet
    with pytest.raises(ValidationError) as excinfo:
        check_session(new, speaker_ids=[free.pk, speaker.pk])
    [message] = messages(excinfo)["__all__"]
    assert message.startswith("Ada Lovelace is already speaking")
    assert "“Analytical engines”" in message


def test_one_message_per_busy_speaker(event, room):
    one, two = SpeakerFactory(event=event), SpeakerFactory(event=event)
    for hour in (10, 11):
        busy = talk(event, RoomFactory(event=event), utc(6, hour), minutes=60)
        SessionSpeaker.objects.create(session=busy, speaker=one)
        SessionSpeaker.objects.create(session=busy, speaker=two)
    new = unsaved(event, room, utc(6, 10), minutes=120)
    with pytest.raises(ValidationError) as excinfo:
        check_session(new, speaker_ids=[one.pk, two.pk])
    errors = messages(excinfo)["__all__"]
    assert len(errors) == 2
    assert {e.split(" is ")[0] for e in errors} == {one.name, two.name}


def test_a_session_does_not_clash_with_its_own_speakers(event, room):
    link = SessionSpeakerFactory(session=talk(event, room, utc(6, 10)))
    session = link.session
    session.ends_at += dt.timedelta(minutes=5)
    check_session(session, speaker_ids=[link.speaker_id])


# --- the event's days, in its own zone ------------------------------------------------


@pytest.fixture
def la_event():
    return EventFactory(timezone="America/Los_Angeles", start_date=MAY_6, end_date=MAY_8)


@pytest.mark.parametrize(
    ("local_start", "minutes"),
    [
        (dt.datetime(2030, 5, 6, 0, 0), 30),  # first minute of the first day
        (dt.datetime(2030, 5, 6, 0, 30), 30),  # 07:30 UTC on May 6
        (dt.datetime(2030, 5, 8, 23, 30), 25),  # 06:30 UTC on May 9: UTC says "after"
        (dt.datetime(2030, 5, 8, 23, 30), 30),  # ends exactly at local midnight
    ],
)
def test_sessions_within_the_events_days_in_its_zone_are_fine(la_event, local_start, minutes):
    start = local_start.replace(tzinfo=LA)
    session = unsaved(la_event, RoomFactory(event=la_event), start, minutes)
    session.full_clean()
    check_session(session, speaker_ids=[])


@pytest.mark.parametrize(
    ("local_start", "minutes"),
    [
        # 00:30 on May 9 in Los Angeles is 07:30 UTC on May 9: after the last day.
        (dt.datetime(2030, 5, 9, 0, 30), 30),
        # Crosses local midnight at the end of the last day.
        (dt.datetime(2030, 5, 8, 23, 30), 40),
        # 23:30 on May 5 in Los Angeles is 06:30 UTC on May 6: UTC would say "during".
        (dt.datetime(2030, 5, 5, 23, 30), 20),
        (dt.datetime(2030, 6, 1, 10, 0), 30),
    ],
)
def test_sessions_outside_the_events_days_in_its_zone_are_refused(la_event, local_start, minutes):
    start = local_start.replace(tzinfo=LA)
    session = unsaved(la_event, RoomFactory(event=la_event), start, minutes)
    with pytest.raises(ValidationError) as excinfo:
        session.full_clean()
    [message] = messages(excinfo)["starts_at"]
    assert message == (
        "The session must take place during the event, between May 6 and May 8, 2030 "
        "(America/Los_Angeles)."
    )
    with pytest.raises(ValidationError):
        check_session(session, speaker_ids=[])


# --- relations belong to the session's event ------------------------------------------


@pytest.mark.parametrize(
    ("field", "factory", "label"),
    [
        ("room", RoomFactory, "room"),
        ("track", TrackFactory, "track"),
        ("session_type", SessionTypeFactory, "type"),
    ],
)
def test_room_track_and_type_of_another_event_are_refused(event, field, factory, label):
    other = EventFactory(name="Other Conf", start_date=MAY_6, end_date=MAY_8)
    session = unsaved(event, None, utc(6, 10))
    setattr(session, field, factory(event=other))
    with pytest.raises(ValidationError) as excinfo:
        session.full_clean()
    assert messages(excinfo)[field] == [f"This {label} belongs to another event (Other Conf)."]
    with pytest.raises(ValidationError) as excinfo:
        check_session(session, speaker_ids=[])
    assert field in messages(excinfo)
    # The same kind of row from the session's own event is fine.
    setattr(session, field, factory(event=event))
    session.full_clean()


def test_a_session_with_start_but_no_end_gets_a_message_not_a_crash(event, room):
    talk(event, room, utc(6, 10))
    speaker = SpeakerFactory(event=event)
    session = Session(event=event, room=room, title="Half", slug="half", starts_at=utc(6, 10))
    with pytest.raises(ValidationError) as excinfo:
        session.full_clean()
    assert "Set both the start and the end time, or neither." in str(excinfo.value)
    check_session(session, speaker_ids=[speaker.pk])  # nothing to compare: no error


# --- clashes that bypassed validation -------------------------------------------------


def test_find_clashes_reports_room_and_speaker_clashes_from_bulk_inserts(event, room):
    other_room = RoomFactory(event=event, name="Side Room")
    speaker = SpeakerFactory(event=event, name="Busy Person")
    a, b, c, d, cancelled = Session.objects.bulk_create(
        [
            Session(event=event, title="A", slug="a", room=room,
                    starts_at=utc(6, 10), ends_at=utc(6, 11)),
            Session(event=event, title="B", slug="b", room=room,
                    starts_at=utc(6, 10, 30), ends_at=utc(6, 11, 30)),
            Session(event=event, title="C", slug="c", room=other_room,
                    starts_at=utc(6, 14), ends_at=utc(6, 15)),
            Session(event=event, title="D", slug="d", room=None,
                    starts_at=utc(6, 14, 30), ends_at=utc(6, 15, 30)),
            Session(event=event, title="Cancelled", slug="x", room=other_room,
                    starts_at=utc(6, 14), ends_at=utc(6, 15), status="cancelled"),
        ]
    )  # fmt: skip
    SessionSpeaker.objects.bulk_create(
        [
            SessionSpeaker(session=c, speaker=speaker),
            SessionSpeaker(session=d, speaker=speaker),
            SessionSpeaker(session=cancelled, speaker=speaker),
        ]
    )
    # Back to back in the same room is not a clash.
    Session.objects.bulk_create(
        [Session(event=event, title="E", slug="e", room=room,
                 starts_at=utc(6, 11, 30), ends_at=utc(6, 12))]
    )  # fmt: skip
    clashes = find_clashes(event)
    found = {(c.kind, c.where, c.first.title, c.second.title) for c in clashes}
    assert found == {
        ("room", "Main Hall", "A", "B"),
        ("speaker", "Busy Person", "C", "D"),
        # D has no room: it is shown across every room, so it takes Side Room too.
        ("room", "Side Room", "C", "D"),
    }
    assert find_clashes(EventFactory()) == []


def test_find_clashes_keeps_namesakes_apart(event):
    """Two different rooms (or speakers) that happen to share a name do not clash."""
    hall_one = RoomFactory(event=event, name="Hall")
    hall_two = RoomFactory(event=event, name="Hall")
    alex_one = SpeakerFactory(event=event, name="Alex Smith")
    alex_two = SpeakerFactory(event=event, name="Alex Smith")
    first = talk(event, hall_one, utc(6, 10))
    second = talk(event, hall_two, utc(6, 10))
    SessionSpeaker.objects.create(session=first, speaker=alex_one)
    SessionSpeaker.objects.create(session=second, speaker=alex_two)
    assert find_clashes(event) == []
