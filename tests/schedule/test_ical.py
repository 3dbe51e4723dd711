"""iCalendar exports (issue 4): the whole schedule, one session, and the personal
agenda's subscription feed, each parsed back with ``icalendar`` and checked field by
field against what the database holds."""

import datetime as dt
import re
import zoneinfo
from types import SimpleNamespace

import icalendar
import pytest
from django.test import Client

from schedule.models import Session, SessionSpeaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
ICS = "text/calendar; charset=utf-8"
HOSTILE = 'Evil; title, with\nnew lines\\ a backslash: "quotes"\nEND:VEVENT\nBEGIN:VEVENT'


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LA)


@pytest.fixture
def pdx(db):
    """An event in America/Los_Angeles around the end of daylight saving time
    (Sunday 2030-11-03, 02:00 PDT becomes 01:00 PST)."""
    sat, mon = dt.date(2030, 11, 2), dt.date(2030, 11, 4)
    event = EventFactory(
        slug="pdx30",
        name="Cascadia Code 2030",
        timezone="America/Los_Angeles",
        start_date=sat,
        end_date=mon,
    )
    hall = RoomFactory(event=event, name="Hall A")
    annex = RoomFactory(event=event, name="Annex, 2nd floor")
    track = TrackFactory(event=event, name="Web")
    ada = SpeakerFactory(event=event, name="Ada Lovelace")
    grace = SpeakerFactory(event=event, name="Grace Hopper")
    dan = SpeakerFactory(event=event, name="Dan Moderator")

    def session(title, start, minutes=45, room=hall, **kwargs):
        return SessionFactory(
            event=event,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            room=room,
            **kwargs,
        )

    before = session(
        "Before the change",
        local(sat, 10),
        track=track,
        abstract="An **important** talk with <em>inline HTML</em> and a "
        "[link](https://example.org/more).\n\n* first point\n* second point",
    )
    SessionSpeakerFactory(session=before, speaker=ada, position=0)
    SessionSpeakerFactory(session=before, speaker=grace, position=1)
    SessionSpeakerFactory(
        session=before, speaker=dan, position=2, role=SessionSpeaker.Role.MODERATOR
    )
    night = session(
        "In the repeated hour", dt.datetime(2030, 11, 3, 9, 30, tzinfo=dt.UTC), 30, room=annex
    )  # 01:30 PST, the second 01:30 of that night
    after = session("After the change", local(mon, 10), room=annex, abstract="Plain words.")
    cancelled = session("Called off", local(sat, 14), status=Session.Status.CANCELLED)
    draft = session("Not yet announced", local(sat, 15), status=Session.Status.DRAFT)
    hostile = session(HOSTILE, local(mon, 13), abstract="Semi; colons, commas\\ too")
    unscheduled = SessionFactory(event=event, title="Some day", starts_at=None, ends_at=None)
    return SimpleNamespace(
        event=event,
        hall=hall,
        annex=annex,
        ada=ada,
        grace=grace,
        dan=dan,
        before=before,
        night=night,
        after=after,
        cancelled=cancelled,
        draft=draft,
        hostile=hostile,
        unscheduled=unscheduled,
    )


