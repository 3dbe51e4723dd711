"""frab: the structure schedule.xml and schedule.json share, and the JSON writer.

The frab formats as Giggity, ConfClerk, EventFahrplan and media tooling read them.
Sessions without a room or a time, and cancelled ones, have no place in them and are
left out. ``version`` is a digest of the content, so it changes exactly when the
schedule does and a round trip through import gives the same document.
"""

import datetime as dt
import hashlib
import json
import re
import uuid
from json.encoder import encode_basestring as _str  # json's C escaper

from django.urls import reverse

from events.models import Event
from lib.text import clean_line, clean_text

from ..display import url_for
from ..models import Release
from ..rows import Person, Place, Row
from .base import Exporter

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
    # Whole rows but what frab does not write: the abstract's plain text (it writes the
    # abstract), the version and the time of the last change.
    without = ("abstract_text", "version", "updated_at")

    def __init__(self, event: Event, base_url: str):
        super().__init__(event, base_url)
        self.title = clean_line(event.name)
        self.language = event.language or "en"
        # Written once per distinct value: times repeat in every room, people in their
        # sessions.
        self.local_times: dict[dt.datetime, tuple[dt.date, str, str]] = {}
        self.durations: dict[dt.timedelta | None, str] = {}
        self.persons: dict[uuid.UUID | None, dict] = {}

    def local(self, moment: dt.datetime) -> tuple[dt.date, str, str]:
        """The local day of ``moment``, its ISO 8601 form and its "HH:MM"."""
        known = self.local_times.get(moment)
        if known is None:
            local = moment.astimezone(self.event.tzinfo)
            known = (local.date(), local.isoformat(), f"{local.hour:02}:{local.minute:02}")
            self.local_times[moment] = known
        return known

    def frab_sessions(self, sessions):
        return [s for s in sessions if s.room_id and s.starts_at and not s.is_cancelled]

    def prepare(self, sessions: list[Row]) -> dict:
        sessions = self.frab_sessions(sessions)
        event, tz = self.event, self.event.tzinfo
        by_day: dict[dt.date, dict[int, list[Row]]] = {}
        rooms, tracks = {}, {}
        for s in sessions:
            by_day.setdefault(self.local(s.starts_at)[0], {}).setdefault(s.room_id, []).append(s)
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

    def version(self, document: bytes) -> str:
        """ "Release 4: Room swap (lineup-0123456789ab)": the release apps can name, and a
        digest of the rest of the ``document`` as written (encoded once, for the digest
        and the answer), so it changes exactly when the document does."""
        digest = self.version_prefix + hashlib.sha256(document).hexdigest()[:12]
        # The first schedule is not named: a file imported and exported again is unchanged.
        latest = (
            Release.objects.filter(event=self.event)
            .exclude(kind=Release.Kind.FIRST)
            .order_by("-number")
            .first()
        )
        return f"{clean_line(latest.label)} ({digest})" if latest else digest

    def session_fields(self, session: Row) -> dict:
        _, date, start = self.local(session.starts_at)
        duration = self.durations.get(session.duration)
        if duration is None:
            duration = self.durations[session.duration] = frab_duration(session.duration)
        return {
            "id": session.export_id,
            "guid": session.guid,
            "date": date,
            "start": start,
            "duration": duration,
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
        """A person as frab lists them; the same dict in each of their sessions (a
        speaker's guid is unique within the event)."""
        fields = self.persons.get(person.guid)
        if fields is not None:
            return fields
        fields = self.persons[person.guid] = {
            "id": person.frab_id,
            "guid": person.guid,
            "name": person.name,
            "biography": person.bio,
        }
        if person.code and PRETALX_CODE_RE.fullmatch(person.code):
            fields["code"] = person.code
        return fields


class FrabJSONExporter(FrabExporter):
    content_type = "application/json; charset=utf-8"
    filename = "{slug}.schedule.json"

    def __init__(self, event: Event, base_url: str):
        super().__init__(event, base_url)
        self.person_texts: dict[str | None, str] = {}

    def render(self, sessions: list[Row]) -> bytes:
        event = self.event
        prepared = self.prepare(sessions)
        written: list[str] = []
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
                    # Each room's sessions as a placeholder, its JSON written below.
                    "rooms": {
                        room.name: self.placeholder(room_sessions, written)
                        for room, room_sessions in day["rooms"]
                    },
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
        # No indent: that keeps json on its C encoder, several times faster; the sessions,
        # written by hand, take the places of their placeholders. The version goes last,
        # into the written text: a digest of the rest, with no second dump.
        text = json.dumps(document, ensure_ascii=False)
        text = PLACEHOLDER_RE.sub(lambda found: written[int(found[1])], text).encode()
        version = json.dumps(self.version(text), ensure_ascii=False).encode()
        return b"".join([text.removesuffix(b"}}"), b', "version": ', version, b"}}"])

    def placeholder(self, room_sessions: list[dict], written: list) -> str:
        """A string that no text can be (cleaned text holds no NUL; json writes it
        "\\u0000"), standing for these sessions' JSON."""
        written.append("[" + ", ".join(map(self.session_json, room_sessions)) + "]")
        return f"\x00{len(written) - 1}"

    def session_json(self, fields: dict) -> str:
        """``json.dumps(fields, ensure_ascii=False)`` for a session of ``session_fields``,
        its keys written as they are, its texts through json's own C escaper, each
        person once: the same bytes in a fraction of the time (a dump encodes every key
        of every session, and a person in each of their sessions)."""
        links, texts = fields["links"], self.person_texts
        persons = []
        for person in fields["persons"]:
            text = texts.get(person["guid"])
            if text is None:
                code = f', "code": {_str(person["code"])}' if "code" in person else ""
                text = texts[person["guid"]] = (
                    f'{{"id": {person["id"]}, "guid": {_str(person["guid"])}, '
                    f'"name": {_str(person["name"])}, '
                    f'"biography": {_str(person["biography"])}{code}}}'
                )
            persons.append(text)
        return (
            f'{{"id": {fields["id"]}, "guid": {_str(fields["guid"])}, '
            f'"date": {_str(fields["date"])}, "start": {_str(fields["start"])}, '
            f'"duration": {_str(fields["duration"])}, "room": {_str(fields["room"])}, '
            f'"slug": {_str(fields["slug"])}, "url": {_str(fields["url"])}, '
            f'"title": {_str(fields["title"])}, "subtitle": {_str(fields["subtitle"])}, '
            f'"track": {_str(fields["track"])}, "type": {_str(fields["type"])}, '
            f'"language": {_str(fields["language"])}, '
            f'"abstract": {_str(fields["abstract"])}, '
            f'"description": {_str(fields["description"])}, '
            f'"recording_license": {_str(fields["recording_license"])}, '
            f'"do_not_record": {"true" if fields["do_not_record"] else "false"}, '
            f'"links": {_dump(links) if links else "[]"}, '
            f'"persons": [{", ".join(persons)}]}}'
        )


PLACEHOLDER_RE = re.compile(r'"\\u0000(\d+)"')
_dump = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(value, ensure_ascii=False)
