"""Exports of the public schedule: small classes over one list of session rows.

An exporter declares its content type and file name and renders the rows that
``rows.load_rows`` read (two queries, whatever the size). ``EXPORTERS`` names them by
format; one view (``views.schedule_export``) serves them all, through the page cache.
"""

import datetime as dt
import hashlib
import json
import re

from django.urls import reverse
from django.utils.translation import gettext as _

from events.models import Event
from lib.text import clean_line, clean_text

from .display import url_for
from .models import Release
from .rows import Person, Place, Row


class Exporter:
    """A format: its content type and file name, and how it renders session rows."""

    content_type = "application/octet-stream"
    filename = "{slug}"

    def __init__(self, event: Event, base_url: str):
        self.event = event
        self.base_url = base_url.rstrip("/")

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def render(self, sessions: list[Row]) -> bytes:
        raise NotImplementedError


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


# frab ---------------------------------------------------------------------
#
# The frab formats (schedule.xml and schedule.json) as Giggity, ConfClerk,
# EventFahrplan and media tooling read them. Sessions without a room or a time, and
# cancelled ones, have no place in them and are left out. ``version`` is a digest of
# the content, so it changes exactly when the schedule does and a round trip through
# import gives the same document.

TRACK_SLUG_RE = re.compile(r"[a-z][a-z0-9-]+")
SCHEMA_SLUG_RE = re.compile(r"[a-z0-9_-]+[a-z0-9]")


def frab_duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schema_slug(obj: Place, kind: str) -> str:
    """A room's or track's slug as the frab JSON schema wants it (two characters or more,
    ending in a letter or digit), whatever it is called (room "A" gives "room-a")."""
    if SCHEMA_SLUG_RE.fullmatch(obj.slug):
        return obj.slug
    fixed = f"{kind}-{obj.slug}".strip("-_")
    return fixed if SCHEMA_SLUG_RE.fullmatch(fixed) else f"{kind}-{obj.pk}"


def frab_slug(event: Event, session: Row) -> str:
    # The schemas want it to end in a letter or digit; older slugs may end in "-".
    return f"{event.acronym}-{session.export_id}-{session.slug}".rstrip("-_")


PRETALX_CODE_RE = re.compile(r"[A-Z0-9]+")


class FrabExporter(Exporter):
    """Prepares the frab structure once; XML and JSON only differ in how they write it.

    Each format's ``version`` is a digest of what that format writes, so it changes
    exactly when the document does (and a round trip through import keeps it).
    """

    version_prefix = "lineup-"

    def __init__(self, event: Event, base_url: str):
        super().__init__(event, base_url)
        self.title = clean_line(event.name)
        self.language = event.language or "en"

    def frab_sessions(self, sessions):
        return [s for s in sessions if s.room_id and s.starts_at and not s.is_cancelled]

    def prepare(self, sessions: list[Row]) -> dict:
        sessions = self.frab_sessions(sessions)
        event, tz = self.event, self.event.tzinfo
        by_day: dict[dt.date, dict[int, list[Row]]] = {}
        rooms, tracks = {}, {}
        for s in sessions:
            by_day.setdefault(s.starts_at.astimezone(tz).date(), {}).setdefault(
                s.room_id, []
            ).append(s)
            rooms.setdefault(s.room_id, s.room)
            if s.track:
                tracks.setdefault(s.track_id, s.track)
        room_order = sorted(rooms.values(), key=lambda r: (r.position, r.name))
        days = []
        for index, day in enumerate(event.days, start=1):
            per_room = by_day.get(day, {})
            day_sessions = [s for room_sessions in per_room.values() for s in room_sessions]
            midnight = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            start = min((s.starts_at for s in day_sessions), default=midnight)
            end = max((s.ends_at for s in day_sessions), default=midnight + dt.timedelta(days=1))
            days.append(
                {
                    "index": index,
                    "date": day.isoformat(),
                    "start": start.astimezone(tz).isoformat(),
                    "end": end.astimezone(tz).isoformat(),
                    "rooms": [
                        (room, [self.session_fields(s) for s in per_room.get(room.pk, [])])
                        for room in room_order
                    ],
                }
            )
        prepared = {
            "base_url": self.absolute("/"),
            "url": self.absolute(reverse("event_home", args=[event.slug])),
            "tracks": sorted(tracks.values(), key=lambda t: (t.position, t.name)),
            "rooms": room_order,
            "days": days,
        }
        return prepared

    def version(self, document: str) -> str:
        """ "Release 4: Room swap (lineup-0123456789ab)": the release apps can name, and a
        digest of the rest of the ``document`` as written, so it changes exactly when the
        document does."""
        digest = self.version_prefix + hashlib.sha256(document.encode()).hexdigest()[:12]
        # The first schedule is not named: a file imported and exported again is unchanged.
        latest = (
            Release.objects.filter(event=self.event)
            .exclude(kind=Release.Kind.FIRST)
            .order_by("-number")
            .first()
        )
        return f"{clean_line(latest.label)} ({digest})" if latest else digest

    def session_fields(self, session: Row) -> dict:
        tz = self.event.tzinfo
        local = session.starts_at.astimezone(tz)
        return {
            "id": session.export_id,
            "guid": str(session.guid),
            "date": local.isoformat(),
            "start": f"{local.hour:02}:{local.minute:02}",
            "duration": frab_duration(session.duration),
            "room": session.room.name,
            "slug": frab_slug(self.event, session),
            "url": self.absolute(url_for("session_detail", self.event.slug, session.slug)),
            "title": session.title,
            "subtitle": session.subtitle,
            "track": session.track.name if session.track else "",
            "type": session.session_type.name if session.session_type else "Talk",
            "language": session.language or self.language,
            "abstract": session.abstract,
            "description": session.description,
            "recording_license": session.recording_license,
            "do_not_record": session.do_not_record,
            "links": session.links,
            "persons": [self.person_fields(person) for person in session.people],
        }

    def person_fields(self, person: Person) -> dict:
        fields = {
            "id": person.frab_id,
            "guid": str(person.guid),
            "name": person.name,
            "biography": person.bio,
        }
        if person.code and PRETALX_CODE_RE.fullmatch(person.code):
            fields["code"] = person.code
        return fields


