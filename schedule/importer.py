"""Import a frab schedule (XML or JSON, told apart by content) into an event.

Two steps, so that a bad file changes nothing: ``parse`` reads the whole file into
plain data, stopping at the first real error with its position; ``apply`` writes it
in one transaction, keyed by guid, so importing again updates instead of
duplicating. What could be repaired (a missing guid, an odd acronym, a session
outside the event's dates) is repaired and reported; nothing is stored half.
"""

import datetime as dt
import json
import re
import uuid
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from lxml import etree

from events.models import (
    Event,
    Room,
    SessionType,
    Track,
    acronym_from_slug,
    unique_slug,
    validate_timezone,
)
from speakers.models import Speaker

from .models import Session, SessionSpeaker

MAX_BYTES = 20 * 1024 * 1024
MAX_INT = 2_147_483_647  # frab ids and capacities are stored as 32-bit integers
BREAK_TYPES = {"break", "pause", "lunch", "coffee", "coffee break", "lunch break"}
DURATION_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
FRAB_NAMESPACE = uuid.UUID("0f4c6d2e-8a51-5b7e-a3c9-2d1e0b9f8a76")


class ImportProblem(Exception):
    """The file cannot be imported; the message says what and where."""


@dataclass
class Person:
    name: str
    biography: str = ""


@dataclass
class ParsedSession:
    where: str
    guid: uuid.UUID
    frab_id: int | None
    title: str
    slug: str
    abstract: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    track: str
    type: str
    persons: list[Person]


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
    sessions: list[ParsedSession] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    format: str = ""
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def summary(self) -> str:
        def part(counts):
            return ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"

        return f"frab {self.format}: created {part(self.created)}; updated {part(self.updated)}."


# Reading ---------------------------------------------------------------------


def parse(data: bytes) -> ParsedSchedule:
    if len(data) > MAX_BYTES:
        raise ImportProblem("The file is larger than 20 MB.")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.startswith(b"<"):
        return XMLReader(data).read()
    if head.startswith(b"{"):
        return JSONReader(data).read()
    if head.upper().startswith(b"BEGIN:VCALENDAR"):
        raise ImportProblem(
            "This is an iCalendar file, not a frab schedule: export schedule.xml or "
            "schedule.json from the other system."
        )
    raise ImportProblem("This is neither frab XML nor frab JSON (it starts with neither < nor {).")


def _duration(value: str, where: str) -> dt.timedelta:
    match = DURATION_RE.match((value or "").strip())
    if not match:
        raise ImportProblem(f"{where}: duration “{value}” is not HH:MM.")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    delta = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if delta <= dt.timedelta(0):
        raise ImportProblem(f"{where}: duration “{value}” must be longer than zero.")
    return delta


def _zone(name: str, notes: list[str]) -> str | None:
    """The file's IANA time zone, by the same rule as Event.timezone; None if it has none."""
    name = (name or "").strip()
    if not name:
        notes.append("The file names no time zone; UTC was used.")
        return None
    try:
        validate_timezone(name)
    except ValidationError:
        notes.append(f"Unknown time zone “{name}”; UTC was used.")
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


def _start(date_value: str, tz: str | None, where: str, notes: list[str]) -> dt.datetime:
    value = (date_value or "").strip()
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportProblem(f"{where}: date “{value}” is not an ISO 8601 date and time.") from None
    if not 1 < moment.year < 9999:  # converting or adding a duration would overflow
        raise ImportProblem(f"{where}: date “{value}” is out of range.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(tz or "UTC"))
        notes.append(f"{where}: date without offset, read in {tz or 'UTC'}.")
    return moment.astimezone(dt.UTC)


def _guid(value: str | None, fallback: str, where: str, notes: list[str]) -> uuid.UUID:
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError, TypeError):
        notes.append(f"{where}: no valid guid, one was derived from its id and title.")
        return uuid.uuid5(FRAB_NAMESPACE, fallback)


def _slug_from_frab(slug: str, acronym: str, frab_id: int | None, title: str) -> str:
    """Our exports write "<acronym>-<id>-<slug>"; read our own slug back from that."""
    slug = (slug or "").strip()
    for prefix in (f"{acronym}-{frab_id}-", f"{acronym}-"):
        if frab_id is not None and slug.startswith(prefix):
            slug = slug[len(prefix) :]
            break
    return slugify(slug)[:80] or slugify(title)[:80] or "session"


def _frab_acronym(value: str, title: str, notes: list[str]) -> str:
    raw = (value or "").strip()
    fixed = acronym_from_slug(raw or slugify(title))
    if raw and fixed != raw:
        notes.append(f"Acronym “{raw}” became “{fixed}” (letters, digits and _ only).")
    return fixed


def _title(raw, where: str, notes: list[str]) -> str:
    """One line of at most 300 characters (the limit of Session.title)."""
    title = " ".join(str(raw or "").split())
    if not title:
        raise ImportProblem(f"{where}: the title is missing or empty.")
    if len(title) > 300:
        notes.append(f"{where}: the title was longer than 300 characters and was shortened.")
        title = title[:299].rstrip() + "…"
    return title


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_INT else None