def get_ics(client, path: str, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Type"] == ICS
    return response, icalendar.Calendar.from_ical(response.content)


def vevents(calendar) -> dict[str, icalendar.Event]:
    """VEVENTs by the session guid in their UID."""
    found = {}
    for component in calendar.walk("VEVENT"):
        uid = str(component["UID"])
        match = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", uid)
        assert match, uid
        found[match.group()] = component
    return found


def check_vevent(vevent, session: Session, base="http://testserver"):
    """Every field of one VEVENT against the stored session."""
    url = f"{base}/{session.event.slug}/sessions/{session.slug}/"
    assert str(session.guid) in str(vevent["UID"])
    assert isinstance(vevent.decoded("DTSTAMP"), dt.datetime)
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert start == session.starts_at and end == session.ends_at
    assert start.utcoffset() == dt.timedelta(0), "times are written in UTC"
    # A title is one line: line breaks in it come out as spaces.
    assert str(vevent["SUMMARY"]) == " ".join(session.title.splitlines())
    # The place: room and venue.
    assert str(vevent["LOCATION"]) == f"{session.room.name}, {session.event.venue_name}"
    assert str(vevent["URL"]) == url
    description = str(vevent["DESCRIPTION"])
    assert url in description
    assert "**" not in description and "<" not in description and ">" not in description
    assert session.abstract_text and session.abstract_text in description
    expected = "CANCELLED" if session.is_cancelled else "CONFIRMED"
    assert str(vevent["STATUS"]) == expected


def test_schedule_ics_calendar_properties(pdx):
    response, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    assert str(calendar["X-WR-CALNAME"]) == "Cascadia Code 2030"
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    assert 'filename="pdx30.ics"' in response["Content-Disposition"]


def test_schedule_ics_events_field_by_field(pdx):
    _, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    events = vevents(calendar)
    public = [pdx.before, pdx.night, pdx.after, pdx.cancelled, pdx.hostile]
    assert set(events) == {str(s.guid) for s in public}
    for session in public:
        check_vevent(events[str(session.guid)], session)


def test_description_is_plain_text_with_speakers_and_link(pdx):
    _, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    description = str(vevents(calendar)[str(pdx.before.guid)]["DESCRIPTION"])
    assert description.startswith("An important talk with inline HTML and a link.")
    assert "first point" in description and "second point" in description
    assert "Speakers: Ada Lovelace, Grace Hopper" in description
    assert "Moderated by: Dan Moderator" in description
    assert "Dan Moderator" not in description.split("Moderated by")[0]


def test_cancelled_session_is_marked_cancelled(pdx):
    _, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    assert str(vevents(calendar)[str(pdx.cancelled.guid)]["STATUS"]) == "CANCELLED"


def test_drafts_and_unscheduled_sessions_never_appear(pdx):
    response, _ = get_ics(Client(), "/pdx30/schedule.ics")
    for session in (pdx.draft, pdx.unscheduled):
        assert str(session.guid).encode() not in response.content
        assert session.title.encode() not in response.content
    assert Client().get(f"/pdx30/sessions/{pdx.draft.slug}.ics").status_code == 404
    assert Client().get(f"/pdx30/sessions/{pdx.unscheduled.slug}.ics").status_code == 404


def test_times_on_both_sides_of_the_dst_change(pdx):
    _, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    events = vevents(calendar)
    # 10:00 PDT (UTC-7) on Saturday, 10:00 PST (UTC-8) on Monday.
    assert events[str(pdx.before.guid)].decoded("DTSTART") == dt.datetime(
        2030, 11, 2, 17, 0, tzinfo=dt.UTC
    )
    assert events[str(pdx.after.guid)].decoded("DTSTART") == dt.datetime(
        2030, 11, 4, 18, 0, tzinfo=dt.UTC
    )
    assert events[str(pdx.night.guid)].decoded("DTEND") == dt.datetime(
        2030, 11, 3, 10, 0, tzinfo=dt.UTC
    )
    assert b"DTSTART:20301102T170000Z" in Client().get("/pdx30/schedule.ics").content


def test_uid_is_stable_across_requests_and_edits(pdx):
    _, first = get_ics(Client(), "/pdx30/schedule.ics")
    _, second = get_ics(Client(), "/pdx30/schedule.ics")
    uids = {guid: str(e["UID"]) for guid, e in vevents(first).items()}
    assert uids == {guid: str(e["UID"]) for guid, e in vevents(second).items()}

    pdx.before.title = "Before the change (new title)"
    pdx.before.starts_at += dt.timedelta(hours=1)
    pdx.before.ends_at += dt.timedelta(hours=1)
    pdx.before.room = pdx.annex
    pdx.before.save()
    _, edited = get_ics(Client(), "/pdx30/schedule.ics")
    after_edit = vevents(edited)
    assert {guid: str(e["UID"]) for guid, e in after_edit.items()} == uids
    vevent = after_edit[str(pdx.before.guid)]
    assert str(vevent["SUMMARY"]) == "Before the change (new title)"  # a fresh render
    check_vevent(vevent, pdx.before)


def test_hostile_title_is_escaped(pdx):
    response, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    vevent = vevents(calendar)[str(pdx.hostile.guid)]
    assert str(vevent["SUMMARY"]) == " ".join(HOSTILE.splitlines())
    assert str(vevent["DESCRIPTION"]).startswith("Semi; colons, commas\\ too")
    # Nothing in the title starts a line of its own: one VEVENT per session.
    assert response.content.count(b"\r\nEND:VEVENT\r\n") == 5
    assert b"Evil\\; title\\, with new lines" in response.content


def test_carriage_returns_in_a_title_cannot_break_lines(pdx):
    pdx.hostile.title = "One\rEND:VEVENT\r\nTwo"
    pdx.hostile.save()
    response, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    assert re.search(rb"\r(?!\n)", response.content) is None  # no bare CR
    assert response.content.count(b"\r\nEND:VEVENT\r\n") == 5
    # A title is one line: its CR and CRLF come out as spaces.
    assert str(vevents(calendar)[str(pdx.hostile.guid)]["SUMMARY"]) == "One END:VEVENT Two"


def test_session_ics_holds_one_session(pdx):
    response, calendar = get_ics(Client(), f"/pdx30/sessions/{pdx.before.slug}.ics")
    assert str(calendar["X-WR-CALNAME"]) == pdx.before.title
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    events = vevents(calendar)
    assert list(events) == [str(pdx.before.guid)]
    check_vevent(events[str(pdx.before.guid)], pdx.before)
    assert "attachment" in response["Content-Disposition"]


def test_session_ics_of_a_cancelled_session(pdx):
    _, calendar = get_ics(Client(), f"/pdx30/sessions/{pdx.cancelled.slug}.ics")
    vevent = vevents(calendar)[str(pdx.cancelled.guid)]
    check_vevent(vevent, pdx.cancelled)


def test_session_ics_uid_matches_the_schedule(pdx):
    _, whole = get_ics(Client(), "/pdx30/schedule.ics")
    _, one = get_ics(Client(), f"/pdx30/sessions/{pdx.after.slug}.ics")
    guid = str(pdx.after.guid)
    assert str(vevents(one)[guid]["UID"]) == str(vevents(whole)[guid]["UID"])


def feed_path(client, event_slug: str) -> str:
    page = client.get(f"/{event_slug}/agenda/")
    match = re.search(
        r'id="feed-https"[^>]*value="http://testserver(/[^"]+)"', page.content.decode()
    )
    assert match, "the agenda page shows the subscription link"
    return match.group(1)


def test_agenda_feed_holds_the_starred_sessions(pdx):
    client = Client()
    for session in (pdx.before, pdx.cancelled, pdx.after):
        assert client.post(f"/pdx30/agenda/{session.slug}/add").status_code == 302
    path = feed_path(client, "pdx30")
    # A calendar app has no cookies: the URL alone gives the feed.
    response, calendar = get_ics(Client(), path)
    assert str(calendar["X-WR-CALNAME"]) == "Cascadia Code 2030 · my agenda"
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    events = vevents(calendar)
    assert set(events) == {str(pdx.before.guid), str(pdx.cancelled.guid), str(pdx.after.guid)}
    for session in (pdx.before, pdx.cancelled, pdx.after):
        check_vevent(events[str(session.guid)], session)
    assert str(events[str(pdx.cancelled.guid)]["STATUS"]) == "CANCELLED"

    # The same UIDs as in the whole schedule, so calendars do not double them.
    _, whole = get_ics(Client(), "/pdx30/schedule.ics")
    for guid, vevent in events.items():
        assert str(vevent["UID"]) == str(vevents(whole)[guid]["UID"])


def test_agenda_feed_follows_the_agenda_and_hides_new_drafts(pdx):
    client = Client()
    client.post(f"/pdx30/agenda/{pdx.before.slug}/add")
    client.post(f"/pdx30/agenda/{pdx.after.slug}/add")
    path = feed_path(client, "pdx30")
    Session.objects.filter(pk=pdx.after.pk).set_status(Session.Status.DRAFT)
    client.post(f"/pdx30/agenda/{pdx.night.slug}/add")
    _, calendar = get_ics(Client(), path)
    assert set(vevents(calendar)) == {str(pdx.before.guid), str(pdx.night.guid)}


def test_every_vevent_has_a_location_breaks_included(pdx):
    pause = SessionFactory(
        event=pdx.event, title="Coffee", status=Session.Status.PUBLISHED, room=None,
        starts_at=local(dt.date(2030, 11, 2), 11), ends_at=local(dt.date(2030, 11, 2), 11, 30),
    )  # fmt: skip
    _, calendar = get_ics(Client(), "/pdx30/schedule.ics")
    events = vevents(calendar)
    assert all("LOCATION" in vevent for vevent in events.values())
    assert str(events[str(pause.guid)]["LOCATION"]) == pdx.event.venue_name
    assert str(events[str(pdx.before.guid)]["LOCATION"]) == f"Hall A, {pdx.event.venue_name}"


def test_sequence_goes_up_when_time_or_room_changes(pdx):
    _, calendar = get_ics(Client(), f"/pdx30/sessions/{pdx.after.slug}.ics")
    first = int(vevents(calendar)[str(pdx.after.guid)]["SEQUENCE"])
    pdx.after.refresh_from_db()
    assert first == pdx.after.version
    pdx.after.starts_at += dt.timedelta(hours=1)
    pdx.after.ends_at += dt.timedelta(hours=1)
    pdx.after.room = pdx.hall
    pdx.after.save()
    _, calendar = get_ics(Client(), f"/pdx30/sessions/{pdx.after.slug}.ics")
    assert int(vevents(calendar)[str(pdx.after.guid)]["SEQUENCE"]) > first


def _icalendar_lines(exporter, sessions) -> bytes:
    """The calendar as the icalendar package wrote it before issue 13 (its Calendar for
    the head, its value types for escaping, its Contentline for folding): the writer in
    schedule/exporters.py must give these bytes."""
    from icalendar.parser import Contentline
    from icalendar.prop import vCategory, vText, vUri

    from schedule.display import url_for
    from schedule.exporters import ical_utc

    def line(name, value) -> bytes:
        return Contentline(f"{name}:{value}").to_ical() + b"\r\n"

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Lineup//Conference schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", exporter.name)
    cal.add("x-wr-timezone", exporter.event.timezone)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(dt.timedelta(hours=1)).to_ical().decode())
    stamp = ical_utc(exporter.event.changed_at)
    body = b""
    for s in sessions:
        url = exporter.absolute(url_for("session_detail", exporter.event.slug, s.slug))
        parts = [s.abstract_text]
        if s.speakers:
            parts.append("Speakers: " + ", ".join(p.name for p in s.speakers))
        if s.moderators:
            parts.append("Moderated by: " + ", ".join(p.name for p in s.moderators))
        parts.append(url)
        text = lambda v: vText(v).to_ical().decode()  # noqa: E731
        lines = [
            ("SUMMARY", text(s.title)),
            ("DTSTART", ical_utc(s.starts_at)),
            ("DTEND", ical_utc(s.ends_at)),
            ("DTSTAMP", stamp),
            ("UID", text(f"{s.guid}@{exporter.event.slug}.lineup")),
        ]
        if s.track:
            lines.append(("CATEGORIES", vCategory([s.track.name]).to_ical().decode()))
        lines.append(("DESCRIPTION", text("\n\n".join(p for p in parts if p))))
        lines.append(("LAST-MODIFIED", ical_utc(s.updated_at)))
        room = f"{s.room.name}, {exporter.venue}" if s.room else exporter.location_without_room
        lines.append(("LOCATION", text(room)))
        lines.append(("SEQUENCE", str(s.version)))
        lines.append(("STATUS", "CANCELLED" if s.is_cancelled else "CONFIRMED"))
        lines.append(("URL", vUri(url).to_ical().decode()))
        body += b"BEGIN:VEVENT\r\n" + b"".join(line(*pair) for pair in lines) + b"END:VEVENT\r\n"
    head = cal.to_ical()
    return head[: -len(b"END:VCALENDAR\r\n")] + body + b"END:VCALENDAR\r\n"


