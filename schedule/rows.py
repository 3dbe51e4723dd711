"""One session as every public output needs it, and the one loader that reads it.

The list, the grid, my agenda, the exports and the agenda feed all show sessions read
here: ``load_rows(queryset, event)`` takes any filtered, ordered queryset of sessions
(usually ``Session.objects.for_schedule(event)``) and returns ``Row``s in its order,
in two queries of plain values whatever the number of sessions: one for the sessions
with their room, track and type, one for their people. Values are about ten times
cheaper than model instances at hundreds of rows, and nothing else is needed.

Text is cleaned of control characters here (lib/text.py): no output can get them,
whatever the database holds. Each derived fact (cancelled, a break, who moderates) is
one property below.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field, fields, replace

from django.db import connections
from django.db.models.sql.constants import MULTI

from events.models import Event
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
    name: str
    slug: str
    company: str
    bio: str
    role: str
    frab_id: int
    guid: uuid.UUID
    code: str
    position: int = 0
    avatar: str = ""  # the stored file names (the API gives their URLs)
    avatar_thumb: str = ""

    @property
    def is_moderator(self) -> bool:
        return self.role == SessionSpeaker.Role.MODERATOR


@dataclass(slots=True)
class Row(SessionFacts):
    pk: int
    guid: uuid.UUID
    frab_id: int | None
    slug: str
    title: str
    subtitle: str
    abstract: str
    abstract_text: str
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
    room: Place | None
    track: Place | None
    session_type: Place | None
    people: list[Person] = field(default_factory=list)
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


# Read in the order of Row's fields, which are made from them one for one.
SESSION_FIELDS = tuple(
    f.name
    for f in fields(Row)
    if f.name not in ("room", "track", "session_type", "people", "abstract_html")
)
PLACE_FIELDS = {
    "room": ("name", "slug", "position", "guid", "capacity"),
    "track": ("name", "slug", "position", "color"),
    "session_type": ("name", "slug", "is_break"),
}
PLACE_COLUMNS = [
    f"{kind}__{name}" for kind, names in PLACE_FIELDS.items() for name in ("id", *names)
]
# The session's id, then Person's fields in order; its frab id falls back to the speaker's.
PERSON_FIELDS = (
    "session_id", "speaker__name", "speaker__slug", "speaker__company", "speaker__bio",
    "role", "speaker__frab_id", "speaker__guid", "speaker__code", "position",
    "speaker__avatar", "speaker__avatar_thumb", "speaker_id",
)  # fmt: skip
LINE_FIELDS = ("title", "subtitle", "recording_license")
TEXT_FIELDS = ("abstract", "abstract_text", "description")


def load_rows(queryset, event: Event, *, html: bool = False) -> list[Row]:
    """The sessions of ``queryset`` (in its order; a slice too) as rows, in two queries;
    with ``html`` their ``abstract_html`` as well.

    Read column by column (``columns``): each room, track and type made once, each
    distinct value converted once; at hundreds of rows this is a good part of a page's
    time.
    """
    queryset = queryset.prefetch_related(None)
    links = SessionSpeaker.objects.filter(session__in=queryset.values("pk")).order_by(
        "position", "speaker__name"
    )
    people: dict[int, list[Person]] = {}
    session_ids, *before, frab_ids, guids, codes, positions, avatars, thumbs, speaker_ids = columns(
        links, PERSON_FIELDS
    )
    frab_ids = [frab_id or pk for frab_id, pk in zip(frab_ids, speaker_ids, strict=True)]
    persons = map(Person, *before, frab_ids, guids, codes, positions, avatars, thumbs)
    for session_id, person in zip(session_ids, persons, strict=True):
        people.setdefault(session_id, []).append(person)
    extra = ("abstract_html",) if html else ()
    read = columns(queryset, (*SESSION_FIELDS, *PLACE_COLUMNS, *extra))
    width = len(SESSION_FIELDS)
    places = []
    at = width
    for names in PLACE_FIELDS.values():
        ids, values = read[at], read[at + 1 : at + 1 + len(names)]
        made: dict[int | None, Place | None] = {
            pk: Place(pk, **dict(zip(names, place, strict=True)))
            for pk, *place in set(zip(ids, *values, strict=True))
            if pk is not None
        }
        made[None] = None
        places.append([made[pk] for pk in ids])
        at += 1 + len(names)
    mine = [people.get(pk, []) for pk in read[0]]
    rows = [Row(*values) for values in zip(*read[:width], *places, mine, *read[at:], strict=True)]
    _clean(rows, people)
    return rows


def columns(queryset, names: tuple[str, ...]) -> list[list]:
    """``queryset.values_list(*names)``, column by column, with each column's converters
    (the database's and the field's: times, UUIDs, JSON) applied once per distinct
    value instead of once per row: a start time or a room repeats hundreds of times.
    """
    query = queryset.values_list(*names).query
    compiler = query.get_compiler(queryset.db)
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
