"""Attacks on the schedule board: hostile input, other people's events, time zones far
from UTC and daylight-saving days, stale versions and concurrent moves.

Tests that pass are regression tests. Tests marked ``xfail(strict=True)`` show a bug found
in review; the reason names it. Fix the bug, and the mark must go.
"""

import datetime as dt
import json
import threading
import zoneinfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from events.models import Membership
from schedule import board, history
from schedule.board import BoardError, Change, StaleChange
from schedule.models import Session
from schedule.rules import find_clashes
from tests.factories import (
    EventFactory,
    MembershipFactory,
    RoomFactory,
    SessionFactory,
    SessionTypeFactory,
    TrackFactory,
    UserFactory,
)

from .conftest import LA, at

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def url(event, name="schedule_board"):
    return reverse(name, args=[event.pk])


def post_json(client, event, name, payload, **extra):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(
        url(event, name), data=body, content_type=extra.pop("content_type", "application/json")
    )


def payload_for(row, tz=LA, /, **changes):
    row.refresh_from_db()
    local = row.starts_at.astimezone(tz) if row.starts_at else None
    data = {
        "session": row.pk,
        "version": row.version,
        "room": row.room_id,
        "day": local.date().isoformat() if local else None,
        "start": local.hour * 60 + local.minute if local else None,
        "duration": int(row.duration.total_seconds() // 60) if local else None,
    }
    data.update(changes)
    return data


def snapshot(event):
    return sorted(
        Session.objects.filter(event=event).values_list(
            "pk", "room_id", "starts_at", "ends_at", "version", "track_id", "session_type_id"
        )
    )


# Who may do what ---------------------------------------------------------------------------------


def test_staff_without_events_gets_404_on_every_route_and_changes_nothing(client, conf):
    client.force_login(UserFactory(is_staff=True))
    before = snapshot(conf.event)
    assert client.get(url(conf.event, "schedule_board_data")).status_code == 404
    assert (
        post_json(
            client, conf.event, "schedule_board_move", payload_for(conf.keynote, start=900)
        ).status_code
        == 404
    )
    copy = {"session": conf.pause.pk, "version": conf.pause.version}
    assert post_json(client, conf.event, "schedule_board_copy", copy).status_code == 404
    uncopy = {"copies": [copy]}
    assert post_json(client, conf.event, "schedule_board_uncopy", uncopy).status_code == 404
    assert snapshot(conf.event) == before


def test_a_member_without_staff_access_is_sent_to_the_login(client, conf):
    member = MembershipFactory(event=conf.event, user__is_staff=False).user
    client.force_login(member)
    before = snapshot(conf.event)
    response = post_json(
        client, conf.event, "schedule_board_move", payload_for(conf.keynote, start=900)
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert snapshot(conf.event) == before


def test_an_inactive_owner_is_sent_to_the_login(client, conf, owner):
    owner.is_active = False
    owner.save()
    client.force_login(owner)
    response = client.get(url(conf.event))
    assert response.status_code == 302


def test_an_organizer_of_another_event_cannot_copy_or_read(client, conf, stranger):
    client.force_login(stranger)
    copy = {"session": conf.pause.pk, "version": conf.pause.version}
    assert post_json(client, conf.event, "schedule_board_copy", copy).status_code == 404
    # ...nor through their own event's routes with this event's session ids.
    own = Membership.objects.get(user=stranger).event
    assert post_json(client, own, "schedule_board_copy", copy).status_code == 400
    response = post_json(client, own, "schedule_board_move", payload_for(conf.keynote, room=None))
    assert response.status_code == 400
    assert response.json()["sessions"] == []  # no word about the other event's session
    assert Session.objects.filter(title="Coffee").count() == 1
    assert Session.objects.get(pk=conf.keynote.pk).room == conf.hall


def test_an_editor_moves_and_copies(client, conf, editor):
    client.force_login(editor)
    response = post_json(
        client, conf.event, "schedule_board_move", payload_for(conf.keynote, start=14 * 60)
    )
    assert response.status_code == 200
    copy = {"session": conf.pause.pk, "version": conf.pause.version}
    assert post_json(client, conf.event, "schedule_board_copy", copy).status_code == 200


def test_a_superuser_reaches_any_board(client, conf):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url(conf.event)).status_code == 200
    response = post_json(
        client, conf.event, "schedule_board_move", payload_for(conf.keynote, start=14 * 60)
    )
    assert response.status_code == 200


# No leaks between events -------------------------------------------------------------------------


@pytest.fixture
def other_event():
    event = EventFactory(name="Other Conf", timezone="Europe/Berlin")
    room = RoomFactory(event=event, name="Secret room")
    TrackFactory(event=event, name="Secret track")
    SessionTypeFactory(event=event, name="Secret type")
    SessionFactory(event=event, title="Secret session", room=room)
    return event


def test_the_board_state_holds_only_this_events_rows(client, conf, owner, other_event):
    client.force_login(owner)
    state = client.get(url(conf.event, "schedule_board_data")).json()
    text = json.dumps(state)
    for secret in ("Secret room", "Secret track", "Secret type", "Secret session", "Other Conf"):
        assert secret not in text
    page = client.get(url(conf.event)).content.decode()
    assert "Secret" not in page


def test_the_admin_index_links_only_ones_own_boards(client, conf, owner, other_event):
    client.force_login(owner)
    page = client.get(reverse("admin:index")).content.decode()
    assert url(conf.event) in page
    assert url(other_event) not in page
    assert "Other Conf" not in page


def test_the_bulk_forms_offer_only_this_events_tracks_and_types(client, conf, owner, other_event):
    client.force_login(owner)
    changelist = reverse("admin:schedule_session_changelist")
    for action in ("set_track", "set_type", "move_to_room"):
        page = client.post(
            changelist, {"action": action, ACTION_CHECKBOX_NAME: [conf.keynote.pk]}
        ).content.decode()
        assert "Secret" not in page, action


def test_a_bulk_action_with_another_events_track_changes_nothing(client, conf, owner, other_event):
    client.force_login(owner)
    foreign = other_event.tracks.get()
    before = snapshot(conf.event)
    response = client.post(
        reverse("admin:schedule_session_changelist"),
        {
            "action": "set_track",
            ACTION_CHECKBOX_NAME: [conf.keynote.pk],
            "apply": "1",
            "track": foreign.pk,
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(conf.event) == before


def test_a_bulk_action_on_another_events_sessions_changes_nothing(client, conf, stranger):
    client.force_login(stranger)
    before = snapshot(conf.event)
    client.post(
        reverse("admin:schedule_session_changelist"),
        {
            "action": "shift_time",
            ACTION_CHECKBOX_NAME: [conf.keynote.pk],
            "apply": "1",
            "minutes": "30",
        },
    )
    assert snapshot(conf.event) == before


# Hostile input: 400 and a message, never a 500, nothing changed ----------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"start": 600.0}, "“start” must be a whole number"),
        ({"start": "600"}, "“start” must be a whole number"),
        ({"start": None}, "“start” must be a whole number"),
        ({"duration": None}, "“duration” must be a whole number"),
        ({"duration": 30.5}, "“duration” must be a whole number"),
        ({"duration": [30]}, "“duration” must be a whole number"),
        ({"room": "1"}, "“room” must be a whole number"),
        ({"room": 0}, "“room” must be a whole number"),
        ({"room": 2**31}, "“room” must be a whole number"),
        ({"room": 2**31 - 1}, "not one of this event's rooms"),
        ({"session": 2**31 - 1}, "not one of this event's sessions"),
        ({"session": -1}, "“session” must be a whole number"),
        ({"version": 0}, "“version” must be a whole number"),
        ({"version": {"v": 1}}, "“version” must be a whole number"),
        ({"day": 20300506}, "must be a date"),
        ({"day": ["2030-05-06"]}, "must be a date"),
        ({"day": ""}, "must be a date"),
        ({"day": "2030-02-30"}, "must be a date"),
    ],
)
def test_wrong_types_are_400(client, conf, owner, changes, words):
    client.force_login(owner)
    before = snapshot(conf.event)
    response = post_json(
        client, conf.event, "schedule_board_move", payload_for(conf.keynote, **changes)
    )
    assert response.status_code == 400, response.content
    assert words in response.json()["error"]
    assert snapshot(conf.event) == before


@pytest.mark.parametrize(
    "body",
    [
        '{"session": NaN, "version": 1}',
        '{"session": Infinity, "version": 1}',
        '{"session": 1e400, "version": 1}',
        '{"session": 1' + "0" * 3000 + ', "version": 1}',  # int() of 3000 digits: ValueError
        "[" * 2000 + "]" * 2000,
        '{"a":' * 1000 + "1" + "}" * 1000,
        b"\xff\xfe{not utf-8",
        "",
        "null",
        '"a string"',
    ],
)
def test_malformed_bodies_are_400(client, conf, owner, body):
    client.force_login(owner)
    before = snapshot(conf.event)
    for name in ("schedule_board_move", "schedule_board_copy", "schedule_board_uncopy"):
        response = post_json(client, conf.event, name, body)
        assert response.status_code == 400, (name, response.content[:200])
        assert response.json()["error"]
    assert snapshot(conf.event) == before


def test_a_big_body_is_400(client, conf, owner):
    client.force_login(owner)
    body = json.dumps({**payload_for(conf.keynote), "pad": "x" * 100_000})
    response = post_json(client, conf.event, "schedule_board_move", body)
    assert response.status_code == 400
    assert "too large" in response.json()["error"]


def test_a_form_encoded_move_is_400(client, conf, owner):
    client.force_login(owner)
    response = client.post(
        url(conf.event, "schedule_board_move"), payload_for(conf.keynote, start=900)
    )
    assert response.status_code == 400
    assert Session.objects.get(pk=conf.keynote.pk).starts_at == at(9)


def test_wrong_methods(client, conf, owner):
    client.force_login(owner)
    assert client.get(url(conf.event, "schedule_board_copy")).status_code == 405
    assert client.get(url(conf.event, "schedule_board_uncopy")).status_code == 405
    assert client.post(url(conf.event, "schedule_board_data")).status_code == 405
    assert client.post(url(conf.event)).status_code == 405
    assert client.put(url(conf.event, "schedule_board_move")).status_code == 405


def test_a_nonexistent_event_is_404(client, conf):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("schedule_board", args=[2**31 - 1])).status_code == 404
    response = client.post(
        reverse("schedule_board_move", args=[2**31 - 1]), "{}", content_type="application/json"
    )
    assert response.status_code == 404


