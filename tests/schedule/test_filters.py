"""Filters of the list and the grid: day, track, type, room, speaker and q, alone and
combined; chips and counts; 400 with a message for bad values; htmx fragments."""

import datetime as dt
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
    conference,
)

pytestmark = pytest.mark.django_db

VIEWS = ["/cnc16/schedule/", "/cnc16/schedule/grid/"]


def titles(html, response) -> list[str]:
    """Titles of the sessions shown, in page order, for the list and the grid alike."""
    dom = html.dom(response)
    found = []
    for article in html.find_all(dom, "article", "session"):
        heading = html.find(article, "h4")
        link = html.find_all(heading, "a")
        if link:
            found.append(html.text(link[0]))
        else:  # a break: its type, then its title
            label = html.text(html.find(heading, "span", "break-label"))
            found.append(html.text(heading).removeprefix(label).strip())
    for td in html.find_all(dom, "td", "grid-session"):
        found.append(html.text(html.find(td, None, "grid-title")))
    return found


def count(html, response) -> str:
    return html.text(html.find(html.dom(response), "strong", "match-count"))


def shown(client, html, url, status=200, **headers) -> list[str]:
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code)
    return sorted(titles(html, response))


ALL = sorted(
    [
        "Breakfast", "Opening keynote", "Kubernetes 101", "Helm charts in practice",
        "The future of containers", "Service mesh deep dive", "Prometheus at scale",
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("day=all", ALL),
        ("day=2016-11-09", ["Prometheus at scale"]),
        ("track=ops", ["Kubernetes 101", "Prometheus at scale"]),
        ("track=ops&track=dev", sorted([
            "Kubernetes 101", "Prometheus at scale", "Helm charts in practice",
            "The future of containers", "Service mesh deep dive",
        ])),
        ("type=panel", ["The future of containers"]),
        ("type=meal&type=keynote", ["Breakfast", "Opening keynote"]),
        ("room=ballroom-b", ["Helm charts in practice", "Service mesh deep dive"]),
        ("room=ballroom-a&room=room-401", sorted([
            "Opening keynote", "Kubernetes 101", "The future of containers",
            "Prometheus at scale",
        ])),
        ("speaker=kelsey-hightower", ["Kubernetes 101", "Prometheus at scale"]),
        # A moderator is one of the session's people too.
        ("speaker=dan-kohn", ["Opening keynote", "The future of containers"]),
        ("speaker=dan-kohn&speaker=kelsey-hightower", sorted([
            "Opening keynote", "The future of containers", "Kubernetes 101",
            "Prometheus at scale",
        ])),
        ("q=kubernetes", ["Kubernetes 101"]),
        ("q=KUBERNETES", ["Kubernetes 101"]),
        ("q=pods+kubernetes", ["Kubernetes 101"]),  # title and abstract
        ("q=kubernetes+helm", []),  # every word must match
        ("q=sidecars", ["Service mesh deep dive"]),  # the abstract only
        ("q=novotny", ["Service mesh deep dive", "The future of containers"]),  # speaker
        ("q=hightower+monitoring", ["Prometheus at scale"]),  # speaker and abstract
        ("q=roadmap", []),  # drafts are never found
        ("q=++", ALL),  # only spaces: no search
        ("track=ops&day=2016-11-08", ["Kubernetes 101"]),
        ("track=dev&type=talk&room=ballroom-b&q=helm", ["Helm charts in practice"]),
        ("track=dev&speaker=sarah-novotny&day=2016-11-08", sorted([
            "The future of containers", "Service mesh deep dive",
        ])),
        ("track=ops&q=kubernetes&day=2016-11-09", []),
    ],
)  # fmt: skip
def test_filters(client, conf, html, query, expected):
    for view in VIEWS:
        assert shown(client, html, f"{view}?{query}") == expected, view


@pytest.mark.parametrize("view", VIEWS)
def test_count_of_matching_sessions(client, conf, html, view):
    assert count(html, client.get(view)) == "7 sessions"
    assert count(html, client.get(f"{view}?type=panel")) == "1 session"
    assert count(html, client.get(f"{view}?track=ops")) == "2 sessions"
    response = client.get(f"{view}?q=nothing+matches+this")
    assert count(html, response) == "0 sessions"
    assert "No sessions match these filters." in html.text(html.dom(response))


