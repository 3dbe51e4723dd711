"""The OpenAPI 3 document: valid, served at /api/schema/, browsable at /api/docs/ with
local assets, and true to the API: Schemathesis generates requests from it for every
read operation and checks each answer against it (no server error; status code,
content type, headers and body as documented)."""

import json
import re

import pytest
import schemathesis
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import throttling
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

pytestmark = pytest.mark.django_db

ROUTES = [
    "/api/v1/events/",
    "/api/v1/events/{slug}/",
    *[
        f"/api/v1/events/{{event}}/{part}/{suffix}"
        for part in ("sessions", "speakers", "rooms", "tracks", "types")
        for suffix in ("", "{slug}/")
    ],
    "/api/v1/events/{event}/changes/",
]


def served_schema(client) -> dict:
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    return json.loads(response.content)


# --- the document ---------------------------------------------------------------------


def test_schema_command_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    document = yaml.safe_load(out.read_text())
    assert document["openapi"].startswith("3.")
    assert sorted(document["paths"]) == sorted(ROUTES)


def test_served_schema_is_valid_openapi_3(client):
    yaml_response = client.get("/api/schema/")
    assert yaml_response.status_code == 200
    assert "openapi" in yaml_response["Content-Type"]
    document = yaml.safe_load(yaml_response.content)
    assert document == served_schema(client)
    validate_schema(document)  # raises on an invalid document
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Lineup API"
    assert sorted(document["paths"]) == sorted(ROUTES)


def test_schema_describes_reads_writes_filters_and_errors(client):
    document = served_schema(client)
    paths = document["paths"]
    for path in ROUTES:
        assert "get" in paths[path], path
        # Reading needs no token: anonymous access is one of the security options.
        assert {} in paths[path]["get"]["security"], path
        assert {"200", "404"} <= set(paths[path]["get"]["responses"]), path
        if "{event}" in path and not path.endswith("/changes/"):  # changes: read only
            writes = {"post"} if not path.endswith("{slug}/") else {"put", "patch", "delete"}
            assert writes <= set(paths[path]), path
            for method in writes:
                assert {"tokenAuth": []} in paths[path][method]["security"]
                assert {} not in paths[path][method]["security"], (path, method)
                assert {"401", "403", "404"} <= set(paths[path][method]["responses"]), (
                    path, method,
                )  # fmt: skip
    sessions = paths["/api/v1/events/{event}/sessions/"]["get"]
    names = {p["name"] for p in sessions["parameters"]}
    assert names >= {
        "event", "day", "track", "type", "room", "speaker", "q", "updated_since", "page",
        "page_size",
    }  # fmt: skip
    track = next(p for p in sessions["parameters"] if p["name"] == "track")
    assert track["schema"]["type"] == "array"
    assert "400" in sessions["responses"]
    assert "409" in paths["/api/v1/events/{event}/rooms/{slug}/"]["delete"]["responses"]
    session = document["components"]["schemas"]["Session"]["properties"]
    assert session["starts_at"]["format"] == "date-time"
    speaker = document["components"]["schemas"]["Speaker"]["properties"]
    assert "email" not in speaker  # write-only: only in SpeakerRequest
    assert "email" in document["components"]["schemas"]["SpeakerRequest"]["properties"]
    assert document["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def test_docs_page_uses_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    served = html
    for url in assets:
        # Same origin, never a CDN: a path on this site, not "//host/…" or "https://…".
        assert url.startswith("/") and not url.startswith("//"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"
        else:  # served by the app itself (such as Swagger UI's start-up script)
            asset = client.get(url)
            assert asset.status_code == 200, url
            served += asset.content.decode()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html), "an asset on another host"
    assert "/api/schema/" in served  # Swagger UI loads this site's schema


# --- Schemathesis ---------------------------------------------------------------------


@pytest.fixture
def unthrottled(settings, monkeypatch):
    rates = {"anon": None, "user": None}  # None: no limit
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def keep_test_connection():
    """Requests through the real WSGI handler close "old" database connections when they
    end, which on PostgreSQL closes the test's own transaction. Django's test client
    unhooks that handler during its requests; so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(conf, unthrottled, keep_test_connection):
    """The schema as the app serves it, bound to the app itself (WSGI, in-process)."""
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", plain_application)


def plain_application(environ, start_response):
    """The app for a client that reads plain bodies: Schemathesis's WSGI client offers
    gzip but does not decode it (compression has its own tests: tests/test_compression)."""
    environ.pop("HTTP_ACCEPT_ENCODING", None)
    return application(environ, start_response)


# Each example is a real request through the whole stack: slow by Hypothesis's measure.
SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Real slugs of the conference in conftest.py, so that most requests find something.
REAL = {
    "sessions": ["kubernetes-101", "future-of-containers", "service-mesh", "breakfast",
                 "lightning-talks", "secret-roadmap"],
    "speakers": ["dan-kohn", "kelsey-hightower", "dora-dormant", "gustav-draftson"],
    "rooms": ["ballroom-a", "spare"],
    "tracks": ["ops", "dev"],
    "types": ["meal", "talk"],
}  # fmt: skip
READS = [
    "/api/v1/events/",
    "/api/v1/events/{slug}/",
    *[f"/api/v1/events/{{event}}/{part}/" for part in REAL],
    *[f"/api/v1/events/{{event}}/{part}/{{slug}}/" for part in REAL],
]


def strategy_for(operation, path: str):
    """Cases for one operation: mostly aimed at the real event and its real rows, some
    entirely generated (unknown slugs, which must give a documented 404)."""
    options = [operation.as_strategy()]
    if path == "/api/v1/events/{slug}/":
        options.append(operation.as_strategy(path_parameters={"slug": "cnc30"}))
    elif "{event}" in path:
        part = path.split("/")[5]
        event = st.sampled_from(["cnc30", "other-conf", "hidden-conf"])
        if path.endswith("{slug}/"):
            options.append(
                st.tuples(event, st.sampled_from(REAL[part])).flatmap(
                    lambda pair: operation.as_strategy(
                        path_parameters={"event": pair[0], "slug": pair[1]}
                    )
                )
            )
        else:
            options.append(
                event.flatmap(lambda slug: operation.as_strategy(path_parameters={"event": slug}))
            )
        options.append(operation.as_strategy(path_parameters={"event": "cnc30"}))
        if part == "sessions" and not path.endswith("{slug}/"):
            options.append(real_filters().flatmap(
                lambda query: operation.as_strategy(path_parameters={"event": "cnc30"},
                                                    query=query)
            ))  # fmt: skip
    return st.one_of(options)


def real_filters():
    """Filters with the conference's own days and slugs (each may be left out)."""

    def some(values):
        return st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)

    return st.fixed_dictionaries(
        {},
        optional={
            "day": st.sampled_from(["2030-11-02", "2030-11-03", "2030-11-04"]),
            "track": some(REAL["tracks"]),
            "type": some(["keynote", *REAL["types"], "panel"]),
            "room": some([*REAL["rooms"], "ballroom-b", "room-401"]),
            "speaker": some(REAL["speakers"][:3]),
            "q": st.sampled_from(["helm", "kubernetes 101", "dan", "AT SCALE"]),
            "updated_since": st.sampled_from(["2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"]),
            "page_size": st.integers(min_value=1, max_value=4),
        },
    )