def test_a_strange_since_is_answered_with_the_state(client, conf, owner):
    client.force_login(owner)
    for since in ("x" * 5000, "\u2028", "1|2|3"):
        response = client.get(url(conf.event, "schedule_board_data"), {"since": since})
        assert response.status_code == 200


def test_a_day_at_the_end_of_the_calendar_is_400(client, conf, owner):
    client.force_login(owner)
    response = post_json(
        client,
        conf.event,
        "schedule_board_move",
        payload_for(conf.keynote, day="9999-12-31", start=23 * 60, duration=120),
    )
    assert response.status_code == 400


def test_a_day_at_the_start_of_the_calendar_is_400(client, owner, conf):
    conf.event.timezone = "Asia/Tokyo"
    conf.event.save()
    client.force_login(owner)
    response = post_json(
        client,
        conf.event,
        "schedule_board_move",
        payload_for(conf.keynote, day="0001-01-01", start=0, duration=30),
    )
    assert response.status_code == 400


def test_a_new_room_reaches_a_polling_board(client, conf, owner):
    client.force_login(owner)
    data = url(conf.event, "schedule_board_data")
    since = client.get(data).json()["fingerprint"]
    RoomFactory(event=conf.event, name="Annex", position=9)
    response = client.get(data, {"since": since})
    assert response.status_code == 200
    assert "Annex" in [r["name"] for r in response.json()["rooms"]]


