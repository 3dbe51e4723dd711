"""Exports of the public schedule: small classes over one prepared list of sessions.

An exporter declares its content type and file name and renders sessions that were
read once with ``Session.objects.for_schedule(event)`` (a fixed number of queries).
One view (``views.export``) serves them all, cached and with conditional GETs.
"""

import datetime as dt
import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import icalendar
from django.urls import reverse
from icalendar.parser import Contentline
from icalendar.prop import vCategory, vDDDTypes, vText, vUri

from events.models import Event, Room, SessionType, Track
from lib.markup import plain_text
from lib.text import clean_line, clean_text

from .display import url_for
from .models import Release, Session, SessionSpeaker


@dataclass(slots=True)
class Person:
    name: str
    slug: str
    bio: str
    role: str
    frab_id: int | None
    guid: uuid.UUID
    code: str


@dataclass(slots=True)
class Exported:
    """A session as exports need it, read as plain values (several times faster than
    model instances for thousands of sessions). Rooms, tracks and types are the event's
    own instances, read once."""

    pk: int
    guid: uuid.UUID
    frab_id: int | None
    slug: str
    title: str
    subtitle: str
    abstract: str
    abstract_html: str
    description: str
    language: str
    do_not_record: bool
    recording_license: str
    links: list
    version: int
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    updated_at: dt.datetime
    room_id: int | None
    track_id: int | None
    room: Room | None
    track: Track | None
    session_type: SessionType | None
    people: list[Person]

    @property
    def export_id(self) -> int:
        return self.frab_id or self.pk

    @property
    def is_cancelled(self) -> bool:
        return self.status == Session.Status.CANCELLED

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    @property
    def abstract_text(self) -> str:
        return plain_text(self.abstract_html)

    @property
    def speakers(self) -> list[Person]:
        return [p for p in self.people if p.role != SessionSpeaker.Role.MODERATOR]

    @property
    def moderators(self) -> list[Person]:
        return [p for p in self.people if p.role == SessionSpeaker.Role.MODERATOR]


EXPORT_FIELDS = (
    "pk", "guid", "frab_id", "slug", "title", "subtitle", "abstract", "abstract_html",
    "description", "language", "do_not_record", "recording_license", "links", "version",
    "status", "starts_at", "ends_at", "updated_at", "room_id", "track_id", "session_type_id",
)  # fmt: skip
LINE_FIELDS = ("title", "subtitle", "recording_license")
TEXT_FIELDS = ("abstract", "abstract_html", "description")


def clean_row(row: dict) -> dict:
    """No control character reaches an export, whatever the database holds (the models
    refuse them and the importer strips them; this is the last line)."""
    for name in LINE_FIELDS:
        row[name] = clean_line(row[name])
    for name in TEXT_FIELDS:
        row[name] = clean_text(row[name])
    links = row["links"]
    if links:
        row["links"] = [
            {"url": clean_line(str(link.get("url") or "")),
             "title": clean_line(str(link.get("title") or ""))}
            for link in links if isinstance(link, dict) and link.get("url")
        ]  # fmt: skip
    elif not isinstance(links, list):
        row["links"] = []
    return row


def load_sessions(queryset, event: Event) -> list[Exported]:
    """The sessions of ``queryset`` (in its order), with rooms, tracks, types and people,
    in a fixed number of queries of plain values."""
    queryset = queryset.prefetch_related(None)
    rooms = {r.pk: r for r in Room.objects.filter(event=event)}
    tracks = {t.pk: t for t in Track.objects.filter(event=event)}
    types = {t.pk: t for t in SessionType.objects.filter(event=event)}
    for named in (*rooms.values(), *tracks.values(), *types.values()):
        named.name = clean_line(named.name)
    people: dict[int, list[Person]] = {}
    links = (
        SessionSpeaker.objects.filter(session__in=queryset.values("pk"))
        .order_by("position", "speaker__name")
        .values_list(
            "session_id", "speaker__name", "speaker__slug", "speaker__bio", "role",
            "speaker__frab_id", "speaker__guid", "speaker__code", "speaker_id",
        )
    )  # fmt: skip
    for session_id, name, slug, bio, role, frab_id, guid, code, speaker_id in links:
        people.setdefault(session_id, []).append(
            Person(
                clean_line(name),
                slug,
                clean_text(bio),
                role,
                frab_id or speaker_id,
                guid,
                clean_line(code),
            )
        )
    return [
        Exported(
            **{k: v for k, v in clean_row(row).items() if k != "session_type_id"},
            room=rooms.get(row["room_id"]),
            track=tracks.get(row["track_id"]),
            session_type=types.get(row["session_type_id"]),
            people=people.get(row["pk"], []),
        )
        for row in queryset.values(*EXPORT_FIELDS)
    ]


