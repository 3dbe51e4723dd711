"""Data safety: a backup restores everything; what sessions use cannot be deleted from
under them; the admin remembers who changed what; a failed import changes nothing."""

import datetime as dt
import io
import json
import secrets
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.models import RestrictedError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from events.models import Event, Membership, Room, SessionType, Track
from schedule import agenda as agendas
from schedule import importer
from schedule.importer import import_schedule
from schedule.models import Agenda, AgendaItem, Session, SessionSpeaker
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    MembershipFactory,
    RoomFactory,
    SessionFactory,
    SessionTypeFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
SAMPLE = BASE_DIR / "tests" / "schedule" / "samples" / "pretalx-democon.schedule.json"
UTC = dt.UTC


def snapshot() -> dict[str, list]:
    """Every row of every table."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


# --- backup and restore -----------------------------------------------------------------


@pytest.fixture
def populated(db):
    """An imported conference, with what organizers and attendees add to it."""
    import_schedule(SAMPLE.read_bytes(), "democon")
    event = Event.objects.get(slug="democon")
    track = Track.objects.filter(event=event).first()
    kind = SessionTypeFactory(event=event, name="Restored type")
    first, second, third = Session.objects.filter(event=event).order_by("starts_at", "pk")[:3]
    Session.objects.filter(pk=first.pk).update(track=track, session_type=kind)
    Session.objects.filter(pk=third.pk).update(status=Session.Status.DRAFT)
    speaker = Speaker.objects.filter(event=event).order_by("name").first()
    Speaker.objects.filter(pk=speaker.pk).update(
        email="private@example.org",
        avatar=f"avatars/{event.pk}/{'a' * 32}.jpg",
        avatar_thumb=f"avatars/{event.pk}/{'a' * 32}-96.jpg",
    )
    owner = MembershipFactory(event=event, user__username="owner").user
    Token.objects.create(user=owner)
    attendee = UserFactory(username="attendee")
    mine = Agenda.objects.create(event=event, user=attendee)
    key = secrets.token_urlsafe(32)
    anonymous = Agenda.objects.create(event=event, key_hash=agendas.digest(key))
    for agenda, sessions in ((mine, [first, second]), (anonymous, [second])):
        for session in sessions:
            agendas.star(agenda, session)
    feed = agendas.feed_token(mine)
    admin = Client()
    admin.force_login(owner)
    admin.post(
        reverse("admin:schedule_session_changelist"),
        {"action": "cancel", "index": "0", "_selected_action": [second.pk]},
    )
    other = EventFactory(slug="othercon", is_published=False)
    SessionFactory(event=other, title="Other talk")
    return {"event": event, "feed": feed, "first": first, "speaker": speaker}


def to_the_millisecond(value):
    """JSON dumps keep times to the millisecond (as JavaScript does)."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, dict):
        return {k: to_the_millisecond(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(to_the_millisecond(v) for v in value)
    return value


def state() -> dict:
    """What a restore must bring back, with users by name (not by row id)."""
    return to_the_millisecond(_state())


def _state() -> dict:
    User = get_user_model()

    def rows(model, order="pk", **renamed):
        return list(model.objects.order_by(order).values(*renamed.get("fields", ())))

    return {
        "users": sorted(User.objects.values_list(
            "username", "email", "password", "is_staff", "is_superuser", "is_active")),
        "events": rows(Event), "rooms": rows(Room), "tracks": rows(Track),
        "types": rows(SessionType), "speakers": rows(Speaker), "sessions": rows(Session),
        "links": rows(SessionSpeaker), "items": rows(AgendaItem),
        "memberships": list(Membership.objects.order_by("pk").values_list(
            "event_id", "user__username", "role")),
        "agendas": list(Agenda.objects.order_by("pk").values_list(
            "event_id", "user__username", "key_hash", "feed_nonce", "feed_token_hash",
            "created_at", "updated_at")),
        "tokens": sorted(Token.objects.values_list("key", "user__username")),
        "history": list(LogEntry.objects.order_by("pk").values_list(
            "user__username", "content_type__app_label", "content_type__model", "object_id",
            "object_repr", "action_flag", "change_message", "action_time")),
    }  # fmt: skip


BACKUP = [
    "dumpdata", "--natural-foreign", "--natural-primary",
    "--exclude=contenttypes", "--exclude=auth.permission", "--exclude=sessions",
    "--exclude=axes", "--indent=2",
]  # fmt: skip


# flush and loaddata commit, as they do in real life (PostgreSQL refuses to TRUNCATE in
# the middle of a test's transaction).
@pytest.mark.django_db(transaction=True)
def test_dumpdata_flush_loaddata_restores_everything(populated, tmp_path):
    public = Client().get("/democon/schedule.json").content
    before = state()
    assert len(before["sessions"]) == 37 and len(before["links"]) > 30
    assert len(before["items"]) == 3 and len(before["history"]) == 1
    backup = tmp_path / "lineup.json"
    call_command(*BACKUP, output=str(backup))
    dumped = {row["model"] for row in json.loads(backup.read_text())}
    assert {"schedule.session", "speakers.speaker", "events.room", "auth.user"} <= dumped
    assert not dumped & {"contenttypes.contenttype", "auth.permission", "sessions.session"}

    call_command("flush", "--noinput", verbosity=0)
    assert Session.objects.count() == Speaker.objects.count() == 0
    assert get_user_model().objects.count() == 0
    call_command("loaddata", str(backup), verbosity=0)

    after = state()
    for name in before:
        assert after[name] == before[name], name
    event = populated["event"]
    assert Session.objects.filter(event=event).count() == 36
    assert Speaker.objects.get(pk=populated["speaker"].pk).email == "private@example.org"
    assert Speaker.objects.get(pk=populated["speaker"].pk).avatar.name.endswith("a.jpg")
    restored = Session.objects.get(pk=populated["first"].pk)
    assert (restored.guid, restored.starts_at, restored.track.name) == (
        populated["first"].guid, populated["first"].starts_at, restored.track.name)  # fmt: skip
    # The restored site serves the same schedule, and subscriptions keep working.
    cache.clear()
    assert Client().get("/democon/schedule.json").content == public
    assert Client().get(f"/democon/agenda/{populated['feed']}.ics").status_code == 200
    owner = Client()
    assert owner.login(username="owner", password="correct horse battery staple")
    assert owner.get(reverse("admin:schedule_session_changelist")).status_code == 200


def test_the_readme_documents_backups():
    readme = (BASE_DIR / "README.md").read_text()
    assert "## Backups" in readme
    section = readme.split("## Backups", 1)[1].split("\n## ", 1)[0]
    for needle in ("dumpdata", "--natural-foreign", "--natural-primary", "loaddata", "flush",
                   "pg_dump -Fc", "pg_restore", "MEDIA_ROOT", "sqlite3"):  # fmt: skip
        assert needle in section, needle


# --- what sessions use cannot be deleted -----------------------------------------------


@pytest.fixture
def used(db):
    event = EventFactory(slug="usedcon")
    room = RoomFactory(event=event, name="Busy Room")
    track = TrackFactory(event=event, name="Busy Track")
    kind = SessionTypeFactory(event=event, name="Busy Type")
    session = SessionFactory(event=event, room=room, track=track, session_type=kind)
    return {"room": room, "track": track, "sessiontype": kind, "session": session}


PARTS = {"room": Room, "track": Track, "sessiontype": SessionType}


@pytest.mark.parametrize("part", PARTS)
def test_deleting_a_used_part_is_restricted(used, part):
    obj = used[part]
    with pytest.raises(RestrictedError):
        obj.delete()
    assert PARTS[part].objects.filter(pk=obj.pk).exists()
    assert Session.objects.filter(pk=used["session"].pk).exists()


@pytest.mark.parametrize("part", PARTS)
def test_the_admin_refuses_to_delete_a_used_part(used, part, admin_client):
    obj = used[part]
    url = reverse(f"admin:events_{part}_delete", args=[obj.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "would require deleting the following protected related objects" in text
    assert used["session"].title in text
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the same refusal, not a redirect
    assert PARTS[part].objects.filter(pk=obj.pk).exists()
    # Nor through the bulk "delete selected" action.
    response = admin_client.post(
        reverse(f"admin:events_{part}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode()
    assert PARTS[part].objects.filter(pk=obj.pk).exists()
    session = Session.objects.get(pk=used["session"].pk)
    assert getattr(session, "session_type" if part == "sessiontype" else part) == obj


def test_an_unused_room_can_be_deleted(used, admin_client):
    spare = RoomFactory(event=used["room"].event, name="Spare Room")
    response = admin_client.post(reverse("admin:events_room_delete", args=[spare.pk]),
                                 {"post": "yes"})  # fmt: skip
    assert response.status_code == 302
    assert not Room.objects.filter(pk=spare.pk).exists()


# --- history ------------------------------------------------------------------------------


def session_form(session: Session, **changes) -> dict:
    data = {
        "event": session.event_id, "title": session.title, "slug": session.slug,
        "status": session.status, "abstract": session.abstract, "room": session.room_id or "",
        "track": session.track_id or "", "session_type": session.session_type_id or "",
        "_save": "Save",
        "starts_at_0": f"{session.starts_at:%Y-%m-%d}",
        "starts_at_1": f"{session.starts_at:%H:%M:%S}",
        "ends_at_0": f"{session.ends_at:%Y-%m-%d}", "ends_at_1": f"{session.ends_at:%H:%M:%S}",
        "speaker_links-TOTAL_FORMS": "0", "speaker_links-INITIAL_FORMS": "0",
        "speaker_links-MIN_NUM_FORMS": "0", "speaker_links-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def organizer_client(used):
    user = MembershipFactory(event=used["room"].event, user__username="carol").user
    client = Client()
    client.force_login(user)
    return client


def history(session) -> list[tuple]:
    return list(
        LogEntry.objects.filter(object_id=str(session.pk), content_type__model="session")
        .order_by("pk")
        .values_list("user__username", "action_flag", "change_message")
    )


def test_the_admin_records_who_changed_a_session(used, organizer_client):
    session = used["session"]
    url = reverse("admin:schedule_session_change", args=[session.pk])
    response = organizer_client.post(url, session_form(session, title="A better title"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    [(who, flag, message)] = history(session)
    assert (who, flag) == ("carol", CHANGE)
    assert json.loads(message) == [{"changed": {"fields": ["Title"]}}]
    page = organizer_client.get(reverse("admin:schedule_session_history", args=[session.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "carol" in text and "Changed Title." in text


@pytest.mark.parametrize(("action", "label"), [("unpublish", "Draft"), ("cancel", "Cancelled")])
def test_bulk_actions_are_in_the_history_too(used, organizer_client, action, label):
    session = used["session"]
    untouched = SessionFactory(event=session.event, title="Already there",
                               status=Session.Status.DRAFT if action == "unpublish" else
                               Session.Status.CANCELLED)  # fmt: skip
    response = organizer_client.post(
        reverse("admin:schedule_session_changelist"),
        {"action": action, "index": "0", "_selected_action": [session.pk, untouched.pk]},
    )
    assert response.status_code == 302
    [(who, flag, _message)] = history(session)
    assert (who, flag) == ("carol", CHANGE)
    assert history(untouched) == []  # nothing changed there, nothing recorded
    page = organizer_client.get(reverse("admin:schedule_session_history", args=[session.pk]))
    assert f"Changed status to {label} (bulk action)." in page.content.decode()


# --- an import that fails halfway -------------------------------------------------------


def fail_at_the_speaker_links(monkeypatch) -> dict:
    """Let the sessions (and their rooms and speakers) be written, then break while the
    speaker links are written (the importer writes them all in one bulk insert)."""
    seen = {}

    def broken(links, *args, **kwargs):
        seen["sessions_at_failure"] = Session.objects.count()
        seen["renamed_at_failure"] = Session.objects.filter(title__startswith="Renamed").count()
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(importer.SessionSpeaker.objects, "bulk_create", broken)
    return seen


def test_a_new_event_import_that_fails_halfway_leaves_no_trace(db, monkeypatch):
    EventFactory(slug="bystander")
    before = snapshot()
    seen = fail_at_the_speaker_links(monkeypatch)
    with pytest.raises(OperationalError):
        import_schedule(SAMPLE.read_bytes(), "democon")
    assert seen["sessions_at_failure"] == 36  # it did get halfway: every session written
    assert snapshot() == before
    assert not Event.objects.filter(slug="democon").exists()


def test_a_reimport_that_fails_halfway_leaves_the_event_as_it_was(db, monkeypatch, tmp_path):
    import_schedule(SAMPLE.read_bytes(), "democon")
    Event.objects.filter(slug="democon").update(changed_at=dt.datetime(2001, 1, 1, tzinfo=UTC))
    # The second file renames every session, drops a speaker's name and adds a session.
    document = json.loads(SAMPLE.read_bytes())
    for day in document["schedule"]["conference"]["days"]:
        for sessions in day["rooms"].values():
            for session in sessions:
                session["title"] = "Renamed: " + session["title"]
                session["room"] = "A new room"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    before = snapshot()
    seen = fail_at_the_speaker_links(monkeypatch)
    with pytest.raises(OperationalError):
        call_command("import_schedule", str(changed), "--event", "democon", stdout=io.StringIO())
    assert seen["renamed_at_failure"] == 36  # every session was rewritten when it broke
    assert snapshot() == before
    assert not Session.objects.filter(title__startswith="Renamed").exists()
    assert not Room.objects.filter(name="A new room").exists()
    # Without the fault, the same file goes in.
    monkeypatch.undo()
    import_schedule(changed.read_bytes(), "democon")
    assert Session.objects.filter(title__startswith="Renamed").count() == 36
