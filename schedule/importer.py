"""Import a schedule in the frab family (frab XML, pentabarf XML, frab/pretalx JSON).

Two steps, so that a bad file changes nothing: ``parse`` reads the whole file into
plain data, stopping at the first real error with its position and repairing what can
be repaired (each repair noted with its line or JSON path); ``apply`` writes it in one
transaction. Sessions are matched by guid, people by the identity the file gives them
(guid, then pretalx code, then id; by name only when the file gives none), rooms by
guid, then name. Only what differs is written, so importing an unchanged file writes
no row. ``dry_run`` goes through the same steps and rolls everything back, so its
report is exactly what a real import would do.
"""

import datetime as dt
import json
import re
import uuid
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone as django_tz
from django.utils.text import slugify
from lxml import etree

from events.markup import render_markdown
from events.models import (
    Event,
    Room,
    SessionType,
    Track,
    acronym_from_slug,
    free_slug,
    slug_root,
    validate_timezone,
)
from lib.text import BAD_IN_TEXT, clean_line, clean_text, describe
from speakers.models import Speaker

from .models import Session, SessionSpeaker

MAX_BYTES = 20 * 1024 * 1024
MAX_INT = 2_147_483_647  # frab ids and capacities are stored as 32-bit integers
BREAK_TYPES = {"break", "pause", "lunch", "coffee", "coffee break", "lunch break"}
DURATION_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
FRAB_NAMESPACE = uuid.UUID("0f4c6d2e-8a51-5b7e-a3c9-2d1e0b9f8a76")
# The namespace exports used for people and rooms before they had a guid of their own.
LEGACY_EXPORT_NAMESPACE = uuid.UUID("6b4d1a8e-3f0c-5c1e-9d0a-7f6e5b4c3a21")
# Bytes that XML 1.0 cannot hold at all: a file with one is not XML, but its meaning is clear.
XML_BAD_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# When a file's times carry offsets but it names no zone, these are tried in order: the
# first whose offsets match every session is taken (and the guess is said).
LIKELY_ZONES = (
    "Europe/Berlin", "Europe/London", "Europe/Lisbon", "Europe/Helsinki", "Europe/Moscow",
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo",
    "Australia/Sydney", "Australia/Perth", "Pacific/Auckland", "Africa/Johannesburg",
)  # fmt: skip
BARE_DOMAIN_RE = re.compile(r"^[\w-]+(\.[\w-]+)+(/\S*)?$")  # "www.example.org/page"
PREVIEW_CHANGES = 5  # sessions whose changes the report spells out field by field


class ImportProblem(Exception):
    """The file cannot be imported; the message says what and where."""


@dataclass
class Person:
    name: str
    biography: str | None = None  # None: the file says nothing about it (XML)
    guid: uuid.UUID | None = None
    code: str = ""
    frab_id: int | None = None
    shared_id: bool = False  # the file gives this id to people of different names

    @property
    def key(self) -> tuple:
        """Who this is, by the strongest identity the file gives."""
        if self.guid:
            return ("guid", self.guid)
        if self.code:
            return ("code", self.code)
        if self.frab_id:
            return ("id", self.frab_id, self.name) if self.shared_id else ("id", self.frab_id)
        return ("name", self.name)


@dataclass
class ParsedSession:
    where: str
    guid: uuid.UUID
    frab_id: int | None
    title: str
    slug: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    track: str
    type: str
    persons: list[Person]
    abstract: str = ""
    subtitle: str = ""
    description: str = ""
    language: str = ""
    do_not_record: bool = False
    recording_license: str = ""
    links: list = field(default_factory=list)


@dataclass
class ParsedSchedule:
    format: str
    title: str
    acronym: str
    timezone: str | None  # None when the file names no valid zone
    start: dt.date | None
    end: dt.date | None
    description: str = ""
    track_colors: dict[str, str] = field(default_factory=dict)
    room_capacity: dict[str, int | None] = field(default_factory=dict)
    room_guids: dict[str, uuid.UUID] = field(default_factory=dict)
    sessions: list[ParsedSession] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    naive_times: bool = False  # some dates carried no offset
    offsets: set = field(default_factory=set)  # (instant, offset) samples, for a zone guess


@dataclass
class Change:
    title: str
    fields: list[tuple[str, str, str]]  # (field, before, after)


@dataclass
class Report:
    format: str = ""
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # sessions the file no longer has
    pruned: int = 0
    changes: list[Change] = field(default_factory=list)  # the first few, field by field
    dry_run: bool = False

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def same(self, kind: str) -> None:
        self.unchanged[kind] = self.unchanged.get(kind, 0) + 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.pruned)

    def summary(self) -> str:
        def part(counts):
            return ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"

        verb = "would create" if self.dry_run else "created"
        text = f"frab {self.format}: {verb} {part(self.created)}; "
        text += f"{'would update' if self.dry_run else 'updated'} {part(self.updated)}"
        if self.unchanged:
            text += f"; unchanged {part(self.unchanged)}"
        text += "."
        if self.missing:
            if self.pruned:
                done = "would be cancelled" if self.dry_run else "were cancelled"
                text += f" {len(self.missing)} sessions are not in the file and {done}."
            else:
                text += (
                    f" {len(self.missing)} sessions are not in the file (kept; --prune "
                    "cancels them)."
                )
        if not self.changed_anything:
            text += " Nothing changed: the file matches what is stored."
        if self.dry_run:
            text += " Dry run: nothing was written."
        return text

    def grouped_notes(self, limit: int = 8) -> list[str]:
        """Notes with the same message once, with the places it applies to."""
        order: dict[str, list[str]] = {}
        for note in self.notes:
            where, sep, what = note.partition(": ")
            if sep and (where.startswith("line ") or where.startswith("$")):
                order.setdefault(what, []).append(where)
            else:
                order.setdefault(note, [])
        lines = []
        for what, places in order.items():
            if not places:
                lines.append(what)
            elif len(places) == 1:
                lines.append(f"{places[0]}: {what}")
            else:
                shown = "; ".join(places[:limit])
                more = f"; and {len(places) - limit} more" if len(places) > limit else ""
                lines.append(f"{what} ({len(places)} times: {shown}{more})")
        return lines

    def preview(self) -> str:
        """What the import does (or would do), in plain text, for the command and the admin."""
        lines = [self.summary()]
        for change in self.changes:
            lines.append(f"  changed “{change.title}”:")
            for name, before, after in change.fields:
                lines.append(f"    {name}: {before} → {after}")
        changed = self.updated.get("sessions", 0)
        if changed > len(self.changes):
            lines.append(f"  … and {changed - len(self.changes)} more changed sessions.")
        for title in self.missing[:20]:
            lines.append(f"  not in the file: {title}")
        if len(self.missing) > 20:
            lines.append(f"  … and {len(self.missing) - 20} more not in the file.")
        lines.extend(f"  repaired or skipped: {note}" for note in self.grouped_notes())
        return "\n".join(lines)


