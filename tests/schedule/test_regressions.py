"""Behaviours found missing in a review of the whole product, each pinned by a test."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from schedule.importer import ImportProblem, import_schedule
from schedule.models import Session
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db


def test_public_pages_carry_no_token_and_set_no_cookie(client):
    """The page is the same for every visitor: nothing of one visitor's may be in it."""
    session = SessionFactory(abstract="[click](https://evil.example/?t=__lineup_csrf_token__)")
    response = client.get(session.get_absolute_url())
    page = response.content.decode()
    assert "https://evil.example/?t=__lineup_csrf_token__" in page
    assert "csrfmiddlewaretoken" not in page
    assert not response.cookies
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"


def test_speakers_with_only_drafts_are_unknown_to_the_schedule_filter(client):
    event = EventFactory(slug="conf")
    hidden = SpeakerFactory(event=event, name="Secret Celebrity", slug="secret-celebrity")
    SessionSpeakerFactory(session=SessionFactory(event=event, status=Session.Status.DRAFT),
                          speaker=hidden)  # fmt: skip
    SessionSpeakerFactory(session=SessionFactory(event=event), speaker__event=event)
    page = client.get("/conf/schedule/?speaker=secret-celebrity")
    assert page.status_code == 400
    assert "Secret Celebrity" not in page.content.decode()
    api = client.get("/api/v1/events/conf/sessions/?speaker=secret-celebrity")
    assert api.status_code == 400 and "speaker" in api.json()


def test_bulk_status_changes_are_seen_by_updated_since(client):
    event = EventFactory(slug="conf")
    session = SessionFactory(event=event, status=Session.Status.DRAFT)
    before = timezone.now()
    Session.objects.filter(pk=session.pk).set_status(Session.Status.PUBLISHED)
    since = before.isoformat().replace("+00:00", "Z")
    found = client.get("/api/v1/events/conf/sessions/", {"updated_since": since}).json()
    assert [s["slug"] for s in found["results"]] == [session.slug]


def test_moving_a_session_to_another_event_refreshes_both(client):
    first, second = EventFactory(slug="first"), EventFactory(slug="second")
    session = SessionFactory(event=first, title="Travelling talk")
    assert "Travelling talk" in client.get("/first/schedule/").content.decode()
    session = Session.objects.get(pk=session.pk)
    session.event = second
    session.room = RoomFactory(event=second)
    session.save()
    assert "Travelling talk" not in client.get("/first/schedule/").content.decode()
    assert "Travelling talk" in client.get("/second/schedule/").content.decode()


def frab_json(**conference) -> bytes:
    base = {"acronym": "conf", "title": "File title", "start": "2030-05-06", "end": "2030-05-06",
            "daysCount": 1, "timeslot_duration": "00:05", "days": []}  # fmt: skip
    return json.dumps({"schedule": {"version": "1", "conference": {**base, **conference}}}).encode()


def test_the_admin_upload_keeps_the_events_own_settings(client):
    event = EventFactory(slug="conf", name="Our name", timezone="Europe/Berlin",
                         start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 6))  # fmt: skip
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    upload = SimpleUploadedFile("s.json", frab_json(time_zone_name="Asia/Tokyo"))
    url = reverse("admin:schedule_session_import", args=[event.pk])
    assert client.post(url, {"file": upload}).status_code == 200
    event.refresh_from_db()
    assert (event.name, event.timezone) == ("Our name", "Europe/Berlin")
    # The command line updates the event, as it creates it.
    import_schedule(frab_json(time_zone_name="Asia/Tokyo"), "conf")
    event.refresh_from_db()
    assert (event.name, event.timezone) == ("File title", "Asia/Tokyo")


@pytest.mark.parametrize(
    "document",
    [
        frab_json(tracks=5),
        frab_json(rooms="Hall A"),
        frab_json(
            days=[
                {
                    "index": 1,
                    "date": "2030-05-06",
                    "rooms": {
                        "A": [
                            {
                                "title": "T",
                                "date": "2030-05-06T10:00:00+00:00",
                                "duration": "00:30",
                                "persons": 1,
                            }
                        ]
                    },
                }
            ]
        ),  # fmt: skip
        b'{"schedule": ' * 100_000 + b"1" + b"}" * 100_000,
    ],
    ids=["tracks-not-a-list", "rooms-not-a-list", "persons-not-a-list", "deeply-nested"],
)
def test_hostile_json_shapes_are_refused_with_a_message(document):
    with pytest.raises(ImportProblem):
        import_schedule(document, "conf")
    assert not Event.objects.filter(slug="conf").exists()


@pytest.mark.parametrize("zone", ["right/UTC", "posixrules", "Not/AZone"])
def test_time_zones_follow_the_events_own_rule(zone):
    report = import_schedule(frab_json(time_zone_name=zone), "conf")
    assert Event.objects.get(slug="conf").timezone == "UTC"
    assert any(zone in note for note in report.notes)


def test_each_host_gets_its_own_cached_copy(client, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    session = SessionFactory()
    url = session.get_absolute_url()
    first = client.get(url, HTTP_HOST="one.example").content.decode()
    second = client.get(url, HTTP_HOST="two.example").content.decode()
    assert "http://one.example/" in first and "http://two.example/" in second
    api = f"/api/v1/events/{session.event.slug}/sessions/"
    client.get(api, HTTP_HOST="one.example")
    assert "two.example" in client.get(api, HTTP_HOST="two.example").content.decode()


def test_the_grid_of_an_event_without_rooms_puts_its_sessions_elsewhere(client):
    """Sessions without a room in an event without rooms: an "Elsewhere" column, not a 500."""
    event = EventFactory(slug="roomless")
    SessionFactory(event=event, title="Coffee on the lawn", room=None)
    response = client.get("/roomless/schedule/grid/")
    assert response.status_code == 200
    assert "Coffee on the lawn" in response.content.decode()