def test_a_talk_is_refused_during_an_all_rooms_plenary(client, conf, owner):
    client.force_login(owner)
    response = post_json(
        client, conf.event, "schedule_board_move", payload_for(conf.pause, room=None)
    )
    assert response.status_code == 200  # Coffee 11:00-11:30 across all rooms
    response = post_json(
        client,
        conf.event,
        "schedule_board_move",
        payload_for(conf.loose, room=conf.oak.pk, day="2030-05-06", start=11 * 60, duration=30),
    )
    assert response.status_code == 400


# Copy to all rooms -------------------------------------------------------------------------------


def copy(client, conf, session, version=None):
    session.refresh_from_db()
    return post_json(
        client,
        conf.event,
        "schedule_board_copy",
        {"session": session.pk, "version": version or session.version},
    )


def test_copying_twice_is_refused_and_adds_nothing(client, conf, owner):
    client.force_login(owner)
    assert copy(client, conf, conf.pause).status_code == 200
    count = Session.objects.filter(event=conf.event).count()
    entries = LogEntry.objects.count()
    response = copy(client, conf, conf.pause)
    assert response.status_code == 400
    assert "already taken" in response.json()["error"]
    assert Session.objects.filter(event=conf.event).count() == count
    assert LogEntry.objects.count() == entries


def test_copy_with_a_stale_version_is_409(client, conf, owner):
    client.force_login(owner)
    version = Session.objects.get(pk=conf.pause.pk).version
    conf.pause.refresh_from_db()
    conf.pause.title = "Coffee and cake"
    conf.pause.save()
    response = copy(client, conf, conf.pause, version=version)
    assert response.status_code == 409
    assert Session.objects.filter(event=conf.event).count() == 4


@pytest.mark.parametrize("where", ["tray", "all rooms"])
def test_copy_needs_a_break_placed_in_one_room(client, conf, owner, where):
    if where == "tray":
        Session.objects.filter(pk=conf.pause.pk).update(room=None, starts_at=None, ends_at=None)
    else:
        Session.objects.filter(pk=conf.pause.pk).update(room=None)
    client.force_login(owner)
    response = copy(client, conf, conf.pause)
    assert response.status_code == 400
    assert "Place the break in one room first" in response.json()["error"]
    assert Session.objects.filter(event=conf.event).count() == 4


def test_copies_write_history_naming_the_source(client, conf, owner):
    client.force_login(owner)
    assert copy(client, conf, conf.pause).status_code == 200
    messages = sorted(history.message(e) for e in LogEntry.objects.filter(action_flag=ADDITION))
    assert messages == ["Copied from “Coffee” in Hall (on the board)."] * 2


# A batch is judged whole, one transaction --------------------------------------------------------


def test_a_batch_with_one_refused_change_saves_nothing(conf, owner):
    before = snapshot(conf.event)
    entries = LogEntry.objects.count()
    good = Change(
        conf.loose.pk, board.placement(conf.event, conf.oak.pk, at(14).date(), 14 * 60, 30)
    )
    bad = Change(conf.talk_b.pk, {"room_id": conf.hall.pk}, conf.talk_b.version)  # 10:00 in Hall
    Session.objects.filter(pk=conf.keynote.pk).update(ends_at=at(10, 30))  # Hall busy at 10:00
    before = snapshot(conf.event)
    with pytest.raises(BoardError):
        board.apply_changes(conf.event, owner, [good, bad], how="test")
    assert snapshot(conf.event) == before
    assert LogEntry.objects.count() == entries


