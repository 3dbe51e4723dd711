"""The organizers' admin around the board: links to it, the session list, bulk changes of
place and kind (checked by the same rules as the board, refused whole), and the forms'
colour, zone and time fields."""

import datetime as dt
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from schedule import history
from schedule.models import Agenda, AgendaItem, Session
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

CHANGELIST = "admin:schedule_session_changelist"


def run_action(client, action, sessions, **values):
    data = {"action": action, ACTION_CHECKBOX_NAME: [s.pk for s in sessions], **values}
    return client.post(reverse(CHANGELIST), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Links to the board ----------------------------------------------------------------------


def test_the_admin_index_links_to_the_boards_of_ones_own_events(client, conf, owner):
    other = EventFactory(name="Not Mine")
    client.force_login(owner)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("schedule_board", args=[conf.event.pk]) in html
    assert "Schedule board · Board Conf" in html
    assert reverse("schedule_board", args=[other.pk]) not in html


def test_the_event_list_and_page_link_to_the_board(client, conf, owner):
    client.force_login(owner)
    board = reverse("schedule_board", args=[conf.event.pk])
    listing = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert f'<a class="lineup-board" href="{board}">Board</a>' in listing
    for words in ("Sessions", "Clashes", "Import", "Public schedule"):
        assert f">{words}</a>" in listing
    page = client.get(reverse("admin:events_event_change", args=[conf.event.pk])).content
    assert f'<a href="{board}">Schedule board</a>'.encode() in page


# The session list ----------------------------------------------------------------------


def test_the_session_list_shows_stars_and_flags_a_room_too_small(client, conf, owner):
    for n in range(45):  # Cedar seats 40
        agenda = Agenda.objects.create(event=conf.event, key_hash=f"{n:064d}")
        AgendaItem.objects.create(agenda=agenda, session=conf.talk_b)
    AgendaItem.objects.create(agenda=agenda, session=conf.keynote)
    client.force_login(owner)
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert '<td class="field-stars">1</td>' in html  # the keynote: one star, Hall seats 300
    assert 'title="More stars than Cedar has seats">45 ⚠ 40 seats</span>' in html
    ordered = client.get(reverse(CHANGELIST), {"o": "-6"}).content.decode()
    titles = re.findall(r'class="field-title_and_speakers"><a href="[^"]+">([^<]+)', ordered)
    assert titles[:2] == ["Second talk", "Keynote"]


def test_the_unscheduled_filter(client, conf, owner):
    client.force_login(owner)
    response = client.get(reverse(CHANGELIST), {"scheduled": "no"})
    assert [s.title for s in response.context["cl"].result_list] == ["Loose talk"]
    response = client.get(reverse(CHANGELIST), {"scheduled": "yes"})
    assert "Loose talk" not in [s.title for s in response.context["cl"].result_list]


# Bulk changes ---------------------------------------------------------------------------


def test_move_to_a_room_asks_for_the_room_of_this_event_only(client, conf, owner):
    elsewhere = RoomFactory(name="Room Elsewhere")
    client.force_login(owner)
    response = run_action(client, "move_to_room", [conf.loose])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Move sessions to a room" in html
    assert ">Oak</option>" in html
    assert "Room Elsewhere" not in html and elsewhere.pk
    response = run_action(
        client, "move_to_room", [conf.pause, conf.loose], apply="1", room=conf.oak.pk
    )
    # An unscheduled session gets its room with a time, on the board.
    assert messages_of(response) == ["1 session changed. Left alone (not scheduled): Loose talk."]
    assert Session.objects.get(pk=conf.pause.pk).room == conf.oak
    assert Session.objects.get(pk=conf.loose.pk).room is None


def test_move_to_a_room_is_refused_whole_naming_the_clashes(client, conf, owner):
    client.force_login(owner)
    before = {s.pk: s.room_id for s in Session.objects.all()}
    SessionFactory(event=conf.event, title="Early bird", room=conf.oak, starts_at=at(9),
                   ends_at=at(9, 30))  # fmt: skip
    response = run_action(
        client, "move_to_room", [conf.keynote, conf.loose], apply="1", room=conf.oak.pk
    )
    (message,) = messages_of(response)
    assert message.startswith("Nothing was changed:")
    assert "“Keynote”: Oak is already taken at that time by “Early bird”" in message
    assert {s.pk: s.room_id for s in Session.objects.exclude(title="Early bird")} == before
    assert not LogEntry.objects.filter(change_message__contains="bulk action").exists()


def test_shift_moves_a_block_together_and_records_history(client, conf, owner):
    # Back to back in one room: shifted alone, each would land on the other.
    first = SessionFactory(event=conf.event, title="First", room=conf.oak, starts_at=at(13),
                           ends_at=at(13, 30))  # fmt: skip
    second = SessionFactory(event=conf.event, title="Second", room=conf.oak,
                            starts_at=at(13, 30), ends_at=at(14))  # fmt: skip
    client.force_login(owner)
    response = run_action(client, "shift_time", [first, second, conf.loose], apply="1", minutes=30)
    assert messages_of(response) == ["2 sessions changed. Left alone (not scheduled): Loose talk."]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.starts_at, second.starts_at) == (at(13, 30), at(14))
    entry = LogEntry.objects.get(object_id=str(first.pk), action_flag=CHANGE)
    assert entry.user == owner
    assert history.message(entry) == (
        "Moved from Mon May 6 1:00pm–1:30pm, Oak to Mon May 6 1:30pm–2:00pm, Oak (bulk action)."
    )
    # Stored as data, worded for the reader: the History page in German; a line written
    # before (plain text) reads as it was written.
    old = {"object_repr": "First", "action_flag": CHANGE, "change_message": "Old words."}
    LogEntry.objects.create(
        user=owner, content_type=entry.content_type, object_id=entry.object_id, **old
    )
    page = client.get(
        reverse("admin:schedule_session_history", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    moved = "Verschoben von Mo, 6. Mai 13:00–13:30, Oak nach Mo, 6. Mai 13:30–14:00, Oak"
    assert f"<td>{moved} (Sammelaktion).</td>" in page
    assert "<td>Old words.</td>" in page
    listing = client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<td class="field-when">Mo, 6. Mai<span class="lineup-sub">13:30–14:00 PDT' in listing
    assert '<td class="field-when">nicht eingeplant</td>' in listing
    assert ">Eingeplant</a>" in listing and "›Schedule" not in listing
    events = client.get(reverse("admin:events_event_changelist"), HTTP_ACCEPT_LANGUAGE="fr")
    assert ">Tableau</a> · <a " in events.content.decode()
    assert ">Programme public</a></span>" in events.content.decode()


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        # The keynote (9–10) stays: an hour earlier, Ada would speak in both.
        (-60, "“Second talk”: Ada Lovelace is already speaking at that time in “Keynote”"),
        (-60 * 24, "must take place during the event"),
    ],
)
def test_shift_is_refused_whole(client, conf, owner, minutes, words):
    client.force_login(owner)
    sessions = [conf.talk_b, conf.pause]
    response = run_action(client, "shift_time", sessions, apply="1", minutes=minutes)
    (message,) = messages_of(response)
    assert message.startswith("Nothing was changed:")
    assert words in message
    assert Session.objects.get(pk=conf.talk_b.pk).starts_at == at(10)
    assert Session.objects.get(pk=conf.pause.pk).starts_at == at(11)


