"""Times on the public pages are in the event's zone with its abbreviation, across a
daylight-saving change, whatever the server's zone; exports stay in UTC."""

import datetime as dt
import zoneinfo

import icalendar
import pytest

from tests.factories import EventFactory, RoomFactory, SessionFactory

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def wall(year, month, day, hour, minute=0, *, tz=LA, fold=0) -> dt.datetime:
    """A wall-clock time in ``tz`` as an instant in UTC (as the database gives it back;
    Python subtracts two datetimes of one zone by their wall clocks, not in real time)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz, fold=fold).astimezone(UTC)


@pytest.fixture
def dst_event(db):
    """Seattle, Saturday 2030-11-02 to Monday 2030-11-04: DST ends Sunday at 2am."""
    event = EventFactory(
        slug="dst-conf", name="Fall Back Conf", timezone="America/Los_Angeles",
        start_date=dt.date(2030, 11, 2), end_date=dt.date(2030, 11, 4),
    )  # fmt: skip
    hall = RoomFactory(event=event, name="Hall", slug="hall", position=0)
    lab = RoomFactory(event=event, name="Lab", slug="lab", position=1)

    def session(title, slug, start, end, room):
        return SessionFactory(
            event=event, title=title, slug=slug, starts_at=start, ends_at=end, room=room
        )

    sessions = {
        "saturday": session(
            "Saturday morning", "saturday-morning",
            wall(2030, 11, 2, 10), wall(2030, 11, 2, 10, 40), hall,
        ),
        "late": session(  # 23:30 PDT is 06:30 UTC on Sunday
            "Saturday night", "saturday-night",
            wall(2030, 11, 2, 23, 30), wall(2030, 11, 3, 0, 0), hall,
        ),
        "overnight": session(  # 00:30 PDT to 03:00 PST: three and a half hours
            "Overnight hack", "overnight-hack",
            wall(2030, 11, 3, 0, 30), wall(2030, 11, 3, 3, 0), lab,
        ),
        "sunday": session(
            "Sunday after the change", "sunday-after",
            wall(2030, 11, 3, 9), wall(2030, 11, 3, 9, 30), hall,
        ),
        "monday": session(
            "Monday morning", "monday-morning",
            wall(2030, 11, 4, 10), wall(2030, 11, 4, 10, 40), hall,
        ),
    }  # fmt: skip
    assert sessions["late"].starts_at.astimezone(UTC).date() == dt.date(2030, 11, 3)
    assert sessions["overnight"].duration == dt.timedelta(hours=3, minutes=30)
    return event, sessions


def outline(html, response) -> list[tuple[str, list[str], list[str]]]:
    """[(day heading, [slot time, ...], [titles]), ...] of the list view."""
    found = []
    for day in html.find_all(html.dom(response), "section", "schedule-day"):
        found.append(
            (
                html.text(html.find(day, "h2")),
                [html.text(h3) for h3 in html.find_all(day, "h3", "slot-time")],
                [html.text(html.find(h4, "a")) for h4 in html.find_all(day, "h4")],
            )
        )
    return found


EXPECTED_OUTLINE = [
    ("Saturday, November 2", ["10:00am PDT", "11:30pm PDT"],
     ["Saturday morning", "Saturday night"]),
    ("Sunday, November 3", ["12:30am PDT", "9:00am PST"],
     ["Overnight hack", "Sunday after the change"]),
    ("Monday, November 4", ["10:00am PST"], ["Monday morning"]),
]  # fmt: skip


def test_list_uses_the_event_zone_across_the_dst_change(client, dst_event, html):
    assert outline(html, client.get("/dst-conf/schedule/")) == EXPECTED_OUTLINE


def test_server_time_zone_does_not_matter(client, dst_event, html, settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    assert outline(html, client.get("/dst-conf/schedule/")) == EXPECTED_OUTLINE


def test_times_in_the_session_list_rows(client, dst_event, html):
    dom = html.dom(client.get("/dst-conf/schedule/"))
    spans = [html.text(s) for s in html.find_all(dom, "span", "meta-time")]
    assert spans == [
        "10:00am – 10:40am", "11:30pm – 12:00am", "12:30am – 3:00am", "9:00am – 9:30am",
        "10:00am – 10:40am",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2030-11-02", ["Saturday morning", "Saturday night"]),
        ("2030-11-03", ["Overnight hack", "Sunday after the change"]),
        ("2030-11-04", ["Monday morning"]),
    ],
)
def test_day_filter_uses_local_days(client, dst_event, html, day, expected):
    (only,) = outline(html, client.get(f"/dst-conf/schedule/?day={day}"))
    assert only[2] == expected


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("saturday-morning", "Saturday November 2, 2030 10:00am – 10:40am PDT"),
        ("saturday-night", "Saturday November 2, 2030 11:30pm – Sunday November 3 12:00am PDT"),
        ("overnight-hack", "Sunday November 3, 2030 12:30am PDT – 3:00am PST"),
        ("sunday-after", "Sunday November 3, 2030 9:00am – 9:30am PST"),
        ("monday-morning", "Monday November 4, 2030 10:00am – 10:40am PST"),
    ],
)
def test_session_page_span(client, dst_event, html, slug, expected):
    dom = html.dom(client.get(f"/dst-conf/sessions/{slug}/"))
    assert html.text(html.find(html.find(dom, "dl", "session-facts"), "time")) == expected


def test_grid_rows_are_even_in_elapsed_time_across_the_change(client, dst_event, html):
    dom = html.dom(client.get("/dst-conf/schedule/grid/?day=2030-11-03"))
    body = html.find(dom, "tbody")
    rows = html.find_all(body, "tr")
    stamps = [
        dt.datetime.fromisoformat(html.attr(html.find(html.find(row, "th"), "time"), "datetime"))
        for row in rows
    ]
    # 00:30 PDT (07:30 UTC) to 09:30 PST (17:30 UTC): 20 rows of 30 minutes.
    assert stamps[0] == wall(2030, 11, 3, 0, 30)
    assert len(stamps) == 20
    assert all(b - a == dt.timedelta(minutes=30) for a, b in zip(stamps, stamps[1:], strict=False))
    labels = [html.text(html.find(row, "th")) for row in rows]
    assert labels[:6] == ["12:30am", "1:00am", "1:30am", "1:00am", "1:30am", "2:00am"]
    cells = {
        html.text(html.find(td, None, "grid-title")): td
        for td in html.find_all(body, "td", "grid-session")
    }
    assert html.attr(cells["Overnight hack"], "rowspan") == "7"  # 3.5 hours
    assert html.attr(cells["Sunday after the change"], "rowspan") == "1"
    # The 9:00am session sits on the 9:00am PST row, the last one.
    assert cells["Sunday after the change"] in rows[-1].children
    assert labels[-1] == "9:00am"


def test_ics_times_are_the_stored_instants_in_utc(client, dst_event):
    _, sessions = dst_event
    response = client.get("/dst-conf/schedule.ics")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    for session in sessions.values():
        vevent = events[session.title]
        assert vevent.decoded("DTSTART") == session.starts_at
        assert vevent.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        assert vevent.decoded("DTEND") == session.ends_at
    assert "DTSTART:20301103T073000Z" in response.content.decode()
    assert "DTEND:20301103T110000Z" in response.content.decode()


def test_a_session_after_local_midnight_east_of_utc(client, db, html):
    """Berlin, spring forward on 2030-03-31: 00:30 CET is 23:30 UTC the day before."""
    event = EventFactory(
        slug="berlin-conf", timezone="Europe/Berlin",
        start_date=dt.date(2030, 3, 30), end_date=dt.date(2030, 3, 31),
    )  # fmt: skip
    room = RoomFactory(event=event)
    for title, start in [
        ("Saturday talk", wall(2030, 3, 30, 18, tz=BERLIN)),
        ("Midnight talk", wall(2030, 3, 31, 0, 30, tz=BERLIN)),
        ("Sunday talk", wall(2030, 3, 31, 10, tz=BERLIN)),
    ]:
        SessionFactory(event=event, title=title, room=room, starts_at=start,
                       ends_at=start + dt.timedelta(minutes=30))  # fmt: skip
    assert outline(html, client.get("/berlin-conf/schedule/")) == [
        ("Saturday, March 30", ["6:00pm CET"], ["Saturday talk"]),
        ("Sunday, March 31", ["12:30am CET", "10:00am CEST"], ["Midnight talk", "Sunday talk"]),
    ]
    (only,) = outline(html, client.get("/berlin-conf/schedule/?day=2030-03-30"))
    assert only[2] == ["Saturday talk"]


def test_a_utc_event_says_utc(client, db, html):
    event = EventFactory(slug="utc-conf", timezone="UTC")
    SessionFactory(
        event=event,
        title="Talk in UTC",
        starts_at=wall(2030, 5, 6, 10, tz=UTC),
        ends_at=wall(2030, 5, 6, 11, tz=UTC),
    )
    assert outline(html, client.get("/utc-conf/schedule/")) == [
        ("Monday, May 6", ["10:00am UTC"], ["Talk in UTC"])
    ]