def test_two_changes_of_one_batch_that_clash_with_each_other_are_refused(conf, owner):
    day = at(14).date()
    first = Change(conf.loose.pk, board.placement(conf.event, conf.oak.pk, day, 14 * 60, 30))
    second = Change(conf.pause.pk, board.placement(conf.event, conf.oak.pk, day, 14 * 60, 30))
    before = snapshot(conf.event)
    with pytest.raises(BoardError) as caught:
        board.apply_changes(conf.event, owner, [first, second], how="test")
    assert "Oak is already taken" in str(caught.value)
    assert snapshot(conf.event) == before


def test_the_same_session_twice_in_a_batch_is_refused(conf, owner):
    change = Change(conf.keynote.pk, {"room_id": conf.oak.pk})
    with pytest.raises(BoardError):
        board.apply_changes(conf.event, owner, [change, change], how="test")


def test_an_undo_with_the_version_before_the_move_is_refused(client, conf, owner):
    """The board's undo must be based on the version its own move produced."""
    client.force_login(owner)
    first = payload_for(conf.keynote, start=14 * 60)
    assert post_json(client, conf.event, "schedule_board_move", first).status_code == 200
    response = post_json(client, conf.event, "schedule_board_move", {**first, "start": 9 * 60})
    assert response.status_code == 409


# Time zones far from UTC, sessions across midnight -----------------------------------------------


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"])
def test_far_zones_first_and_last_minutes_of_the_event(client, owner, conf, zone):
    conf.event.timezone = zone
    conf.event.save()
    event = type(conf.event).objects.get(pk=conf.event.pk)  # a fresh tzinfo
    tz = zoneinfo.ZoneInfo(zone)
    client.force_login(owner)
    first, last = event.days[0].isoformat(), event.days[-1].isoformat()
    response = post_json(
        client,
        event,
        "schedule_board_move",
        payload_for(conf.loose, tz, room=conf.oak.pk, day=first, start=0, duration=30),
    )
    assert response.status_code == 200, response.content
    row = response.json()["sessions"][0]
    assert (row["day"], row["start"], row["duration"]) == (first, 0, 30)
    loose = Session.objects.get(pk=conf.loose.pk)
    assert loose.starts_at == dt.datetime.combine(event.days[0], dt.time(0), tzinfo=tz)
    # The last half hour of the last day fits; a minute more does not.
    response = post_json(
        client,
        event,
        "schedule_board_move",
        payload_for(conf.loose, tz, day=last, start=23 * 60 + 30, duration=30),
    )
    assert response.status_code == 200, response.content
    assert response.json()["sessions"][0]["day"] == last
    response = post_json(
        client,
        event,
        "schedule_board_move",
        payload_for(conf.loose, tz, day=last, start=23 * 60 + 30, duration=31),
    )
    assert response.status_code == 400
    assert "during the event" in response.json()["error"]
    # The day before the first one is refused, though it is the first day in UTC for some.
    before = (event.days[0] - dt.timedelta(days=1)).isoformat()
    response = post_json(
        client,
        event,
        "schedule_board_move",
        payload_for(conf.loose, tz, day=before, start=23 * 60 + 30, duration=30),
    )
    assert response.status_code == 400


def test_a_session_across_midnight_stays_on_its_first_day(client, conf, owner):
    client.force_login(owner)
    response = post_json(
        client,
        conf.event,
        "schedule_board_move",
        payload_for(
            conf.loose, room=conf.oak.pk, day="2030-05-06", start=23 * 60 + 30, duration=90
        ),
    )
    assert response.status_code == 200, response.content
    row = response.json()["sessions"][0]
    assert (row["day"], row["start"], row["duration"]) == ("2030-05-06", 23 * 60 + 30, 90)
    loose = Session.objects.get(pk=conf.loose.pk)
    assert loose.ends_at == at(1, day=dt.date(2030, 5, 7))
    entry = LogEntry.objects.filter(object_id=str(loose.pk)).latest("pk")
    assert "unscheduled to Mon May 6 11:30pm–1:00am, Oak" in history.message(entry)
    # And a session on the next morning in Oak clashes with its tail.
    late = SessionFactory(
        event=conf.event, title="Early bird", room=None, starts_at=None, ends_at=None
    )
    response = post_json(
        client,
        conf.event,
        "schedule_board_move",
        payload_for(late, room=conf.oak.pk, day="2030-05-07", start=30, duration=30),
    )
    assert response.status_code == 400
    assert "Oak is already taken" in response.json()["error"]


# Daylight-saving days ----------------------------------------------------------------------------

NY = zoneinfo.ZoneInfo("America/New_York")
SPRING = dt.date(2030, 3, 10)  # 02:00 EST -> 03:00 EDT
AUTUMN = dt.date(2030, 11, 3)  # 02:00 EDT -> 01:00 EST


