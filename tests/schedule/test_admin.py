"""The organizers' admin: each organizer sees and touches only their own events.

The cast: an organizer of event A ("Alpha", in Los Angeles), an organizer of event B
("Bravo", in Berlin), an anonymous visitor, and a superuser.
"""

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass

import pytest
from django.urls import reverse

from events.models import Event, Membership, Room, SessionType, Track
from schedule.models import Session, SessionSpeaker
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    MembershipFactory,
    RoomFactory,
    SessionFactory,
    SessionTypeFactory,
    SpeakerFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
LONG_AGO = dt.datetime(2001, 1, 1, tzinfo=UTC)


@dataclass
class World:
    event: Event
    room: Room
    track: Track
    session_type: SessionType
    speaker: Speaker
    session: Session
    link: SessionSpeaker


def build_world(label: str, timezone: str) -> World:
    event = EventFactory(name=f"{label} Conf", slug=f"{label.lower()}-conf", timezone=timezone)
    room = RoomFactory(event=event, name=f"{label} Hall")
    track = TrackFactory(event=event, name=f"{label} Track")
    session_type = SessionTypeFactory(event=event, name=f"{label} Talk")
    speaker = SpeakerFactory(event=event, name=f"{label} Speaker", email=f"{label}@example.org")
    start = dt.datetime(2030, 5, 6, 17, 0, tzinfo=UTC)  # 10:00 PDT, 19:00 CEST
    session = SessionFactory(
        event=event, room=room, track=track, session_type=session_type,
        title=f"{label} Session", starts_at=start, ends_at=start + dt.timedelta(minutes=40),
    )  # fmt: skip
    link = SessionSpeaker.objects.create(session=session, speaker=speaker)
    return World(event, room, track, session_type, speaker, session, link)


@pytest.fixture
def a() -> World:
    return build_world("Alpha", "America/Los_Angeles")


@pytest.fixture
def b() -> World:
    return build_world("Bravo", "Europe/Berlin")


@pytest.fixture
def org_a(a):
    return MembershipFactory(event=a.event, user__username="org_a").user


@pytest.fixture
def org_b(b):
    return MembershipFactory(event=b.event, user__username="org_b").user


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def login(client, user):
    client.force_login(user)
    return client


# Each event-scoped model: its admin URL name and the matching attribute of a World.
MODELS = {
    "event": ("events_event", "event"),
    "room": ("events_room", "room"),
    "track": ("events_track", "track"),
    "sessiontype": ("events_sessiontype", "session_type"),
    "speaker": ("speakers_speaker", "speaker"),
    "session": ("schedule_session", "session"),
}


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


# --- isolation --------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_organizer_sees_only_their_events_rows(client, a, b, org_a, model):
    url_name, attr = MODELS[model]
    response = login(client, org_a).get(reverse(f"admin:{url_name}_changelist"))
    assert listed(response) == {getattr(a, attr).pk}
    assert "Bravo" not in response.content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_the_other_organizer_sees_only_theirs(client, a, b, org_b, model):
    url_name, attr = MODELS[model]
    response = login(client, org_b).get(reverse(f"admin:{url_name}_changelist"))
    assert listed(response) == {getattr(b, attr).pk}
    assert "Alpha" not in response.content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_superuser_sees_every_event(client, a, b, superuser, model):
    url_name, attr = MODELS[model]
    response = login(client, superuser).get(reverse(f"admin:{url_name}_changelist"))
    assert listed(response) == {getattr(a, attr).pk, getattr(b, attr).pk}


@pytest.mark.parametrize("page", ["change", "delete", "history"])
@pytest.mark.parametrize("model", MODELS)
def test_other_events_pages_are_not_found(client, a, b, org_a, model, page):
    url_name, attr = MODELS[model]
    url = reverse(f"admin:{url_name}_{page}", args=[getattr(b, attr).pk])
    login(client, org_a)
    assert client.get(url).status_code == 404
    # Writing is refused too, and nothing changes or disappears.
    response = client.post(url, {"post": "yes", "name": "Hijacked", "title": "Hijacked"})
    assert response.status_code == 404
    target = getattr(b, attr)
    reloaded = type(target).objects.get(pk=target.pk)
    assert str(reloaded) == str(target)


