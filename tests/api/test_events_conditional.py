"""The events routes answer conditional requests and never serve a stale list."""

import datetime as dt

import pytest

from events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    return [event["slug"] for event in response.json()["results"]]


def test_events_list_has_an_etag_and_answers_304(client):
    EventFactory(slug="alpha")
    # A Last-Modified is given once the second of the last change is over.
    Event.objects.update(changed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    first = client.get("/api/v1/events/")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get("/api/v1/events/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    one = client.get("/api/v1/events/alpha/")
    assert client.get("/api/v1/events/alpha/", HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 304


def test_publishing_unpublishing_and_deleting_change_the_list_at_once(client):
    alpha = EventFactory(slug="alpha")
    beta = EventFactory(slug="beta", is_published=False)
    first = client.get("/api/v1/events/")
    assert slugs(first) == ["alpha"]

    beta.is_published = True
    beta.save()
    published = client.get("/api/v1/events/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert published.status_code == 200 and sorted(slugs(published)) == ["alpha", "beta"]

    alpha.is_published = False
    alpha.save()
    assert slugs(client.get("/api/v1/events/")) == ["beta"]
    assert client.get("/api/v1/events/alpha/").status_code == 404

    EventFactory(slug="gamma")
    listed = client.get("/api/v1/events/")
    beta.delete()
    after = client.get("/api/v1/events/", HTTP_IF_NONE_MATCH=listed["ETag"])
    assert after.status_code == 200 and slugs(after) == ["gamma"]