class FrabJSONExporter(FrabExporter):
    content_type = "application/json; charset=utf-8"
    filename = "{slug}.schedule.json"

    def render(self, sessions: list[Row]) -> bytes:
        event = self.event
        prepared = self.prepare(sessions)
        conference = {
            "acronym": event.acronym,
            "title": self.title,
            "start": event.start_date.isoformat(),
            "end": event.end_date.isoformat(),
            "daysCount": len(prepared["days"]),
            "timeslot_duration": "00:05",
            "time_zone_name": event.timezone,
            "url": prepared["url"],
            "tracks": [
                {"name": t.name, "slug": schema_slug(t, "track"), "color": t.color}
                for t in prepared["tracks"]
            ],
            "rooms": [
                {
                    "name": room.name,
                    "slug": schema_slug(room, "room"),
                    "guid": str(room.guid),
                    "capacity": room.capacity,
                }
                for room in prepared["rooms"]
            ],
            "days": [
                {
                    "index": day["index"],
                    "date": day["date"],
                    "day_start": day["start"],
                    "day_end": day["end"],
                    "rooms": {room.name: room_sessions for room, room_sessions in day["rooms"]},
                }
                for day in prepared["days"]
            ],
        }
        if event.description:
            conference["description"] = clean_text(event.description)
        document = {
            "$schema": "https://c3voc.de/schedule/schema.json",
            "generator": {"name": "lineup", "version": "1"},
            "schedule": {"base_url": prepared["base_url"], "conference": conference},
        }
        # No indent: that keeps json on its C encoder, several times faster. The version
        # goes last, into the written text: a digest of the rest, with no second dump.
        text = json.dumps(document, ensure_ascii=False)
        version = json.dumps(self.version(text), ensure_ascii=False)
        return f'{text.removesuffix("}}")}, "version": {version}}}}}'.encode()


