"""Hostile input to the API, round two (issue 12): every write is one transaction, every
integer it takes has a bound, odd shapes and deep nesting are 400 (after the permission
check), guessed tokens are throttled, and the events list reveals nothing about drafts."""

import datetime as dt
import json
import time

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date

from events.models import Event
from schedule.models import Session, SessionSpeaker

pytestmark = pytest.mark.django_db

BASE = "/api/v1/events"
TOO_BIG = 99_999_999_999


def links(session) -> list[tuple[str, int]]:
    return list(
        SessionSpeaker.objects.filter(session=session)
        .order_by("position")
        .values_list("speaker__slug", "position")
    )


# --- item 5: a bound on every integer, and all or nothing ---------------------------


@pytest.mark.parametrize("position", [TOO_BIG, 2**31, -1])
def test_a_huge_speaker_position_is_400_and_changes_nothing(conf, people, as_user, position):
    k8s = conf.k101
    before = (k8s.title, links(k8s))
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/kubernetes-101/",
        {"title": "Renamed", "speakers": [{"speaker": "erin-evening", "position": position}]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "position" in json.dumps(response.json())
    k8s.refresh_from_db()
    assert (k8s.title, links(k8s)) == before


def test_a_huge_position_on_create_creates_nothing(conf, people, as_user):
    count = Session.objects.count()
    response = as_user(people.a).post(
        f"{BASE}/cnc30/sessions/",
        {"title": "New", "speakers": [{"speaker": "erin-evening", "position": 2**31}]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert Session.objects.count() == count


@pytest.mark.parametrize(
    ("part", "field"), [("rooms", "capacity"), ("rooms", "position"), ("tracks", "position")]
)
def test_every_integer_of_the_api_has_a_bound(conf, people, as_user, part, field):
    response = as_user(people.a).post(
        f"{BASE}/cnc30/{part}/", {"name": "Huge", field: TOO_BIG}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.django_db(transaction=True)
def test_every_api_write_is_one_transaction(conf, people, as_user):
    """The session's fields and its speaker links are written in one transaction: a
    failure between them cannot leave a renamed session without its speakers."""
    from django.db import connection
    from django.db.models.signals import post_save

    seen = []

    def record(sender, **kwargs):
        seen.append((sender.__name__, connection.in_atomic_block))

    post_save.connect(record, sender=Session, weak=False)
    try:
        response = as_user(people.a).patch(
            f"{BASE}/cnc30/sessions/kubernetes-101/",
            {"title": "Renamed", "speakers": [{"speaker": "erin-evening"}]},
            format="json",
        )
    finally:
        post_save.disconnect(record, sender=Session)
    assert response.status_code == 200, response.content
    assert seen == [("Session", True)]


# --- item 6: a link without its speaker --------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put", "post"])
def test_a_speaker_link_without_a_speaker_is_400(conf, people, as_user, method):
    url = f"{BASE}/cnc30/sessions/"
    if method != "post":
        url += "kubernetes-101/"
    body = {"title": "X", "speakers": [{"role": "speaker"}]}
    response = getattr(as_user(people.a), method)(url, body, format="json")
    assert response.status_code == 400, response.content
    assert "speaker" in json.dumps(response.json())
    assert links(conf.k101) == [("kelsey-hightower", 0)]


@pytest.mark.parametrize("shape", [["erin-evening"], [None], "erin-evening", [[]], {"a": 1}])
def test_odd_speaker_shapes_are_400(conf, people, as_user, shape):
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/kubernetes-101/", {"speakers": shape}, format="json"
    )
    assert response.status_code == 400, response.content


# --- item 7: deep nesting, and the permission check first ---------------------------


def deep(depth: int) -> bytes:
    return b'{"title": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("method", ["post", "patch"])
def test_deeply_nested_json_is_400_for_an_organizer(conf, people, as_user, method):
    url = f"{BASE}/cnc30/sessions/" + ("" if method == "post" else "kubernetes-101/")
    response = getattr(as_user(people.a), method)(
        url, deep(100_000), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert "nest" in response.json()["detail"]


@pytest.mark.parametrize("part", ["sessions", "rooms", "speakers"])
def test_deeply_nested_json_to_another_event_is_403(conf, people, as_user, part):
    response = as_user(people.b).post(
        f"{BASE}/cnc30/{part}/", deep(100_000), content_type="application/json"
    )
    assert response.status_code == 403, response.content


def test_deeply_nested_json_to_an_unpublished_event_of_others_is_404(conf, people, as_user):
    response = as_user(people.a).post(
        f"{BASE}/hidden-conf/sessions/", deep(100_000), content_type="application/json"
    )
    assert response.status_code == 404


def test_malformed_json_to_another_event_is_403(conf, people, as_user):
    response = as_user(people.b).post(
        f"{BASE}/cnc30/sessions/", b"{nope", content_type="application/json"
    )
    assert response.status_code == 403


# --- item 14: guessed tokens are throttled ------------------------------------------


def test_guessed_tokens_are_throttled_per_address(api, conf, settings, people):
    settings.TOKEN_FAILURE_LIMIT = 5
    codes = []
    for n in range(8):
        api.credentials(HTTP_AUTHORIZATION=f"Token {'0' * 39}{n}")
        codes.append(api.get(f"{BASE}/cnc30/sessions/").status_code)
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429] * 3
    # Even a valid token from that address waits: the guessing must not go on.
    api.credentials(HTTP_AUTHORIZATION=f"Token {people.a}")
    response = api.get(f"{BASE}/cnc30/sessions/")
    assert response.status_code == 429
    assert "Retry-After" in response
    # Another address is not affected.
    response = api.get(f"{BASE}/cnc30/sessions/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200


def test_requests_without_a_token_are_not_counted_as_failures(api, conf, settings):
    settings.TOKEN_FAILURE_LIMIT = 2
    for _ in range(5):
        assert api.get(f"{BASE}/cnc30/sessions/").status_code == 200


def test_the_anonymous_api_rate_allows_exactly_its_number(api, conf, settings):
    """A counter in the cache (add, then incr: atomic in Redis), not DRF's read, append
    and write of a list, which lets parallel requests through."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "600/minute"},
    }
    codes = [api.get(f"{BASE}/cnc30/sessions/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


# --- items 15 and 16: the events list says nothing about drafts; sub-second validators


def test_editing_a_draft_does_not_move_the_events_validators(api, conf, people, as_user):
    Event.objects.update(changed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    before = api.get(f"{BASE}/")
    changed_before = {e["slug"]: e["changed_at"] for e in before.json()["results"]}
    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/secret-roadmap/", {"title": "Still secret"}, format="json"
    )
    assert response.status_code == 200
    # And an unpublished event's edit.
    hidden = Event.objects.get(slug="hidden-conf")
    hidden.name = "Renamed hidden"
    hidden.save()
    api.credentials()
    after = api.get(f"{BASE}/")
    assert after["ETag"] == before["ETag"]
    assert after.get("Last-Modified") == before.get("Last-Modified")
    assert {e["slug"]: e["changed_at"] for e in after.json()["results"]} == changed_before
    one = api.get(f"{BASE}/cnc30/sessions/", headers={"If-None-Match": before["ETag"]})
    assert one.status_code in (200, 304)


def test_publishing_a_draft_moves_the_validators(api, conf, people, as_user):
    before = api.get(f"{BASE}/cnc30/sessions/")
    as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/secret-roadmap/", {"status": "published"}, format="json"
    )
    api.credentials()
    after = api.get(f"{BASE}/cnc30/sessions/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert "secret-roadmap" in after.content.decode()


def test_a_change_within_the_current_second_sends_no_last_modified(api, conf):
    """An HTTP date has whole seconds: during the second of a change, another change
    may follow, so only the ETag (to the microsecond) is given."""
    Event.objects.filter(pk=conf.event.pk).update(changed_at=timezone.now())
    started = time.time()
    response = api.get(f"{BASE}/cnc30/sessions/")
    if time.time() - started < 0.5 and int(started) == int(time.time()):
        assert "Last-Modified" not in response


def test_two_changes_in_one_second_have_two_etags(api, conf):
    moment = timezone.now()
    Event.objects.filter(pk=conf.event.pk).update(changed_at=moment)
    first = api.get(f"{BASE}/cnc30/sessions/")
    Event.objects.filter(pk=conf.event.pk).update(changed_at=moment + dt.timedelta(microseconds=1))
    again = api.get(f"{BASE}/cnc30/sessions/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_if_modified_since_after_the_second_of_the_change(api, conf):
    moment = dt.datetime(2026, 1, 1, 12, 0, 0, 100_000, tzinfo=dt.UTC)
    Event.objects.filter(pk=conf.event.pk).update(changed_at=moment)
    url = f"{BASE}/cnc30/sessions/"
    first = api.get(url)
    assert first["Last-Modified"] == "Thu, 01 Jan 2026 12:00:00 GMT"
    assert api.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    earlier = http_date(moment.timestamp() - 1)
    assert api.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # The ETag is checked first: a stale ETag with a late date is 200.
    both = api.get(url, headers={"If-None-Match": '"stale"', "If-Modified-Since": http_date(2e9)})
    assert both.status_code == 200


# --- item 9 (API part): unknown parameters make no new cache entries ---------------


def test_unknown_query_parameters_are_400_and_cost_nothing(api, conf):
    url = f"{BASE}/cnc30/sessions/"
    api.get(url, {"track": "ops"})
    entries = len(cache._cache)
    for n in range(5):
        response = api.get(url, {"track": "ops", "bust": n})
        assert response.status_code == 400
        assert "bust" in response.json()["detail"]
    assert api.get(f"{BASE}/", {"bust": 1}).status_code == 400
    assert len(cache._cache) == entries


def test_repeated_and_reordered_filters_share_one_entry(api, conf):
    url = f"{BASE}/cnc30/sessions/"
    first = api.get(f"{url}?track=ops&track=dev")
    entries = len(cache._cache)
    for query in ("track=dev&track=ops", "track=ops&track=dev&track=ops"):
        response = api.get(f"{url}?{query}")
        assert response.status_code == 200
        assert response["ETag"] == first["ETag"]
    assert len(cache._cache) == entries


def test_accept_header_variants_share_one_entry(api, conf):
    url = f"{BASE}/cnc30/sessions/"
    first = api.get(url)
    entries = len(cache._cache)
    for n in range(3):
        response = api.get(url, HTTP_ACCEPT=f"application/json, */*;q=0.{n + 1}")
        assert response.status_code == 200
        assert response["ETag"] == first["ETag"]
    assert len(cache._cache) == entries


def test_a_json_body_over_the_limit_is_413(conf, people, as_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "x" * 20_000}).encode()
    response = as_user(people.a).post(
        f"{BASE}/cnc30/sessions/", body, content_type="application/json"
    )
    # 413 from the parser; 400 when Django's own check on request.body comes first.
    assert response.status_code in (400, 413)
    assert not Session.objects.filter(title__startswith="xxx").exists()


def test_texts_the_api_takes_have_a_bound(conf, people, as_user):
    from lib.markup import MAX_MARKDOWN_CHARS

    response = as_user(people.a).patch(
        f"{BASE}/cnc30/sessions/kubernetes-101/",
        {"abstract": "[" * (MAX_MARKDOWN_CHARS + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "20000" in response.json()["abstract"][0].replace(",", "")