class Exporter:
    content_type = "application/octet-stream"
    extension = ""

    def __init__(self, event: Event, base_url: str):
        self.event = event
        self.base_url = base_url.rstrip("/")

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def filename(self) -> str:
        return f"{self.event.slug}.{self.extension}"

    def render(self, sessions: list[Exported]) -> bytes:
        raise NotImplementedError


class ICalExporter(Exporter):
    """RFC 5545 calendar, built with the icalendar package; times in UTC."""

    content_type = "text/calendar; charset=utf-8"
    extension = "ics"
    refresh = dt.timedelta(hours=1)

    def __init__(self, event: Event, base_url: str, *, name: str | None = None):
        super().__init__(event, base_url)
        self.name = clean_line(name or event.name)
        venue = clean_line(event.venue_name)
        self.venue = venue
        self.location_without_room = venue or clean_line(event.name)

    def render(self, sessions: list[Exported]) -> bytes:
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Lineup//Conference schedule//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", self.name)
        cal.add("x-wr-timezone", self.event.timezone)
        cal.add("refresh-interval", self.refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(self.refresh).to_ical().decode())
        # When the published data last changed: the same bytes for the same data, in
        # every encoding and on every worker.
        changed = self.event.changed_at.astimezone(dt.UTC).replace(microsecond=0)
        stamp = ical_value(vDDDTypes(changed))
        events = b"".join(self.vevent(s, stamp) for s in sessions if s.starts_at is not None)
        head = cal.to_ical()
        end = b"END:VCALENDAR\r\n"
        return head[: -len(end)] + events + end

    def vevent(self, session: Exported, stamp: str) -> bytes:
        """One VEVENT. Its content lines are made with the icalendar package's value
        types (escaping, date formats) and Contentline (folding at 75 octets), without
        building a component tree: that is what costs time at thousands of sessions."""
        url = self.absolute(url_for("session_detail", self.event.slug, session.slug))
        people = [person.name for person in session.speakers]
        moderators = [person.name for person in session.moderators]
        description = [session.abstract_text]
        if people:
            description.append("Speakers: " + ", ".join(people))
        if moderators:
            description.append("Moderated by: " + ", ".join(moderators))
        description.append(url)
        lines = [
            ("SUMMARY", ical_value(vText(session.title))),
            ("DTSTART", ical_value(vDDDTypes(session.starts_at.astimezone(dt.UTC)))),
            ("DTEND", ical_value(vDDDTypes(session.ends_at.astimezone(dt.UTC)))),
            ("DTSTAMP", stamp),
            ("UID", ical_value(vText(f"{session.guid}@{self.event.slug}.lineup"))),
        ]
        if session.track:
            lines.append(("CATEGORIES", ical_value(vCategory([session.track.name]))))
        text = "\n\n".join(part for part in description if part)
        lines.append(("DESCRIPTION", ical_value(vText(text))))
        updated = session.updated_at.astimezone(dt.UTC).replace(microsecond=0)
        lines.append(("LAST-MODIFIED", ical_value(vDDDTypes(updated))))
        # Every event has a place, breaks too: the room and the venue, or what is known.
        if session.room:
            location = f"{session.room.name}, {self.venue}" if self.venue else session.room.name
        else:
            location = self.location_without_room
        lines.append(("LOCATION", ical_value(vText(location))))
        # Calendar clients update an event in place when its SEQUENCE goes up.
        lines.append(("SEQUENCE", str(session.version)))
        lines.append(("STATUS", "CANCELLED" if session.is_cancelled else "CONFIRMED"))
        lines.append(("URL", ical_value(vUri(url))))
        body = b"".join(content_line(f"{name}:{value}") for name, value in lines)
        return b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n"


def ical_value(value) -> str:
    return value.to_ical().decode()


def content_line(line: str) -> bytes:
    """One content line, folded by icalendar when longer than 75 octets (RFC 5545)."""
    raw = line.encode()
    if len(raw) <= 75:
        return raw + b"\r\n"  # folding would leave it as it is
    return Contentline(line).to_ical() + b"\r\n"


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


def schema_slug(obj: Room | Track, kind: str) -> str:
    """A room's or track's slug as the frab JSON schema wants it (two characters or more,
    ending in a letter or digit), whatever it is called (room "A" gives "room-a")."""
    if SCHEMA_SLUG_RE.fullmatch(obj.slug):
        return obj.slug
    fixed = f"{kind}-{obj.slug}".strip("-_")
    return fixed if SCHEMA_SLUG_RE.fullmatch(fixed) else f"{kind}-{obj.pk}"