class FrabXMLExporter(FrabExporter):
    """frab XML, written as text: the bytes ElementTree wrote with ``ET.indent(root,
    space=" ")`` (tests/schedule/test_frab_export.py holds it to that), for a fifth of
    its time at hundreds of sessions."""

    content_type = "application/xml; charset=utf-8"
    filename = "{slug}.schedule.xml"

    def render(self, sessions: list[Row]) -> bytes:
        event = self.event
        prepared = self.prepare(sessions)
        out = ["\n <conference>"]
        for tag, text in (
            ("acronym", event.acronym),
            ("title", self.title),
            ("start", event.start_date.isoformat()),
            ("end", event.end_date.isoformat()),
            ("days", str(len(prepared["days"]))),
            ("timeslot_duration", "00:05"),
            ("base_url", prepared["base_url"]),
            ("url", prepared["url"]),
            ("time_zone_name", event.timezone),
        ):
            out.append(leaf(tag, text, 2))
        for track in prepared["tracks"]:
            attrs = {"name": track.name, "color": track.color}
            if TRACK_SLUG_RE.fullmatch(track.slug):
                attrs["slug"] = track.slug
            out.append(leaf("track", "", 2, attrs))
        out.append("\n </conference>")
        for day in prepared["days"]:
            attrs = {"index": str(day["index"]), "date": day["date"], "start": day["start"],
                     "end": day["end"]}  # fmt: skip
            out.append(opening("day", attrs, 1, bool(day["rooms"])))
            for room, room_sessions in day["rooms"]:
                attrs = {"name": room.name, "guid": str(room.guid)}
                out.append(opening("room", attrs, 2, bool(room_sessions)))
                out.extend(self.session_element(fields) for fields in room_sessions)
                if room_sessions:
                    out.append("\n  </room>")
            if day["rooms"]:
                out.append("\n </day>")
        out.append("\n</schedule>")
        # The version comes first, a digest of all that follows it.
        rest = "".join(out)
        head = (
            '<?xml version="1.0" encoding="utf-8"?>\n<schedule>'
            '\n <generator name="lineup" version="1" />'
        )
        return (head + leaf("version", self.version(rest), 1) + rest).encode()

    def session_element(self, fields: dict) -> str:
        """One <event> with its children, indented at its depth (schedule/day/room)."""
        out = [opening("event", {"id": str(fields["id"]), "guid": fields["guid"]}, 3, True)]
        for tag in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle",
                    "track", "type", "language", "abstract"):  # fmt: skip
            out.append(leaf(tag, str(fields[tag]), 4))
        if fields["description"]:
            out.append(leaf("description", fields["description"], 4))
        if fields["recording_license"] or fields["do_not_record"]:
            out.append("\n    <recording>")
            out.append(leaf("license", fields["recording_license"], 5))
            out.append(leaf("optout", str(fields["do_not_record"]).lower(), 5))
            out.append("\n    </recording>")
        persons = fields["persons"]
        out.append(opening("persons", {}, 4, bool(persons)))
        for person in persons:
            attrs = {"id": str(person["id"]), "guid": person["guid"]}
            out.append(leaf("person", person["name"], 5, attrs))
        if persons:
            out.append("\n    </persons>")
        links = fields["links"]
        out.append(opening("links", {}, 4, bool(links)))
        for link in links:
            out.append(leaf("link", link["title"] or link["url"], 5, {"href": link["url"]}))
        if links:
            out.append("\n    </links>")
        out.append("\n   </event>")
        return "".join(out)


# ElementTree's serialization, by hand: text escapes &, < and >; attribute values also
# quotes and the white space that parsing would fold; an empty element is "<tag />".
def _text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _attributes(attrs: dict[str, str]) -> str:
    parts = []
    for name, value in attrs.items():
        value = _text(value)
        for char, escaped in ATTRIBUTE_ESCAPES:
            if char in value:
                value = value.replace(char, escaped)
        parts.append(f' {name}="{value}"')
    return "".join(parts)


def leaf(tag: str, text: str, depth: int, attrs: dict[str, str] | None = None) -> str:
    """An element without children on its own line, ``depth`` spaces in."""
    attributes = _attributes(attrs) if attrs else ""
    if not text:
        return f"\n{' ' * depth}<{tag}{attributes} />"
    return f"\n{' ' * depth}<{tag}{attributes}>{_text(text)}</{tag}>"


def opening(tag: str, attrs: dict[str, str], depth: int, children: bool) -> str:
    """The start of an element whose children follow (closed by the caller), or the
    whole element when it has none."""
    return f"\n{' ' * depth}<{tag}{_attributes(attrs)}{'>' if children else ' />'}"


# Every export format by the name its URL gives it (schedule.<format>).
EXPORTERS: dict[str, type[Exporter]] = {
    "ics": ICalExporter,
    "xml": FrabXMLExporter,
    "json": FrabJSONExporter,
}