@pytest.fixture
def night(owner):
    """A New York hackathon over both clock changes of 2030 (nights included)."""
    event = EventFactory(
        name="Night Hack",
        timezone="America/New_York",
        start_date=dt.date(2030, 3, 9),
        end_date=dt.date(2030, 11, 4),
    )
    MembershipFactory(event=event, user=owner)
    room = RoomFactory(event=event, name="Lab")
    session = SessionFactory(
        event=event, title="Night talk", room=None, starts_at=None, ends_at=None
    )
    return type("Night", (), {"event": event, "room": room, "session": session})


def place(client, night, day, start, duration):
    return post_json(
        client,
        night.event,
        "schedule_board_move",
        payload_for(
            night.session,
            NY,
            room=night.room.pk,
            day=day.isoformat(),
            start=start,
            duration=duration,
        ),
    )


def test_an_ordinary_night_session_keeps_its_length(client, night, owner):
    client.force_login(owner)
    response = place(client, night, dt.date(2030, 6, 1), 60, 90)
    assert response.status_code == 200
    assert response.json()["sessions"][0]["duration"] == 90


def test_the_length_holds_on_the_spring_forward_day(client, night, owner):
    client.force_login(owner)
    response = place(client, night, SPRING, 90, 90)
    assert response.status_code == 200
    session = Session.objects.get(pk=night.session.pk)
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=90)
    assert response.json()["sessions"][0]["duration"] == 90


def test_the_length_holds_on_the_fall_back_day(client, night, owner):
    client.force_login(owner)
    response = place(client, night, AUTUMN, 90, 60)
    assert response.status_code == 200
    assert response.json()["sessions"][0]["duration"] == 60


def test_a_start_in_the_spring_forward_gap_is_a_clear_400(client, night, owner):
    client.force_login(owner)
    response = place(client, night, SPRING, 2 * 60 + 30, 30)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        session = Session.objects.get(pk=night.session.pk)
        assert session.ends_at - session.starts_at == dt.timedelta(minutes=30)


# History -----------------------------------------------------------------------------------------


def test_a_resize_and_a_span_are_recorded(client, conf, owner):
    client.force_login(owner)
    assert (
        post_json(
            client, conf.event, "schedule_board_move", payload_for(conf.pause, duration=45)
        ).status_code
        == 200
    )
    assert (
        post_json(
            client, conf.event, "schedule_board_move", payload_for(conf.pause, room=None)
        ).status_code
        == 200
    )
    messages = [
        history.message(e)
        for e in LogEntry.objects.filter(object_id=str(conf.pause.pk), action_flag=CHANGE).order_by(
            "pk"
        )
    ]
    assert messages == [
        "Moved from Mon May 6 11:00am–11:30am, Hall to Mon May 6 11:00am–11:45am, Hall "
        "(on the board).",
        "Moved from Mon May 6 11:00am–11:45am, Hall to Mon May 6 11:00am–11:45am, all rooms "
        "(on the board).",
    ]


def test_a_drop_where_it_was_writes_nothing(client, conf, owner):
    client.force_login(owner)
    version = Session.objects.get(pk=conf.keynote.pk).version
    response = post_json(client, conf.event, "schedule_board_move", payload_for(conf.keynote))
    assert response.status_code == 200
    assert Session.objects.get(pk=conf.keynote.pk).version == version
    assert not LogEntry.objects.filter(object_id=str(conf.keynote.pk)).exists()


def test_bulk_history_names_the_action(client, conf, owner):
    client.force_login(owner)
    client.post(
        reverse("admin:schedule_session_changelist"),
        {
            "action": "set_track",
            ACTION_CHECKBOX_NAME: [conf.talk_b.pk],
            "apply": "1",
            "track": conf.track.pk,
        },
    )
    entry = LogEntry.objects.get(object_id=str(conf.talk_b.pk))
    assert history.message(entry) == "Changed track (bulk action)."
    assert entry.user == owner


# Concurrent moves (PostgreSQL: real row locks and concurrent transactions) -----------------------


def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")


def _race(first, second) -> tuple[dict, bool]:
    """Run ``first`` in a transaction that stays open, then ``second`` in another
    thread, then commit the first. Returns what each said ("saved", or the second's
    refusal: its ``BoardError`` name or messages) and whether the second was still
    waiting a second after it started (blocked on a lock the first holds)."""
    held, release, results = threading.Event(), threading.Event(), {}

    def hold():
        try:
            with transaction.atomic():
                first()
                held.set()
                release.wait(5)
            results["first"] = "saved"
        finally:
            held.set()
            connection.close()

    def follow():
        try:
            second()
            results["second"] = "saved"
        except StaleChange as exc:
            results["second"] = type(exc).__name__
        except (BoardError, ValidationError) as exc:
            results["second"] = " ".join(exc.messages)
        finally:
            connection.close()

    a = threading.Thread(target=hold)
    a.start()
    held.wait(5)
    b = threading.Thread(target=follow)
    b.start()
    b.join(1)
    waited = b.is_alive()
    release.set()
    a.join(5)
    b.join(5)
    return results, waited