# Reading ---------------------------------------------------------------------


def parse(data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
    """Read a whole file. ``timezone`` is the zone for times that carry no offset (and
    the event's zone when the file names none)."""
    if len(data) > MAX_BYTES:
        raise ImportProblem("The file is larger than 20 MB.")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.startswith(b"<"):
        parsed = XMLReader(data, timezone).read()
    elif head.startswith(b"{"):
        parsed = JSONReader(data, timezone).read()
    elif head.upper().startswith(b"BEGIN:VCALENDAR"):
        raise ImportProblem(
            "This is an iCalendar file, not a frab schedule: export schedule.xml or "
            "schedule.json from the other system."
        )
    else:
        raise ImportProblem(
            "This is neither frab XML nor frab JSON (it starts with neither < nor {)."
        )
    _repair_duplicates(parsed)
    return parsed


def _clean(raw, where: str, what: str, notes: list[str], *, line: bool) -> str:
    """Text from the file without control characters (each removal noted)."""
    value = "" if raw is None else str(raw)
    bad = BAD_IN_TEXT.search(value)
    if bad:
        notes.append(
            f"{where}: control characters removed from the {what} "
            f"({describe(bad.group())} and any others)."
        )
    value = clean_line(value) if line else clean_text(value)
    return value.strip()


def _duration(value: str, where: str, notes: list[str], slot: dt.timedelta) -> dt.timedelta:
    match = DURATION_RE.match((value or "").strip())
    if not match:
        raise ImportProblem(f"{where}: duration “{value}” is not HH:MM.")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    delta = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if delta <= dt.timedelta(0):
        notes.append(
            f"{where}: duration “{value}” is zero; the session was given "
            f"{int(slot.total_seconds() // 60)} minutes (one time slot)."
        )
        return slot
    return delta


def _zone(name: str, notes: list[str]) -> str | None:
    """The file's IANA time zone, by the same rule as Event.timezone; None if it has none."""
    name = (name or "").strip()
    if not name:
        return None
    try:
        validate_timezone(name)
    except ValidationError:
        notes.append(f"Unknown time zone “{name[:64]}”: the zone was decided as if none was named.")
        return None
    return name


def _list(value, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportProblem(f"{where}: a list was expected.")
    return value


def _date_only(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _moment(value: str, where: str, schedule: ParsedSchedule, zone: str | None):
    """An aware datetime from an ISO 8601 date; naive ones are read in ``zone`` (or UTC)."""
    value = (value or "").strip()
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportProblem(f"{where}: date “{value}” is not an ISO 8601 date and time.") from None
    if not 1 < moment.year < 9999:  # converting or adding a duration would overflow
        raise ImportProblem(f"{where}: date “{value}” is out of range.")
    if moment.tzinfo is None:
        schedule.naive_times = True
        return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone or "UTC")).astimezone(dt.UTC)
    if len(schedule.offsets) < 500:
        schedule.offsets.add((moment.astimezone(dt.UTC), moment.utcoffset()))
    return moment.astimezone(dt.UTC)


def _guid(value, where: str, notes: list[str], fallback: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError, TypeError):
        reason = "no guid" if value in (None, "") else f"guid “{str(value)[:40]}” is not a UUID"
        notes.append(f"{where}: {reason}; a stable one was derived from its id.")
        return uuid.uuid5(FRAB_NAMESPACE, fallback)


def _person_guid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip()) if value else None
    except (ValueError, AttributeError, TypeError):
        return None


def _slug_from_frab(slug: str, acronym: str, frab_id: int | None, title: str) -> str:
    """Our exports write "<acronym>-<id>-<slug>"; read our own slug back from that."""
    slug = (slug or "").strip()
    for prefix in (f"{acronym}-{frab_id}-", f"{acronym}-"):
        if frab_id is not None and slug.lower().startswith(prefix.lower()):
            slug = slug[len(prefix) :]
            break
    return slugify(slug)[:80].strip("-_") or slugify(title)[:80].strip("-_") or "session"


def _frab_acronym(value: str, title: str, notes: list[str]) -> str:
    raw = (value or "").strip()
    fixed = acronym_from_slug(raw or slugify(title))
    if raw and fixed != raw:
        notes.append(f"Acronym “{raw[:60]}” became “{fixed}” (letters, digits and _ only).")
    return fixed


def _title(raw, where: str, notes: list[str]) -> str:
    """One line of at most 300 characters (the limit of Session.title)."""
    title = " ".join(_clean(raw, where, "title", notes, line=True).split())
    if not title:
        raise ImportProblem(f"{where}: the title is missing or empty.")
    if len(title) > 300:
        notes.append(f"{where}: the title was longer than 300 characters and was shortened.")
        title = title[:299].rstrip() + "…"
    return title


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_INT else None


def _frab_id(value, where: str, notes: list[str]) -> int | None:
    number = _int(value)
    if number is None and value not in (None, ""):
        notes.append(
            f"{where}: id “{str(value)[:20]}” is not a positive 32-bit integer; a new one is used."
        )
    return number


def _language(raw, where: str, notes: list[str]) -> str:
    value = str(raw or "").strip()
    if value and not LANGUAGE_RE.fullmatch(value):
        notes.append(f"{where}: language “{value[:20]}” is not a language code; left empty.")
        return ""
    return value[:16]


