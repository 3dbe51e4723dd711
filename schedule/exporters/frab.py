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
from collections.abc import Callable, Iterable
from itertools import islice
from json.encoder import encode_basestring as _str  # json's C escaper

from django.db import DEFAULT_DB_ALIAS
from django.urls import reverse

from events.models import Event
from lib import sql
from lib.text import clean_line, clean_text

from ..models import Release
from ..rows import Person, Place, Row
from .base import SLUG, Exporter, escape_all

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


PRETALX_CODE_RE = re.compile(r"[A-Z0-9]+")
# An event's latest release, read by a statement compiled once (lib/sql.py). The first
# schedule is not named: a file imported and exported again is unchanged.
_RELEASE_COLUMNS = [f.attname for f in Release._meta.concrete_fields]
_LATEST_RELEASE = sql.Statement(
    lambda event_id: (
        Release.objects.filter(event=event_id)
        .exclude(kind=Release.Kind.FIRST)
        .order_by("-number")
        .values_list(*_RELEASE_COLUMNS)[:1]
    ),
    int,
)


class FrabExporter(Exporter):
    """Prepares the frab structure once; XML and JSON only differ in how they write it.

    Each format's ``version`` is a digest of what that format writes, so it changes
    exactly when the document does (and a round trip through import keeps it).
    """

    version_prefix = "lineup-"
    # Whole rows but what frab does not write: the abstract's plain text (it writes the
    # abstract), the version and the time of the last change.
    without = ("abstract_text", "version", "updated_at")
    people = ("name", "bio", "frab_id", "guid", "code")
    places = {
        "room": ("name", "slug", "position", "guid", "capacity"),
        "track": ("name", "slug", "position", "color"),
        "session_type": ("name",),
    }

    def __init__(self, event: Event, base_url: str):
        super().__init__(event, base_url)
        self.title = clean_line(event.name)
        self.language = event.language or "en"

    def frab_sessions(self, sessions):
        return [s for s in sessions if s.room and s.starts_at and not s.is_cancelled]

    def prepare(self, sessions: list[Row]) -> dict:
        """The document's days, each with its rooms and their sessions (rows); and
        ``sessions``, those placed in it, in the order it writes them."""
        sessions = self.frab_sessions(sessions)
        event, tz = self.event, self.event.tzinfo
        # Each distinct start converted once: times repeat in every room.
        local = self.local = {
            moment: (here.date(), here.isoformat(), f"{here.hour:02}:{here.minute:02}")
            for moment in {s.starts_at for s in sessions}
            for here in (moment.astimezone(tz),)
        }
        by_day: dict[dt.date, dict[int, list[Row]]] = {}
        rooms, tracks = {}, {}
        for s in sessions:
            room, track = s.room, s.track
            by_day.setdefault(local[s.starts_at][0], {}).setdefault(room.pk, []).append(s)
            rooms[room.pk] = room
            if track:
                tracks[track.pk] = track
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
                    "rooms": [(room, per_room.get(room.pk, [])) for room in room_order],
                }
            )
        prepared = {
            "base_url": self.absolute("/"),
            "url": self.absolute(reverse("event_home", args=[event.slug])),
            "tracks": sorted(tracks.values(), key=lambda t: (t.position, t.name)),
            "rooms": room_order,
            "days": days,
            "sessions": [s for day in days for _, placed in day["rooms"] for s in placed],
        }
        return prepared

    def version(self, document: bytes) -> str:
        """ "Release 4: Room swap (lineup-0123456789ab)": the release apps can name, and a
        digest of the rest of the ``document`` as written (encoded once, for the digest
        and the answer), so it changes exactly when the document does."""
        digest = self.version_prefix + hashlib.sha256(document).hexdigest()[:12]
        found = _LATEST_RELEASE.rows(self.event.pk)
        if not found:
            return digest
        latest = Release.from_db(DEFAULT_DB_ALIAS, _RELEASE_COLUMNS, found[0])
        return f"{clean_line(latest.label)} ({digest})"

    def session_values(
        self, sessions: list[Row], escape: Callable[[str], str], joint: str = "\x00"
    ) -> list[list]:
        """What ``sessions`` write, column by column (one value per session): their ids,
        local dates, starts and durations (which need no escapes), then their
        ``FRAB_TEXTS`` as ``escape`` writes them (every session's at once, see
        ``escape_all``: the rooms, tracks, types and languages too, which repeat, a
        lookup per value cost more than escaping them)."""
        event, url, language = self.event, self.session_url, self.language
        ids = [s.export_id for s in sessions]
        texts: list[str] = []
        for s, export_id in zip(sessions, ids, strict=True):
            texts += (
                s.room.name,
                # The schemas want it to end in a letter or digit; older slugs may end in "-".
                f"{event.acronym}-{export_id}-{s.slug}".rstrip("-_"),
                url.replace(SLUG, s.slug),
                s.title,
                s.subtitle,
                s.track.name if s.track else "",
                s.session_type.name if s.session_type else "Talk",
                s.language or language,
                s.abstract,
                s.description,
                s.recording_license,
            )
        escaped = escape_all(texts, escape, joint)
        lengths = [s.ends_at - s.starts_at for s in sessions]
        durations = {length: frab_duration(length) for length in set(lengths)}
        starts = [self.local[s.starts_at] for s in sessions]
        n = len(FRAB_TEXTS)
        return [
            ids,
            [start[1] for start in starts],
            [start[2] for start in starts],
            [durations[length] for length in lengths],
            *(escaped[i::n] for i in range(n)),  # each text is every n-th one escaped
        ]

    @staticmethod
    def persons(sessions: list[Row]) -> dict[str | None, Person]:
        """Everybody in ``sessions`` once, by guid (unique within the event), as first met."""
        return {person.guid: person for s in sessions for person in s.people}