@pytest.mark.django_db(transaction=True)
def test_concurrent_stale_moves_of_one_session_one_wins(conf, owner, editor):
    """Two organizers move the same session at once from the same version: one is refused."""
    _needs_postgres()
    version = Session.objects.get(pk=conf.loose.pk).version
    day = at(14).date()

    def move(user, room, hour):
        place = board.placement(conf.event, room.pk, day, hour * 60, 30)
        board.apply_changes(conf.event, user, [Change(conf.loose.pk, place, version)], how="test")

    results, _ = _race(lambda: move(owner, conf.oak, 14), lambda: move(editor, conf.cedar, 15))
    assert results == {"first": "saved", "second": "StaleChange"}
    assert Session.objects.get(pk=conf.loose.pk).room == conf.oak


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_of_two_sessions_into_one_slot_do_not_double_book(conf, owner, editor):
    _needs_postgres()
    day = at(14).date()
    other = SessionFactory(
        event=conf.event, title="Other loose", room=None, starts_at=None, ends_at=None
    )

    def move(user, session):
        place = board.placement(conf.event, conf.oak.pk, day, 14 * 60, 30)
        board.apply_changes(conf.event, user, [Change(session.pk, place)], how="test")

    results, _ = _race(lambda: move(owner, conf.loose), lambda: move(editor, other))
    assert [c for c in find_clashes(conf.event) if c.kind == "room"] == []
    assert results["first"] == "saved"
    assert "Oak is already taken" in results["second"]


# In Chromium: what the board's JavaScript sends --------------------------------------------------
#
# The board polls every 4 s and replaces its state, versions included, even while a session
# is picked up or dragged (it only postpones drawing). A move then carries the version of
# the poll, not of the picture the organizer acted on.

BROWSER_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def _static_root(tmp_path_factory):
    from django.test.utils import override_settings

    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static_root"))):
        yield


@pytest.fixture
def board_page(browser, _static_root, live_server, transactional_db):
    contexts = []

    def open_as(conf, username):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(f"{live_server.url}{reverse('admin:login')}")
        page.fill("#id_username", username)
        page.fill("#id_password", BROWSER_PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}{url(conf.event)}")
        page.locator("#board.is-ready").wait_for()
        return page

    yield open_as
    for context in contexts:
        context.close()


def _wait_for_poll(page):
    with page.expect_response(
        lambda r: "/board/data/" in r.url and r.status == 200, timeout=12_000
    ):
        pass


def _settled(page):
    from playwright.sync_api import expect

    expect(page.locator("#board")).not_to_have_attribute("aria-busy", "true")


@pytest.mark.browser
def test_a_poll_during_a_keyboard_pick_up_does_not_launder_the_version(
    board_page, conf, owner, editor
):
    owner.set_password(BROWSER_PASSWORD)
    owner.save()
    page = board_page(conf, "owner")
    coffee = page.locator(".board-card", has_text="Coffee").first
    coffee.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")  # Coffee to Cedar, 11:00, planned on this picture
    # Meanwhile the editor moves the coffee break to Oak at 15:00.
    conf.pause.refresh_from_db()
    board.apply_changes(
        conf.event,
        editor,
        [
            Change(
                conf.pause.pk,
                board.placement(conf.event, conf.oak.pk, at(15).date(), 15 * 60, 30),
                conf.pause.version,
            )
        ],
        how="test",
    )
    _wait_for_poll(page)  # the board learns of it, but still shows the pick-up
    page.keyboard.press("Enter")
    _settled(page)
    pause = Session.objects.get(pk=conf.pause.pk)
    assert (pause.room, pause.starts_at) == (conf.oak, at(15)), "the editor's move was overwritten"
    assert not page.errors


@pytest.mark.browser
def test_undo_after_another_organizers_change_is_refused(board_page, conf, owner, editor):
    owner.set_password(BROWSER_PASSWORD)
    owner.save()
    page = board_page(conf, "owner")
    keynote = page.locator(".board-card", has_text="Keynote").first
    keynote.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")  # Keynote to Cedar at 9:00
    page.keyboard.press("Enter")
    _settled(page)
    assert Session.objects.get(pk=conf.keynote.pk).room == conf.cedar
    conf.keynote.refresh_from_db()
    board.apply_changes(
        conf.event,
        editor,
        [
            Change(
                conf.keynote.pk,
                board.placement(conf.event, conf.oak.pk, at(15).date(), 15 * 60, 60),
                conf.keynote.version,
            )
        ],
        how="test",
    )
    _wait_for_poll(page)
    _settled(page)
    page.click("#board-undo")
    _settled(page)
    keynote = Session.objects.get(pk=conf.keynote.pk)
    assert (keynote.room, keynote.starts_at) == (conf.oak, at(15)), "the editor's move was undone"