def _links(items, where: str, notes: list[str]) -> list[dict]:
    links = []
    for item in items:
        url = clean_line(str(item.get("url") or "")).strip()
        if BARE_DOMAIN_RE.match(url):
            notes.append(
                f"{where}: a link without a scheme (“www.example.org”) was read as https://."
            )
            url = f"https://{url}"
        if not re.match(r"^https?://\S+$", url) or len(url) > 2000:
            notes.append(f"{where}: a link without an http(s) URL was left out.")
            continue
        title = _clean(item.get("title"), where, "link title", notes, line=True)[:300]
        links.append({"url": url, "title": title})
    return links


def _slot(value: str) -> dt.timedelta:
    match = DURATION_RE.match((value or "").strip())
    if match:
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        slot = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if dt.timedelta(0) < slot <= dt.timedelta(hours=2):
            return slot
    return dt.timedelta(minutes=5)


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


class XMLReader:
    def __init__(self, data: bytes, timezone: str | None = None):
        self.data = data
        self.notes: list[str] = []
        self.timezone = timezone

    def read(self) -> ParsedSchedule:
        data = self.data
        bad = XML_BAD_BYTES.search(data)
        if bad:
            line = data.count(b"\n", 0, bad.start()) + 1
            count = len(XML_BAD_BYTES.findall(data))
            data = XML_BAD_BYTES.sub(b"", data)
            self.notes.append(
                f"line {line}: {count} control character(s), which XML cannot hold, were "
                "removed from the file."
            )
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise ImportProblem(f"The XML is malformed: {exc}") from None
        # Entities are never resolved (no XXE); an unresolved reference would silently cut
        # its element's text short ("The &co; talk" reads as "The"), so refuse the file.
        entity = next(root.iter(etree.Entity), None)
        if entity is not None:
            raise ImportProblem(
                f"line {entity.sourceline}: the entity reference {entity.text} in "
                f"<{entity.getparent().tag}> is not read (frab files declare no entities); "
                "write its text instead."
            )
        if root.tag != "schedule":
            raise ImportProblem(f"line {root.sourceline}: the root element is <{root.tag}>, "
                                "not <schedule>.")  # fmt: skip
        conference = root.find("conference")
        if conference is None:
            raise ImportProblem("line 1: <schedule> has no <conference>.")
        where = f"line {conference.sourceline}, <conference>"
        title = _clean(conference.findtext("title"), where, "title", self.notes, line=True)
        if not title:
            raise ImportProblem(f"line {conference.sourceline}: <conference> has no <title>.")
        tz = _zone(conference.findtext("time_zone_name"), self.notes)
        result = ParsedSchedule(
            format="XML",
            title=title,
            acronym=_frab_acronym(conference.findtext("acronym"), title, self.notes),
            timezone=tz,
            start=_date_only(conference.findtext("start")),
            end=_date_only(conference.findtext("end")),
            notes=self.notes,
        )
        self.zone = tz or self.timezone
        self.slot = _slot(conference.findtext("timeslot_duration"))
        self.day_change = self._day_change(conference.findtext("day_change"))
        for track in conference.findall("track"):
            name = _clean(
                track.get("name") or track.text, where, "track name", self.notes, line=True
            )
            color = track.get("color") or ""
            if name and re.fullmatch(r"#[0-9a-fA-F]{6}", color):
                result.track_colors[name[:100]] = color.lower()
        for day in root.findall("day"):
            day_date = _date_only(day.get("date") or "")
            for room in day.findall("room"):
                room_where = f"line {room.sourceline}, <room>"
                room_name = _clean(room.get("name"), room_where, "room name", self.notes, line=True)
                guid = _person_guid(room.get("guid"))
                if room_name and guid and room_name not in result.room_guids:
                    result.room_guids[room_name[:100]] = guid
                for event in room.findall("event"):
                    result.sessions.append(self.session(event, room_name, day_date, result))
        return result

    @staticmethod
    def _day_change(value: str | None) -> dt.time:
        try:
            return dt.time.fromisoformat((value or "").strip())
        except ValueError:
            return dt.time(0, 0)

    def _pentabarf_date(self, el, day_date, where: str) -> str:
        """Pentabarf gives no <date>: the day's date and <start>; times before the
        conference's day_change belong to the next calendar day."""
        start = (el.findtext("start") or "").strip()
        try:
            clock = dt.time.fromisoformat(start)
        except ValueError:
            raise ImportProblem(
                f"{where}: no <date>, and <start> “{start}” is not HH:MM."
            ) from None
        if day_date is None:
            raise ImportProblem(f"{where}: no <date>, and its <day> has no date.")
        date = day_date + dt.timedelta(days=1) if clock < self.day_change else day_date
        self.notes.append(
            f"{where}: no <date>; it was computed from the day's date, <start> and day_change."
        )
        return dt.datetime.combine(date, clock).isoformat()

    def session(self, el, room_name: str, day_date, schedule: ParsedSchedule) -> ParsedSession:
        where = f'line {el.sourceline}, <event id="{el.get("id", "")[:20]}">'
        notes = self.notes
        title = _title(el.findtext("title"), where, notes)
        frab_id = _frab_id(el.get("id"), where, notes)
        date = el.findtext("date")
        if not (date or "").strip():
            date = self._pentabarf_date(el, day_date, where)
        starts_at = _moment(date, where, schedule, self.zone)
        persons = []
        persons_el = el.find("persons")
        if persons_el is not None:
            for person in persons_el.findall("person"):
                name = _clean(person.text, where, "person's name", notes, line=True)
                if name:
                    persons.append(
                        Person(
                            name=name[:200],
                            guid=_person_guid(person.get("guid")),
                            frab_id=_int(person.get("id")),
                        )
                    )
        recording = el.find("recording")
        links_el = el.find("links")
        links = []
        if links_el is not None:
            links = [
                {"url": link.get("href"), "title": link.text} for link in links_el.findall("link")
            ]
        return ParsedSession(
            where=where,
            guid=_guid(el.get("guid"), where, notes, f"{schedule.acronym}:{frab_id or title}"),
            frab_id=frab_id,
            title=title,
            slug=_slug_from_frab(el.findtext("slug"), schedule.acronym, frab_id, title),
            subtitle=_clean(el.findtext("subtitle"), where, "subtitle", notes, line=True)[:300],
            abstract=_clean(el.findtext("abstract"), where, "abstract", notes, line=False),
            description=_clean(el.findtext("description"), where, "description", notes, line=False),
            language=_language(el.findtext("language"), where, notes),
            do_not_record=recording is not None and _bool(recording.findtext("optout")),
            recording_license=(
                _clean(recording.findtext("license"), where, "licence", notes, line=True)[:200]
                if recording is not None
                else ""
            ),
            links=_links(links, where, notes),
            starts_at=starts_at,
            ends_at=starts_at + _duration(el.findtext("duration"), where, notes, self.slot),
            room=_clean(el.findtext("room") or room_name, where, "room", notes, line=True)[:100],
            track=_clean(el.findtext("track"), where, "track", notes, line=True)[:100],
            type=_clean(el.findtext("type"), where, "type", notes, line=True)[:100],
            persons=persons,
        )