def frab_slug(event: Event, session: Session) -> str:
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

    def prepare(self, sessions: list[Exported]) -> dict:
        sessions = self.frab_sessions(sessions)
        event, tz = self.event, self.event.tzinfo
        by_day: dict[dt.date, dict[int, list[Exported]]] = {}
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

    def version(self, content) -> str:
        """ "Release 4: Room swap (lineup-0123456789ab)": the release apps can name, and a
        digest that changes exactly when the document does."""
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = self.version_prefix + hashlib.sha256(text.encode()).hexdigest()[:12]
        # The first schedule is not named: a file imported and exported again is unchanged.
        latest = (
            Release.objects.filter(event=self.event)
            .exclude(kind=Release.Kind.FIRST)
            .order_by("-number")
            .first()
        )
        return f"{clean_line(latest.label)} ({digest})" if latest else digest

    def session_fields(self, session: Exported) -> dict:
        tz = self.event.tzinfo
        local = session.starts_at.astimezone(tz)
        return {
            "id": session.export_id,
            "guid": str(session.guid),
            "date": local.isoformat(),
            "start": f"{local:%H:%M}",
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
    extension = "json"

    def render(self, sessions: list[Exported]) -> bytes:
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
        schedule = {"base_url": prepared["base_url"], "conference": conference}
        schedule["version"] = self.version(schedule)
        document = {
            "$schema": "https://c3voc.de/schedule/schema.json",
            "generator": {"name": "lineup", "version": "1"},
            "schedule": schedule,
        }
        # No indent: that keeps json on its C encoder, several times faster.
        return json.dumps(document, ensure_ascii=False).encode()


class FrabXMLExporter(FrabExporter):
    content_type = "application/xml; charset=utf-8"
    extension = "xml"

    def render(self, sessions: list[Exported]) -> bytes:
        event = self.event
        prepared = self.prepare(sessions)
        root = ET.Element("schedule")
        ET.SubElement(root, "generator", name="lineup", version="1")
        ET.SubElement(root, "version").text = self.version(
            [
                [event.acronym, self.title, event.timezone, str(event.start_date),
                 str(event.end_date), prepared["base_url"]],
                [(t.name, t.color, t.slug) for t in prepared["tracks"]],
                [(d["index"], d["start"], d["end"],
                  [(r.name, [{**f, "persons": [p["name"] for p in f["persons"]]} for f in fs])
                   for r, fs in d["rooms"]]) for d in prepared["days"]],
            ]
        )  # fmt: skip
        conference = ET.SubElement(root, "conference")
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
            ET.SubElement(conference, tag).text = text
        for track in prepared["tracks"]:
            attrs = {"name": track.name, "color": track.color}
            if TRACK_SLUG_RE.fullmatch(track.slug):
                attrs["slug"] = track.slug
            ET.SubElement(conference, "track", attrs)
        for day in prepared["days"]:
            day_el = ET.SubElement(
                root, "day", index=str(day["index"]), date=day["date"], start=day["start"],
                end=day["end"],
            )  # fmt: skip
            for room, room_sessions in day["rooms"]:
                room_el = ET.SubElement(day_el, "room", name=room.name, guid=str(room.guid))
                for fields in room_sessions:
                    self.session_element(room_el, fields)
        ET.indent(root, space=" ")
        return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")

    def session_element(self, parent, fields: dict) -> None:
        el = ET.SubElement(parent, "event", id=str(fields["id"]), guid=fields["guid"])
        for tag in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle",
                    "track", "type", "language", "abstract"):  # fmt: skip
            ET.SubElement(el, tag).text = str(fields[tag])
        if fields["description"]:
            ET.SubElement(el, "description").text = fields["description"]
        if fields["recording_license"] or fields["do_not_record"]:
            recording = ET.SubElement(el, "recording")
            ET.SubElement(recording, "license").text = fields["recording_license"]
            ET.SubElement(recording, "optout").text = str(fields["do_not_record"]).lower()
        persons = ET.SubElement(el, "persons")
        for person in fields["persons"]:
            ET.SubElement(
                persons, "person", id=str(person["id"]), guid=person["guid"]
            ).text = person["name"]
        links = ET.SubElement(el, "links")
        for link in fields["links"]:
            ET.SubElement(links, "link", href=link["url"]).text = link["title"] or link["url"]
