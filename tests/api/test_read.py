"""The public read API, /api/v1/: every route, every filter, pagination, visibility,
times with the event's offset, 400s that name the parameter, a fixed number of queries,
ETags with 304, throttling."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import throttling

from events.models import Event, Room
from schedule.models import Session
from tests.factories import sized_conference

from .conftest import SECRET_DOMAIN

pytestmark = pytest.mark.django_db

BASE = "/api/v1/events"


def get_json(api, url, params=None, status=200, **headers):
    response = api.get(url, params or {}, headers=headers or None)
    assert response.status_code == status, (url, params, response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def slugs(api, url, params=None) -> list[str]:
    """Slugs of every row of a list endpoint, following ``next`` across pages."""
    found = []
    data = get_json(api, url, params)
    found += [row["slug"] for row in data["results"]]
    while data["next"]:
        data = get_json(api, data["next"])
        found += [row["slug"] for row in data["results"]]
    return found


def session_slugs(api, event="cnc30", **params) -> list[str]:
    return slugs(api, f"{BASE}/{event}/sessions/", params)


def by_slug(rows: list[dict]) -> dict[str, dict]:
    return {row["slug"]: row for row in rows}


# --- events ------------------------------------------------------------------------


def test_event_list_has_published_events_only(api, conf):
    data = get_json(api, f"{BASE}/")
    assert data["count"] == 2
    assert [e["slug"] for e in data["results"]] == ["other-conf", "cnc30"]  # by start date
    event = by_slug(data["results"])["cnc30"]
    assert event["name"] == "CloudNativeCon 2030"
    assert event["timezone"] == "America/Los_Angeles"
    assert event["start_date"] == "2030-11-02"
    assert event["end_date"] == "2030-11-04"
    assert event["days"] == ["2030-11-02", "2030-11-03", "2030-11-04"]
    assert event["description_html"] == "<p>Three days of <strong>talks</strong>.</p>"
    assert event["url"] == "http://testserver/cnc30/"


def test_event_detail(api, conf):
    event = get_json(api, f"{BASE}/cnc30/")
    assert event["slug"] == "cnc30"
    assert event["venue_name"] == "Sheraton Seattle"


@pytest.mark.parametrize("slug", ["hidden-conf", "no-such-conf"])
def test_unpublished_or_unknown_event_is_not_found(api, conf, slug):
    get_json(api, f"{BASE}/{slug}/", status=404)
    for part in ("sessions", "speakers", "rooms", "tracks", "types"):
        get_json(api, f"{BASE}/{slug}/{part}/", status=404)
    get_json(api, f"{BASE}/{slug}/sessions/c-session/", status=404)
    get_json(api, f"{BASE}/{slug}/rooms/c-room/", status=404)


# --- rooms, tracks, types ------------------------------------------------------------


def test_room_list_and_detail(api, conf):
    data = get_json(api, f"{BASE}/cnc30/rooms/")
    assert data["count"] == 4
    assert [r["slug"] for r in data["results"]] == ["ballroom-a", "ballroom-b", "room-401", "spare"]
    assert data["results"][0] == {"slug": "ballroom-a", "name": "Ballroom A", "capacity": None,
                                  "position": 0}  # fmt: skip
    assert get_json(api, f"{BASE}/cnc30/rooms/room-401/")["name"] == "Room 401"
    get_json(api, f"{BASE}/cnc30/rooms/b-hall/", status=404)  # another event's room
    get_json(api, f"{BASE}/other-conf/rooms/ballroom-a/", status=404)


def test_track_list_and_detail(api, conf):
    data = get_json(api, f"{BASE}/cnc30/tracks/")
    assert data["results"] == [
        {"slug": "ops", "name": "Operations", "color": "#2a6f97", "position": 0},
        {"slug": "dev", "name": "Development", "color": "#445566", "position": 1},
    ]
    assert get_json(api, f"{BASE}/cnc30/tracks/dev/")["color"] == "#445566"
    get_json(api, f"{BASE}/cnc30/tracks/b-track/", status=404)


def test_type_list_and_detail(api, conf):
    data = get_json(api, f"{BASE}/cnc30/types/")
    assert {t["slug"] for t in data["results"]} == {"keynote", "talk", "panel", "meal"}
    assert get_json(api, f"{BASE}/cnc30/types/meal/") == {
        "slug": "meal", "name": "Meal", "is_break": True,
    }  # fmt: skip
    get_json(api, f"{BASE}/cnc30/types/b-talk/", status=404)


# --- speakers ------------------------------------------------------------------------


def test_speaker_list_has_speakers_of_public_sessions_only(api, conf):
    data = get_json(api, f"{BASE}/cnc30/speakers/")
    names = [s["name"] for s in data["results"]]
    # By name; Dora's only session is cancelled (still public); Gustav's is a draft and
    # Nora has none: they are not announced.
    assert names == [
        "Brendan Burns", "Dan Kohn", "Dora Dormant", "Erin Evening", "Kelsey Hightower",
        "Sarah Novotny",
    ]  # fmt: skip
    assert data["count"] == 6


def test_speaker_detail(api, conf):
    dan = get_json(api, f"{BASE}/cnc30/speakers/dan-kohn/")
    assert dan["name"] == "Dan Kohn"
    assert dan["company"] == "CNCF"
    assert dan["bio_html"] == "<p>Runs the foundation.</p>"
    assert dan["url"] == "http://testserver/cnc30/speakers/dan-kohn/"
    assert dan["avatar_url"].startswith("http://testserver/media/avatars/")
    assert dan["avatar_url"].endswith(".jpg")
    assert dan["avatar_thumb_url"].endswith("-96.jpg")
    assert "email" not in dan and "avatar" not in dan
    brendan = get_json(api, f"{BASE}/cnc30/speakers/brendan-burns/")
    assert brendan["bio_html"] == "<p>Co-founded <em>Kubernetes</em>.</p>"
    assert brendan["avatar_url"] is None and brendan["avatar_thumb_url"] is None
    get_json(api, f"{BASE}/cnc30/speakers/dora-dormant/")


@pytest.mark.parametrize("slug", ["gustav-draftson", "nora-nobody", "bea-other", "nope"])
def test_unannounced_speakers_are_not_found(api, conf, slug):
    get_json(api, f"{BASE}/cnc30/speakers/{slug}/", status=404)


# --- sessions ------------------------------------------------------------------------


def test_session_list_is_public_sessions_in_time_order(api, conf):
    data = get_json(api, f"{BASE}/cnc30/sessions/")
    assert data["count"] == len(conf.public)
    assert [s["slug"] for s in data["results"]] == [s.slug for s in conf.public]
    assert "secret-roadmap" not in json.dumps(data)  # the draft
    starts = [s["starts_at"] for s in data["results"] if s["starts_at"]]
    moments = [dt.datetime.fromisoformat(t) for t in starts]
    assert moments == sorted(moments)
    assert data["results"][-1]["slug"] == "lightning-talks"  # unscheduled: last
    assert data["results"][-1]["starts_at"] is None and data["results"][-1]["ends_at"] is None


def test_cancelled_session_is_listed_as_cancelled(api, conf):
    sessions = by_slug(get_json(api, f"{BASE}/cnc30/sessions/")["results"])
    assert sessions["service-mesh"]["status"] == "cancelled"
    assert sessions["kubernetes-101"]["status"] == "published"
    assert get_json(api, f"{BASE}/cnc30/sessions/service-mesh/")["status"] == "cancelled"


def test_session_detail_embeds_speakers_room_track_and_type(api, conf):
    panel = get_json(api, f"{BASE}/cnc30/sessions/future-of-containers/")
    assert panel["title"] == "The future of containers"
    assert panel["guid"] == str(conf.panel_session.guid)
    assert panel["room"] == {"slug": "room-401", "name": "Room 401"}
    assert panel["track"] == {"slug": "dev", "name": "Development", "color": "#445566"}
    assert panel["type"] == {"slug": "panel", "name": "Panel"}
    assert panel["url"] == "http://testserver/cnc30/sessions/future-of-containers/"
    assert [(p["slug"], p["name"], p["role"], p["position"]) for p in panel["speakers"]] == [
        ("dan-kohn", "Dan Kohn", "moderator", 0),
        ("sarah-novotny", "Sarah Novotny", "panelist", 1),
        ("brendan-burns", "Brendan Burns", "panelist", 2),
    ]
    moderator = panel["speakers"][0]
    assert moderator["avatar_url"] == f"http://testserver{conf.dan.avatar.url}"
    assert moderator["avatar_thumb_url"] == f"http://testserver{conf.dan.avatar_thumb.url}"
    assert panel["speakers"][1]["avatar_url"] is None
    breakfast = get_json(api, f"{BASE}/cnc30/sessions/breakfast/")
    assert breakfast["room"] is None and breakfast["track"] is None
    assert breakfast["type"] == {"slug": "meal", "name": "Meal"}
    assert breakfast["speakers"] == []


def test_session_rows_are_written_as_drf_walks_their_fields(conf):
    """SessionSerializer writes a row's fields directly (DRF's walk through them was most
    of the time of a page of sessions): the same keys, order and values as that walk,
    for every kind of row (no time, no room, a moderator, an avatar)."""
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from schedule.api.serializers import AVATARS, SessionSerializer, SessionSpeakerSerializer
    from schedule.rows import load_rows

    request = APIRequestFactory().get("/", HTTP_HOST="testserver:8443", secure=True)
    context = {"request": request, "event": conf.event}
    rows = load_rows(Session.objects.public().filter(event=conf.event), conf.event, html=True)
    assert {row.slug for row in rows} == {s.slug for s in conf.public}
    walk = serializers.Serializer.to_representation
    for row in rows:
        written = SessionSerializer(row, context=context).data
        walked = walk(SessionSerializer(context=context), row)
        walked["speakers"] = [
            walk(SessionSpeakerSerializer(context=context), person) for person in row.people
        ]
        assert list(written.items()) == list(walked.items())
        assert written["url"] == request.build_absolute_uri(f"/cnc30/sessions/{row.slug}/")
    avatar = SessionSerializer(context=context).avatar(conf.dan.avatar.name)
    assert avatar == request.build_absolute_uri(AVATARS.url(conf.dan.avatar.name))
    assert avatar.startswith("https://testserver:8443/media/")


def test_abstract_is_given_as_markdown_and_sanitized_html(api, conf):
    k8s = get_json(api, f"{BASE}/cnc30/sessions/kubernetes-101/")
    assert k8s["abstract"] == (
        "Learn about **pods** and [services](https://kubernetes.io/docs/).\n\n"
        "<script>alert('owned')</script>\n\nBring a laptop."
    )
    assert k8s["abstract_html"] == (
        '<p>Learn about <strong>pods</strong> and <a href="https://kubernetes.io/docs/" '
        'rel="nofollow noopener noreferrer ugc">services</a>.</p>\n\n<p>Bring a laptop.</p>'
    )


@pytest.mark.parametrize(
    "event,slug",
    [
        ("cnc30", "secret-roadmap"),  # a draft
        ("cnc30", "b-session"),  # another event's
        ("cnc30", "no-such-session"),
        ("hidden-conf", "c-session"),  # published, in an unpublished event
    ],
)
def test_hidden_sessions_are_not_found(api, conf, event, slug):
    body = get_json(api, f"{BASE}/{event}/sessions/{slug}/", status=404)
    assert "detail" in body


def test_times_carry_the_events_offset(api, conf):
    """Daylight saving time ends in Los Angeles on November 3, 2030."""
    sessions = by_slug(get_json(api, f"{BASE}/cnc30/sessions/")["results"])
    assert sessions["kubernetes-101"]["starts_at"] == "2030-11-02T11:00:00-07:00"
    assert sessions["kubernetes-101"]["ends_at"] == "2030-11-02T11:40:00-07:00"
    assert sessions["late-night-hacking"]["starts_at"] == "2030-11-02T23:30:00-07:00"
    assert sessions["observability-workshop"]["starts_at"] == "2030-11-03T13:00:00-08:00"
    assert sessions["prometheus-at-scale"]["starts_at"] == "2030-11-04T10:00:00-08:00"
    detail = get_json(api, f"{BASE}/cnc30/sessions/prometheus-at-scale/")
    assert detail["ends_at"] == "2030-11-04T10:30:00-08:00"
    assert dt.datetime.fromisoformat(detail["starts_at"]) == conf.prom.starts_at
    # The other event is in UTC.
    other = get_json(api, f"{BASE}/other-conf/sessions/b-session/")
    assert other["starts_at"] == "2030-05-06T10:00:00+00:00"


# --- visibility ----------------------------------------------------------------------


def every_public_url() -> list[str]:
    urls = [f"{BASE}/", f"{BASE}/cnc30/", f"{BASE}/other-conf/"]
    for event in ("cnc30", "other-conf"):
        urls += [f"{BASE}/{event}/{part}/" for part in
                 ("sessions", "speakers", "rooms", "tracks", "types")]  # fmt: skip
    urls += [
        f"{BASE}/cnc30/sessions/future-of-containers/",
        f"{BASE}/cnc30/sessions/service-mesh/",
        f"{BASE}/other-conf/sessions/b-session/",
        f"{BASE}/other-conf/speakers/bea-other/",
    ]
    announced = ("brendan-burns", "dan-kohn", "dora-dormant", "erin-evening", "kelsey-hightower",
                 "sarah-novotny")  # fmt: skip
    urls += [f"{BASE}/cnc30/speakers/{slug}/" for slug in announced]
    return urls


def test_email_addresses_never_appear(api, conf):
    for url in every_public_url():
        response = api.get(url)
        assert response.status_code == 200, url
        assert SECRET_DOMAIN not in response.content.decode(), url
        assert '"email"' not in response.content.decode(), url


def test_drafts_and_unpublished_events_never_appear(api, conf):
    for url in every_public_url():
        content = api.get(url).content.decode()
        for secret in ("Secret roadmap", "Gustav", "Nora Nobody", "Hidden", "hidden-conf"):
            assert secret not in content, (url, secret)


def test_publishing_the_event_makes_it_visible(api, conf):
    get_json(api, f"{BASE}/hidden-conf/sessions/", status=404)
    conf.hidden.is_published = True
    conf.hidden.save()
    assert session_slugs(api, "hidden-conf") == ["c-session"]


# --- filters -------------------------------------------------------------------------


def test_filter_by_day_uses_the_events_zone(api, conf):
    assert session_slugs(api, day="2030-11-02") == [
        "breakfast", "opening-keynote", "kubernetes-101", "helm-charts",
        "future-of-containers", "service-mesh", "late-night-hacking",
    ]  # fmt: skip
    # 23:30 in Seattle on the 2nd is the 3rd in UTC: it belongs to the 2nd.
    assert session_slugs(api, day="2030-11-03") == ["observability-workshop"]
    assert session_slugs(api, day="2030-11-04") == ["prometheus-at-scale"]


def test_filter_by_several_tracks(api, conf):
    ops = session_slugs(api, track="ops")
    assert ops == [
        "kubernetes-101", "observability-workshop", "prometheus-at-scale",
    ]  # fmt: skip
    both = session_slugs(api, track=["ops", "dev"])
    assert both == [s.slug for s in conf.public if s.track_id]
    assert set(both) > set(ops)


def test_filter_by_type(api, conf):
    assert session_slugs(api, type="keynote") == ["opening-keynote"]
    assert session_slugs(api, type=["panel", "meal"]) == ["breakfast", "future-of-containers"]


def test_filter_by_room(api, conf):
    assert session_slugs(api, room="ballroom-b") == [
        "helm-charts", "service-mesh", "late-night-hacking",
    ]  # fmt: skip
    assert session_slugs(api, room="spare") == []


def test_filter_by_speaker(api, conf):
    # Kelsey speaks in two talks; Brendan in a talk and as a panelist in the panel.
    assert session_slugs(api, speaker="kelsey-hightower") == [
        "kubernetes-101", "prometheus-at-scale",
    ]  # fmt: skip
    assert session_slugs(api, speaker="brendan-burns") == ["helm-charts", "future-of-containers"]
    assert session_slugs(api, speaker=["dan-kohn", "erin-evening"]) == [
        "opening-keynote", "future-of-containers", "late-night-hacking",
        "observability-workshop",
    ]  # fmt: skip


def test_filter_by_words(api, conf):
    assert session_slugs(api, q="helm") == ["helm-charts"]
    # Every word must appear (in any order, any case), in the title or abstract.
    assert session_slugs(api, q="PRACTICE charts") == ["helm-charts"]
    assert session_slugs(api, q="helm kubernetes") == []
    assert session_slugs(api, q="pods SERVICES") == ["kubernetes-101"]
    # A speaker's name counts too.
    assert session_slugs(api, q="brendan burns") == ["helm-charts", "future-of-containers"]
    # Drafts are not searchable.
    assert session_slugs(api, q="roadmap") == []


def test_filter_by_updated_since(api, conf):
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Session.objects.filter(event=conf.event).update(updated_at=long_ago)
    Session.objects.filter(pk__in=[conf.helm.pk, conf.prom.pk]).update(
        updated_at=dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
    )
    assert session_slugs(api, updated_since="2025-06-01T12:00:00+00:00") == [
        "helm-charts", "prometheus-at-scale",
    ]  # fmt: skip
    # The same moment in another zone; the offset may come unencoded ("+" as a space).
    assert session_slugs(api, updated_since="2025-06-01T05:00:00-07:00") == [
        "helm-charts", "prometheus-at-scale",
    ]  # fmt: skip
    response = api.get(f"{BASE}/cnc30/sessions/?updated_since=2025-06-01T14:00:00+02:00")
    assert [s["slug"] for s in response.json()["results"]] == [
        "helm-charts", "prometheus-at-scale",
    ]  # fmt: skip
    assert session_slugs(api, updated_since="2025-06-01T12:00:01Z") == []
    assert len(session_slugs(api, updated_since="2019-12-31T23:59:59Z")) == len(conf.public)


def test_filters_combine(api, conf):
    assert session_slugs(api, day="2030-11-02", track="dev", type="talk") == [
        "helm-charts", "service-mesh", "late-night-hacking",
    ]  # fmt: skip
    assert session_slugs(
        api, day="2030-11-02", track=["dev", "ops"], room="ballroom-b", q="snacks"
    ) == ["late-night-hacking"]
    assert session_slugs(api, speaker="kelsey-hightower", day="2030-11-04") == [
        "prometheus-at-scale"
    ]
    assert session_slugs(api, speaker="brendan-burns", type="panel", room="room-401") == [
        "future-of-containers"
    ]
    Session.objects.filter(event=conf.event).update(
        updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    conf.k101.save()  # updated now
    assert session_slugs(
        api, track="ops", updated_since="2021-01-01T00:00:00Z", day="2030-11-02"
    ) == ["kubernetes-101"]


# --- bad parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,name,says",
    [
        ({"track": "nope"}, "track", "nope"),
        ({"track": ["ops", "b-track"]}, "track", "b-track"),  # another event's
        ({"room": "b-hall"}, "room", "b-hall"),
        ({"type": "workshop"}, "type", "workshop"),
        ({"speaker": "gus"}, "speaker", "gus"),
        ({"day": "2030-13-01"}, "day", "2030-13-01"),
        ({"day": "tomorrow"}, "day", "tomorrow"),
        ({"day": "2030-11-05"}, "day", "2030-11-05"),  # after the event
        ({"day": "2030-11-01"}, "day", "2030-11-01"),  # before it
        ({"updated_since": "yesterday"}, "updated_since", "yesterday"),
        ({"updated_since": "2030-11-02T10:00:00"}, "updated_since", "2030-11-02T10"),  # naive
        ({"updated_since": "2030-02-30T10:00:00Z"}, "updated_since", "2030-02-30"),
        ({"q": "x" * 201}, "q", "200"),
    ],
)
def test_bad_parameters_give_400_naming_them(api, conf, params, name, says):
    body = get_json(api, f"{BASE}/cnc30/sessions/", params, status=400)
    assert list(body) == [name]
    assert any(says in message for message in body[name]), body


def test_several_bad_parameters_are_all_named(api, conf):
    body = get_json(api, f"{BASE}/cnc30/sessions/", {"track": "x", "day": "y"}, status=400)
    assert set(body) == {"track", "day"}


# --- pagination ----------------------------------------------------------------------


def test_pagination_walks_every_session_once_in_order(api, conf):
    everything = session_slugs(api)
    assert len(everything) == len(conf.public)
    first = get_json(api, f"{BASE}/cnc30/sessions/", {"page_size": 3})
    assert first["count"] == len(conf.public)
    assert len(first["results"]) == 3
    assert first["previous"] is None
    assert "page=2" in first["next"] and "page_size=3" in first["next"]
    for size in (1, 2, 3, 4, 7):
        paged = session_slugs(api, page_size=size)
        assert paged == everything, size  # nothing missing, nothing twice, same order


def test_pagination_is_stable_for_sessions_at_the_same_time(api, conf):
    # Twelve sessions at the very same minute (in different rooms): each page must
    # continue where the last one stopped.
    rooms = [Room.objects.create(event=conf.event, name=f"R{i}", slug=f"r{i}") for i in range(12)]
    start = dt.datetime(2030, 11, 4, 15, 0, tzinfo=conf.event.tzinfo)
    for i, room in enumerate(rooms):
        Session.objects.create(
            event=conf.event, title=f"Same time {i}", slug=f"same-{i}", room=room,
            starts_at=start, ends_at=start + dt.timedelta(hours=1),
            status=Session.Status.PUBLISHED,
        )  # fmt: skip
    everything = session_slugs(api, page_size=500)
    assert [s for s in everything if s.startswith("same-")] == [f"same-{i}" for i in range(12)]
    for size in (2, 5):
        assert session_slugs(api, page_size=size) == everything
        assert session_slugs(api, page_size=size, room=[r.slug for r in rooms]) == [
            f"same-{i}" for i in range(12)
        ]


def test_pagination_of_the_other_lists(api, conf):
    assert slugs(api, f"{BASE}/cnc30/speakers/", {"page_size": 2}) == [
        "brendan-burns", "dan-kohn", "dora-dormant", "erin-evening", "kelsey-hightower",
        "sarah-novotny",
    ]  # fmt: skip
    assert slugs(api, f"{BASE}/cnc30/rooms/", {"page_size": 3}) == [
        "ballroom-a", "ballroom-b", "room-401", "spare",
    ]  # fmt: skip
    assert slugs(api, f"{BASE}/", {"page_size": 1}) == ["other-conf", "cnc30"]


def test_page_size_is_capped_and_bad_pages_are_404(api, conf):
    for i in range(3):
        Room.objects.create(event=conf.event, name=f"Extra {i}", slug=f"extra-{i}")
    data = get_json(api, f"{BASE}/cnc30/rooms/", {"page_size": 100000})
    assert len(data["results"]) == 7  # capped at 500, all fit
    assert len(get_json(api, f"{BASE}/cnc30/rooms/", {"page_size": "abc"})["results"]) == 7
    get_json(api, f"{BASE}/cnc30/sessions/", {"page": 99}, status=404)
    get_json(api, f"{BASE}/cnc30/sessions/", {"page": "x"}, status=404)


# --- a fixed number of queries -------------------------------------------------------


def build_event(slug: str, n_sessions: int) -> Event:
    """A published event of ``n_sessions`` sessions with 1–3 speakers each (bulk)."""
    return sized_conference(slug, n_sessions).event


def count_queries(api, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


QUERIES = {"sessions": 5, "speakers": 3}  # as in tests/schedule/test_query_counts.py


@pytest.mark.parametrize("part", ["sessions", "speakers"])
def test_list_queries_do_not_grow_with_page_or_event_size(api, db, part):
    sizes = {"small": 20, "big": 300}  # every session is public, every speaker speaks
    for slug, n in sizes.items():
        build_event(slug, n)
    counts = {}
    for slug, n in sizes.items():
        for page_size in (100, 500):
            url = f"{BASE}/{slug}/{part}/?page_size={page_size}"
            counts[slug, page_size], data = count_queries(api, url)
            assert data["count"] == n
            assert len(data["results"]) == min(page_size, n)
    # The last page really embedded hundreds of rows (sessions with their speakers).
    assert len(data["results"]) == 300
    if part == "sessions":
        assert all(s["speakers"] and s["room"] and s["track"] for s in data["results"])
    assert set(counts.values()) == {QUERIES[part]}, counts


def test_filtered_list_queries_do_not_grow_either(api, db):
    build_event("big", 300)
    url = f"{BASE}/big/sessions/?page_size=500"
    plain, _ = count_queries(api, url)
    filtered, data = count_queries(
        api, f"{url}&track=track-1&track=track-2&q=session&day=2030-05-07"
    )
    assert 0 < data["count"] < 150
    # One query per kind of filter value looked up (slugs, not rows).
    assert filtered <= plain + 2


def test_detail_and_small_list_queries_are_few(api, conf):
    counted = {
        url: count_queries(api, f"{BASE}/{url}")[0]
        for url in (
            "cnc30/sessions/future-of-containers/",
            "cnc30/speakers/dan-kohn/",
            "cnc30/rooms/",
            "cnc30/tracks/",
            "cnc30/types/",
            "",
        )
    }
    assert counted == {
        "cnc30/sessions/future-of-containers/": 3,
        "cnc30/speakers/dan-kohn/": 2,
        "cnc30/rooms/": 3,
        "cnc30/tracks/": 3,
        "cnc30/types/": 3,
        "": 3,
    }


# --- conditional GETs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["sessions/", "sessions/kubernetes-101/", "speakers/", "speakers/kelsey-hightower/", "rooms/",
     "tracks/ops/", "types/"],
)  # fmt: skip
def test_etag_and_304(api, conf, path):
    url = f"{BASE}/cnc30/{path}"
    # A Last-Modified is given once the second of the last change is over.
    Event.objects.update(changed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    first = api.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first["Last-Modified"]
    again = api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert api.get(url, headers={"If-None-Match": f'"nope", {etag}'}).status_code == 304
    assert api.get(url, headers={"If-None-Match": '"nope"'}).status_code == 200


def test_a_change_to_the_event_gives_a_new_etag(api, conf):
    url = f"{BASE}/cnc30/sessions/"
    etag = api.get(url)["ETag"]
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 304
    conf.k101.title = "Kubernetes for everyone"
    conf.k101.save()
    changed = api.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Kubernetes for everyone" in changed.content.decode()
    assert api.get(url, headers={"If-None-Match": changed["ETag"]}).status_code == 304
    # A change to a room of the event counts too (its name is embedded in sessions).
    conf.spare.name = "Spare hall"
    conf.spare.save()
    assert api.get(url, headers={"If-None-Match": changed["ETag"]}).status_code == 200


def test_etag_differs_between_queries(api, conf):
    a = api.get(f"{BASE}/cnc30/sessions/?track=ops")["ETag"]
    b = api.get(f"{BASE}/cnc30/sessions/?track=dev")["ETag"]
    assert a != b
    response = api.get(f"{BASE}/cnc30/sessions/?track=dev", headers={"If-None-Match": a})
    assert response.status_code == 200


# --- throttling ----------------------------------------------------------------------


@pytest.fixture
def low_rates(settings, monkeypatch):
    rates = {"anon": "3/minute", "user": "5/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF reads the rates once, into a class attribute, when it is imported.
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", rates)


def test_anonymous_requests_are_throttled(api, conf, low_rates):
    url = f"{BASE}/cnc30/sessions/"
    for _ in range(3):
        assert api.get(url).status_code == 200
    fourth = api.get(url)
    assert fourth.status_code == 429
    assert "throttled" in fourth.json()["detail"].lower()
    assert int(fourth["Retry-After"]) > 0
    # Every route counts against the same allowance.
    assert api.get(f"{BASE}/").status_code == 429


def test_users_are_throttled_at_their_own_rate(api, conf, low_rates, people, as_user):
    client = as_user(people.a)
    url = f"{BASE}/cnc30/rooms/"
    for _ in range(5):
        assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


@pytest.mark.parametrize("name", ["track", "type", "room", "speaker", "q", "day", "updated_since"])
def test_nul_characters_are_a_400_not_a_server_error(api, conf, name):
    # PostgreSQL refuses NUL in text: such a value must be stopped before the database.
    body = get_json(api, f"{BASE}/cnc30/sessions/", {name: "ops\x00"}, status=400)
    assert list(body) == [name]