def test_a_literal_backslash_n_in_a_title_stays_on_its_line(pdx):
    """RFC 5545: a backslash in a TEXT value is written "\\\\"; the two characters
    "\\N" are not a line break (the icalendar package's writer makes them one)."""
    from schedule.exporters import ICalExporter
    from schedule.rows import load_rows

    pdx.before.title = "C:\\New folder\\Notes"
    pdx.before.save()
    rows = load_rows(Session.objects.for_schedule(pdx.event), pdx.event)
    body = ICalExporter(pdx.event, "http://testserver/").render(rows)
    assert b"SUMMARY:C:\\\\New folder\\\\Notes\r\n" in body
    titles = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    assert "C:\\New folder\\Notes" in titles


def test_calendar_bytes_are_those_icalendar_wrote(pdx):
    """The direct writer (no icalendar objects: a fifth of the time) writes the very
    bytes the icalendar package wrote: escapes, folding inside multi-byte characters and
    after backslashes, categories, cancelled sessions. (One difference on purpose: a
    literal "\\N" stays a backslash and an N; icalendar makes it a line break.)"""
    from schedule.exporters import ICalExporter
    from schedule.rows import load_rows

    long = "Ünïcødé ✓ " * 12 + "a\\,b;c\\nd " + "语言" * 40 + "\\" * 80
    pdx.before.title = long[:300]
    pdx.before.abstract = long * 3 + "\r\nline\rend"
    pdx.before.save()
    # ASCII lines (folded in one pass): exactly 75 octets ("SUMMARY:" and 67), 74, an
    # escape as the 74th octet, carets and escaped commas all along.
    for session, title, abstract in (
        (pdx.after, "x" * 67, "comma, " * 30 + "^caret^ " * 20),
        (pdx.night, "y" * 66, "\\" * 200),
        (pdx.hostile, "a" * 65 + ", and more", "a, " * 100),
    ):
        session.title, session.abstract = title, abstract
        session.save()
    pdx.event.venue_name = "Hall; the big one, east"
    pdx.event.save()
    rows = load_rows(Session.objects.for_schedule(pdx.event), pdx.event)
    exporter = ICalExporter(pdx.event, "http://testserver/")
    assert any(r.is_cancelled for r in rows) and any(r.track for r in rows)
    assert exporter.render(rows) == _icalendar_lines(exporter, rows)
    # What the calendar reads (brief rows and three details) writes the same bytes.
    read = ICalExporter.read(Session.objects.for_schedule(pdx.event), pdx.event)
    assert exporter.render(read) == exporter.render(rows)
    one = ICalExporter(pdx.event, "http://testserver/", name=long)
    assert one.render(rows[:1]) == _icalendar_lines(one, rows[:1])