@pytest.mark.parametrize("path", READS)
def test_every_read_operation_conforms_to_the_schema(api_schema, path):
    operation = api_schema[path]["GET"]
    seen = []

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=SLOW_IS_FINE,
    )
    @given(case=strategy_for(operation, path))
    def run(case):
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        seen.append(response.status_code)

    run()
    assert 200 in seen, f"{path}: no case found real data ({sorted(set(seen))})"


LISTS = [path for path in READS if not path.endswith("{slug}/")]


@pytest.mark.parametrize("path", LISTS)
def test_read_operations_survive_malformed_query_parameters(api_schema, path):
    """Negative cases: query parameters of the wrong type or shape (the path stays
    valid). Never a server error, and the answer is still one the schema documents."""
    operation = api_schema[path]["GET"]
    fixed = {"event": "cnc30"} if "{event}" in path else None

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=SLOW_IS_FINE,
    )
    @given(
        case=operation.as_strategy(
            generation_mode=schemathesis.GenerationMode.NEGATIVE, path_parameters=fixed
        )
    )
    def run(case):
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    run()


WRITES = [
    (method, f"/api/v1/events/{{event}}/{part}/{suffix}")
    for part in REAL
    for method, suffix in (("POST", ""), ("PUT", "{slug}/"), ("PATCH", "{slug}/"),
                           ("DELETE", "{slug}/"))
]  # fmt: skip


@pytest.mark.parametrize("method,path", WRITES)
def test_every_write_operation_conforms_to_the_schema(api_schema, people, method, path):
    """An organizer's generated writes to their own event: whatever the body, no server
    error, and the answer (201/200/204, 400, 404, 409) is one the schema documents."""
    operation = api_schema[path][method]
    part = path.split("/")[5]
    paths = st.just({"event": "cnc30"})
    if path.endswith("{slug}/"):
        paths = st.sampled_from(REAL[part]).map(lambda slug: {"event": "cnc30", "slug": slug})
    seen = []

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=SLOW_IS_FINE,
    )
    @given(case=paths.flatmap(lambda fixed: operation.as_strategy(path_parameters=fixed)))
    def run(case):
        response = case.call(headers={"Authorization": f"Token {people.a}"})
        case.validate_response(response, checks=CHECKS)
        seen.append(response.status_code)

    run()
    assert not {401, 403} & set(seen), seen
