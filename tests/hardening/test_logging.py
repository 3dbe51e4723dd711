"""Health check and request logs: /healthz says what is broken, every response carries
a request id, and an error is logged with that id and the path."""

import json
import logging
import re

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client
from django.urls import include, path

from tests.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


class Boom(Exception):
    pass


def boom(request):
    raise Boom("something broke")


# This module is the URLconf of the tests that need a view that raises.
urlpatterns = [path("boom/", boom), path("", include("config.urls"))]


@pytest.fixture
def boom_urls(settings):
    settings.ROOT_URLCONF = __name__


# --- /healthz ------------------------------------------------------------------------


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_with_a_broken_database_is_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "error", "database": "error: OperationalError", "cache": "ok"}
    assert "could not connect" not in response.content.decode()  # no details leak


def test_healthz_with_a_broken_cache_is_degraded_not_down(client, monkeypatch):
    # Pages are still served (uncached) without the cache: the server stays in the pool.
    def broken(*args, **kwargs):
        raise ConnectionError("cache is away")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "degraded", "database": "ok", "cache": "error: ConnectionError"}


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    assert "max-age" not in response.get("Cache-Control", "")
    assert "ETag" not in response


# --- X-Request-ID ------------------------------------------------------------------------


@pytest.fixture
def pages(db):
    event = EventFactory(slug="logcon")
    SessionFactory(event=event, title="Logged talk", slug="logged-talk")
    return event


# One of each kind of response: page, redirect, 304-able page, 400, 403, 404, 405, 500.
RESPONSES = [
    ("get", "/healthz", {}, 200),
    ("get", "/logcon/schedule/", {}, 200),
    ("get", "/favicon.ico", {}, 301),
    ("get", "/logcon/schedule/?track=nope", {}, 400),
    ("post", "/logcon/agenda/logged-talk/add", {}, 403),
    ("get", "/no-such-event/", {}, 404),
    ("get", "/logcon/agenda/logged-talk/add", {}, 405),
    ("get", "/boom/", {}, 500),
    ("get", "/", {"HTTP_HOST": "evil.example"}, 400),
]


@pytest.mark.parametrize(("method", "url", "extra", "status"), RESPONSES)
def test_every_response_carries_a_request_id(pages, boom_urls, method, url, extra, status):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = getattr(client, method)(url, **extra)
    assert response.status_code == status
    assert HEX_ID.fullmatch(response["X-Request-ID"])
    echoed = getattr(client, method)(url, HTTP_X_REQUEST_ID="req-0123456789.abc_DEF", **extra)
    assert echoed["X-Request-ID"] == "req-0123456789.abc_DEF"


@pytest.mark.parametrize(
    "incoming",
    [
        "x" * 200,
        "x" * 65,
        "<script>alert(1)</script>",
        "short",
        "abcdefgh\n",
        "abcdefgh\nlevel=ERROR forged=1",
        "abc def ghi",
        "abcdefgh;rm -rf",
        "ü" * 10,
        "",
    ],
)
def test_an_invalid_request_id_is_replaced(client, incoming, caplog):
    with caplog.at_level(logging.INFO, logger="lineup.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert HEX_ID.fullmatch(request_id)
    [line] = [r.getMessage() for r in caplog.records if r.name == "lineup.request"]
    assert line.startswith(f"request_id={request_id} method=GET path=/healthz status=200 ")
    if incoming:
        assert incoming not in line


def test_ids_are_fresh_for_every_request(client):
    ids = {client.get("/healthz")["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


# --- logs ------------------------------------------------------------------------------


def test_a_request_that_raises_logs_an_error_with_its_id_and_path(boom_urls, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO, logger="lineup.request"):
        response = client.get("/boom/?q=1", HTTP_X_REQUEST_ID="trace-4242-abcd")
    assert response.status_code == 500
    assert response["X-Request-ID"] == "trace-4242-abcd"
    records = [r for r in caplog.records if r.name == "lineup.request"]
    assert [r.levelno for r in records] == [logging.ERROR, logging.ERROR]
    unhandled, line = records
    assert (
        unhandled.getMessage() == "request_id=trace-4242-abcd method=GET path=/boom/ unhandled Boom"
    )
    assert unhandled.exc_info and unhandled.exc_info[0] is Boom  # with its traceback
    assert line.getMessage().startswith(
        "request_id=trace-4242-abcd method=GET path=/boom/ status=500 duration_ms="
    )


def test_an_ordinary_request_logs_one_info_line(client, pages, caplog):
    with caplog.at_level(logging.INFO, logger="lineup.request"):
        client.get("/logcon/schedule/", HTTP_X_REQUEST_ID="trace-1111-abcd")
    [record] = [r for r in caplog.records if r.name == "lineup.request"]
    assert record.levelno == logging.INFO
    assert re.fullmatch(
        r"request_id=trace-1111-abcd method=GET path=/logcon/schedule/ status=200 "
        r"duration_ms=\d+\.\d cache=render",
        record.getMessage(),
    )
