"""The organizers' schedule board: who reaches it, what it shows, how it moves sessions.

Every move goes through the same scheduling rules as the admin forms and the API; a
refused move changes nothing; a move based on a stale version is refused; every move
writes the admin's history.
"""

import datetime as dt
import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schedule import history
from schedule.models import Agenda, AgendaItem, Session, SessionSpeaker
from tests.factories import (
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
)

from .conftest import LA, at

pytestmark = pytest.mark.django_db


def board_url(conf, name="schedule_board"):
    return reverse(name, args=[conf.event.pk])


def post_move(client, conf, **payload):
    return client.post(
        board_url(conf, "schedule_board_move"),
        data=json.dumps(payload),
        content_type="application/json",
    )


def move_payload(session, **changes):
    session.refresh_from_db()
    local = session.starts_at.astimezone(LA) if session.starts_at else None
    payload = {
        "session": session.pk,
        "version": session.version,
        "room": session.room_id,
        "day": local.date().isoformat() if local else None,
        "start": local.hour * 60 + local.minute if local else None,
        "duration": int(session.duration.total_seconds() // 60) if local else None,
    }
    payload.update(changes)
    return payload


# Who reaches the board ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "editor"])
def test_owners_and_editors_open_the_board(client, conf, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(board_url(conf))
    assert response.status_code == 200
    state = response.context["state"]
    assert {s["title"] for s in state["sessions"]} == {
        "Keynote", "Second talk", "Loose talk", "Coffee",
    }  # fmt: skip
    assert [r["name"] for r in state["rooms"]] == ["Hall", "Cedar", "Oak"]
    assert b'id="board-state"' in response.content
    assert b"America/Los_Angeles" in response.content


def test_an_organizer_of_another_event_gets_404_everywhere(client, conf, stranger):
    client.force_login(stranger)
    assert client.get(board_url(conf)).status_code == 404
    assert client.get(board_url(conf, "schedule_board_data")).status_code == 404
    before = Session.objects.get(pk=conf.keynote.pk)
    response = post_move(client, conf, **move_payload(conf.keynote, start=14 * 60))
    assert response.status_code == 404
    assert Session.objects.get(pk=conf.keynote.pk).starts_at == before.starts_at


def test_anonymous_visitors_are_sent_to_the_admin_login(client, conf):
    response = client.get(board_url(conf))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = post_move(client, conf, **move_payload(conf.keynote, start=14 * 60))
    assert response.status_code == 302
    assert Session.objects.get(pk=conf.keynote.pk).starts_at == at(9)


def test_staff_without_any_event_gets_404(client, conf):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(board_url(conf)).status_code == 404


def test_moves_need_the_csrf_token(conf, owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    response = post_move(strict, conf, **move_payload(conf.keynote, start=14 * 60))
    assert response.status_code == 403
    assert Session.objects.get(pk=conf.keynote.pk).starts_at == at(9)


# What it shows --------------------------------------------------------------------------


def test_the_state_carries_local_times_stars_and_speakers(client, conf, owner):
    agenda = Agenda.objects.create(event=conf.event, key_hash="a" * 64)
    other = Agenda.objects.create(event=conf.event, key_hash="b" * 64)
    AgendaItem.objects.create(agenda=agenda, session=conf.keynote)
    AgendaItem.objects.create(agenda=other, session=conf.keynote)
    client.force_login(owner)
    state = client.get(board_url(conf, "schedule_board_data")).json()
    keynote = next(s for s in state["sessions"] if s["title"] == "Keynote")
    assert keynote["day"] == "2030-05-06"
    assert keynote["start"] == 9 * 60  # 09:00 in Los Angeles, not in UTC
    assert keynote["duration"] == 60
    assert keynote["stars"] == 2
    assert keynote["speakers"] == [[conf.ada.pk, "Ada Lovelace", "speaker"]]
    loose = next(s for s in state["sessions"] if s["title"] == "Loose talk")
    assert loose["day"] is None and loose["status"] == "draft"
    assert [d["date"] for d in state["event"]["days"]] == ["2030-05-06", "2030-05-07"]
    assert state["event"]["days"][0]["zone"] == "PDT"


def test_the_clash_report_names_double_bookings(client, conf, owner):
    # An import can leave clashes behind; the board reports them.
    Session.objects.filter(pk=conf.talk_b.pk).update(starts_at=at(9, 30), ends_at=at(10, 10))
    client.force_login(owner)
    clashes = client.get(board_url(conf, "schedule_board_data")).json()["clashes"]
    assert clashes == [
        {
            "kind": "speaker",
            "what": conf.ada.pk,
            "name": "Ada Lovelace",
            "sessions": [conf.keynote.pk, conf.talk_b.pk],
        }
    ]


def test_polling_answers_204_until_something_changes(client, conf, owner):
    client.force_login(owner)
    url = board_url(conf, "schedule_board_data")
    first = client.get(url).json()["fingerprint"]
    assert client.get(url, {"since": first}).status_code == 204
    conf.loose.title = "Renamed elsewhere"
    conf.loose.save()
    again = client.get(url, {"since": first})
    assert again.status_code == 200
    assert "Renamed elsewhere" in {s["title"] for s in again.json()["sessions"]}


def _grow(event, rooms, count):
    start = at(8)
    for i in range(count):
        room = rooms[i % len(rooms)]
        slot = start + dt.timedelta(minutes=30 * (i // len(rooms)))
        session = SessionFactory(
            event=event, room=room, starts_at=slot, ends_at=slot + dt.timedelta(minutes=25)
        )
        SessionSpeaker.objects.create(session=session, speaker=SpeakerFactory(event=event))


@pytest.mark.parametrize("path", ["schedule_board", "schedule_board_data"])
def test_the_board_reads_a_fixed_number_of_queries(client, conf, owner, path):
    client.force_login(owner)
    rooms = [conf.hall, conf.cedar, conf.oak]
    client.get(board_url(conf, path))  # warm the session and the user

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(board_url(conf, path)).status_code == 200
        return len(queries)

    small = count()
    _grow(conf.event, rooms, 30)
    assert count() == small
    _grow(conf.event, rooms, 60)
    assert count() == small


# Moving --------------------------------------------------------------------------------


def test_a_move_to_another_room_and_time_is_saved_and_recorded(client, conf, owner):
    client.force_login(owner)
    response = post_move(
        client, conf, **move_payload(conf.keynote, room=conf.oak.pk, start=14 * 60, duration=45)
    )
    assert response.status_code == 200, response.content
    keynote = Session.objects.get(pk=conf.keynote.pk)
    assert (keynote.room, keynote.starts_at, keynote.ends_at) == (conf.oak, at(14), at(14, 45))
    body = response.json()
    assert body["sessions"][0]["v"] == keynote.version
    assert body["sessions"][0]["start"] == 14 * 60
    entry = LogEntry.objects.get(object_id=str(keynote.pk), action_flag=CHANGE)
    assert entry.user == owner
    assert history.message(entry) == (
        "Moved from Mon May 6 9:00am–10:00am, Hall to Mon May 6 2:00pm–2:45pm, Oak (on the board)."
    )


def test_placing_from_the_tray_and_back(client, conf, editor):
    client.force_login(editor)
    payload = move_payload(conf.loose, room=conf.cedar.pk, day="2030-05-07", start=600, duration=30)
    assert post_move(client, conf, **payload).status_code == 200
    loose = Session.objects.get(pk=conf.loose.pk)
    assert loose.starts_at == at(10, day=dt.date(2030, 5, 7))
    assert loose.room == conf.cedar
    response = post_move(client, conf, **move_payload(loose, day=None, room=None))
    assert response.status_code == 200
    loose.refresh_from_db()
    assert (loose.room, loose.starts_at, loose.ends_at) == (None, None, None)
    # It keeps its length for the next placing, and the board shows it.
    assert loose.planned_minutes == 30
    assert response.json()["sessions"][0]["duration"] == 30
    messages = [
        history.message(e) for e in LogEntry.objects.filter(object_id=str(loose.pk)).order_by("pk")
    ]
    assert messages[-1].startswith("Moved from Tue May 7 10:00am–10:30am, Cedar to unscheduled")


def test_a_taken_room_is_refused_naming_the_other_session(client, conf, owner):
    client.force_login(owner)
    before = Session.objects.get(pk=conf.talk_b.pk)
    response = post_move(
        client, conf, **move_payload(conf.talk_b, room=conf.hall.pk, start=9 * 60 + 30)
    )
    assert response.status_code == 400
    body = response.json()
    assert "Hall is already taken at that time by “Keynote”" in body["error"]
    # The answer carries the session as it still is, so the card goes back.
    assert body["sessions"][0]["room"] == conf.cedar.pk
    after = Session.objects.get(pk=conf.talk_b.pk)
    assert (after.room_id, after.starts_at, after.version) == (
        before.room_id, before.starts_at, before.version,
    )  # fmt: skip
    assert not LogEntry.objects.filter(object_id=str(conf.talk_b.pk)).exists()


def test_a_double_booked_speaker_is_refused(client, conf, owner):
    client.force_login(owner)
    response = post_move(
        client, conf, **move_payload(conf.talk_b, room=conf.oak.pk, start=9 * 60 + 15)
    )
    assert response.status_code == 400
    assert "Ada Lovelace is already speaking at that time in “Keynote”" in response.json()["error"]
    assert Session.objects.get(pk=conf.talk_b.pk).starts_at == at(10)


def test_a_time_outside_the_event_is_refused(client, conf, owner):
    client.force_login(owner)
    response = post_move(client, conf, **move_payload(conf.talk_b, day="2030-05-09"))
    assert response.status_code == 400
    assert "is not one of the event's days" in response.json()["error"]
    assert Session.objects.get(pk=conf.talk_b.pk).starts_at == at(10)


def test_a_stale_version_is_refused_with_the_current_state(client, conf, owner, editor):
    client.force_login(owner)
    stale = move_payload(conf.talk_b, room=conf.oak.pk)
    # Meanwhile, the editor moves it.
    other = type(client)()
    other.force_login(editor)
    assert post_move(other, conf, **move_payload(conf.talk_b, start=15 * 60)).status_code == 200
    response = post_move(client, conf, **stale)
    assert response.status_code == 409
    body = response.json()
    assert "was changed by someone else" in body["error"]
    assert "3:00pm" in body["error"]
    assert body["sessions"][0]["start"] == 15 * 60
    talk = Session.objects.get(pk=conf.talk_b.pk)
    assert (talk.room, talk.starts_at) == (conf.cedar, at(15))


def test_spanning_all_rooms(client, conf, owner):
    client.force_login(owner)
    response = post_move(client, conf, **move_payload(conf.pause, room=None))
    assert response.status_code == 200
    assert Session.objects.get(pk=conf.pause.pk).room is None


def test_copy_a_break_to_every_room(client, conf, owner):
    client.force_login(owner)
    response = client.post(
        board_url(conf, "schedule_board_copy"),
        data=json.dumps({"session": conf.pause.pk, "version": conf.pause.version}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    copies = Session.objects.filter(event=conf.event, title="Coffee").order_by("room__position")
    assert [c.room.name for c in copies] == ["Hall", "Cedar", "Oak"]
    assert {(c.starts_at, c.ends_at) for c in copies} == {(at(11), at(11, 30))}
    assert LogEntry.objects.filter(action_flag=ADDITION).count() == 2


def test_copy_to_every_room_is_refused_whole_when_one_is_taken(client, conf, owner):
    SessionFactory(event=conf.event, title="Busy", room=conf.oak, starts_at=at(11), ends_at=at(12))
    client.force_login(owner)
    response = client.post(
        board_url(conf, "schedule_board_copy"),
        data=json.dumps({"session": conf.pause.pk, "version": conf.pause.version}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Oak is already taken at that time by “Busy”" in response.json()["error"]
    assert Session.objects.filter(event=conf.event, title="Coffee").count() == 1


def copy_pause(client, conf):
    response = client.post(
        board_url(conf, "schedule_board_copy"),
        data=json.dumps({"session": conf.pause.pk, "version": conf.pause.version}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return [{"session": row["id"], "version": row["v"]} for row in response.json()["sessions"]]


def uncopy(client, conf, copies):
    return client.post(
        board_url(conf, "schedule_board_uncopy"),
        data=json.dumps({"copies": copies}),
        content_type="application/json",
    )


def test_a_copy_to_every_room_is_undone_whole(client, conf, owner):
    client.force_login(owner)
    copies = copy_pause(client, conf)
    assert len(copies) == 2
    response = uncopy(client, conf, copies)
    assert response.status_code == 200, response.content
    assert sorted(response.json()["removed"]) == sorted(c["session"] for c in copies)
    assert list(Session.objects.filter(title="Coffee").values_list("pk", flat=True)) == [
        conf.pause.pk
    ]
    removed = LogEntry.objects.filter(action_flag=DELETION)
    assert removed.count() == 2
    assert "undo of “copy to all rooms”" in history.message(removed.first())


def test_undoing_a_copy_changed_since_removes_nothing(client, conf, owner):
    client.force_login(owner)
    copies = copy_pause(client, conf)
    moved = Session.objects.get(pk=copies[0]["session"])
    moved.title = "Long coffee"
    moved.save()
    response = uncopy(client, conf, copies)
    assert response.status_code == 409
    assert "was changed since it was copied" in response.json()["error"]
    assert Session.objects.filter(title__endswith="offee").count() == 3


@pytest.mark.parametrize("what", ["keynote", "foreign", "bad"])
def test_undoing_a_copy_removes_only_copied_breaks(client, conf, owner, what):
    client.force_login(owner)
    if what == "keynote":
        copies = [{"session": conf.keynote.pk, "version": conf.keynote.version}]
        status, words = 400, "is not a copied break"
    elif what == "foreign":
        stranger = SessionFactory(event=EventFactory(name="Other Conf"))
        copies = [{"session": stranger.pk, "version": stranger.version}]
        status, words = 400, "not one of this event's sessions"
    else:
        copies = [{"session": "x"}]
        status, words = 400, "session"
    before = Session.objects.count()
    response = uncopy(client, conf, copies)
    assert response.status_code == status
    assert words in response.json()["error"]
    assert Session.objects.count() == before


def test_only_breaks_are_copied(client, conf, owner):
    client.force_login(owner)
    response = client.post(
        board_url(conf, "schedule_board_copy"),
        data=json.dumps({"session": conf.keynote.pk, "version": conf.keynote.version}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "not a break" in response.json()["error"]


# Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ("[" * 5000 + "]" * 5000, "too large"),
        (json.dumps({"session": "7"}), "“session” must be a whole number"),
        (json.dumps({"session": True}), "“session” must be a whole number"),
        (json.dumps({"session": 2**40, "version": 1}), "“session” must be a whole number"),
    ],
)
def test_bad_requests_get_400_and_a_message(client, conf, owner, body, words):
    client.force_login(owner)
    response = client.post(
        board_url(conf, "schedule_board_move"), data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert words in response.json()["error"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"start": 24 * 60}, "must lie within the day"),
        ({"start": -5}, "between 0 and"),
        ({"duration": 0}, "“duration” must be a whole number"),
        ({"duration": 10**9}, "“duration” must be a whole number"),
        ({"day": "tomorrow"}, "must be a date"),
        ({"version": None}, "“version” must be a whole number"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(client, conf, owner, changes, words):
    client.force_login(owner)
    response = post_move(client, conf, **move_payload(conf.keynote, **changes))
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert Session.objects.get(pk=conf.keynote.pk).starts_at == at(9)


def test_another_events_room_or_session_is_refused(client, conf, owner):
    elsewhere = SessionFactory(title="Elsewhere")
    client.force_login(owner)
    response = post_move(client, conf, **move_payload(conf.keynote, room=elsewhere.room_id))
    assert response.status_code == 400
    assert "not one of this event's rooms" in response.json()["error"]
    response = post_move(client, conf, **move_payload(elsewhere, room=conf.hall.pk))
    assert response.status_code == 400
    assert "not one of this event's sessions" in response.json()["error"]
    assert Session.objects.get(pk=elsewhere.pk).version == elsewhere.version


def test_get_on_a_write_route_is_refused(client, conf, owner):
    client.force_login(owner)
    assert client.get(board_url(conf, "schedule_board_move")).status_code == 405
