"""Organizers' writes through the API: token auth, per-event permissions, and the same
scheduling rules and validations as the admin."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.models import Room, SessionType, Track
from schedule.models import Session, SessionSpeaker
from speakers.models import Speaker

from .conftest import LA, SECRET_DOMAIN, png_bytes

pytestmark = pytest.mark.django_db

BASE = "/api/v1/events"


def at(day: int, hour: int, minute: int = 0) -> str:
    """A moment of November 2030 in Seattle, as ISO 8601 with offset."""
    return dt.datetime(2030, 11, day, hour, minute, tzinfo=LA).isoformat()


NEW_ROWS = {
    "rooms": {"name": "Ballroom C", "slug": "ballroom-c", "capacity": 300},
    "tracks": {"name": "Security", "slug": "security", "color": "#aa0000"},
    "types": {"name": "Workshop", "slug": "workshop"},
    "speakers": {"name": "Zed Zero", "slug": "zed-zero", "company": "Zero Inc"},
    "sessions": {
        "title": "Zero trust",
        "slug": "zero-trust",
        "status": "published",
        "starts_at": at(3, 9),
        "ends_at": at(3, 9, 45),
        "room": "ballroom-a",
    },  # fmt: skip
}
MODELS = {
    "rooms": Room, "tracks": Track, "types": SessionType, "speakers": Speaker,
    "sessions": Session,
}  # fmt: skip
# A row of each kind in the main event that nothing depends on.
UNUSED = {"rooms": "spare", "tracks": None, "types": None, "speakers": "nora-nobody",
          "sessions": "breakfast"}  # fmt: skip
# A row of each kind in the other (published) event and the unpublished one.
IN_OTHER = {"rooms": "b-hall", "tracks": "b-track", "types": "b-talk", "speakers": "bea-other",
            "sessions": "b-session"}  # fmt: skip
IN_HIDDEN = {"rooms": "c-room", "speakers": "cid-hidden", "sessions": "c-session"}
PARTS = list(NEW_ROWS)


def row_exists(part: str, event, slug: str) -> bool:
    return MODELS[part].objects.filter(event=event, slug=slug).exists()


def public_sessions(api, **params) -> dict[str, dict]:
    response = api.get(f"{BASE}/cnc30/sessions/", {"page_size": 500, **params})
    assert response.status_code == 200
    return {s["slug"]: s for s in response.json()["results"]}


def post_session(client, event="cnc30", **fields):
    data = {"title": "New talk", "status": "published", **fields}
    return client.post(f"{BASE}/{event}/sessions/", data, format="json")


# --- authentication ------------------------------------------------------------------


@pytest.mark.parametrize("part", PARTS)
def test_anonymous_writes_are_401(api, conf, part):
    before = MODELS[part].objects.count()
    slug = {"tracks": "ops", "types": "talk"}.get(part) or UNUSED[part]
    detail = f"{BASE}/cnc30/{part}/{slug}/"
    responses = [
        api.post(f"{BASE}/cnc30/{part}/", NEW_ROWS[part], format="json"),
        api.patch(detail, {"name": "X", "title": "X"}, format="json"),
        api.put(detail, NEW_ROWS[part], format="json"),
        api.delete(detail),
    ]
    for response in responses:
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"] == "Token"
        assert "credentials" in response.json()["detail"]
    assert MODELS[part].objects.count() == before
    assert api.get(f"{BASE}/cnc30/{part}/").status_code == 200  # reading needs no token


def test_a_revoked_token_is_401(api, conf, people, as_user):
    client = as_user(people.a)
    assert client.post(f"{BASE}/cnc30/rooms/", {"name": "One"}, format="json").status_code == 201
    Token.objects.filter(key=people.a).delete()
    response = client.post(f"{BASE}/cnc30/rooms/", {"name": "Two"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert not Room.objects.filter(name="Two").exists()


def test_reads_need_no_token_but_refuse_a_bad_one(api, conf, people, as_user):
    client = as_user(people.a)
    assert client.get(f"{BASE}/cnc30/sessions/").status_code == 200
    Token.objects.filter(key=people.a).delete()
    assert client.get(f"{BASE}/cnc30/sessions/").status_code == 401
    api.credentials()
    assert api.get(f"{BASE}/cnc30/sessions/").status_code == 200


def test_a_malformed_or_unknown_token_is_401(api, conf):
    for header in ("Token nope", "Token", "Token a b", "Bearer abc"):
        api.credentials(HTTP_AUTHORIZATION=header)
        response = api.post(f"{BASE}/cnc30/rooms/", {"name": "X"}, format="json")
        assert response.status_code == 401, header
    assert not Room.objects.filter(name="X").exists()


def test_an_inactive_users_token_is_401(api, conf, people, as_user):
    people.org_a.is_active = False
    people.org_a.save()
    response = as_user(people.a).post(f"{BASE}/cnc30/rooms/", {"name": "X"}, format="json")
    assert response.status_code == 401


# --- an organizer's own event --------------------------------------------------------


@pytest.mark.parametrize("part", PARTS)
def test_organizer_creates_updates_and_deletes(api, conf, people, as_user, part):
    client = as_user(people.a)
    created = client.post(f"{BASE}/cnc30/{part}/", NEW_ROWS[part], format="json")
    assert created.status_code == 201, created.content
    slug = NEW_ROWS[part]["slug"]
    assert created.json()["slug"] == slug
    assert row_exists(part, conf.event, slug)
    assert not row_exists(part, conf.other, slug)

    # Visible to the public at once (speakers once they speak in a public session).
    if part != "speakers":
        assert api.get(f"{BASE}/cnc30/{part}/{slug}/", headers={}).status_code == 200

    field = "title" if part == "sessions" else "name"
    patched = client.patch(f"{BASE}/cnc30/{part}/{slug}/", {field: "Renamed"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()[field] == "Renamed"
    assert MODELS[part].objects.get(event=conf.event, slug=slug).__dict__[field] == "Renamed"

    put = client.put(
        f"{BASE}/cnc30/{part}/{slug}/", {**NEW_ROWS[part], field: "Put back"}, format="json"
    )
    assert put.status_code == 200, put.content
    assert put.json()[field] == "Put back"

    deleted = client.delete(f"{BASE}/cnc30/{part}/{slug}/")
    assert deleted.status_code == 204
    assert not row_exists(part, conf.event, slug)
    assert client.get(f"{BASE}/cnc30/{part}/{slug}/").status_code == 404


def test_slugs_are_made_from_names(api, conf, people, as_user):
    client = as_user(people.a)
    room = client.post(f"{BASE}/cnc30/rooms/", {"name": "Ballroom A"}, format="json")
    assert room.status_code == 201
    assert room.json()["slug"] == "ballroom-a-2"  # "ballroom-a" is taken
    session = post_session(client, title="Fresh Ideas!")
    assert session.status_code == 201
    assert session.json()["slug"] == "fresh-ideas"


def test_created_session_is_public_with_speakers_and_times(api, conf, people, as_user):
    response = post_session(
        as_user(people.a), title="Cloud costs", slug="cloud-costs", starts_at=at(3, 9),
        ends_at=at(3, 9, 30), room="ballroom-b", track="ops", type="talk",
        speakers=[{"speaker": "brendan-burns"}, {"speaker": "nora-nobody", "role": "moderator",
                                              "position": 1}],
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == "2030-11-03T09:00:00-08:00"
    assert body["room"] == {"slug": "ballroom-b", "name": "Ballroom B"}
    assert body["track"]["slug"] == "ops" and body["type"]["slug"] == "talk"
    assert [(p["slug"], p["role"]) for p in body["speakers"]] == [
        ("brendan-burns", "speaker"), ("nora-nobody", "moderator"),
    ]  # fmt: skip
    session = Session.objects.get(event=conf.event, slug="cloud-costs")
    assert session.starts_at == dt.datetime(2030, 11, 3, 17, 0, tzinfo=dt.UTC)
    assert session.frab_id and session.guid
    api.credentials()
    assert public_sessions(api)["cloud-costs"]["speakers"][1]["name"] == "Nora Nobody"
    # Nora now speaks in a public session: she is announced.
    assert api.get(f"{BASE}/cnc30/speakers/nora-nobody/").status_code == 200


def test_a_draft_session_stays_private(api, conf, people, as_user):
    response = post_session(as_user(people.a), title="Hush", slug="hush", status="draft")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    api.credentials()
    assert "hush" not in public_sessions(api)
    assert api.get(f"{BASE}/cnc30/sessions/hush/").status_code == 404


def test_writes_can_reach_drafts(api, conf, people, as_user):
    client = as_user(people.a)
    response = client.patch(
        f"{BASE}/cnc30/sessions/secret-roadmap/", {"status": "published"}, format="json"
    )
    assert response.status_code == 200, response.content
    api.credentials()
    assert "secret-roadmap" in public_sessions(api)


def test_moving_a_session_to_another_room(api, conf, people, as_user):
    url = f"{BASE}/cnc30/sessions/"
    etag = api.get(url)["ETag"]
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/kubernetes-101/", {"room": "room-401"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["room"] == {"slug": "room-401", "name": "Room 401"}
    # Nothing else changed: times, speakers, track.
    assert response.json()["starts_at"] == "2030-11-02T11:00:00-07:00"
    assert [p["slug"] for p in response.json()["speakers"]] == ["kelsey-hightower"]
    assert response.json()["track"]["slug"] == "ops"
    api.credentials()
    assert public_sessions(api)["kubernetes-101"]["room"]["slug"] == "room-401"
    assert "kubernetes-101" in public_sessions(api, room="room-401")
    assert "kubernetes-101" not in public_sessions(api, room="ballroom-a")
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 200  # new ETag


def test_removing_a_room_and_replacing_speakers(api, conf, people, as_user):
    client = as_user(people.a)
    response = client.patch(
        f"{BASE}/cnc30/sessions/future-of-containers/",
        {"room": None, "speakers": [{"speaker": "erin-evening", "role": "panelist"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["room"] is None
    assert [(p["slug"], p["role"]) for p in response.json()["speakers"]] == [
        ("erin-evening", "panelist")
    ]
    assert list(
        SessionSpeaker.objects.filter(session=conf.panel_session).values_list(
            "speaker__slug", flat=True
        )
    ) == ["erin-evening"]


def test_email_is_written_but_never_shown(api, conf, people, as_user):
    client = as_user(people.a)
    response = client.post(
        f"{BASE}/cnc30/speakers/", {"name": "Quiet Quinn", "email": f"q@{SECRET_DOMAIN}"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201
    assert SECRET_DOMAIN not in response.content.decode()
    assert Speaker.objects.get(slug="quiet-quinn").email == f"q@{SECRET_DOMAIN}"
    patched = client.patch(
        f"{BASE}/cnc30/speakers/kelsey-hightower/", {"company": "Acme"}, format="json"
    )
    assert patched.status_code == 200
    assert SECRET_DOMAIN not in patched.content.decode()
    assert "email" not in patched.json()


# --- other events --------------------------------------------------------------------


@pytest.mark.parametrize("part", PARTS)
def test_another_published_event_is_403(api, conf, people, as_user, part):
    client = as_user(people.a)
    slug = IN_OTHER[part]
    responses = [
        client.post(f"{BASE}/other-conf/{part}/", NEW_ROWS[part], format="json"),
        client.patch(f"{BASE}/other-conf/{part}/{slug}/", {"name": "X", "title": "X"}),
        client.put(f"{BASE}/other-conf/{part}/{slug}/", NEW_ROWS[part], format="json"),
        client.delete(f"{BASE}/other-conf/{part}/{slug}/"),
    ]
    for response in responses:
        assert response.status_code == 403, response.content
        assert "organizer" in response.json()["detail"]
    assert row_exists(part, conf.other, slug)
    assert not row_exists(part, conf.other, NEW_ROWS[part]["slug"])
    field = "title" if part == "sessions" else "name"
    assert not MODELS[part].objects.filter(**{field: "X"}).exists()


@pytest.mark.parametrize("part", ["rooms", "speakers", "sessions", "tracks"])
def test_an_unpublished_event_of_someone_else_is_404(api, conf, people, as_user, part):
    client = as_user(people.a)
    slug = IN_HIDDEN.get(part, "whatever")
    responses = [
        client.post(f"{BASE}/hidden-conf/{part}/", NEW_ROWS[part], format="json"),
        client.patch(f"{BASE}/hidden-conf/{part}/{slug}/", {"name": "X"}, format="json"),
        client.delete(f"{BASE}/hidden-conf/{part}/{slug}/"),
        client.post(f"{BASE}/no-such-conf/{part}/", NEW_ROWS[part], format="json"),
    ]
    for response in responses:
        assert response.status_code == 404, response.content
    if part in IN_HIDDEN:
        assert row_exists(part, conf.hidden, slug)
    assert not row_exists(part, conf.hidden, NEW_ROWS[part]["slug"])


def test_organizer_of_an_unpublished_event_writes_to_it(api, conf, people, as_user):
    client = as_user(people.hidden)
    response = client.patch(f"{BASE}/hidden-conf/rooms/c-room/", {"capacity": 12}, format="json")
    assert response.status_code == 200
    assert Room.objects.get(event=conf.hidden, slug="c-room").capacity == 12
    # Reads stay public: the event is not published, so not even its organizer sees it.
    assert client.get(f"{BASE}/hidden-conf/rooms/c-room/").status_code == 404
    # And they cannot touch the main event.
    assert client.delete(f"{BASE}/cnc30/rooms/spare/").status_code == 403


def test_a_row_of_another_event_cannot_be_reached_through_mine(api, conf, people, as_user):
    client = as_user(people.a)
    response = client.patch(f"{BASE}/cnc30/rooms/b-hall/", {"name": "X"}, format="json")
    assert response.status_code == 404
    assert client.delete(f"{BASE}/cnc30/sessions/b-session/").status_code == 404
    assert Session.objects.filter(slug="b-session").exists()


@pytest.mark.parametrize("event,room", [("other-conf", "b-hall"), ("hidden-conf", "c-room")])
def test_a_superuser_token_works_everywhere(api, conf, people, as_user, event, room):
    client = as_user(people.superuser)
    response = client.post(f"{BASE}/{event}/rooms/", {"name": "Admin room"}, format="json")
    assert response.status_code == 201
    response = client.patch(f"{BASE}/{event}/rooms/{room}/", {"capacity": 5}, format="json")
    assert response.status_code == 200
    response = client.post(
        f"{BASE}/{event}/sessions/",
        {"title": "By the admin", "room": room, "starts_at": "2030-05-07T09:00:00Z",
         "ends_at": "2030-05-07T10:00:00Z"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert client.delete(f"{BASE}/{event}/rooms/admin-room/").status_code == 204


# --- validation: the scheduling rules ------------------------------------------------


def test_room_clash_names_the_room_and_the_other_session(api, conf, people, as_user):
    before = Session.objects.count()
    response = post_session(
        as_user(people.a), room="ballroom-a", starts_at=at(2, 11, 20), ends_at=at(2, 12)
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["room"]
    assert "Kubernetes 101" in body["room"][0]
    assert "Ballroom A" in body["room"][0]
    assert Session.objects.count() == before


def test_moving_into_an_occupied_room_is_refused(api, conf, people, as_user):
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/kubernetes-101/", {"room": "ballroom-b"}, format="json"
    )
    assert response.status_code == 400
    assert "Helm charts in practice" in response.json()["room"][0]
    assert Session.objects.get(pk=conf.k101.pk).room == conf.ballroom_a


def test_a_cancelled_session_frees_its_room(api, conf, people, as_user):
    response = post_session(
        as_user(people.a), room="ballroom-b", starts_at=at(2, 15), ends_at=at(2, 15, 30)
    )
    assert response.status_code == 201, response.content


def test_speaker_clash_names_the_other_session(api, conf, people, as_user):
    response = post_session(
        as_user(people.a), room="spare", starts_at=at(2, 11, 30), ends_at=at(2, 12),
        speakers=[{"speaker": "erin-evening"}, {"speaker": "kelsey-hightower"}],
    )  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["speakers"]
    assert len(body["speakers"]) == 1
    assert "Kelsey Hightower" in body["speakers"][0]
    assert "Kubernetes 101" in body["speakers"][0]
    assert not Session.objects.filter(title="New talk").exists()


def test_moving_a_session_onto_its_speakers_other_talk_is_refused(api, conf, people, as_user):
    # No speakers in the request: the session's own speakers are checked.
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/prometheus-at-scale/",
        {"starts_at": at(2, 11, 10), "ends_at": at(2, 11, 40), "room": "spare"},
        format="json",
    )
    assert response.status_code == 400
    assert "Kubernetes 101" in response.json()["speakers"][0]
    assert Session.objects.get(pk=conf.prom.pk).starts_at.day == 4


@pytest.mark.parametrize(
    "start,end",
    [(at(1, 10), at(1, 11)), (at(5, 0), at(5, 1)), (at(4, 23, 30), at(5, 0, 30)),
     ("2030-11-02T06:00:00Z", "2030-11-02T07:30:00Z")],  # 23:00 on November 1 in Seattle
)  # fmt: skip
def test_sessions_must_lie_within_the_events_days(api, conf, people, as_user, start, end):
    response = post_session(as_user(people.a), starts_at=start, ends_at=end)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["starts_at"]
    assert "during the event" in body["starts_at"][0]
    assert "America/Los_Angeles" in body["starts_at"][0]


def test_the_events_first_and_last_minutes_are_fine(api, conf, people, as_user):
    client = as_user(people.a)
    assert post_session(client, starts_at=at(2, 0), ends_at=at(2, 1)).status_code == 201
    response = post_session(client, title="Late", starts_at=at(4, 23), ends_at=at(5, 0))
    assert response.status_code == 201


@pytest.mark.parametrize(
    "fields,name,says",
    [
        ({"room": "b-hall"}, "room", "There is no room “b-hall” in this event."),
        ({"room": "c-room"}, "room", "There is no room “c-room” in this event."),
        ({"track": "b-track"}, "track", "There is no track “b-track” in this event."),
        ({"type": "b-talk"}, "type", "There is no type “b-talk” in this event."),
        ({"room": "nowhere"}, "room", "There is no room “nowhere” in this event."),
        ({"slug": "kubernetes-101"}, "slug", "already used"),
        ({"slug": "not a slug"}, "slug", "slug"),
        ({"speakers": [{"speaker": "nobody-at-all"}]}, "speakers", "nobody-at-all"),
        ({"speakers": [{"speaker": "bea-other"}]}, "speakers", "There is no speaker “bea-other”"),
        ({"speakers": [{"speaker": "kelsey-hightower"}, {"speaker": "kelsey-hightower"}]},
         "speakers", "only once"),
        ({"status": "maybe"}, "status", "maybe"),
        ({"title": ""}, "title", "blank"),
        ({"starts_at": "soon", "ends_at": at(3, 10)}, "starts_at", "format"),
    ],
)  # fmt: skip
def test_session_field_errors_name_the_field(api, conf, people, as_user, fields, name, says):
    before = Session.objects.count()
    defaults = {"room": "spare", "starts_at": at(3, 9), "ends_at": at(3, 10)}
    response = post_session(as_user(people.a), **{**defaults, **fields})
    assert response.status_code == 400, response.content
    body = response.json()
    assert name in body, body
    assert any(says in str(message) for message in body[name]), body
    assert Session.objects.count() == before


def test_errors_are_in_the_language_asked_for(api, conf, people, as_user):
    client = as_user(people.a)
    url = f"{BASE}/cnc30/sessions/"
    data = {"title": "Neu", "room": "nowhere"}
    response = client.post(url, data, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert response.json() == {"room": ["Diese Veranstaltung hat keinen Saal „nowhere“."]}
    data = {"title": "Neu", "speakers": [{"speaker": "nobody"}]}
    response = client.post(url, data, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json() == {
        "speakers": ["Il n’y a pas d’intervenant « nobody » dans cet événement."]
    }
    # A missing object: DRF's "Not found." (translated), not Django's English query words.
    response = client.get(f"{BASE}/cnc30/rooms/nowhere/", HTTP_ACCEPT_LANGUAGE="de")
    assert (response.status_code, response.json()) == (404, {"detail": "Nicht gefunden."})


def test_a_session_cannot_end_before_it_starts(api, conf, people, as_user):
    client = as_user(people.a)
    for start, end in [(at(3, 10), at(3, 9)), (at(3, 10), at(3, 10))]:
        response = post_session(client, starts_at=start, ends_at=end)
        assert response.status_code == 400
        assert "must end after it starts" in str(response.json())
    response = client.patch(
        f"{BASE}/cnc30/sessions/kubernetes-101/", {"ends_at": at(2, 10)}, format="json"
    )
    assert response.status_code == 400
    assert "must end after it starts" in str(response.json())
    response = post_session(client, starts_at=at(3, 10))  # no end
    assert response.status_code == 400
    assert "both the start and the end" in str(response.json())


def test_renaming_a_session_to_a_used_slug_is_refused(api, conf, people, as_user):
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/helm-charts/", {"slug": "kubernetes-101"}, format="json"
    )
    assert response.status_code == 400
    assert "already used" in response.json()["slug"][0]
    # A slug used by another event is fine.
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/helm-charts/", {"slug": "b-session"}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "part,slug", [("rooms", "ballroom-b"), ("tracks", "dev"), ("types", "talk"),
                  ("speakers", "kelsey-hightower")],
)  # fmt: skip
def test_slug_already_used_in_the_event(api, conf, people, as_user, part, slug):
    client = as_user(people.a)
    response = client.post(f"{BASE}/cnc30/{part}/", {"name": "Dup", "slug": slug}, format="json")
    assert response.status_code == 400
    assert f"“{slug}” is already used" in response.json()["slug"][0]
    first = {"rooms": "ballroom-a", "tracks": "ops", "types": "keynote",
             "speakers": "dan-kohn"}[part]  # fmt: skip
    response = client.patch(f"{BASE}/cnc30/{part}/{first}/", {"slug": slug}, format="json")
    assert response.status_code == 400
    assert "already used" in response.json()["slug"][0]
    # Keeping one's own slug is fine.
    response = client.patch(f"{BASE}/cnc30/{part}/{first}/", {"slug": first}, format="json")
    assert response.status_code == 200


def test_other_field_validations(api, conf, people, as_user):
    client = as_user(people.a)
    cases = [
        ("tracks", {"name": "T", "color": "red"}, "color"),
        ("rooms", {"name": "R", "capacity": -1}, "capacity"),
        ("speakers", {"name": "S", "github": "not/a user"}, "github"),
        ("speakers", {"name": "S", "mastodon": "someone"}, "mastodon"),
        ("speakers", {"name": "S", "email": "not-an-email"}, "email"),
        ("rooms", {"capacity": 3}, "name"),
    ]
    for part, data, name in cases:
        response = client.post(f"{BASE}/cnc30/{part}/", data, format="json")
        assert response.status_code == 400, (part, data)
        assert name in response.json(), (part, data, response.json())


# --- avatars -------------------------------------------------------------------------


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_text_file_named_png_is_refused_and_nothing_stored(api, conf, people, as_user, settings):
    before_files = stored_files(settings)
    before = Speaker.objects.count()
    upload = SimpleUploadedFile("me.png", b"I am not a picture at all.\n", "image/png")
    response = as_user(people.a).post(
        f"{BASE}/cnc30/speakers/", {"name": "Faker", "avatar": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["avatar"]
    assert "not an image we can read" in response.json()["avatar"][0]
    assert Speaker.objects.count() == before
    assert stored_files(settings) == before_files


def test_a_broken_avatar_leaves_the_old_one(api, conf, people, as_user, settings):
    old = conf.dan.avatar.name
    before_files = stored_files(settings)
    upload = SimpleUploadedFile("me.png", png_bytes()[:60], "image/png")  # truncated
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/speakers/dan-kohn/", {"avatar": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "avatar" in response.json()
    assert Speaker.objects.get(pk=conf.dan.pk).avatar.name == old
    assert stored_files(settings) == before_files


def test_a_real_avatar_is_stored_as_square_jpegs(api, conf, people, as_user, settings):
    upload = SimpleUploadedFile("photo.png", png_bytes((300, 200)), "image/png")
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/speakers/kelsey-hightower/", {"avatar": upload}, format="multipart"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["avatar_url"].endswith(".jpg") and body["avatar_thumb_url"].endswith("-96.jpg")
    kelsey = Speaker.objects.get(pk=conf.kelsey.pk)
    assert kelsey.avatar.width == kelsey.avatar.height == 400
    assert kelsey.avatar_thumb.width == 96
    assert "photo" not in kelsey.avatar.name
    # Shown in the sessions where Kelsey speaks.
    api.credentials()
    k8s = public_sessions(api)["kubernetes-101"]
    assert k8s["speakers"][0]["avatar_url"] == body["avatar_url"]
    # null removes it.
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/speakers/kelsey-hightower/", {"avatar": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["avatar_url"] is None


# --- deleting what is in use ---------------------------------------------------------


@pytest.mark.parametrize(
    "part,slug", [("rooms", "ballroom-a"), ("tracks", "ops"), ("types", "talk")]
)
def test_deleting_something_in_use_is_409(api, conf, people, as_user, part, slug):
    response = as_user(people.a).delete(f"{BASE}/cnc30/{part}/{slug}/")
    assert response.status_code == 409
    assert "session" in response.json()["detail"]
    assert row_exists(part, conf.event, slug)
    assert Session.objects.filter(event=conf.event).count() == 11


def test_deleting_a_speaker_or_session_removes_their_links(api, conf, people, as_user):
    client = as_user(people.a)
    assert client.delete(f"{BASE}/cnc30/speakers/brendan-burns/").status_code == 204
    assert client.delete(f"{BASE}/cnc30/sessions/kubernetes-101/").status_code == 204
    sessions = public_sessions(APIClient())
    assert "kubernetes-101" not in sessions
    assert [p["slug"] for p in sessions["future-of-containers"]["speakers"]] == [
        "dan-kohn", "sarah-novotny",
    ]  # fmt: skip
    # Once its sessions are gone, a room can go too.
    assert client.delete(f"{BASE}/cnc30/rooms/room-401/").status_code == 409
    for slug in ("future-of-containers", "observability-workshop"):
        assert client.delete(f"{BASE}/cnc30/sessions/{slug}/").status_code == 204
    assert client.delete(f"{BASE}/cnc30/rooms/room-401/").status_code == 204
    assert not Room.objects.filter(pk=conf.room_401.pk).exists()


@pytest.mark.parametrize(
    "part,slug,data,name",
    [
        ("sessions", "kubernetes-101", {"type": "talk\x00"}, "type"),
        ("sessions", "kubernetes-101", {"room": "\x00"}, "room"),
        ("sessions", "kubernetes-101", {"track": "ops\x00"}, "track"),
        ("sessions", "kubernetes-101", {"title": "a\x00b"}, "title"),
        ("sessions", "kubernetes-101", {"speakers": [{"speaker": "bob\x00"}]}, "speakers"),
        ("speakers", "kelsey-hightower", {"name": "Bob\x00"}, "name"),
        ("rooms", "ballroom-a", {"slug": "hall\x00"}, "slug"),
    ],
)
def test_nul_characters_are_a_400_not_a_server_error(api, conf, people, as_user, part, slug,
                                                     data, name):  # fmt: skip
    # PostgreSQL refuses NUL in text: such a value must be stopped before the database.
    response = as_user(people.a).patch(f"{BASE}/cnc30/{part}/{slug}/", data, format="json")
    assert response.status_code == 400
    assert name in response.json()
