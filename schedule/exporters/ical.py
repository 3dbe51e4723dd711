"""iCalendar (RFC 5545): the whole schedule, a filtered part, one session, an agenda."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from events.models import Event
from lib.text import clean_line

from ..rows import Place, Row
from .base import SLUG, Exporter, encoded, escape_all

PARAGRAPH = "\n\n"


class ICalExporter(Exporter):
    """RFC 5545 calendar, times in UTC, written as text.

    The lines are those the icalendar package wrote (tests/schedule/test_ical.py pins
    them against it): its TEXT escaping and its folding, without its value objects,
    which were most of the time of a large calendar. Each event is one string; the
    texts of all events are escaped in one pass, and the whole calendar folded in
    another; each distinct time and place is written once.
    """

    content_type = "text/calendar; charset=utf-8"
    filename = "{slug}.ics"
    refresh = "PT1H"  # how often a subscribed calendar should look again
    # Brief rows (names of rooms, tracks and people, the plain-text abstract) and these.
    details = ("guid", "version", "updated_at")
    people = ("name", "role")
    places = {"room": ("name",), "track": ("name",)}  # where, and the category

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
            f"X-WR-CALNAME:{self.name}\r\n"
            f"REFRESH-INTERVAL;VALUE=DURATION:{self.refresh}\r\n"
            f"X-PUBLISHED-TTL:{self.refresh}\r\n"
            f"X-WR-TIMEZONE:{self.event.timezone}\r\n"
        )
        sessions = [s for s in sessions if s.starts_at is not None]
        urls = [self.session_url.replace(SLUG, s.slug) for s in sessions]
        # The TEXT values of every event escaped at once, titles then descriptions.
        texts = escape_all(
            [s.title for s in sessions]
            + [self.description(s, url) for s, url in zip(sessions, urls, strict=True)],
            ical_text,
        )
        titles, descriptions = texts[: len(sessions)], texts[len(sessions) :]
        # Each distinct time written once: times repeat in every room.
        moments = {m for s in sessions for m in (s.starts_at, s.ends_at, s.updated_at)}
        utc = {moment: ical_utc(moment) for moment in moments}
        # When the published data last changed: the same bytes for the same data, in
        # every encoding and on every worker.
        stamp = ical_utc(self.event.changed_at)
        events = [
            "BEGIN:VEVENT\r\n"
            f"SUMMARY:{title}\r\n"
            f"DTSTART:{utc[s.starts_at]}\r\n"
            f"DTEND:{utc[s.ends_at]}\r\n"
            f"DTSTAMP:{stamp}\r\n"
            f"UID:{s.guid}{self.uid_suffix}\r\n"
            f"{self.category(s.track) if s.track else ''}"
            f"DESCRIPTION:{description}\r\n"
            f"LAST-MODIFIED:{utc[s.updated_at]}\r\n"
            f"LOCATION:{self.location(s.room)}\r\n"
            # Calendar clients update an event in place when its SEQUENCE goes up.
            f"SEQUENCE:{s.version}\r\n"
            f"STATUS:{'CANCELLED' if s.is_cancelled else 'CONFIRMED'}\r\n"
            f"URL:{url}\r\n"  # a URI: not escaped (ours hold no CR or LF)
            "END:VEVENT\r\n"
            for s, title, description, url in zip(sessions, titles, descriptions, urls, strict=True)
        ]
        return fold(encoded([head, *events, "END:VCALENDAR\r\n"]))

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
        """The CATEGORIES line of a track's sessions."""
        text = self.places.get(("track", track.pk))
        if text is None:
            text = self.places["track", track.pk] = f"CATEGORIES:{ical_text(track.name)}\r\n"
        return text

    def description(self, session: Row, url: str) -> str:
        """The abstract, who speaks and moderates, and the session's page (unescaped)."""
        description = [session.abstract_text] if session.abstract_text else []
        people, moderators = [], []
        for person in session.people:
            (moderators if person.is_moderator else people).append(person.name)
        if people:
            description.append(self.speakers_label % {"names": ", ".join(people)})
        if moderators:
            description.append(self.moderators_label % {"names": ", ".join(moderators)})
        description.append(url)
        return PARAGRAPH.join(description)


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
# escape) leaves it to the next. The whole calendar at once: one search finds the long
# lines (a line's content holds no CR: TEXT values are escaped, URIs hold none).
FOLD_OCTETS = 74
LONG_LINE = re.compile(rb"\n([^\r]{%d,})" % (FOLD_OCTETS + 1))


def fold(calendar: bytes) -> bytes:
    """``calendar`` (each line ended by CRLF) with every long line folded; its first line
    (BEGIN:VCALENDAR) is short."""
    return LONG_LINE.sub(_folded, calendar)


# ASCII lines (nearly all) are cut by one expression: 74 bytes, or 73 when the 74th is
# an escape's backslash or caret, while more than 74 remain; then the rest.
ASCII_PIECE = re.compile(
    rb"(.{%d}[^\\^](?=.)|.{%d}(?=[\\^].)|.+)" % (FOLD_OCTETS - 1, FOLD_OCTETS - 1), re.DOTALL
)


def _folded(found: re.Match) -> bytes:
    raw = found[1]
    if raw.isascii():  # no UTF-8 character to keep whole
        return b"\n" + b"\r\n ".join(ASCII_PIECE.findall(raw))
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
    return b"\n" + b"\r\n ".join(chunks)