@pytest.mark.parametrize("view", VIEWS)
def test_active_filters_are_chips_that_remove_themselves(client, conf, html, view):
    response = client.get(f"{view}?track=ops&track=dev&q=kubernetes")
    dom = html.dom(response)
    chips = {html.text(a): html.attr(a, "href") for a in html.find_all(dom, "a", "filter-chip")}
    # Chips name tracks as visitors know them, not by slug.
    assert set(chips) == {"track: Operations ×", "track: Development ×", "search: kubernetes ×"}
    assert parse_qs(urlsplit(chips["track: Operations ×"]).query) == {
        "track": ["dev"], "q": ["kubernetes"],
    }  # fmt: skip
    # Links carry the filters in their one canonical order (the page's cache key).
    assert parse_qs(urlsplit(chips["search: kubernetes ×"]).query) == {"track": ["dev", "ops"]}
    clear = html.find(dom, "a", "clear-filters")
    assert html.text(clear) == "Clear filters"
    assert html.attr(clear, "href") == view


@pytest.mark.parametrize("view", VIEWS)
def test_no_chips_without_filters(client, conf, html, view):
    dom = html.dom(client.get(view))
    assert html.find_all(dom, "a", "filter-chip") == []
    assert html.find_all(dom, "a", "clear-filters") == []


def test_filter_panel_marks_chosen_options(client, conf, html):
    dom = html.dom(client.get("/cnc16/schedule/?track=ops&room=ballroom-a&q=pods"))
    checked = {
        (html.attr(i, "name"), html.attr(i, "value"))
        for i in html.find_all(dom, "input", type="checkbox")
        if "checked" in dict(i.attributes)
    }
    assert checked == {("track", "ops"), ("room", "ballroom-a")}
    search = html.find(dom, "input", id="f-q")
    assert html.attr(search, "value") == "pods"


def test_day_picker_keeps_other_filters(client, conf, html):
    dom = html.dom(client.get("/cnc16/schedule/?track=ops&day=2016-11-09"))
    links = {html.text(a): a for a in html.find_all(html.find(dom, "nav", "day-picker"), "a")}
    assert list(links) == ["All days", "Tue Nov 8", "Wed Nov 9"]
    assert html.attr(links["Wed Nov 9"], "aria-current") == "true"
    assert parse_qs(urlsplit(html.attr(links["Tue Nov 8"], "href")).query) == {
        "track": ["ops"], "day": ["2016-11-08"],
    }  # fmt: skip


BAD = [
    ("track=nope", "nope"),
    ("track=ops&track=nope", "nope"),
    ("type=nope", "nope"),
    ("room=nope", "nope"),
    ("speaker=nobody-here", "nobody-here"),
    ("day=2030-13-45", "2030-13-45"),
    ("day=tomorrow", "tomorrow"),
    ("day=2016-11-10", "2016-11-10"),  # the day after the event
    ("day=2016-11-07", "2016-11-07"),  # the day before
    ("day=08.11.2016", "08.11.2016"),
    ("track=%3Cb%3Ebold%3C%2Fb%3E", "<b>bold</b>"),  # shown escaped
    ("q=" + "x" * 201, "q"),
    ("q=a%00b", "q"),
    ("track=a%00b", "track"),
    ("day=2016-11-08%00", "day"),
]


@pytest.mark.parametrize(("query", "named"), BAD)
def test_bad_filter_values_give_400_naming_them(client, conf, html, query, named):
    for view, heading in zip(VIEWS, ["Schedule", "Schedule by room"], strict=True):
        response = client.get(f"{view}?{query}")
        assert response.status_code == 400, view
        dom = html.dom(response)
        alert = html.find(dom, "div", role="alert")
        assert named in html.text(alert)
        assert html.text(html.find(dom, "h1")) == heading  # the whole page, with a message
        assert html.find_all(alert, "a", href=view)  # and a way out
        assert titles(html, response) == []
        if named == "<b>bold</b>":
            assert b"<b>bold</b>" not in response.content


@pytest.mark.parametrize("view", VIEWS)
def test_slugs_of_another_event_are_unknown(client, conf, html, view):
    other = EventFactory(slug="other-conf")
    TrackFactory(event=other, slug="security")
    RoomFactory(event=other, slug="hall-z")
    SpeakerFactory(event=other, slug="someone-else")
    for query, value in [
        ("track=security", "security"),
        ("room=hall-z", "hall-z"),
        ("speaker=someone-else", "someone-else"),
    ]:
        response = client.get(f"{view}?{query}")
        assert response.status_code == 400
        assert value in html.text(html.find(html.dom(response), "div", role="alert"))