@pytest.mark.parametrize("model", MODELS)
def test_own_events_pages_open(client, a, b, org_a, model):
    url_name, attr = MODELS[model]
    login(client, org_a)
    for page in ("change", "history"):
        url = reverse(f"admin:{url_name}_{page}", args=[getattr(a, attr).pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, a, model):
    url_name, attr = MODELS[model]
    for url in (
        reverse(f"admin:{url_name}_changelist"),
        reverse(f"admin:{url_name}_change", args=[getattr(a, attr).pk]),
        reverse(f"admin:{url_name}_add"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_events_sees_no_event_data(client, a):
    stranger = UserFactory(is_staff=True)
    login(client, stranger)
    for model in ("room", "speaker", "session"):
        url_name, attr = MODELS[model]
        assert client.get(reverse(f"admin:{url_name}_changelist")).status_code == 403
        url = reverse(f"admin:{url_name}_change", args=[getattr(a, attr).pk])
        assert client.get(url).status_code in {403, 404}


@pytest.mark.parametrize("model", ["room", "track", "sessiontype", "speaker", "session"])
def test_filtering_by_another_event_shows_nothing_of_it(client, a, b, org_a, model):
    url_name, _ = MODELS[model]
    login(client, org_a)
    url = reverse(f"admin:{url_name}_changelist")
    response = client.get(url, {"event": b.event.pk})
    assert listed(response) == set()
    assert "Bravo" not in response.content.decode()
    assert len(listed(client.get(url, {"event": a.event.pk}))) == 1


def test_superuser_filters_by_any_event(client, a, b, superuser):
    login(client, superuser)
    url = reverse("admin:schedule_session_changelist")
    assert listed(client.get(url, {"event": b.event.pk})) == {b.session.pk}


def test_search_does_not_reach_other_events(client, a, b, org_a):
    login(client, org_a)
    response = client.get(reverse("admin:speakers_speaker_changelist"), {"q": "bravo"})
    assert listed(response) == set()
    response = client.get(reverse("admin:schedule_session_changelist"), {"q": "Speaker"})
    assert listed(response) == {a.session.pk}


# --- choices: another event's rows cannot be picked -----------------------------------


def session_form(session: Session, *, links=(), **changes) -> dict:
    """The POST data of the session change form, with the inline's management form."""
    tz = session.event.tzinfo
    data = {
        "event": session.event_id,
        "title": session.title,
        "slug": session.slug,
        "status": session.status,
        "abstract": session.abstract,
        "room": session.room_id or "",
        "track": session.track_id or "",
        "session_type": session.session_type_id or "",
        "_save": "Save",
    }
    for field in ("starts_at", "ends_at"):
        value = getattr(session, field)
        local = value.astimezone(tz) if value else None
        data[f"{field}_0"] = f"{local:%Y-%m-%d}" if local else ""
        data[f"{field}_1"] = f"{local:%H:%M:%S}" if local else ""
    data.update(inline_forms(session, links))
    data.update(changes)
    return data


def inline_forms(session: Session, links) -> dict:
    """``links``: existing SessionSpeaker rows or dicts for new ones (speaker, role, …)."""
    existing = [link for link in links if isinstance(link, SessionSpeaker)]
    new = [link for link in links if not isinstance(link, SessionSpeaker)]
    data = {
        "speaker_links-TOTAL_FORMS": str(len(existing) + len(new)),
        "speaker_links-INITIAL_FORMS": str(len(existing)),
        "speaker_links-MIN_NUM_FORMS": "0",
        "speaker_links-MAX_NUM_FORMS": "1000",
    }
    for i, link in enumerate(existing):
        data.update({
            f"speaker_links-{i}-id": link.pk,
            f"speaker_links-{i}-session": session.pk,
            f"speaker_links-{i}-speaker": link.speaker_id,
            f"speaker_links-{i}-role": link.role,
            f"speaker_links-{i}-position": link.position,
        })  # fmt: skip
    for i, link in enumerate(new, start=len(existing)):
        data.update({
            f"speaker_links-{i}-id": "",
            f"speaker_links-{i}-session": session.pk or "",
            f"speaker_links-{i}-speaker": link["speaker"],
            f"speaker_links-{i}-role": link.get("role", "speaker"),
            f"speaker_links-{i}-position": link.get("position", 0),
        })  # fmt: skip
    return data


def form_errors(response) -> dict:
    assert response.status_code == 200, "the form was accepted"
    return response.context["adminform"].form.errors


def session_row(session: Session) -> dict:
    return Session.objects.filter(pk=session.pk).values().get()


def test_session_form_offers_only_the_organizers_rows(client, a, b, org_a):
    login(client, org_a)
    response = client.get(reverse("admin:schedule_session_change", args=[a.session.pk]))
    fields = response.context["adminform"].form.fields
    assert set(fields["event"].queryset) == {a.event}
    assert set(fields["room"].queryset) == {a.room}
    assert set(fields["track"].queryset) == {a.track}
    assert set(fields["session_type"].queryset) == {a.session_type}
    assert "Bravo" not in response.content.decode()


@pytest.mark.parametrize("field", ["room", "track", "session_type", "event"])
def test_picking_another_events_row_is_refused_and_nothing_stored(client, a, b, org_a, field):
    before = session_row(a.session)
    other = b.event if field == "event" else getattr(b, field)
    response = login(client, org_a).post(
        reverse("admin:schedule_session_change", args=[a.session.pk]),
        session_form(a.session, links=[a.link], title="Changed title", **{field: other.pk}),
    )
    assert "Select a valid choice" in form_errors(response)[field][0]
    assert session_row(a.session) == before


def test_picking_another_events_speaker_is_refused_and_nothing_stored(client, a, b, org_a):
    before = session_row(a.session)
    response = login(client, org_a).post(
        reverse("admin:schedule_session_change", args=[a.session.pk]),
        session_form(a.session, links=[a.link, {"speaker": b.speaker.pk}], title="Changed title"),
    )
    assert response.status_code == 200
    [formset] = response.context["inline_admin_formsets"]
    assert "Select a valid choice" in str(formset.formset.errors)
    assert session_row(a.session) == before
    assert list(a.session.speakers.all()) == [a.speaker]


def test_organizer_cannot_add_a_session_to_another_event(client, a, b, org_a):
    response = login(client, org_a).post(
        reverse("admin:schedule_session_add"),
        session_form(Session(event=b.event, title="Sneaky", slug="sneaky"), room=b.room.pk),
    )
    errors = form_errors(response)
    assert "event" in errors and "room" in errors
    assert not Session.objects.filter(title="Sneaky").exists()


def test_organizer_cannot_move_a_speaker_into_another_event(client, a, b, org_a):
    speaker = a.speaker
    data = {
        "event": b.event.pk, "name": speaker.name, "slug": speaker.slug,
        "job_title": "", "company": "", "bio": "", "email": "", "website": "",
        "mastodon": "", "github": "", "linkedin": "",
    }  # fmt: skip
    response = login(client, org_a).post(
        reverse("admin:speakers_speaker_change", args=[speaker.pk]), data
    )
    assert "event" in form_errors(response)
    speaker.refresh_from_db()
    assert speaker.event_id == a.event.pk


def autocomplete(client, term="", model_name="sessionspeaker", field_name="speaker"):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "schedule", "model_name": model_name, "field_name": field_name,
         "term": term},
    )  # fmt: skip
    return response


def test_speaker_autocomplete_offers_only_the_organizers_speakers(client, a, b, org_a):
    login(client, org_a)
    for term in ("", "Speaker", "Bravo", "bravo@example.org"):
        response = autocomplete(client, term)
        assert response.status_code == 200
        ids = {int(row["id"]) for row in json.loads(response.content)["results"]}
        assert b.speaker.pk not in ids
        assert ids <= {a.speaker.pk}
    found = json.loads(autocomplete(client, "Alpha").content)["results"]
    assert [row["text"] for row in found] == ["Alpha Speaker"]


def test_room_autocomplete_offers_only_the_organizers_rooms(client, a, b, org_a):
    response = autocomplete(login(client, org_a), "Hall", "session", "room")
    assert response.status_code == 200
    assert [row["text"] for row in json.loads(response.content)["results"]] == ["Alpha Hall"]


def test_superuser_autocomplete_offers_every_speaker(client, a, b, superuser):
    response = autocomplete(login(client, superuser), "Speaker")
    names = {row["text"] for row in json.loads(response.content)["results"]}
    assert names == {"Alpha Speaker", "Bravo Speaker"}


def test_anonymous_autocomplete_is_refused(client, a):
    response = autocomplete(client, "Speaker")
    assert response.status_code in {302, 403}
    assert b"Alpha" not in response.content


# --- the session list -------------------------------------------------------------------


def test_session_changelist_shows_local_day_time_status_and_speakers(client, a, org_a):
    second = SpeakerFactory(event=a.event, name="Zed Second")
    SessionSpeaker.objects.create(session=a.session, speaker=second, position=1)
    SessionFactory(event=a.event, title="Someday", starts_at=None, ends_at=None, room=None)
    response = login(client, org_a).get(reverse("admin:schedule_session_changelist"))
    html = response.content.decode()
    # 17:00 UTC on May 6 is 10:00am PDT in Los Angeles.
    # Day and time in one cell, speakers (in order) under the title.
    assert (
        '<td class="field-when">Mon May 6<span class="lineup-sub">10:00am–10:40am PDT</span></td>'
        in html
    )
    assert '<span class="lineup-status-published">Published</span>' in html
    assert 'Alpha Session<span class="lineup-sub">Alpha Speaker, Zed Second</span>' in html
    assert '<td class="field-when">unscheduled</td>' in html


def test_session_changelist_shows_a_late_session_on_its_local_day(client, a, org_a):
    # 02:00 UTC on May 8 is still May 7 (7:00pm) in Los Angeles.
    start = dt.datetime(2030, 5, 8, 2, 0, tzinfo=UTC)
    SessionFactory(event=a.event, title="Evening", starts_at=start,
                   ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    html = login(client, org_a).get(reverse("admin:schedule_session_changelist")).content
    assert (
        '<td class="field-when">Tue May 7<span class="lineup-sub">7:00pm–8:00pm PDT</span></td>'
        in html.decode()
    )


# --- bulk actions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("publish", Session.Status.DRAFT, Session.Status.PUBLISHED),
        ("unpublish", Session.Status.PUBLISHED, Session.Status.DRAFT),
        ("cancel", Session.Status.PUBLISHED, Session.Status.CANCELLED),
    ],
)
def test_bulk_actions_change_only_the_organizers_sessions(client, a, b, org_a, action, start,
                                                          end):  # fmt: skip
    extra = SessionFactory(event=a.event, title="Alpha Extra", status=start)
    untouched = SessionFactory(event=a.event, title="Alpha Untouched", status=start)
    Session.objects.filter(pk__in=[a.session.pk, b.session.pk]).update(status=start)
    Event.objects.update(changed_at=LONG_AGO)
    response = login(client, org_a).post(
        reverse("admin:schedule_session_changelist"),
        {
            "action": action,
            "index": "0",
            "_selected_action": [a.session.pk, extra.pk, b.session.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    statuses = dict(Session.objects.values_list("pk", "status"))
    assert statuses[a.session.pk] == end
    assert statuses[extra.pk] == end
    assert statuses[untouched.pk] == start
    assert statuses[b.session.pk] == start
    assert "2 sessions" in response.content.decode()
    a.event.refresh_from_db()
    b.event.refresh_from_db()
    assert a.event.changed_at > LONG_AGO
    assert b.event.changed_at == LONG_AGO


def test_bulk_action_on_only_another_events_sessions_changes_nothing(client, a, b, org_a):
    login(client, org_a).post(
        reverse("admin:schedule_session_changelist"),
        {"action": "cancel", "index": "0", "_selected_action": [b.session.pk]},
    )
    b.session.refresh_from_db()
    assert b.session.status == Session.Status.PUBLISHED


# --- the session form -----------------------------------------------------------------


def test_inline_speaker_is_saved_with_role_and_position(client, a, org_a):
    moderator = SpeakerFactory(event=a.event, name="Mo Derator")
    response = login(client, org_a).post(
        reverse("admin:schedule_session_change", args=[a.session.pk]),
        session_form(
            a.session,
            links=[a.link, {"speaker": moderator.pk, "role": "moderator", "position": 3}],
        ),
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    link = SessionSpeaker.objects.get(session=a.session, speaker=moderator)
    assert (link.role, link.position) == ("moderator", 3)
    assert a.session.speaker_links.count() == 2


def test_inline_speaker_clash_names_the_other_session_and_stores_nothing(client, a, org_a):
    busy = SpeakerFactory(event=a.event, name="Busy Bee")
    other = SessionFactory(
        event=a.event, title="The Other Talk", starts_at=a.session.starts_at,
        ends_at=a.session.ends_at,
    )  # fmt: skip
    SessionSpeaker.objects.create(session=other, speaker=busy)
    before = session_row(a.session)
    response = login(client, org_a).post(
        reverse("admin:schedule_session_change", args=[a.session.pk]),
        session_form(a.session, links=[a.link, {"speaker": busy.pk}], title="Renamed"),
    )
    assert response.status_code == 200
    [formset] = response.context["inline_admin_formsets"]
    errors = formset.formset.non_form_errors()
    assert len(errors) == 1
    assert errors[0].startswith("Busy Bee is already speaking at that time in “The Other Talk”")
    assert "Busy Bee is already speaking" in response.content.decode()
    assert session_row(a.session) == before
    assert not SessionSpeaker.objects.filter(session=a.session, speaker=busy).exists()


def test_inline_speaker_listed_twice_is_refused(client, a, org_a):
    response = login(client, org_a).post(
        reverse("admin:schedule_session_change", args=[a.session.pk]),
        session_form(a.session, links=[a.link, {"speaker": a.speaker.pk, "role": "panelist"}]),
    )
    assert response.status_code == 200
    [formset] = response.context["inline_admin_formsets"]
    [error] = formset.formset.non_form_errors()
    assert "duplicate data for speaker" in error or "only once" in error
    assert a.session.speaker_links.count() == 1


def test_room_clash_in_the_form_names_the_other_session(client, a, org_a):
    other_room = RoomFactory(event=a.event, name="Alpha Annex")
    moved = SessionFactory(event=a.event, room=other_room, title="Movable",
                           starts_at=a.session.starts_at, ends_at=a.session.ends_at)  # fmt: skip
    response = login(client, org_a).post(
        reverse("admin:schedule_session_change", args=[moved.pk]),
        session_form(moved, room=a.room.pk),
    )
    [message] = form_errors(response)["room"]
    assert "“Alpha Session”" in message
    assert "10:00am–10:40am PDT" in message
    moved.refresh_from_db()
    assert moved.room_id == other_room.pk


def test_start_without_end_is_a_form_error_not_a_crash(client, a, org_a):
    response = login(client, org_a).post(
        reverse("admin:schedule_session_change", args=[a.session.pk]),
        session_form(a.session, links=[a.link], ends_at_0="", ends_at_1=""),
    )
    assert response.status_code == 200
    assert "Set both the start and the end time, or neither." in response.content.decode()


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(dt.date(2030, 5, 7), 17), (dt.date(2031, 1, 14), 18)],
    ids=["PDT", "PST"],
)
def test_times_in_the_form_are_read_in_the_events_zone(client, a, org_a, day, utc_hour):
    event = a.event
    if day.year == 2031:
        event = EventFactory(timezone="America/Los_Angeles", start_date=day, end_date=day)
        Membership.objects.create(user=org_a, event=event, role=Membership.Role.OWNER)
    new = Session(event=event, title="Local time talk", slug="local-time-talk")
    data = session_form(new)
    data.update({
        "starts_at_0": f"{day:%Y-%m-%d}", "starts_at_1": "10:00",
        "ends_at_0": f"{day:%Y-%m-%d}", "ends_at_1": "10:45",
    })  # fmt: skip
    response = login(client, org_a).post(reverse("admin:schedule_session_add"), data)
    assert response.status_code == 302, form_errors(response)
    stored = Session.objects.get(event=event, slug="local-time-talk")
    assert stored.starts_at == dt.datetime.combine(day, dt.time(utc_hour, 0), tzinfo=UTC)
    assert stored.ends_at == dt.datetime.combine(day, dt.time(utc_hour, 45), tzinfo=UTC)
    # ...and shown in the event's zone when the form is opened again.
    page = client.get(reverse("admin:schedule_session_change", args=[stored.pk]))
    assert 'value="10:00:00"' in page.content.decode()


def test_editing_keeps_times_in_the_events_zone(client, b, org_b):
    # Bravo is in Berlin: 17:00 UTC shows as 19:00; saving unchanged keeps 17:00 UTC.
    login(client, org_b)
    url = reverse("admin:schedule_session_change", args=[b.session.pk])
    assert 'value="19:00:00"' in client.get(url).content.decode()
    data = session_form(b.session, links=[b.link], title="Bravo Renamed")
    assert data["starts_at_1"] == "19:00:00"
    assert client.post(url, data).status_code == 302
    b.session.refresh_from_db()
    assert b.session.title == "Bravo Renamed"
    assert b.session.starts_at == dt.datetime(2030, 5, 6, 17, 0, tzinfo=UTC)


# --- speakers, clashes, events ------------------------------------------------------


def test_speaker_page_lists_their_sessions(client, a, org_a):
    panel = SessionFactory(event=a.event, title="Panel of Experts", status="draft",
                           starts_at=a.session.ends_at,
                           ends_at=a.session.ends_at + dt.timedelta(hours=1))  # fmt: skip
    SessionSpeaker.objects.create(session=panel, speaker=a.speaker, role="panelist")
    response = login(client, org_a).get(
        reverse("admin:speakers_speaker_change", args=[a.speaker.pk])
    )
    html = response.content.decode()
    assert reverse("admin:schedule_session_change", args=[a.session.pk]) in html
    assert "Alpha Session</a> (speaker, published)" in html
    assert "Panel of Experts</a> (panelist, draft)" in html
    assert html.index("Alpha Session") < html.index("Panel of Experts")


def test_speaker_without_sessions_says_so(client, a, org_a):
    loner = SpeakerFactory(event=a.event)
    response = login(client, org_a).get(reverse("admin:speakers_speaker_change", args=[loner.pk]))
    assert "No sessions yet." in response.content.decode()


def make_clashes(world: World) -> None:
    start, end = world.session.starts_at, world.session.ends_at
    event = world.event
    side = RoomFactory(event=event, name="Alpha Side Room")  # a room of its own: no room clash
    room_clash, speaker_clash = Session.objects.bulk_create(
        [
            Session(event=event, title="Double Booked Room", slug="double-room",
                    room=world.room, starts_at=start, ends_at=end),
            Session(event=event, title="Double Booked Speaker", slug="double-speaker",
                    room=side, starts_at=start, ends_at=end),
        ]
    )  # fmt: skip
    SessionSpeaker.objects.bulk_create(
        [SessionSpeaker(session=speaker_clash, speaker=world.speaker)]
    )


def test_clash_page_lists_clashes(client, a, b, org_a):
    make_clashes(a)
    url = reverse("admin:schedule_session_clashes", args=[a.event.pk])
    response = login(client, org_a).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 clashes" in html
    assert "Double Booked Room" in html and "Double Booked Speaker" in html
    assert "Alpha Hall" in html and "Alpha Speaker" in html
    assert "10:00am–10:40am PDT" in html
    assert [row["kind"] for row in response.context["rows"]] == ["room", "speaker"]


def test_clash_page_without_clashes(client, a, org_a):
    response = login(client, org_a).get(
        reverse("admin:schedule_session_clashes", args=[a.event.pk])
    )
    assert "No clashes" in response.content.decode()


def test_clash_page_is_not_found_for_another_events_organizer(client, a, b, org_b, superuser):
    make_clashes(a)
    url = reverse("admin:schedule_session_clashes", args=[a.event.pk])
    assert login(client, org_b).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert login(client, superuser).get(url).status_code == 200


def test_event_list_shows_session_and_speaker_counts(client, a, b, org_a):
    for n in range(2):
        start = a.session.ends_at + dt.timedelta(hours=n + 1)
        SessionFactory(event=a.event, starts_at=start, ends_at=start + dt.timedelta(minutes=30))
    SpeakerFactory(event=a.event)
    SpeakerFactory(event=a.event)
    response = login(client, org_a).get(reverse("admin:events_event_changelist"))
    html = response.content.decode()
    assert '<td class="field-session_count">3</td>' in html
    assert '<td class="field-speaker_count">3</td>' in html
    [event] = response.context["cl"].result_list
    assert (event.num_sessions, event.num_speakers) == (3, 3)
    assert reverse("admin:schedule_session_clashes", args=[a.event.pk]) in html
    assert reverse("schedule_list", args=[a.event.slug]) in html


def event_form(**changes) -> dict:
    data = {
        "name": "Fresh Conf", "slug": "fresh-conf", "acronym": "", "tagline": "",
        "start_date": "2031-03-02", "end_date": "2031-03-03", "timezone": "Europe/Berlin",
        "venue_name": "", "venue_address": "", "description": "",
    }  # fmt: skip
    for prefix in ("rooms", "tracks", "session_types", "memberships"):
        data.update({
            f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        })  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["new staff user", "organizer of A"])
def test_staff_user_adding_an_event_becomes_its_owner(client, a, org_a, who):
    user = UserFactory(is_staff=True) if who == "new staff user" else org_a
    response = login(client, user).post(reverse("admin:events_event_add"), event_form())
    assert response.status_code == 302, form_errors(response)
    event = Event.objects.get(slug="fresh-conf")
    assert Membership.objects.filter(user=user, event=event, role=Membership.Role.OWNER).exists()
    assert event.acronym == "fresh_conf"
    listing = client.get(reverse("admin:events_event_changelist"))
    assert event.pk in listed(listing)


def test_event_form_refuses_a_bad_time_zone(client, org_a):
    response = login(client, org_a).post(
        reverse("admin:events_event_add"), event_form(timezone="Mars/Olympus")
    )
    assert "timezone" in form_errors(response)
    assert not Event.objects.filter(slug="fresh-conf").exists()


def test_an_editor_may_view_but_not_change_the_event(client, a):
    editor = MembershipFactory(event=a.event, role=Membership.Role.EDITOR).user
    login(client, editor)
    url = reverse("admin:events_event_change", args=[a.event.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, event_form(name="Renamed", slug=a.event.slug))
    assert response.status_code == 403
    a.event.refresh_from_db()
    assert a.event.name == "Alpha Conf"
    # Editors still edit the event's sessions.
    assert (
        client.get(reverse("admin:schedule_session_change", args=[a.session.pk])).status_code == 200
    )


@pytest.mark.django_db
def test_session_changelist_lists_speakers_in_their_order(client):
    from django.contrib.auth import get_user_model

    from tests.factories import SessionFactory, SessionSpeakerFactory, SpeakerFactory

    session = SessionFactory(title="Ordered panel")
    zed = SpeakerFactory(event=session.event, name="Zed Last-Alphabetically")
    aaron = SpeakerFactory(event=session.event, name="Aaron First-Alphabetically")
    SessionSpeakerFactory(session=session, speaker=aaron, position=1)
    SessionSpeakerFactory(session=session, speaker=zed, position=0)
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    page = client.get(reverse("admin:schedule_session_changelist")).content.decode()
    assert "Zed Last-Alphabetically, Aaron First-Alphabetically" in page


@pytest.mark.django_db
def test_owners_add_co_organizers_by_user_name_and_editors_cannot(client):
    from django.contrib.auth import get_user_model

    from events.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    owner = MembershipFactory(role=Membership.Role.OWNER)
    event = owner.event
    UserFactory(username="newcomer", is_staff=True)
    UserFactory(username="attendee", is_staff=False)
    url = reverse("admin:events_event_change", args=[event.pk])
    client.force_login(owner.user)
    page = client.get(url).content.decode()
    assert 'name="memberships-TOTAL_FORMS"' in page
    assert "attendee" not in page  # no list of accounts for owners

    def post(username, role="editor"):
        data = {
            "name": event.name, "slug": event.slug, "acronym": event.acronym,
            "start_date": event.start_date, "end_date": event.end_date,
            "timezone": event.timezone, "is_published": "on",
            "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(owner.pk), "memberships-0-event": str(event.pk),
            "memberships-0-username": owner.user.username, "memberships-0-role": "owner",
            "memberships-1-event": str(event.pk), "memberships-1-username": username,
            "memberships-1-role": role,
        }  # fmt: skip
        for prefix in ("rooms", "tracks", "session_types"):
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        return client.post(url, data)

    # No such account and an account without staff access read the same: the form does
    # not tell an owner which user names exist.
    missing = post("nobody-by-that-name").content.decode()
    not_staff = post("attendee").content.decode()
    for page, name in ((missing, "nobody-by-that-name"), (not_staff, "attendee")):
        assert f"“{name}” is not an account that can organize events" in page
    refused = post(owner.user.username)
    assert "already organizes this event" in refused.content.decode()
    assert Membership.objects.filter(event=event).count() == 1

    assert post("newcomer").status_code == 302
    added = Membership.objects.get(event=event, user__username="newcomer")
    assert added.role == Membership.Role.EDITOR

    editor = get_user_model().objects.get(username="newcomer")
    client.force_login(editor)
    assert 'name="memberships-TOTAL_FORMS"' not in client.get(url).content.decode()
