"""iCalendar (RFC 5545): the whole schedule, a filtered part, one session, an agenda."""

import datetime as dt

from django.utils.translation import gettext as _

from events.models import Event
from lib.text import clean_line

from ..display import url_for
from ..rows import Place, Row
from .base import Exporter

PARAGRAPH = "\n\n"


class ICalExporter(Exporter):
    """RFC 5545 calendar, times in UTC, written as text.

    The lines are those the icalendar package wrote (tests/schedule/test_ical.py pins
    them against it): its TEXT escaping and its folding, without its value objects,
    which were most of the time of a large calendar. Each event is one string, folded
    in one pass; each distinct time and place is written once.
    """

    content_type = "text/calendar; charset=utf-8"
    filename = "{slug}.ics"
    refresh = "PT1H"  # how often a subscribed calendar should look again
    # Brief rows (names of rooms, tracks and people, the plain-text abstract) and these.
    details = ("guid", "version", "updated_at")

    def __init__(self, event: Event, base_url: str, *, name: str | None = None):
        super().__init__(event, base_url)
        self.name = clean_line(name or event.name)
        venue = clean_line(event.venue_name)
        self.venue = venue
        self.location_without_room = venue or clean_line(event.name)
        self.speakers_label = _("Speakers: %(names)s")
        self.moderators_label = _("Moderated by: %(names)s")
        # A guid is hex and dashes: only the rest of the UID can need escapes.
        self.uid_suffix = ical_text(f"@{event.slug}.lineup")
        self.times: dict[dt.datetime, str] = {}
        self.places: dict[tuple[str, int], str] = {}

    def render(self, sessions: list[Row]) -> bytes:
        # Properties in the order icalendar gave them (its canonical four, the name, the
        # rest alphabetically); the X- values unescaped as it wrote them (a one-line
        # name needs no escape for the clients that read it).
        head = (
            "BEGIN:VCALENDAR\r\n"
            "VERSION:2.0\r\n"
            "PRODID:-//Lineup//Conference schedule//EN\r\n"
            "CALSCALE:GREGORIAN\r\n"
            "METHOD:PUBLISH\r\n"
            f"{fold(f'X-WR-CALNAME:{self.name}')}\r\n"
            f"REFRESH-INTERVAL;VALUE=DURATION:{self.refresh}\r\n"
            f"X-PUBLISHED-TTL:{self.refresh}\r\n"
            f"{fold(f'X-WR-TIMEZONE:{self.event.timezone}')}\r\n"
        )
        # When the published data last changed: the same bytes for the same data, in
        # every encoding and on every worker.
        stamp = ical_utc(self.event.changed_at)
        events = [self.vevent(s, stamp) for s in sessions if s.starts_at is not None]
        return "".join([head, *events, "END:VCALENDAR\r\n"]).encode()

    def utc(self, moment: dt.datetime) -> str:
        text = self.times.get(moment)
        if text is None:
            text = self.times[moment] = ical_utc(moment)
        return text

    def location(self, room: Place | None) -> str:
        """Every event has a place, breaks too: the room and the venue, or what is known."""
        key = ("room", room.pk) if room else ("room", 0)
        text = self.places.get(key)
        if text is None:
            if room is None:
                text = self.location_without_room
            else:
                text = f"{room.name}, {self.venue}" if self.venue else room.name
            text = self.places[key] = ical_text(text)
        return text

    def category(self, track: Place) -> str:
        text = self.places.get(("track", track.pk))
        if text is None:
            text = self.places["track", track.pk] = ical_text(track.name)
        return text

    def vevent(self, session: Row, stamp: str) -> str:
        """One VEVENT, its properties in the order the calendar has always had."""
        url = self.absolute(url_for("session_detail", self.event.slug, session.slug))
        description = [session.abstract_text] if session.abstract_text else []
        people, moderators = [], []
        for person in session.people:
            (moderators if person.is_moderator else people).append(person.name)
        if people:
            description.append(self.speakers_label % {"names": ", ".join(people)})
        if moderators:
            description.append(self.moderators_label % {"names": ", ".join(moderators)})
        description.append(url)
        track = f"{fold(f'CATEGORIES:{self.category(session.track)}')}\r\n" if session.track else ""
        # Only the lines of variable length can need folding: times and numbers cannot.
        return (
            "BEGIN:VEVENT\r\n"
            f"{fold(f'SUMMARY:{ical_text(session.title)}')}\r\n"
            f"DTSTART:{self.utc(session.starts_at)}\r\n"
            f"DTEND:{self.utc(session.ends_at)}\r\n"
            f"DTSTAMP:{stamp}\r\n"
            f"{fold(f'UID:{session.guid}{self.uid_suffix}')}\r\n"
            f"{track}"
            f"{fold(f'DESCRIPTION:{ical_text(PARAGRAPH.join(description))}')}\r\n"
            f"LAST-MODIFIED:{self.utc(session.updated_at)}\r\n"
            f"{fold(f'LOCATION:{self.location(session.room)}')}\r\n"
            # Calendar clients update an event in place when its SEQUENCE goes up.
            f"SEQUENCE:{session.version}\r\n"
            f"STATUS:{'CANCELLED' if session.is_cancelled else 'CONFIRMED'}\r\n"
            f"{fold(f'URL:{url}')}\r\n"  # a URI: not escaped (ours hold no CR or LF)
            "END:VEVENT\r\n"
        )


def ical_text(text: str) -> str:
    """A TEXT value escaped as RFC 5545 asks, replacement for replacement what the
    icalendar package does, except that a backslash is always a backslash: icalendar
    turns the two characters "\\N" into a line break, which would put one into a title
    that holds them (hostile-input test)."""
    return (
        text.replace("\\", "\\\\")
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


# Folding, byte for byte as icalendar folds: a content line of 75 octets or more is cut
# into pieces of at most 74 (a continuation line's leading space makes 75), never
# inside a UTF-8 character, and a piece that would end in a backslash or caret (an
# escape) leaves it to the next. Slices, not icalendar's walk through every character.
FOLD_OCTETS = 74


def fold(line: str) -> str:
    """One content line (without its CRLF), folded if it is too long."""
    return line if len(line) <= FOLD_OCTETS and line.isascii() else fold_line(line)


def fold_line(line: str) -> str:
    """``fold`` for a line that may be too long."""
    if line.isascii():  # characters are octets (nearly every line): slice the text
        pieces, start, end = [], 0, len(line)
        while end - start > FOLD_OCTETS:
            cut = start + FOLD_OCTETS
            if line[cut - 1] in "\\^":
                cut -= 1
            pieces.append(line[start:cut])
            start = cut
        pieces.append(line[start:])
        return "\r\n ".join(pieces)
    raw = line.encode()
    chunks, start = [], 0
    while len(raw) - start > FOLD_OCTETS:
        cut = start + FOLD_OCTETS
        while raw[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: not here
            cut -= 1
        if raw[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1
        chunks.append(raw[start:cut])
        start = cut
    chunks.append(raw[start:])
    return b"\r\n ".join(chunks).decode()
