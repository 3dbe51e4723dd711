"""One session as every public output needs it, and the one loader that reads it.

The list, the grid, my agenda, the exports and the agenda feed all show sessions read
here: ``load_rows(queryset, event)`` takes any filtered, ordered queryset of sessions
(usually ``Session.objects.for_schedule(event)``) and returns ``Row``s in its order,
in two queries of plain values whatever the number of sessions: one for the sessions
with their room, track and type, one for their people. Values are about ten times
cheaper than model instances at hundreds of rows, and nothing else is needed. The pages
read ``brief`` rows: what they print, not the long texts and ids only exports need.

Text is cleaned of control characters here (lib/text.py): no output can get them,
whatever the database holds. Each derived fact (cancelled, a break, who moderates) is
one property below.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field, fields, replace

from django.db import connections
from django.db.models import CharField
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI

from events.models import Event
from lib import sql
from lib.text import BAD_IN_LINE, BAD_IN_TEXT, clean_line, clean_text

from .models import SessionFacts, SessionSpeaker


@dataclass(slots=True, frozen=True)
class Place:
    """A room, track or type as the outputs show it (read with the session)."""

    pk: int
    name: str
    slug: str
    position: int = 0
    color: str = ""
    guid: uuid.UUID | None = None
    capacity: int | None = None
    is_break: bool = False


@dataclass(slots=True)
class Person:
    # What the pages print first; the rest only the exports and the API read (``brief``
    # rows leave them at these defaults).
    name: str
    slug: str
    company: str
    role: str
    bio: str = ""
    frab_id: int = 0
    guid: str | None = None  # as text (guid_text), as every output writes it
    code: str = ""
    position: int = 0
    avatar: str = ""  # the stored file names (the API gives their URLs)
    avatar_thumb: str = ""

    @property
    def is_moderator(self) -> bool:
        return self.role == SessionSpeaker.Role.MODERATOR


@dataclass(slots=True)
class Row(SessionFacts):
    # What the pages (list, grid, my agenda) print, read for every row ...
    pk: int
    slug: str
    title: str
    abstract_text: str
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    room: Place | None
    track: Place | None
    session_type: Place | None
    people: list[Person]
    # ... and what only the exports and the API read (``brief`` rows keep these defaults).
    guid: str | None = None  # as text (guid_text), as every output writes it
    frab_id: int | None = None
    subtitle: str = ""
    abstract: str = ""
    description: str = ""
    language: str = ""
    do_not_record: bool = False
    recording_license: str = ""
    links: list = field(default_factory=list)
    version: int = 0
    updated_at: dt.datetime | None = None
    abstract_html: str = ""  # read only when asked (the API)

    @property
    def room_id(self) -> int | None:
        return self.room.pk if self.room else None

    @property
    def track_id(self) -> int | None:
        return self.track.pk if self.track else None

    @property
    def speakers(self) -> list[Person]:
        """Speakers and panelists, in order."""
        return [p for p in self.people if not p.is_moderator]

    @property
    def moderators(self) -> list[Person]:
        return [p for p in self.people if p.is_moderator]


# Read in the order of Row's fields, which are made from them one for one: the brief
# ones (up to its places and people), then the others.
_SESSION_NAMES = [f.name for f in fields(Row)]
BRIEF_FIELDS = tuple(_SESSION_NAMES[: _SESSION_NAMES.index("room")])
DETAIL_FIELDS = tuple(_SESSION_NAMES[_SESSION_NAMES.index("people") + 1 : -1])
# A row's room, track and type: read with it (after its brief fields), each made once.
PLACE_FIELDS = {
    "room": ("name", "slug", "position", "guid", "capacity"),
    "track": ("name", "slug", "position", "color"),
    "session_type": ("name", "slug", "is_break"),
}
BRIEF_PLACE_FIELDS = {
    "room": ("name", "slug"),
    "track": ("name", "slug"),
    "session_type": ("name", "slug", "is_break"),
}
# Person's fields in its order, read in plain SQL (speaker_id: the frab id of a speaker
# who has none). The ORM took longer to build this statement, with hundreds of ids in
# it, than the database took to answer it.
BRIEF_PERSON_COLUMNS = "link.session_id, person.name, person.slug, person.company, link.role"
PERSON_COLUMNS = (
    f"{BRIEF_PERSON_COLUMNS}, person.bio, person.frab_id, CAST(person.guid AS TEXT), "
    "person.code, link.position, person.avatar, person.avatar_thumb, link.speaker_id"
)
PEOPLE_SQL = (
    "SELECT {columns} FROM schedule_sessionspeaker link "
    "JOIN speakers_speaker person ON person.id = link.speaker_id "
    "WHERE link.session_id IN %s ORDER BY link.position, person.name"
)
LINE_FIELDS = ("title", "subtitle", "recording_license")
TEXT_FIELDS = ("abstract", "abstract_text", "description")


def load_rows(
    queryset,
    event: Event,
    *,
    brief: bool = False,
    details: tuple[str, ...] = (),
    html: bool = False,
) -> list[Row]:
    """The sessions of ``queryset`` (in its order; a slice too) as rows, in two queries;
    ``brief``: only what the pages print, and of the other fields the ``details`` named
    (the rest keep their defaults); with ``html`` their ``abstract_html`` as well.

    Read column by column (``columns``): each distinct value converted once, each room,
    track and type made once; at hundreds of rows this is a good part of a page's time.
    A brief read skips the long texts and the values that cost a conversion each (ids,
    links, the time of the last change).
    """
    queryset = queryset.prefetch_related(None)
    kinds = BRIEF_PLACE_FIELDS if brief else PLACE_FIELDS
    names = [*BRIEF_FIELDS]
    for kind, own in kinds.items():  # each kind's id, then its fields
        names += [f"{kind}__{name}" for name in ("id", *own)]
    later = [*(details if brief else DETAIL_FIELDS), *(("abstract_html",) if html else ())]
    read = columns(queryset, names + [GUID_TEXT if name == "guid" else name for name in later])
    if "guid" in later:
        at = len(names) + later.index("guid")
        read[at] = [guid_text(guid) for guid in read[at]]
    width = len(BRIEF_FIELDS)
    places = []
    at = width
    for own in kinds.values():
        ids = read[at]
        made: dict[int | None, Place | None] = {
            pk: Place(pk, **dict(zip(own, values, strict=True)))
            for pk, *values in set(zip(*read[at : at + 1 + len(own)], strict=True))
            if pk is not None
        }
        made[None] = None
        places.append([made[pk] for pk in ids])
        at += 1 + len(own)
    people = _people(read[0], brief)
    mine = [people.get(pk, []) for pk in read[0]]
    if brief:  # the brief fields, places and people; then the details asked for
        rows = [Row(*values) for values in zip(*read[:width], *places, mine, strict=True)]
        for name, column in zip(later, read[at:], strict=True):
            for row, value in zip(rows, column, strict=True):
                setattr(row, name, value)
    else:  # Row's fields in its order: the brief ones, places and people, then the others
        rows = [
            Row(*values) for values in zip(*read[:width], *places, mine, *read[at:], strict=True)
        ]
    _clean(rows, people)
    return rows


# A guid read as text: no UUID made and written again for every row and person.
GUID_TEXT = Cast("guid", output_field=CharField())


def guid_text(value: str) -> str:
    """A guid in its canonical form ("6fa459ea-ee8a-3ca4-894e-db77e160355e") from its
    text in the database: SQLite keeps the 32 hex digits, PostgreSQL the canonical form."""
    if len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value


def columns(queryset, names: list) -> list[list]:
    """``queryset.values_list(*names)``, column by column, with each column's converters
    (the database's and the field's: times, UUIDs, JSON) applied once per distinct
    value instead of once per row: a start time or a room repeats hundreds of times.
    """
    compiler = queryset.values_list(*names).query.get_compiler(queryset.db)
    fetched = [row for chunk in compiler.execute_sql(MULTI) for row in chunk]
    if not fetched:
        return [[] for _ in names]
    read = [list(column) for column in zip(*fetched, strict=True)]
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    connection = connections[queryset.db]
    for at, (converters, expression) in compiler.get_converters(selected).items():

        def convert(value, converters=converters, expression=expression):
            for converter in converters:
                value = converter(value, expression, connection)
            return value

        column = read[at]
        try:
            made = {value: convert(value) for value in set(column)}
        except TypeError:  # a value that cannot be a key: convert them all
            read[at] = [convert(value) for value in column]
        else:
            read[at] = [made[value] for value in column]
    return read


def _people(session_ids: list[int], brief: bool) -> dict[int, list[Person]]:
    """Each session's people, in order (one query: none without sessions), made column
    by column as ``columns`` makes rows."""
    people: dict[int, list[Person]] = {}
    if not session_ids:
        return people
    query = PEOPLE_SQL.format(columns=BRIEF_PERSON_COLUMNS if brief else PERSON_COLUMNS)
    fetched = sql.rows(query, [session_ids])
    if not fetched:
        return people
    sessions, *read = (list(column) for column in zip(*fetched, strict=True))
    if not brief:
        speaker_ids = read.pop()
        read[5] = [frab_id or pk for frab_id, pk in zip(read[5], speaker_ids, strict=True)]
        read[6] = [guid_text(guid) for guid in read[6]]
    for session_id, person in zip(sessions, map(Person, *read), strict=True):
        people.setdefault(session_id, []).append(person)
    return people


def _clean(rows: list[Row], people: dict[int, list[Person]]) -> None:
    """No control character reaches an output, whatever the database holds (the models
    refuse them and the importer strips them; this is the last line).

    Such characters are all but absent, so all text is searched at once, and cleaned
    field by field only when that search finds one.
    """
    for row in rows:
        links = row.links if isinstance(row.links, list) else []
        row.links = [
            {"url": str(link.get("url") or ""), "title": str(link.get("title") or "")}
            for link in links if isinstance(link, dict) and link.get("url")
        ]  # fmt: skip
    persons = [p for group in people.values() for p in group]
    places = {id(p): p for r in rows for p in (r.room, r.track, r.session_type) if p}
    lines = [getattr(r, name) for r in rows for name in LINE_FIELDS]
    lines += [v for p in persons for v in (p.name, p.company, p.code)]
    lines += [v for r in rows for link in r.links for v in link.values()]
    lines += [p.name for p in places.values()]
    texts = "".join([getattr(r, name) for r in rows for name in TEXT_FIELDS])
    texts += "".join([p.bio for p in persons])
    if not (BAD_IN_LINE.search("".join(lines)) or BAD_IN_TEXT.search(texts) or "\r" in texts):
        return
    for person in persons:
        person.name, person.company = clean_line(person.name), clean_line(person.company)
        person.code, person.bio = clean_line(person.code), clean_text(person.bio)
    cleaned = {key: replace(p, name=clean_line(p.name)) for key, p in places.items()}
    for row in rows:
        for name in LINE_FIELDS:
            setattr(row, name, clean_line(getattr(row, name)))
        for name in TEXT_FIELDS:
            setattr(row, name, clean_text(getattr(row, name)))
        row.links = [{k: clean_line(v) for k, v in link.items()} for link in row.links]
        for name in ("room", "track", "session_type"):
            place = getattr(row, name)
            if place is not None:
                setattr(row, name, cleaned[id(place)])