@pytest.mark.parametrize("minutes", ["0", "abc", str(10**6)])
def test_shift_by_a_bad_number_asks_again(client, conf, owner, minutes):
    client.force_login(owner)
    response = run_action(client, "shift_time", [conf.talk_b], apply="1", minutes=minutes)
    assert response.status_code == 200
    assert response.context["form"].errors["minutes"]
    assert Session.objects.get(pk=conf.talk_b.pk).starts_at == at(10)


def test_set_track_and_type(client, conf, owner):
    other_track = TrackFactory(event=conf.event, name="Web")
    foreign = TrackFactory(name="Foreign")
    client.force_login(owner)
    response = run_action(client, "set_track", [conf.keynote, conf.loose], apply="1",
                          track=other_track.pk)  # fmt: skip
    assert messages_of(response) == ["2 sessions changed."]
    assert set(Session.objects.filter(track=other_track).values_list("title", flat=True)) == {
        "Keynote", "Loose talk",
    }  # fmt: skip
    response = run_action(client, "set_track", [conf.keynote], apply="1", track=foreign.pk)
    assert response.context["form"].errors["track"]
    assert Session.objects.get(pk=conf.keynote.pk).track == other_track
    workshop = SessionTypeFactory(event=conf.event, name="Workshop")
    run_action(client, "set_type", [conf.keynote], apply="1", session_type=workshop.pk)
    assert Session.objects.get(pk=conf.keynote.pk).session_type == workshop
    assert "Changed type (bulk action)." in [
        history.message(e) for e in LogEntry.objects.filter(object_id=str(conf.keynote.pk))
    ]