def _frab_id(value, where: str, notes: list[str]) -> int | None:
    number = _int(value)
    if number is None and value not in (None, ""):
        notes.append(f"{where}: id “{value}” is not a positive 32-bit integer; a new one is used.")
    return number


class XMLReader:
    def __init__(self, data: bytes):
        self.data = data
        self.notes: list[str] = []

    def read(self) -> ParsedSchedule:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            root = etree.fromstring(self.data, parser)
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
        title = (conference.findtext("title") or "").strip()
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
        for track in conference.findall("track"):
            name = (track.get("name") or track.text or "").strip()
            color = track.get("color") or ""
            if name and re.fullmatch(r"#[0-9a-fA-F]{6}", color):
                result.track_colors[name] = color.lower()
        for day in root.findall("day"):
            for room in day.findall("room"):
                room_name = (room.get("name") or "").strip()
                for event in room.findall("event"):
                    result.sessions.append(self.session(event, room_name, result))
        return result

    def session(self, el, room_name: str, schedule: ParsedSchedule) -> ParsedSession:
        where = f'line {el.sourceline}, <event id="{el.get("id", "")}">'
        title = _title(el.findtext("title"), where, self.notes)
        frab_id = _frab_id(el.get("id"), where, self.notes)
        starts_at = _start(el.findtext("date"), schedule.timezone, where, self.notes)
        abstract = (el.findtext("abstract") or "").strip()
        description = (el.findtext("description") or "").strip()
        persons_el = el.find("persons")
        persons = []
        if persons_el is not None:
            for person in persons_el.findall("person"):
                name = (person.text or "").strip()
                if name:
                    persons.append(Person(name=name))
        return ParsedSession(
            where=where,
            guid=_guid(el.get("guid"), f"{frab_id}:{title}", where, self.notes),
            frab_id=frab_id,
            title=title,
            slug=_slug_from_frab(el.findtext("slug"), schedule.acronym, frab_id, title),
            abstract="\n\n".join(p for p in (abstract, description) if p),
            starts_at=starts_at,
            ends_at=starts_at + _duration(el.findtext("duration"), where),
            room=(el.findtext("room") or room_name).strip(),
            track=(el.findtext("track") or "").strip(),
            type=(el.findtext("type") or "").strip(),
            persons=persons,
        )


class JSONReader:
    def __init__(self, data: bytes):
        self.data = data
        self.notes: list[str] = []

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
        title = str(conference.get("title") or "").strip()
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
            description=str(conference.get("description") or ""),
            notes=self.notes,
        )
        for track in _list(conference.get("tracks"), "$.schedule.conference.tracks"):
            if isinstance(track, dict) and track.get("name"):
                color = str(track.get("color") or "")
                if re.fullmatch(r"#[0-9a-fA-F]{6}", color):
                    result.track_colors[str(track["name"])] = color.lower()
        for room in _list(conference.get("rooms"), "$.schedule.conference.rooms"):
            if isinstance(room, dict) and room.get("name"):
                capacity = room.get("capacity")
                result.room_capacity[str(room["name"])] = (
                    int(capacity)
                    if isinstance(capacity, int | float) and 0 < capacity <= MAX_INT
                    else None
                )
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
        title = _title(event.get("title"), where, self.notes)
        frab_id = _frab_id(event.get("id"), where, self.notes)
        starts_at = _start(str(event.get("date") or ""), schedule.timezone, where, self.notes)
        if event.get("end"):
            ends_at = _start(str(event["end"]), schedule.timezone, where, self.notes)
            if ends_at <= starts_at:
                raise ImportProblem(f"{where}: “end” is not after “date”.")
        else:
            ends_at = starts_at + _duration(str(event.get("duration") or ""), where)
        persons = []
        for p, person in enumerate(_list(event.get("persons"), f"{where}.persons")):
            if not isinstance(person, dict):
                raise ImportProblem(f"{where}.persons[{p}]: a person must be an object.")
            name = str(person.get("name") or person.get("public_name") or "").strip()
            if name:
                persons.append(Person(name=name, biography=str(person.get("biography") or "")))
        abstract = str(event.get("abstract") or "").strip()
        description = str(event.get("description") or "").strip()
        return ParsedSession(
            where=where,
            guid=_guid(event.get("guid"), f"{frab_id}:{title}", where, self.notes),
            frab_id=frab_id,
            title=title,
            slug=_slug_from_frab(str(event.get("slug") or ""), schedule.acronym, frab_id, title),
            abstract="\n\n".join(p for p in (abstract, description) if p),
            starts_at=starts_at,
            ends_at=ends_at,
            room=str(event.get("room") or room_name).strip(),
            track=str(event.get("track") or "").strip(),
            type=str(event.get("type") or "").strip(),
            persons=persons,
        )


# Writing ---------------------------------------------------------------------


