"""The admin upload in two steps: a preview that writes nothing, then the import on confirm."""

import datetime as dt
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from schedule.models import PendingImport, Session
from tests.factories import EventFactory, MembershipFactory, SessionFactory, make_cast

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "samples" / "engelsystem-schedule-multiple.xml"
DATES = {"start_date": dt.date(2042, 10, 1), "end_date": dt.date(2042, 10, 2)}


@pytest.fixture
def organizer():
    event = EventFactory(slug="engel", **DATES)
    client = Client()
    client.cast = make_cast(event)  # the shared cast
    client.force_login(client.cast.owner)
    client.event = event
    client.session_user = client.cast.owner
    return client


def url(event):
    return reverse("admin:schedule_session_import", args=[event.pk])


def preview(client, **extra):
    data = {"file": SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes()), **extra}
    return client.post(url(client.event), data)


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_preview_writes_nothing_and_the_confirmation_imports(organizer):
    response = preview(organizer)
    assert response.status_code == 200
    page = text(response)
    assert "Preview — nothing is written until you confirm" in page
    assert "would create 3 rooms, 3 tracks, 1 type, 5 sessions" in page
    assert "Dry run: nothing was written." in page
    assert Session.objects.filter(event=organizer.event).count() == 0
    pending = PendingImport.objects.get()
    assert f'name="pending" value="{pending.pk}"' in page

    response = organizer.post(url(organizer.event), {"pending": str(pending.pk)})
    assert response.status_code == 200
    assert "Imported: frab XML: created 3 rooms" in text(response)
    assert Session.objects.filter(event=organizer.event).count() == 5
    assert not PendingImport.objects.exists()
    # A second confirmation of the same preview imports nothing more.
    again = organizer.post(url(organizer.event), {"pending": str(pending.pk)})
    assert again.status_code == 400
    assert "expired or was already used" in text(again)


def test_cancel_forgets_the_file(organizer):
    preview(organizer)
    pending = PendingImport.objects.get()
    response = organizer.post(url(organizer.event), {"pending": str(pending.pk), "cancel": "1"})
    assert response.status_code == 200
    assert not PendingImport.objects.exists()
    assert Session.objects.filter(event=organizer.event).count() == 0


@pytest.mark.parametrize("token", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", ""])
def test_an_unknown_preview_is_refused_with_a_message(organizer, token):
    response = organizer.post(url(organizer.event), {"pending": token})
    assert response.status_code == 400
    assert "upload the file again" in text(response)


def test_another_organizers_preview_cannot_be_confirmed(organizer):
    preview(organizer)
    pending = PendingImport.objects.get()
    other = MembershipFactory(event=organizer.event)  # a co-organizer, but not the uploader
    client = Client()
    client.force_login(other.user)
    response = client.post(url(organizer.event), {"pending": str(pending.pk)})
    assert response.status_code == 400
    assert Session.objects.filter(event=organizer.event).count() == 0
    client.force_login(organizer.cast.stranger)  # an organizer of another event
    assert client.post(url(organizer.event), {"pending": str(pending.pk)}).status_code == 404


def test_prune_lists_and_cancels_the_sessions_the_file_no_longer_has(organizer):
    gone = SessionFactory(event=organizer.event, title="Not in the file any more")
    response = preview(organizer, prune="on")
    page = text(response)
    assert "not in the file: Not in the file any more" in page
    assert "would be cancelled" in page
    assert Session.objects.get(pk=gone.pk).status == Session.Status.PUBLISHED
    pending = PendingImport.objects.get()
    organizer.post(url(organizer.event), {"pending": str(pending.pk)})
    assert Session.objects.get(pk=gone.pk).status == Session.Status.CANCELLED


def test_a_bad_file_is_refused_at_the_preview(organizer):
    data = {"file": SimpleUploadedFile("bad.xml", b"<schedule><oops")}
    response = organizer.post(url(organizer.event), data)
    assert response.status_code == 400
    assert "Nothing was imported." in text(response)
    assert not PendingImport.objects.exists()


def test_a_new_event_takes_the_files_days_and_zone(organizer):
    """An event made in the admin (UTC, some dates) and then filled from a file shows the
    file's days in the file's zone, not the form's."""
    fresh = EventFactory(slug="fresh", timezone="UTC", start_date=dt.date(2030, 1, 1),
                         end_date=dt.date(2030, 1, 17))  # fmt: skip
    MembershipFactory(event=fresh, user=organizer.session_user)
    organizer.event = fresh
    sample = SAMPLE.parent / "38c3-excerpt.schedule.xml"
    data = {"file": SimpleUploadedFile(sample.name, sample.read_bytes())}
    organizer.post(url(fresh), data)
    organizer.post(url(fresh), {"pending": str(PendingImport.objects.get().pk)})
    fresh.refresh_from_db()
    assert fresh.timezone == "Europe/Berlin"
    assert (fresh.start_date, fresh.end_date) == (dt.date(2024, 12, 27), dt.date(2024, 12, 30))