def test_bulk_changes_take_sessions_of_one_event_at_a_time(client, conf):
    elsewhere = SessionFactory(title="Elsewhere")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = run_action(client, "move_to_room", [conf.keynote, elsewhere])
    assert messages_of(response) == ["Choose sessions of one event at a time."]


def test_bulk_changes_reach_only_ones_own_sessions(client, conf, owner):
    elsewhere = SessionFactory(title="Elsewhere")
    client.force_login(owner)
    start = elsewhere.starts_at
    run_action(client, "shift_time", [elsewhere], apply="1", minutes=30)
    assert Session.objects.get(pk=elsewhere.pk).starts_at == start


# Forms ------------------------------------------------------------------------------------


def test_track_colour_is_a_colour_input(client, conf, owner):
    client.force_login(owner)
    html = client.get(reverse("admin:events_track_change", args=[conf.track.pk])).content
    assert b'type="color" name="color" value="#aa3300"' in html
    inline = client.get(reverse("admin:events_event_change", args=[conf.event.pk])).content
    assert b'type="color" name="tracks-0-color"' in inline


def test_time_zone_offers_the_iana_names(client, conf, owner):
    client.force_login(owner)
    html = client.get(reverse("admin:events_event_change", args=[conf.event.pk])).content.decode()
    assert 'list="id_timezone-zones"' in html
    assert '<option value="Europe/Berlin">' in html
    assert '<option value="America/Los_Angeles">' in html


def test_the_session_form_names_the_events_zone_and_its_now(client, conf, owner):
    client.force_login(owner)
    html = client.get(reverse("admin:schedule_session_change", args=[conf.keynote.pk])).content
    html = html.decode()
    assert "Times are in America/Los_Angeles (the event&#x27;s own time zone)." in html
    # The admin's Today/Now shortcuts count from this offset: the event's, not the server's.
    offset = int(dt.datetime.now(LA).utcoffset().total_seconds())
    assert f'data-admin-utc-offset="{offset}"' in html
    assert "css/admin.css" in html  # hides the browser-time note


def test_an_editor_reaches_the_session_list_and_its_bulk_actions(client, conf):
    from events.models import Membership

    editor = MembershipFactory(event=conf.event, role=Membership.Role.EDITOR).user
    client.force_login(editor)
    response = run_action(client, "move_to_room", [conf.pause], apply="1", room=conf.cedar.pk)
    assert messages_of(response) == ["1 session changed."]


def test_markdown_fields_say_and_keep_their_bound(client, conf, owner):
    client.force_login(owner)
    url = reverse("admin:schedule_session_change", args=[conf.keynote.pk])
    page = client.get(url).content.decode()
    assert "At most 20,000 characters." in page
    assert 'maxlength="20000"' in page


def test_a_taken_event_slug_does_not_say_whose_it_is(client, conf, owner):
    client.force_login(owner)
    data = {"name": "Mine", "slug": conf.event.slug, "start_date": "2030-01-01",
            "end_date": "2030-01-02", "timezone": "UTC"}  # fmt: skip
    page = client.post(reverse("admin:events_event_add"), data).content.decode()
    assert "This slug is not available; choose another." in page
    assert "already exists" not in page
