"""Installable and offline: the service worker's script and an event's manifest."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"  # a new worker reaches browsers at once
    assert b'addEventListener("fetch"' in response.content


def test_event_pages_link_the_manifest_and_register_the_worker(client, conf):
    page = client.get("/cnc16/schedule/").content.decode()
    assert '<link rel="manifest" href="/cnc16/manifest.webmanifest">' in page
    assert 'data-worker="/sw.js" data-keep="/cnc16/schedule/ /cnc16/agenda/"' in page
    manifest = client.get("/cnc16/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["name"] == "CloudNativeCon 2016"
    assert (data["start_url"], data["scope"], data["display"]) == (
        "/cnc16/schedule/",
        "/cnc16/",
        "standalone",
    )
    assert data["icons"][0]["type"] == "image/svg+xml"
    # Without JavaScript the time switch is not shown (nojs.css) and the times are the
    # event's; with it, a page with times keeps its place until it is built (data-reserve).
    assert '<div class="time-switch container" role="region" aria-label="Times" ' in page
    assert 'data-event-zone="America/Los_Angeles"' in page
    assert re.search(
        r"<div class=\"time-switch container\" [^>]* data-time-switch [^>]* data-reserve>", page
    )
    nojs = '<noscript><link rel="stylesheet" href="/static/css/nojs.css"></noscript>'
    assert nojs in page
    assert (
        ".time-switch { display: none !important; }"
        in Path(finders.find("css/nojs.css")).read_text()
    )
    # A page without times, or an empty agenda: no place kept.
    for empty in ("/cnc16/", "/cnc16/agenda/"):
        assert re.search(r"data-time-switch [^>]* hidden>", client.get(empty).content.decode())
    # The embed registers no worker: it lives on another site.
    embed = client.get("/cnc16/embed/").content.decode()
    assert "bundles/lineup.js" in embed
    assert "data-worker" not in embed
    assert 'rel="manifest"' not in embed


def test_an_unpublished_event_has_no_manifest(client):
    EventFactory(slug="hidden", is_published=False)
    assert client.get("/hidden/manifest.webmanifest").status_code == 404