class JSONReader:
    def __init__(self, data: bytes, timezone: str | None = None):
        self.data = data
        self.notes: list[str] = []
        self.timezone = timezone

    def read(self) -> ParsedSchedule:
        try:
            document = json.loads(self.data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ImportProblem("The file is not UTF-8 text.") from None
        except json.JSONDecodeError as exc:
            raise ImportProblem(
                f"line {exc.lineno}, column {exc.colno}: the JSON is malformed ({exc.msg})."
            ) from None
        except RecursionError:
            raise ImportProblem("The JSON is nested too deeply to be a schedule.") from None
        schedule = document.get("schedule") if isinstance(document, dict) else None
        if not isinstance(schedule, dict):
            raise ImportProblem("$: the document has no “schedule” object.")
        conference = schedule.get("conference")
        if not isinstance(conference, dict):
            raise ImportProblem("$.schedule: there is no “conference” object.")
        where = "$.schedule.conference"
        title = _clean(conference.get("title"), where, "title", self.notes, line=True)
        if not title:
            raise ImportProblem("$.schedule.conference: “title” is missing or empty.")
        tz = _zone(str(conference.get("time_zone_name") or ""), self.notes)
        result = ParsedSchedule(
            format="JSON",
            title=title,
            acronym=_frab_acronym(str(conference.get("acronym") or ""), title, self.notes),
            timezone=tz,
            start=_date_only(str(conference.get("start") or "")),
            end=_date_only(str(conference.get("end") or "")),
            description=_clean(
                conference.get("description"), where, "description", self.notes, line=False
            ),
            notes=self.notes,
        )
        self.zone = tz or self.timezone
        self.slot = _slot(str(conference.get("timeslot_duration") or ""))
        for track in _list(conference.get("tracks"), "$.schedule.conference.tracks"):
            if isinstance(track, dict) and track.get("name"):
                name = _clean(track["name"], where, "track name", self.notes, line=True)[:100]
                color = str(track.get("color") or "")
                if name and re.fullmatch(r"#[0-9a-fA-F]{6}", color):
                    result.track_colors[name] = color.lower()
        for room in _list(conference.get("rooms"), "$.schedule.conference.rooms"):
            if isinstance(room, dict) and room.get("name"):
                name = _clean(room["name"], where, "room name", self.notes, line=True)[:100]
                if not name:
                    continue
                capacity = room.get("capacity")
                result.room_capacity[name] = (
                    int(capacity)
                    if isinstance(capacity, int | float) and 0 < capacity <= MAX_INT
                    else None
                )
                guid = _person_guid(room.get("guid"))
                if guid:
                    result.room_guids.setdefault(name, guid)
        days = conference.get("days")
        if not isinstance(days, list):
            raise ImportProblem("$.schedule.conference: “days” is missing or not a list.")
        for d, day in enumerate(days):
            rooms = day.get("rooms") if isinstance(day, dict) else None
            if not isinstance(rooms, dict):
                raise ImportProblem(f"$.schedule.conference.days[{d}]: “rooms” is not an object.")
            for room_name, events in rooms.items():
                if not isinstance(events, list):
                    raise ImportProblem(
                        f"$.schedule.conference.days[{d}].rooms[{room_name!r}]: not a list."
                    )
                for e, event in enumerate(events):
                    where = f"$.schedule.conference.days[{d}].rooms[{room_name!r}][{e}]"
                    if not isinstance(event, dict):
                        raise ImportProblem(f"{where}: an event must be an object.")
                    result.sessions.append(self.session(event, room_name, where, result))
        return result

    def session(self, event: dict, room_name: str, where: str, schedule) -> ParsedSession:
        notes = self.notes
        title = _title(event.get("title"), where, notes)
        frab_id = _frab_id(event.get("id"), where, notes)
        starts_at = _moment(str(event.get("date") or ""), where, schedule, self.zone)
        if event.get("end"):
            ends_at = _moment(str(event["end"]), where, schedule, self.zone)
            if ends_at <= starts_at:
                raise ImportProblem(f"{where}: “end” is not after “date”.")
        else:
            duration = _duration(str(event.get("duration") or ""), where, notes, self.slot)
            ends_at = starts_at + duration
        persons = []
        for p, person in enumerate(_list(event.get("persons"), f"{where}.persons")):
            if not isinstance(person, dict):
                raise ImportProblem(f"{where}.persons[{p}]: a person must be an object.")
            raw_name = person.get("name") or person.get("public_name")
            name = _clean(raw_name, f"{where}.persons[{p}]", "name", notes, line=True)
            if not name:
                continue
            bio = person.get("biography")
            code = _clean(person.get("code"), where, "person's code", notes, line=True)
            persons.append(
                Person(
                    name=name[:200],
                    biography=None
                    if bio is None
                    else _clean(bio, f"{where}.persons[{p}]", "biography", notes, line=False),
                    guid=_person_guid(person.get("guid")),
                    code=code[:64],
                    frab_id=_int(person.get("id")),
                )
            )
        links = [
            link for link in _list(event.get("links"), f"{where}.links") if isinstance(link, dict)
        ]
        return ParsedSession(
            where=where,
            guid=_guid(event.get("guid"), where, notes, f"{schedule.acronym}:{frab_id or title}"),
            frab_id=frab_id,
            title=title,
            slug=_slug_from_frab(str(event.get("slug") or ""), schedule.acronym, frab_id, title),
            subtitle=_clean(event.get("subtitle"), where, "subtitle", notes, line=True)[:300],
            abstract=_clean(event.get("abstract"), where, "abstract", notes, line=False),
            description=_clean(event.get("description"), where, "description", notes, line=False),
            language=_language(event.get("language"), where, notes),
            do_not_record=_bool(event.get("do_not_record")),
            recording_license=_clean(
                event.get("recording_license"), where, "licence", notes, line=True
            )[:200],
            links=_links(links, where, notes),
            starts_at=starts_at,
            ends_at=ends_at,
            room=_clean(event.get("room") or room_name, where, "room", notes, line=True)[:100],
            track=_clean(event.get("track"), where, "track", notes, line=True)[:100],
            type=_clean(event.get("type"), where, "type", notes, line=True)[:100],
            persons=persons,
        )


def _repair_duplicates(parsed: ParsedSchedule) -> None:
    """A guid or an id used twice (frab repeats a workshop that way) is repaired for the
    later uses: a guid derived from the first and the occurrence, a new id."""
    seen: dict[uuid.UUID, str] = {}
    uses: Counter = Counter()
    ids: dict[int, str] = {}
    for s in parsed.sessions:
        if s.guid in seen:
            uses[s.guid] += 1
            first = seen[s.guid]
            original = s.guid
            s.guid = uuid.uuid5(FRAB_NAMESPACE, f"{original}#{uses[original]}")
            parsed.notes.append(
                f"{s.where}: guid {original} is used twice (also at {first}); this one "
                "was given a stable guid of its own."
            )
        seen.setdefault(s.guid, s.where)
        if s.frab_id is not None:
            if s.frab_id in ids:
                parsed.notes.append(
                    f"{s.where}: id {s.frab_id} is used twice (also at {ids[s.frab_id]}); "
                    "this one was given a new id."
                )
                s.frab_id = None
            else:
                ids[s.frab_id] = s.where
    # Merged files (36C3's) give one person id to several people: there the id is no
    # identity, and people are told apart by id and name.
    names_of: dict[int, set[str]] = {}
    first_use: dict[int, str] = {}
    for s in parsed.sessions:
        for person in s.persons:
            if person.frab_id and not (person.guid or person.code):
                names_of.setdefault(person.frab_id, set()).add(person.name)
                first_use.setdefault(person.frab_id, s.where)
    shared = {number for number, names in names_of.items() if len(names) > 1}
    for s in parsed.sessions:
        for person in s.persons:
            if person.frab_id in shared and not (person.guid or person.code):
                person.shared_id = True
    if shared:
        examples = "; ".join(
            f"id {number} at {first_use[number]}: {', '.join(sorted(names_of[number])[:3])}"
            for number in sorted(shared)[:3]
        )
        parsed.notes.append(
            f"{len(shared)} person ids are each given to people of different names "
            f"({examples}; …): those people are told apart by id and name."
        )
    rooms: dict[uuid.UUID, str] = {}
    for name, guid in list(parsed.room_guids.items()):
        if guid in rooms:
            parsed.notes.append(
                f"Rooms “{rooms[guid]}” and “{name}” have the same guid; “{name}” was given "
                "one of its own."
            )
            parsed.room_guids[name] = uuid.uuid5(FRAB_NAMESPACE, f"{guid}:{name}")
        else:
            rooms[guid] = name


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _guess_zone(parsed: ParsedSchedule, given: str | None) -> tuple[str, str | None]:
    """(zone, note) for a file that names no zone."""
    if given:
        return given, None
    if parsed.offsets:
        samples = sorted(parsed.offsets, key=lambda pair: pair[0])
        if all(off == dt.timedelta(0) for _, off in samples):
            return "UTC", (
                "The file names no time zone; its times are in UTC (+00:00), so UTC was used. "
                "Give --timezone, or set the event's zone, if the venue is elsewhere."
            )
        for name in LIKELY_ZONES:
            zone = zoneinfo.ZoneInfo(name)
            if all(moment.astimezone(zone).utcoffset() == off for moment, off in samples):
                offsets = sorted({_offset(off) for _, off in samples})
                return name, (
                    f"The file names no time zone; its times carry the offset(s) "
                    f"{', '.join(offsets)}, so {name} was guessed (the times themselves are "
                    "kept). Give --timezone, or set the event's zone, if that is wrong."
                )
    note = "The file names no time zone; UTC was used (a guess: give --timezone to choose)."
    return "UTC", note


# Writing ---------------------------------------------------------------------


def _event_dates(parsed: ParsedSchedule, tz: zoneinfo.ZoneInfo) -> tuple[dt.date, dt.date]:
    days = [s.starts_at.astimezone(tz).date() for s in parsed.sessions]
    days += [(s.ends_at - dt.timedelta(seconds=1)).astimezone(tz).date() for s in parsed.sessions]
    start = parsed.start or (min(days) if days else dt.date.today())  # noqa: DTZ011
    end = parsed.end or (max(days) if days else start)
    if days and (min(days) < start or max(days) > end):
        parsed.notes.append(
            f"Sessions fall outside the conference's dates ({start} to {end}); the event "
            f"now runs {min(min(days), start)} to {max(max(days), end)}."
        )
        start, end = min(min(days), start), max(max(days), end)
    return start, max(start, end)


def _show(value) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


SESSION_FIELDS = (
    "title", "subtitle", "abstract", "description", "language", "do_not_record",
    "recording_license", "links", "starts_at", "ends_at", "room_id", "track_id",
    "session_type_id",
)  # fmt: skip


class Writer:
    """One import's writes: compares with what is stored and writes only differences."""

    def __init__(self, parsed: ParsedSchedule, event: Event, report: Report, publish: bool):
        self.parsed = parsed
        self.event = event
        self.report = report
        self.publish = publish
        self.now = django_tz.now()

    # rooms, tracks, types --------------------------------------------------------

    def load_named(self) -> None:
        event = self.event
        self.rooms = {r.name: r for r in Room.objects.filter(event=event)}
        self.rooms_by_guid = {r.guid: r for r in self.rooms.values()}
        self.tracks = {t.name: t for t in Track.objects.filter(event=event)}
        self.types = {t.name: t for t in SessionType.objects.filter(event=event)}

    def room(self, name: str) -> Room | None:
        if not name:
            return None
        room = self.rooms.get(name)
        guid = self.parsed.room_guids.get(name)
        if room is None and guid in self.rooms_by_guid:
            room = self.rooms_by_guid[guid]  # renamed in the other system
            room.name = name
            room.save(update_fields=["name"])
            self.report.count("rooms", False)
            self.rooms[name] = room
        if room is None:
            room = Room(event=self.event, name=name, position=len(self.rooms))
            if guid and guid not in self.rooms_by_guid:
                room.guid = guid
            capacity = self.parsed.room_capacity.get(name)
            if capacity:
                room.capacity = capacity
            room.save()
            self.rooms[name] = room
            self.rooms_by_guid[room.guid] = room
            self.report.count("rooms", True)
        return room

    def update_rooms(self) -> None:
        for name in self.parsed.room_capacity:
            self.room(name)
        for name, room in self.rooms.items():
            capacity = self.parsed.room_capacity.get(name)
            guid = self.parsed.room_guids.get(name)
            changed = []
            if capacity and room.capacity != capacity:
                room.capacity = capacity
                changed.append("capacity")
            if guid and room.guid != guid and guid not in self.rooms_by_guid:
                self.rooms_by_guid.pop(room.guid, None)
                room.guid = guid
                self.rooms_by_guid[guid] = room
                changed.append("guid")
            if changed and not room._state.adding:
                room.save(update_fields=changed)
                self.report.count("rooms", False)

    def named(self, cache: dict, model, name: str, kind: str, **defaults):
        if not name:
            return None
        obj = cache.get(name)
        if obj is None:
            obj = model.objects.create(event=self.event, name=name[:100], **defaults)
            cache[name] = obj
            self.report.count(kind, True)
        return obj

    # people -------------------------------------------------------------------------

    def load_people(self) -> None:
        speakers = list(Speaker.objects.filter(event=self.event))
        self.by_guid = {s.guid: s for s in speakers}
        self.by_code = {s.code: s for s in speakers if s.code}
        self.by_name: dict[str, list[Speaker]] = {}
        for s in speakers:
            self.by_name.setdefault(s.name, []).append(s)
        self.slugs = {s.slug for s in speakers}
        self.resolved: dict[tuple, Speaker] = {}
        self.new_speakers: list[Speaker] = []
        self.new_ids: set[int] = set()
        self.changed_speakers: dict[int, Speaker] = {}
        self.claimed: set[int] = set()
        self.person_ids = set(
            Speaker.objects.exclude(frab_id=None).values_list("frab_id", flat=True)
        )
        self.next_person_id = max(self.person_ids, default=0) + 1

    def _legacy(self, speaker: Speaker) -> bool:
        """Imported before speakers kept the file's identity (their guid was derived)."""
        legacy = uuid.uuid5(LEGACY_EXPORT_NAMESPACE, f"{self.event.acronym}:speaker:{speaker.slug}")
        return not speaker.code and speaker.guid == legacy

    def _find(self, person: Person) -> tuple[Speaker | None, bool]:
        """The stored speaker this person is, and whether found only by name."""
        if person.key[0] == "name":
            # The file gives nothing but a name: the one speaker of that name, if any.
            found = [s for s in self.by_name.get(person.name, []) if s.pk not in self.claimed]
            return (found[0] if found else None), True
        speaker = self.by_guid.get(self._derived_guid(person))
        if speaker is None and person.code:
            speaker = self.by_code.get(person.code)
        if speaker is not None:
            return speaker, False
        # Speakers stored before imports kept the file's identities: by name, once.
        found = [
            s
            for s in self.by_name.get(person.name, [])
            if s.pk not in self.claimed and self._legacy(s)
        ]
        return (found[0] if found else None), True

    def _derived_guid(self, person: Person) -> uuid.UUID | None:
        """The guid the file gives, or one derived from its code or id (so that the next
        import finds the same speaker); None when the file gives only a name."""
        if person.guid:
            return person.guid
        if person.code:
            return uuid.uuid5(FRAB_NAMESPACE, f"{self.parsed.acronym}:person-code:{person.code}")
        if person.frab_id and person.shared_id:
            return uuid.uuid5(
                FRAB_NAMESPACE, f"{self.parsed.acronym}:person:{person.frab_id}:{person.name}"
            )
        if person.frab_id:
            return uuid.uuid5(FRAB_NAMESPACE, f"{self.parsed.acronym}:person:{person.frab_id}")
        return None

    def speaker(self, person: Person) -> Speaker:
        key = person.key
        speaker = self.resolved.get(key)
        if speaker is not None:
            return speaker
        speaker, by_name = self._find(person)
        guid = self._derived_guid(person)
        if speaker is None:
            speaker = Speaker(
                event=self.event,
                name=person.name,
                guid=guid or uuid.uuid4(),
                code=person.code,
                bio=person.biography or "",
                bio_html=render_markdown(person.biography or ""),
                slug=free_slug(slug_root(person.name), self.slugs),
                frab_id=self._person_id(person.frab_id),
            )
            if speaker.guid in self.by_guid:
                speaker.guid = uuid.uuid4()
            self.slugs.add(speaker.slug)
            self.by_guid[speaker.guid] = speaker
            self.new_speakers.append(speaker)
            self.new_ids.add(id(speaker))
            self.report.count("speakers", True)
        else:
            self.claimed.add(speaker.pk)
            changed = False
            if key[0] != "name" and speaker.name != person.name:
                speaker.name = person.name
                changed = True
            if person.biography is not None and speaker.bio != person.biography:
                speaker.bio = person.biography
                speaker.bio_html = render_markdown(person.biography)
                changed = True
            if person.code and speaker.code != person.code and person.code not in self.by_code:
                speaker.code = person.code
                self.by_code[person.code] = speaker
                changed = True
            if guid and by_name and speaker.guid != guid and guid not in self.by_guid:
                speaker.guid = guid  # adopts the identity the file gives from now on
                self.by_guid[guid] = speaker
                changed = True
            if changed and speaker.pk not in self.changed_speakers:
                self.changed_speakers[speaker.pk] = speaker
                self.report.count("speakers", False)
        self.resolved[key] = speaker
        return speaker

    def _person_id(self, wanted: int | None) -> int:
        if wanted and wanted not in self.person_ids:
            self.person_ids.add(wanted)
            return wanted
        while self.next_person_id in self.person_ids:
            self.next_person_id += 1
        self.person_ids.add(self.next_person_id)
        return self.next_person_id

    def save_people(self) -> None:
        Speaker.objects.bulk_create(self.new_speakers, batch_size=500)
        if self.changed_speakers:
            for speaker in self.changed_speakers.values():
                speaker.updated_at = self.now
            Speaker.objects.bulk_update(
                list(self.changed_speakers.values()),
                ["name", "bio", "bio_html", "code", "guid", "updated_at"],
                batch_size=500,
            )
        seen = {s.pk for s in self.changed_speakers.values()}
        for speaker in self.resolved.values():
            if speaker.pk not in seen and id(speaker) not in self.new_ids:
                seen.add(speaker.pk)
                self.report.same("speakers")

    # sessions -----------------------------------------------------------------------

    def sessions(self, prune: bool) -> None:
        parsed, event, report = self.parsed, self.event, self.report
        existing = {s.guid: s for s in Session.objects.filter(event=event)}
        links_before: dict[int, list[tuple]] = {}
        for session_id, speaker_id, position, role in (
            SessionSpeaker.objects.filter(session__event=event)
            .order_by("session_id", "position", "pk")
            .values_list("session_id", "speaker_id", "position", "role")
        ):
            links_before.setdefault(session_id, []).append((speaker_id, position, role))
        ids_taken = set(Session.objects.values_list("frab_id", flat=True))
        next_id = max((i for i in ids_taken if i), default=0) + 1
        slugs = {s.slug for s in existing.values()}

        def free_id(wanted: int | None, current: int | None) -> int | None:
            nonlocal next_id
            if wanted and (wanted == current or wanted not in ids_taken):
                ids_taken.add(wanted)
                return wanted
            if current:
                return current
            while next_id in ids_taken:
                next_id += 1
            ids_taken.add(next_id)
            return next_id

        new, changed, linked = [], [], []
        relinked: list[int] = []
        for item in parsed.sessions:
            values = {
                "title": item.title,
                "subtitle": item.subtitle,
                "abstract": item.abstract,
                "description": item.description,
                "language": item.language,
                "do_not_record": item.do_not_record,
                "recording_license": item.recording_license,
                "links": item.links,
                "starts_at": item.starts_at,
                "ends_at": item.ends_at,
                "room_id": getattr(self.room(item.room), "pk", None),
                "track_id": getattr(
                    self.named(self.tracks, Track, item.track, "tracks", position=len(self.tracks)),
                    "pk",
                    None,
                ),
                "session_type_id": getattr(
                    self.named(
                        self.types,
                        SessionType,
                        item.type,
                        "types",
                        is_break=item.type.lower() in BREAK_TYPES,
                    ),
                    "pk",
                    None,
                ),  # fmt: skip
            }
            people, seen = [], set()
            for person in item.persons:
                speaker = self.speaker(person)
                if id(speaker) not in seen:
                    seen.add(id(speaker))
                    people.append(speaker)
            session = existing.pop(item.guid, None)
            if session is None:
                session = Session(
                    event=event,
                    guid=item.guid,
                    status=Session.Status.PUBLISHED if self.publish else Session.Status.DRAFT,
                    slug=free_slug(item.slug, slugs),
                    frab_id=free_id(item.frab_id, None),
                    abstract_html=render_markdown(item.abstract),
                    description_html=render_markdown(item.description),
                    **values,
                )
                slugs.add(session.slug)
                new.append(session)
                linked.append((session, people))
                report.count("sessions", True)
                continue
            differences = [
                (name, getattr(session, name), value)
                for name, value in values.items()
                if getattr(session, name) != value
            ]
            if self.publish and session.status == Session.Status.DRAFT:
                differences.append(("status", session.status, Session.Status.PUBLISHED))
            frab_id = free_id(item.frab_id, session.frab_id)
            if frab_id != session.frab_id:
                differences.append(("frab_id", session.frab_id, frab_id))
            if session.slug != item.slug and not re.fullmatch(
                re.escape(item.slug) + r"-\d+", session.slug
            ):
                slugs.discard(session.slug)
                slug = free_slug(item.slug, slugs)
                slugs.add(slug)
                if slug != session.slug:
                    differences.append(("slug", session.slug, slug))
            before = links_before.get(session.pk, [])
            # New speakers have no pk yet: they are new, so the list differs anyway.
            after = [(p.pk, n, SessionSpeaker.Role.SPEAKER) for n, p in enumerate(people)]
            same_people = [(s, n) for s, n, _ in before] == [(s, n) for s, n, _ in after]
            if not same_people:
                names = {p.pk: p.name for p in people}
                differences.append(
                    ("speakers", f"{len(before)} people", ", ".join(names.values()) or "none")
                )
                relinked.append(session.pk)
                linked.append((session, people))
            if not differences:
                report.same("sessions")
                continue
            for name, _, value in differences:
                if name != "speakers":
                    setattr(session, name, value)
            names = {name for name, _, _ in differences}
            if "abstract" in names:
                session.abstract_html = render_markdown(session.abstract)
            if "description" in names:
                session.description_html = render_markdown(session.description)
            session.version += 1
            session.updated_at = self.now
            changed.append(session)
            report.count("sessions", False)
            if len(report.changes) < PREVIEW_CHANGES:
                report.changes.append(
                    Change(
                        session.title,
                        [(n, _show(a), _show(b)) for n, a, b in differences],
                    )
                )

        self.save_people()
        Session.objects.bulk_create(new, batch_size=500)
        if changed:
            Session.objects.bulk_update(
                changed,
                [*SESSION_FIELDS, "status", "frab_id", "slug", "abstract_html",
                 "description_html", "version", "updated_at"],
                batch_size=500,
            )  # fmt: skip
        # A person who stays keeps the role given here (moderator, panelist).
        roles = {
            (session_id, speaker_id): role
            for session_id in relinked
            for speaker_id, _, role in links_before.get(session_id, [])
        }
        if relinked:
            SessionSpeaker.objects.filter(session_id__in=relinked).delete()
        SessionSpeaker.objects.bulk_create(
            (
                SessionSpeaker(
                    session=session,
                    speaker=speaker,
                    position=position,
                    role=roles.get((session.pk, speaker.pk), SessionSpeaker.Role.SPEAKER),
                )
                for session, people in linked
                for position, speaker in enumerate(people)
            ),
            batch_size=1000,
        )
        # What Lineup has and the file no longer does: listed, and cancelled on request.
        gone = [s for s in existing.values() if s.status != Session.Status.CANCELLED]
        gone.sort(key=lambda s: (s.starts_at is None, s.starts_at or self.now, s.title))
        report.missing = [
            f"{s.title} ({s.starts_at.astimezone(event.tzinfo):%Y-%m-%d %H:%M})"
            if s.starts_at
            else s.title
            for s in gone
        ]
        if prune and gone:
            report.pruned = Session.objects.filter(pk__in=[s.pk for s in gone]).set_status(
                Session.Status.CANCELLED
            )


def apply(
    parsed: ParsedSchedule,
    event_slug: str,
    *,
    publish: bool = True,
    update_event: bool = True,
    prune: bool = False,
    dry_run: bool = False,
    timezone: str | None = None,
) -> Report:
    """Write a parsed file in one transaction (rolled back when ``dry_run``).

    ``update_event=False`` (the admin's upload) leaves an existing event's name, acronym,
    time zone and description as they are: only its dates grow, with a note."""
    report = Report(format=parsed.format, dry_run=dry_run)
    with transaction.atomic():
        _apply(parsed, event_slug, report, publish, update_event, prune, timezone)
        if dry_run:
            transaction.set_rollback(True)
    report.notes = parsed.notes
    return report


def _apply(parsed, event_slug, report, publish, update_event, prune, timezone) -> None:
    event = Event.objects.select_for_update().filter(slug=event_slug).first()
    created = event is None
    # An event without sessions (just made in the admin) takes the file's days and zone.
    fresh = created or not Session.objects.filter(event=event).exists()
    if parsed.timezone or timezone:
        zone = parsed.timezone or timezone
    elif not created and not parsed.offsets:
        zone = event.timezone  # times without offsets were read in the event's zone
    elif fresh or update_event:
        zone, note = _guess_zone(parsed, None)
        if note:
            parsed.notes.insert(0, note)
    else:
        zone = event.timezone
    if created:
        event = Event(slug=event_slug, is_published=publish, timezone=zone)
    before = {
        name: getattr(event, name)
        for name in ("name", "acronym", "timezone", "description", "start_date", "end_date",
                     "language")
    }  # fmt: skip
    if created or update_event:
        event.name = parsed.title[:200]
        event.acronym = parsed.acronym[:50]
        event.timezone = zone
        if parsed.description:
            event.description = parsed.description
        languages = Counter(s.language for s in parsed.sessions if s.language)
        if languages and created:
            event.language = languages.most_common(1)[0][0]
    if fresh:
        event.timezone = zone
    start, end = _event_dates(parsed, zoneinfo.ZoneInfo(event.timezone))
    if created:
        event.start_date, event.end_date = start, end
    elif fresh:
        if (start, end, zone) != (before["start_date"], before["end_date"], before["timezone"]):
            parsed.notes.append(
                f"The event had no sessions yet: it now runs {start} to {end} in {zone}, "
                "as the file says."
            )
        event.start_date, event.end_date = start, end
    else:
        widened = min(start, event.start_date), max(end, event.end_date)
        if widened != (event.start_date, event.end_date):
            parsed.notes.append(
                f"The event ran {event.start_date} to {event.end_date}; it now runs "
                f"{widened[0]} to {widened[1]} to hold the file's sessions."
            )
            event.start_date, event.end_date = widened
    if (event.end_date - event.start_date).days > 60:
        raise ImportProblem("The sessions span more than 61 days: is this one conference?")
    if created:
        event.save()
        report.count("events", True)
    elif any(getattr(event, name) != value for name, value in before.items()):
        event.save()
        report.count("events", False)
    else:
        report.same("events")

    writer = Writer(parsed, event, report, publish)
    writer.load_named()
    writer.load_people()
    writer.update_rooms()
    for track_name, color in parsed.track_colors.items():
        writer.named(writer.tracks, Track, track_name, "tracks", color=color,
                     position=len(writer.tracks))  # fmt: skip
    writer.sessions(prune)
    if report.changed_anything:
        Event.objects.filter(pk=event.pk).touch()


def import_schedule(
    data: bytes,
    event_slug: str,
    *,
    publish: bool = True,
    update_event: bool = True,
    prune: bool = False,
    dry_run: bool = False,
    timezone: str | None = None,
) -> Report:
    """Parse, then write in one transaction. Raises ImportProblem and changes nothing.

    ``dry_run=True`` returns the same report without writing anything (``report.preview()``
    shows it); ``prune=True`` cancels the event's sessions that the file no longer has;
    ``timezone`` is the zone for a file that names none (else the event's, else a guess)."""
    if timezone:
        try:
            validate_timezone(timezone)
        except ValidationError:
            raise ImportProblem(
                f"“{timezone}” is not a time zone name such as Europe/Berlin."
            ) from None
    existing = Event.objects.filter(slug=event_slug).values_list("timezone", flat=True).first()
    parsed = parse(data, timezone=timezone or existing)  # the zone of times without offset
    return apply(
        parsed,
        event_slug,
        publish=publish,
        update_event=update_event,
        prune=prune,
        dry_run=dry_run,
        timezone=timezone,
    )
