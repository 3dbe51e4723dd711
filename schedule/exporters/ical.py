"""iCalendar (RFC 5545): the whole schedule, a filtered part, one session, an agenda."""

import datetime as dt

from django.utils.translation import gettext as _

from events.models import Event
from lib.text import clean_line

from ..display import url_for
from ..rows import Row
from .base import Exporter


class ICalExporter(Exporter):
    """RFC 5545 calendar, times in UTC, written line by line.

    The lines are those the icalendar package wrote (tests/schedule/test_ical_writer.py
    pins them against it): its TEXT escaping and its folding, without its value
    objects, which were most of the time of a large calendar.
    """

    content_type = "text/calendar; charset=utf-8"
    filename = "{slug}.ics"
    refresh = "PT1H"  # how often a subscribed calendar should look again

    def __init__(self, event: Event, base_url: str, *, name: str | None = None):
        super().__init__(event, base_url)
        self.name = clean_line(name or event.name)
        venue = clean_line(event.venue_name)
        self.venue = venue
        self.location_without_room = venue or clean_line(event.name)
        self.speakers_label = _("Speakers: %(names)s")
        self.moderators_label = _("Moderated by: %(names)s")

    def render(self, sessions: list[Row]) -> bytes:
        # Properties in the order icalendar gave them (its canonical four, the name, the
        # rest alphabetically); the X- values unescaped as it wrote them (a one-line
        # name needs no escape for the clients that read it).
        head = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Lineup//Conference schedule//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{self.name}",
            f"REFRESH-INTERVAL;VALUE=DURATION:{self.refresh}",
            f"X-PUBLISHED-TTL:{self.refresh}",
            f"X-WR-TIMEZONE:{self.event.timezone}",
        ]
        # When the published data last changed: the same bytes for the same data, in
        # every encoding and on every worker.
        stamp = ical_utc(self.event.changed_at)
        events = [self.vevent(s, stamp) for s in sessions if s.starts_at is not None]
        return b"".join([*map(content_line, head), *events, b"END:VCALENDAR\r\n"])

    def vevent(self, session: Row, stamp: str) -> bytes:
        """One VEVENT, its properties in the order the calendar has always had."""
        url = self.absolute(url_for("session_detail", self.event.slug, session.slug))
        people = [person.name for person in session.speakers]
        moderators = [person.name for person in session.moderators]
        description = [session.abstract_text]
        if people:
            description.append(self.speakers_label % {"names": ", ".join(people)})
        if moderators:
            description.append(self.moderators_label % {"names": ", ".join(moderators)})
        description.append(url)
        lines = [
            "BEGIN:VEVENT",
            f"SUMMARY:{ical_text(session.title)}",
            f"DTSTART:{ical_utc(session.starts_at)}",
            f"DTEND:{ical_utc(session.ends_at)}",
            f"DTSTAMP:{stamp}",
            f"UID:{ical_text(f'{session.guid}@{self.event.slug}.lineup')}",
        ]
        if session.track:
            lines.append(f"CATEGORIES:{ical_text(session.track.name)}")
        text = "\n\n".join(part for part in description if part)
        lines.append(f"DESCRIPTION:{ical_text(text)}")
        lines.append(f"LAST-MODIFIED:{ical_utc(session.updated_at)}")
        # Every event has a place, breaks too: the room and the venue, or what is known.
        if session.room:
            location = f"{session.room.name}, {self.venue}" if self.venue else session.room.name
        else:
            location = self.location_without_room
        lines.append(f"LOCATION:{ical_text(location)}")
        # Calendar clients update an event in place when its SEQUENCE goes up.
        lines.append(f"SEQUENCE:{session.version}")
        lines.append(f"STATUS:{'CANCELLED' if session.is_cancelled else 'CONFIRMED'}")
        lines.append(f"URL:{url}")  # a URI: not escaped (ours hold no CR or LF)
        lines.append("END:VEVENT")
        return b"".join(map(content_line, lines))


def ical_text(text: str) -> str:
    """A TEXT value escaped as RFC 5545 asks, replacement for replacement what the
    icalendar package does (a literal "\\N" is a line break there too)."""
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ical_utc(moment: dt.datetime) -> str:
    """A DATE-TIME in UTC, "20161108T190000Z"."""
    m = moment.astimezone(dt.UTC)  # strftime took a third of a large calendar's time
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}Z"


FOLD_OCTETS = 74  # per folded piece; a continuation line's leading space makes 75
ESCAPES = b"\\^"


def content_line(line: str) -> bytes:
    """One content line, folded as RFC 5545 asks when longer than 75 octets.

    Byte for byte what icalendar's folding gives (pieces of at most 74 octets, never
    inside a UTF-8 character nor right after an escaping backslash or caret), by
    slicing the encoded line instead of walking it character by character: that walk
    was most of the time of a large calendar.
    """
    raw = line.encode()
    if len(raw) <= 75:
        return raw + b"\r\n"
    pieces = []
    start = 0
    while len(raw) - start > FOLD_OCTETS:
        end = start + FOLD_OCTETS
        while raw[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: not here
            end -= 1
        if raw[end - 1] in ESCAPES and end - 1 > start:
            end -= 1
        pieces.append(raw[start:end])
        start = end
    pieces.append(raw[start:])
    return b"\r\n ".join(pieces) + b"\r\n"