@pytest.mark.browser
def test_a_session_outside_the_events_days_is_not_hidden(board_page, conf, owner):
    owner.set_password(BROWSER_PASSWORD)
    owner.save()
    outside = dt.date(2030, 5, 9)
    Session.objects.filter(pk=conf.talk_b.pk).update(
        starts_at=at(10, day=outside), ends_at=at(10, 40, day=outside)
    )
    page = board_page(conf, "owner")
    assert page.locator(".board-card", has_text="Second talk").count() == 1


@pytest.mark.browser
def test_a_drop_over_an_all_rooms_card_lands_in_the_column_below(board_page, conf, owner):
    import tests.browser.test_board as drawn

    Session.objects.filter(pk=conf.pause.pk).update(room=None)  # Coffee 11:00 in all rooms
    page = board_page(conf, "owner")
    target = page.locator(f'.board-col[data-room="{conf.oak.pk}"]')
    drawn.drag_to(page, page.locator(".board-card", has_text="Loose talk").first, target, 11 * 60)
    _settled(page)
    # Aimed at Oak, not saved "across all rooms"; and the coffee break takes Oak too then.
    from playwright.sync_api import expect

    expect(page.locator(".board-refusal")).to_contain_text("“Coffee” takes every room")
    loose = Session.objects.get(pk=conf.loose.pk)
    assert (loose.starts_at, loose.room) == (None, None)
    # Half an hour later, below the coffee, it lands in Oak.
    drawn.drag_to(
        page, page.locator(".board-card", has_text="Loose talk").first, target, 11 * 60 + 30
    )
    _settled(page)
    loose = Session.objects.get(pk=conf.loose.pk)
    assert (loose.starts_at, loose.room) == (at(11, 30), conf.oak)


def test_titles_cannot_break_out_of_the_board_state(client, conf, owner):
    Session.objects.filter(pk=conf.loose.pk).update(title="</script><script>alert(1)</script>")
    client.force_login(owner)
    page = client.get(url(conf.event)).content.decode()
    assert "<script>alert(1)" not in page
    assert "</script><script>" not in page


def test_bulk_move_to_a_room_leaves_unscheduled_sessions_alone(client, conf, owner):
    client.force_login(owner)
    response = client.post(
        reverse("admin:schedule_session_changelist"),
        {
            "action": "move_to_room",
            ACTION_CHECKBOX_NAME: [conf.loose.pk, conf.talk_b.pk],
            "apply": "1",
            "room": conf.oak.pk,
        },
        follow=True,
    )
    assert Session.objects.get(pk=conf.talk_b.pk).room == conf.oak
    assert Session.objects.get(pk=conf.loose.pk).room is None
    assert "Left alone (not scheduled): Loose talk" in response.content.decode()
    assert not LogEntry.objects.filter(object_id=str(conf.loose.pk)).exists()


@pytest.mark.browser
def test_a_move_after_the_session_ended_is_not_reported_as_saved(board_page, conf, owner):
    page = board_page(conf, "owner")
    page.context.clear_cookies(name="sessionid")  # signed out elsewhere; CSRF cookie stays
    page.locator(".board-card", has_text="Keynote").first.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    _settled(page)
    assert Session.objects.get(pk=conf.keynote.pk).room == conf.hall  # nothing saved...
    status = page.locator("#board-status").inner_text()
    assert not status.startswith("Saved"), status  # ...and the board must not say otherwise


def test_copy_needs_the_csrf_token(conf, owner):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    response = copy(strict, conf, conf.pause)
    assert response.status_code == 403
    assert Session.objects.filter(event=conf.event).count() == 4


def test_a_resize_in_the_repeated_hour_keeps_the_start(client, night, owner):
    second_half_past_one = dt.datetime(2030, 11, 3, 6, 30, tzinfo=UTC)  # 01:30 EST
    Session.objects.filter(pk=night.session.pk).update(
        room=night.room,
        starts_at=second_half_past_one,
        ends_at=second_half_past_one + dt.timedelta(minutes=30),
    )
    client.force_login(owner)
    payload = payload_for(night.session, NY, duration=45)
    assert payload["start"] == 90
    # The board marks the second 01:30 and sends the mark back with the resize.
    state = client.get(url(night.event, "schedule_board_data")).json()
    row = next(s for s in state["sessions"] if s["id"] == night.session.pk)
    assert row["fold"] == 1
    payload["fold"] = row["fold"]
    response = post_json(client, night.event, "schedule_board_move", payload)
    assert response.status_code == 200
    assert Session.objects.get(pk=night.session.pk).starts_at == second_half_past_one