# A session's texts as both formats write them, in order. The slug and the URL are never
# empty: the slug holds the session's id.
FRAB_TEXTS = (
    "room", "slug", "url", "title", "subtitle", "track", "type", "language", "abstract",
    "description", "recording_license",
)  # fmt: skip


class FrabJSONExporter(FrabExporter):
    content_type = "application/json; charset=utf-8"
    filename = "{slug}.schedule.json"

    def render(self, sessions: list[Row]) -> bytes:
        event = self.event
        prepared = self.prepare(sessions)
        session_texts = iter(self.sessions_json(prepared["sessions"]))
        written: list[list[bytes]] = []
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
                        room.name: placeholder(islice(session_texts, len(placed)), written)
                        for room, placed in day["rooms"]
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
        # No indent: that keeps json on its C encoder, several times faster. The
        # sessions, written by hand, take the places of their placeholders (a split by
        # them leaves each one's number at the odd places), all joined at once: at
        # 5,000 sessions the document is 6 MB, and each copy of it counts. The version
        # goes last, into the written text: a digest of the rest, with no second dump.
        parts: list[bytes] = []
        for at, piece in enumerate(PLACEHOLDER_RE.split(json.dumps(document, ensure_ascii=False))):
            if at % 2:
                parts += written[int(piece)]
            else:
                parts.append(piece.encode())
        text = b"".join(parts)
        version = json.dumps(self.version(text), ensure_ascii=False).encode()
        return b"".join([memoryview(text)[:-2], b', "version": ', version, b"}}"])

    def sessions_json(self, sessions: list[Row]) -> list[str]:
        """Each session as ``json.dumps(..., ensure_ascii=False)`` wrote it, its keys
        written as they are, its texts escaped by json's own C escaper all at once, each
        person once: the same bytes in a fraction of the time (a dump encodes every key
        of every session, and a person in each of their sessions)."""
        people = self.persons(sessions).values()
        # Names apart from bios: a few names with accents make the bios' text, which is
        # often ASCII, slower to escape with them.
        names = escape_all([p.name for p in people], _json_text, JOINT)
        bios = escape_all([p.bio for p in people], _json_text, JOINT)
        persons = {
            person.guid: (
                f'{{"id": {person.frab_id}, "guid": "{person.guid}", "name": "{name}", '
                f'"biography": "{bio}"'
                # A pretalx code is capitals and digits: no escapes.
                + (f', "code": "{person.code}"}}' if is_code(person.code) else "}")
            )
            for person, name, bio in zip(people, names, bios, strict=True)
        }
        columns = self.session_values(sessions, _json_text, JOINT)
        return [
            f'{{"id": {export_id}, "guid": "{s.guid}", '
            f'"date": "{date}", "start": "{start}", "duration": "{duration}", '
            f'"room": "{room}", "slug": "{slug}", "url": "{url}", '
            f'"title": "{title}", "subtitle": "{subtitle}", '
            f'"track": "{track}", "type": "{type_}", "language": "{language}", '
            f'"abstract": "{abstract}", "description": "{description}", '
            f'"recording_license": "{license_}", '
            f'"do_not_record": {"true" if s.do_not_record else "false"}, '
            f'"links": {_dump(s.links) if s.links else "[]"}, '
            f'"persons": [{", ".join([persons[p.guid] for p in s.people])}]}}'
            for s, (
                export_id, date, start, duration, room, slug, url, title, subtitle, track, type_,
                language, abstract, description, license_,
            ) in zip(sessions, zip(*columns, strict=True), strict=True)
        ]  # fmt: skip


def placeholder(room_sessions: Iterable[str], written: list[list[bytes]]) -> str:
    """A string that no text can be (cleaned text holds no NUL; json writes it
    "\\u0000"), standing for these sessions' JSON array, kept in ``written`` in pieces
    (joined with the rest of the document), each session encoded on its own (see
    ``encoded``)."""
    written.append([b"[", b", ".join([text.encode() for text in room_sessions]), b"]"])
    return f"\x00{len(written) - 1}"


PLACEHOLDER_RE = re.compile(r'"\\u0000(\d+)"')
_dump = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(value, ensure_ascii=False)
JOINT = "\x7f"  # DEL, which json writes as it is (escape_all)


def _json_text(text: str) -> str:
    """A JSON string's content, as json writes it (without its quotes).

    Text holds few of the characters json escapes: those clean text can hold (lib/text.py)
    are replaced as json writes them, each only if present; any other control character
    leaves the whole text to json's own escaper. Twice as fast as it on a schedule's
    texts: it reads and writes character by character, where these search and replace
    (fastest on text that is all ASCII)."""
    if text.encode("utf-8", "surrogatepass").translate(None, _JSON_PLAIN):
        return _str(text)[1:-1]
    for char, escaped in _JSON_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


# The characters json escapes that clean text can hold, and how it writes them (the
# backslash first: the others put one in); the UTF-8 bytes of all other text.
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_JSON_PLAIN = bytes(range(0x20, 0x100)) + b"\t\n\r"


def is_code(code: str) -> bool:
    """Whether a person's code is a pretalx code, which frab writes."""
    return bool(code) and PRETALX_CODE_RE.fullmatch(code) is not None