def _check_file(parsed: ParsedSchedule) -> None:
    seen: dict[uuid.UUID, str] = {}
    for s in parsed.sessions:
        if s.guid in seen:
            raise ImportProblem(f"{s.where}: guid {s.guid} is used twice (also at {seen[s.guid]}).")
        seen[s.guid] = s.where


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


@transaction.atomic
def apply(
    parsed: ParsedSchedule, event_slug: str, *, publish: bool = True, update_event: bool = True
) -> Report:
    """Write a parsed file. ``update_event=False`` (the admin's upload) leaves an existing
    event's name, acronym, time zone and description as they are: only its dates grow."""
    _check_file(parsed)
    report = Report(format=parsed.format)
    event = Event.objects.select_for_update().filter(slug=event_slug).first()
    created = event is None
    if created:
        event = Event(slug=event_slug, is_published=publish, timezone=parsed.timezone or "UTC")
    if created or update_event:
        event.name = parsed.title[:200]
        event.acronym = parsed.acronym[:50]
        event.timezone = parsed.timezone or event.timezone
        if parsed.description:
            event.description = parsed.description
    start, end = _event_dates(parsed, zoneinfo.ZoneInfo(event.timezone))
    event.start_date = min(start, event.start_date) if not created else start
    event.end_date = max(end, event.end_date) if not created else end
    if (event.end_date - event.start_date).days > 60:
        raise ImportProblem("The sessions span more than 61 days: is this one conference?")
    event.save()
    report.count("events", created)

    rooms = {r.name: r for r in Room.objects.filter(event=event)}
    tracks = {t.name: t for t in Track.objects.filter(event=event)}
    types = {t.name: t for t in SessionType.objects.filter(event=event)}
    speakers = {s.name: s for s in Speaker.objects.filter(event=event)}
    existing = {s.guid: s for s in Session.objects.filter(event=event)}
    owner_of_id = {s.frab_id: s.guid for s in existing.values() if s.frab_id}

    def named(cache, model, name, kind, **defaults):
        obj = cache.get(name)
        if obj is None:
            obj = model.objects.create(event=event, name=name[:100], **defaults)
            cache[name] = obj
            report.count(kind, True)
        return obj

    for room_name, capacity in parsed.room_capacity.items():
        room = named(rooms, Room, room_name, "rooms", position=len(rooms))
        if capacity and room.capacity != capacity:
            room.capacity = capacity
            room.save(update_fields=["capacity"])
    for track_name, color in parsed.track_colors.items():
        named(tracks, Track, track_name, "tracks", color=color, position=len(tracks))

    for item in parsed.sessions:
        session = existing.get(item.guid)
        is_new = session is None
        if is_new:
            session = Session(event=event, guid=item.guid)
            if publish:
                session.status = Session.Status.PUBLISHED
        elif publish and session.status == Session.Status.DRAFT:
            session.status = Session.Status.PUBLISHED
        if item.frab_id and owner_of_id.get(item.frab_id, item.guid) == item.guid:
            owner_of_id.pop(session.frab_id, None)
            session.frab_id = item.frab_id  # keep the file's id where it is free
        session.title = item.title
        if is_new or session.slug != item.slug:
            session.slug = unique_slug(Session, item.slug, exclude_pk=session.pk, event=event)
        session.abstract = item.abstract
        session.starts_at, session.ends_at = item.starts_at, item.ends_at
        session.room = (
            named(rooms, Room, item.room, "rooms", position=len(rooms)) if item.room else None
        )
        session.track = (
            named(tracks, Track, item.track, "tracks", position=len(tracks)) if item.track else None
        )
        session.session_type = (
            named(
                types, SessionType, item.type, "types", is_break=item.type.lower() in BREAK_TYPES
            )  # fmt: skip
            if item.type
            else None
        )
        session.save()
        owner_of_id[session.frab_id] = session.guid
        report.count("sessions", is_new)
        links = []
        for position, person in enumerate(item.persons):
            speaker = speakers.get(person.name)
            if speaker is None:
                speaker = Speaker.objects.create(
                    event=event, name=person.name[:200], bio=person.biography
                )
                speakers[person.name] = speaker
                report.count("speakers", True)
            elif person.biography and speaker.bio != person.biography:
                speaker.bio = person.biography
                speaker.save()
                report.count("speakers", False)
            if speaker.pk not in {link.speaker_id for link in links}:
                links.append(SessionSpeaker(session=session, speaker=speaker, position=position))
        if not is_new:
            SessionSpeaker.objects.filter(session=session).delete()
        SessionSpeaker.objects.bulk_create(links)
    Event.objects.filter(pk=event.pk).touch()
    report.notes = parsed.notes
    return report


def import_schedule(
    data: bytes, event_slug: str, *, publish: bool = True, update_event: bool = True
) -> Report:
    """Parse, then write in one transaction. Raises ImportProblem and changes nothing."""
    return apply(parse(data), event_slug, publish=publish, update_event=update_event)