def test_a_move_reads_a_fixed_number_of_queries(client, conf, owner):
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    client.get(url(conf.event, "schedule_board_data"))  # warm the session and the user

    def count(start, **changes):
        payload = payload_for(conf.keynote, start=start, **changes)
        with CaptureQueriesContext(connection) as queries:
            response = post_json(client, conf.event, "schedule_board_move", payload)
            assert response.status_code == 200, response.content
        return len(queries)

    count(13 * 60)  # the first move warms the content-type cache (history)
    small = count(14 * 60)
    # Login session and user; the event with its draft (none); savepoint; the event's lock;
    # the session's lock (with its room, track and type: lib/sql); the session's UPDATE
    # and the event's changed_at; its speakers; one look for anything in its way (room or
    # speakers: the messages are built only on a clash); the history row; release. The
    # answer is built from the saved row without a query. The changelog (issue 15): the
    # move and its record in one transaction (savepoint, release); the latest release
    # number; its last snapshot (what visitors see now is built from the saved session,
    # its room and speakers already read); the release, its change and the new snapshot.
    assert small == 19
    assert count(14 * 60, room=conf.cedar.pk) == small + 1  # + the room it goes to
    for i in range(40):
        slot = at(8) + dt.timedelta(minutes=30 * i)
        SessionFactory(
            event=conf.event, room=conf.oak, starts_at=slot, ends_at=slot + dt.timedelta(minutes=25)
        )
    assert count(15 * 60) == small


def test_a_saved_move_answers_with_the_new_placement_only(client, conf, owner):
    """The board keeps speakers and stars of its own (a move changes neither)."""
    client.force_login(owner)
    response = post_json(
        client, conf.event, "schedule_board_move", payload_for(conf.keynote, start=14 * 60)
    )
    assert response.status_code == 200, response.content
    (row,) = response.json()["sessions"]
    conf.keynote.refresh_from_db()
    assert row["id"] == conf.keynote.pk and row["v"] == conf.keynote.version
    assert row["start"] == 14 * 60 and row["room"] == conf.keynote.room_id
    assert "speakers" not in row and "stars" not in row


def test_the_board_answers_are_never_cached(client, conf, owner):
    client.force_login(owner)
    for response in (
        client.get(url(conf.event)),
        client.get(url(conf.event, "schedule_board_data")),
        post_json(client, conf.event, "schedule_board_move", payload_for(conf.keynote, start=900)),
    ):
        assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


# Every write one transaction: a history row the database refuses must undo the change -------------


class _RefusedHistory:
    """A database trigger that refuses every new admin history row (a failing disk, a
    full table), so a write that is not one transaction leaves its first half behind."""

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION attack_refuse_log() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'history refused'; END $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    "CREATE TRIGGER attack_refuse_log BEFORE INSERT ON django_admin_log "
                    "FOR EACH ROW EXECUTE FUNCTION attack_refuse_log()"
                )
            else:
                cursor.execute(
                    "CREATE TRIGGER attack_refuse_log BEFORE INSERT ON django_admin_log "
                    "BEGIN SELECT RAISE(ABORT, 'history refused'); END"
                )
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER attack_refuse_log ON django_admin_log")
                cursor.execute("DROP FUNCTION attack_refuse_log()")
            else:
                cursor.execute("DROP TRIGGER attack_refuse_log")


@pytest.mark.django_db(transaction=True)
def test_a_board_move_whose_history_fails_is_undone(conf, owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    payload = payload_for(conf.keynote, start=14 * 60)
    with _RefusedHistory():
        response = post_json(client, conf.event, "schedule_board_move", payload)
    assert response.status_code == 500
    assert Session.objects.get(pk=conf.keynote.pk).starts_at == at(9)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_shift_whose_history_fails_is_undone(conf, owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    with _RefusedHistory():
        response = client.post(
            reverse("admin:schedule_session_changelist"),
            {
                "action": "shift_time",
                ACTION_CHECKBOX_NAME: [conf.keynote.pk, conf.talk_b.pk],
                "apply": "1",
                "minutes": "300",
            },
        )
    assert response.status_code == 500
    assert Session.objects.get(pk=conf.keynote.pk).starts_at == at(9)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_status_change_whose_history_fails_is_undone(conf, owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    with _RefusedHistory():
        response = client.post(
            reverse("admin:schedule_session_changelist"),
            {"action": "cancel", ACTION_CHECKBOX_NAME: [conf.keynote.pk]},
        )
    assert response.status_code == 500
    assert Session.objects.get(pk=conf.keynote.pk).status == Session.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_waits_for_a_board_move_and_sees_its_clash(conf, owner):
    """The admin's and the API's writes check the rules under the event's lock, as a board
    move does: a save into the slot a move is taking waits for it, then is refused (and
    both take the event's lock first, so they cannot deadlock on each other's rows)."""
    _needs_postgres()
    day = at(14).date()
    other = SessionFactory(
        event=conf.event, title="Other loose", room=None, starts_at=None, ends_at=None
    )

    def move():
        place = board.placement(conf.event, conf.oak.pk, day, 14 * 60, 30)
        board.apply_changes(conf.event, owner, [Change(conf.loose.pk, place)], how="test")

    def save():
        with transaction.atomic():  # as the admin's change form and the API's views are
            session = Session.objects.get(pk=other.pk)
            session.room = conf.oak
            session.starts_at, session.ends_at = at(14), at(14, 30)
            session.full_clean()
            session.save()

    results, waited = _race(move, save)
    assert waited  # for the event's lock
    assert results["first"] == "saved"
    assert "Oak is already taken" in results["second"]
    assert [c for c in find_clashes(conf.event) if c.kind == "room"] == []