def test_error_message_text(client, conf, html):
    response = client.get("/cnc16/schedule/?track=nope&day=tomorrow")
    assert response.status_code == 400
    messages = [
        html.text(li) for li in html.find_all(html.find(html.dom(response), "div", role="alert"),
                                              "li")
    ]  # fmt: skip
    assert sorted(messages) == [
        "day: “tomorrow” is not a date; use YYYY-MM-DD.",
        "track: There is no track “nope” in this event.",
    ]


@pytest.mark.parametrize("view", VIEWS)
def test_htmx_gets_only_the_results(client, conf, html, view):
    response = client.get(f"{view}?track=ops", headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "<h1" not in content
    assert "filter-panel" not in content
    assert sorted(titles(html, response)) == ["Kubernetes 101", "Prometheus at scale"]
    assert count(html, response) == "2 sessions"
    assert html.find_all(html.dom(response), "a", "filter-chip")


@pytest.mark.parametrize("view", VIEWS)
def test_htmx_bad_value_gets_400_fragment(client, conf, html, view):
    response = client.get(f"{view}?room=nope", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert b"<html" not in response.content
    assert "nope" in html.text(html.find(html.dom(response), "div", role="alert"))


@pytest.mark.parametrize("view", VIEWS)
def test_full_page_and_fragment_are_cached_apart(client, conf, html, view):
    full = client.get(f"{view}?track=ops")
    fragment = client.get(f"{view}?track=ops", headers={"HX-Request": "true"})
    again = client.get(f"{view}?track=ops")
    assert b"<html" in full.content
    assert b"<html" not in fragment.content
    assert b"<html" in again.content
    assert full["ETag"] != fragment["ETag"]
    assert "HX-Request" in full["Vary"]


# During the event the list opens on today ------------------------------------


@pytest.fixture
def live_event(db):
    """An event in Berlin that started yesterday and ends tomorrow, Berlin time."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    today = timezone.now().astimezone(berlin).date()
    event = EventFactory(
        slug="live-conf", timezone="Europe/Berlin",
        start_date=today - dt.timedelta(days=1), end_date=today + dt.timedelta(days=1),
    )  # fmt: skip
    room = RoomFactory(event=event)
    for offset, title in [(-1, "Yesterday's talk"), (0, "Today's talk"), (1, "Tomorrow's talk")]:
        day = today + dt.timedelta(days=offset)
        session = SessionFactory(
            event=event, title=title, room=room,
            starts_at=dt.datetime.combine(day, dt.time(10), tzinfo=berlin),
            ends_at=dt.datetime.combine(day, dt.time(11), tzinfo=berlin),
        )  # fmt: skip
        SessionSpeakerFactory(session=session)
    assert event.phase() == "live"
    return event, today


@pytest.mark.parametrize("view", ["/live-conf/schedule/", "/live-conf/schedule/grid/"])
def test_live_event_opens_on_today(client, live_event, html, view):
    event, today = live_event
    response = client.get(view)
    assert titles(html, response) == ["Today's talk"]
    dom = html.dom(response)
    active = html.find(html.find(dom, "nav", "day-picker"), "a", "active")
    assert html.text(active) == f"{today:%a} {today:%b} {today.day}"
    assert "Happening now" in html.text(dom)
    # day=all shows every day; another day can be chosen.
    assert sorted(titles(html, client.get(f"{view}?day=all"))) == [
        "Today's talk", "Tomorrow's talk", "Yesterday's talk",
    ]  # fmt: skip
    tomorrow = today + dt.timedelta(days=1)
    assert titles(html, client.get(f"{view}?day={tomorrow.isoformat()}")) == ["Tomorrow's talk"]
    # Filters apply to today's sessions.
    assert titles(html, client.get(f"{view}?q=tomorrow")) == []
    assert titles(html, client.get(f"{view}?q=tomorrow&day=all")) == ["Tomorrow's talk"]


# Exports follow the view (issue 14) ---------------------------------------------------


def ics_titles(content: bytes) -> list[str]:
    import icalendar

    calendar = icalendar.Calendar.from_ical(content)
    return sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("track=ops", ["Kubernetes 101", "Prometheus at scale"]),
        ("track=ops&day=2016-11-08", ["Kubernetes 101"]),
        ("type=panel", ["The future of containers"]),
        ("speaker=kelsey-hightower&q=monitoring", ["Prometheus at scale"]),
        ("", ALL),
    ],
)
def test_the_ics_export_holds_what_the_filtered_view_shows(client, conf, html, query, expected):
    response = client.get(f"/cnc16/schedule.ics?{query}")
    assert response.status_code == 200
    assert ics_titles(response.content) == expected
    assert shown(client, html, f"/cnc16/schedule/?{query}") == expected


def test_frab_exports_follow_the_filter_too(client, conf):
    import json

    document = json.loads(client.get("/cnc16/schedule.json?room=ballroom-b").content)
    titles = sorted(
        event["title"]
        for day in document["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
    )
    assert titles == ["Helm charts in practice"]  # (frab leaves the cancelled one out)
    xml = client.get("/cnc16/schedule.xml?room=ballroom-b").content.decode()
    assert "Helm charts in practice" in xml and "Kubernetes 101" not in xml


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("track=nope", "There is no track “nope” in this event."),
        ("day=2016-13-01", "“2016-13-01” is not a date"),
        ("room=ballroom-a&speaker=nobody", "There is no speaker “nobody” in this event."),
    ],
)
@pytest.mark.parametrize("fmt", ["ics", "xml", "json"])
def test_exports_refuse_bad_filter_values_with_400_naming_them(client, conf, query, named, fmt):
    response = client.get(f"/cnc16/schedule.{fmt}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert named in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/cnc16/schedule/", "/cnc16/schedule/grid/", "/cnc16/schedule.ics", "/cnc16/"]
)
def test_unknown_parameters_neither_render_nor_store_a_page_of_their_own(client, conf, path):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(path)
    entries = len(cache._cache)
    for junk in ("bust=1", "bust=2&utm_source=x", "track_=ops"):
        with CaptureQueriesContext(connection) as queries:
            again = client.get(f"{path}?{junk}")
        assert again.status_code == 200
        assert again.content == first.content and again["ETag"] == first["ETag"]
        assert len(queries) <= 2  # the event (and for stars, the agenda): no render
    assert len(cache._cache) == entries  # nothing stored under a new key


def test_each_filterset_has_filters_of_its_own_sharing_what_never_changes(conf):
    """A SessionFilter's filters are copies (``filters.CopiedLightly``): each has its own form
    field arguments, queryset and method bound to its own filterset, while the labels
    and messages of the class's filters are shared, not copied for every request."""
    from django.http import QueryDict

    from schedule.filters import SessionFilter
    from schedule.models import Session

    other = conference(start=dt.date(2030, 11, 2)).event  # cnc30
    sessions = {e.slug: Session.objects.for_schedule(e) for e in (conf.event, other)}
    query = QueryDict("speaker=kelsey-hightower&track=ops&day=2016-11-08")
    ours = SessionFilter(query, sessions["cnc16"], event=conf.event)
    theirs = SessionFilter(QueryDict("speaker=kelsey-hightower"), sessions["cnc30"], event=other)
    base = SessionFilter.base_filters
    for name, kept in base.items():
        assert ours.filters[name] is not kept and ours.filters[name] is not theirs.filters[name]
        assert ours.filters[name].extra is not kept.extra
        assert ours.filters[name].label is kept.label
        assert kept.extra.items() <= ours.filters[name].extra.items()
    messages = base["speaker"].extra["error_messages"]
    assert ours.filters["speaker"].extra["error_messages"] is messages
    assert ours.filters["day"].extra["event"] == conf.event
    assert theirs.filters["day"].extra["event"] == other and "event" not in base["day"].extra
    assert "_field" not in vars(base["track"]) and "_field" not in vars(base["speaker"])
    # Each method filter calls its own filterset's method.
    assert ours.filters["speaker"].filter.f is ours.filters["speaker"]
    assert ours.filters["speaker"].parent is ours and theirs.filters["q"].parent is theirs
    assert [s.title for s in ours.qs] == ["Kubernetes 101"]
    assert [s.title for s in theirs.qs] == ["Kubernetes 101", "Prometheus at scale"]
    assert SessionFilter(QueryDict("speaker=kelsey-hightower"), sessions["cnc16"],
                         event=conf.event).qs.count() == 2  # fmt: skip
