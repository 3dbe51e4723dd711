"""One session as every public output needs it, and the one loader that reads it.

The list, the grid, my agenda, the exports and the agenda feed all show sessions read
here: ``load_rows(queryset, event)`` takes any filtered, ordered queryset of sessions
(usually ``Session.objects.for_schedule(event)``) and returns ``Row``s in its order,
in three queries of plain values whatever the number of sessions: one for the sessions,
one for the rooms, tracks and types they name, one for their people (one session's read
joins its places instead: ``Reading.joined``). Values are about ten times
cheaper than model instances at hundreds of rows, and nothing else is needed. The pages
read ``brief`` rows: what they print, not the long texts and ids only exports need.

Text is cleaned of control characters here (lib/text.py): no output can get them,
whatever the database holds. Each derived fact (cancelled, a break, who moderates) is
one property below.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from itertools import chain, repeat
from typing import cast

from django.db import connection
from django.db.models import CharField, Field, Model
from django.db.models.functions import Cast

from events.models import Event, Room, SessionType, Track
from lib import sql
from lib.text import all_clean, clean_line, clean_text

from .models import Session, SessionFacts, SessionSpeaker


@dataclass(slots=True, frozen=True)
class Place:
    """A room, track or type as the outputs show it (read with the session)."""

    pk: int
    name: str
    slug: str = ""
    position: int = 0
    color: str = ""
    guid: uuid.UUID | None = None
    capacity: int | None = None
    is_break: bool = False


@dataclass(slots=True)
class Person:
    # What the pages print first; the rest only the exports and the API read. A reading
    # reads the fields it needs (``Reading.person_fields``); the others keep these defaults.
    name: str
    slug: str = ""
    company: str = ""
    role: str = ""
    bio: str = ""
    frab_id: int = 0
    guid: str | None = None  # as text (guid_texts), as every output writes it
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
    guid: str | None = None  # as text (guid_texts), as every output writes it
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
# What a field not read holds (the plain-text abstract has no default: only the frab
# formats leave it out, which do not write it; a kind of place not read is none).
_DEFAULTS = {f.name: f.default for f in fields(Row)} | {
    "abstract_text": "", "links": (), "room": None, "track": None, "session_type": None,
}  # fmt: skip
# A row's room, track and type: read with it (after its own fields), each made once.
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
# Person's fields as SQL, by name. Read in plain SQL (lib/sql.py): the ORM took longer to
# build this statement, with hundreds of ids in it, than the database took to answer it.
# A speaker without a frab id has their own id.
_PERSON_SQL = {
    "name": "person.name",
    "slug": "person.slug",
    "company": "person.company",
    "role": "link.role",
    "bio": "person.bio",
    "frab_id": "COALESCE(NULLIF(person.frab_id, 0), person.id)",
    "guid": "CAST(person.guid AS TEXT)",
    "code": "person.code",
    "position": "link.position",
    "avatar": "person.avatar",
    "avatar_thumb": "person.avatar_thumb",
}
PERSON_FIELDS = tuple(f.name for f in fields(Person))
BRIEF_PERSON_FIELDS = ("name", "slug", "company", "role")  # what the pages print
_PERSON_DEFAULTS = {f.name: f.default for f in fields(Person)[1:]}
PERSON_LINES, PERSON_TEXTS = ("name", "company", "code"), ("bio",)
PEOPLE_SQL = (
    "SELECT link.session_id, {columns} FROM schedule_sessionspeaker link "
    "JOIN speakers_speaker person ON person.id = link.speaker_id "
    # By session first: only the order within a session counts, and sorted by position
    # first most links tied (a session's first speaker) and were told apart by name.
    "WHERE link.session_id IN %s ORDER BY link.session_id, link.position, person.name"
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
    without: tuple[str, ...] = (),
    people: tuple[str, ...] | None = None,
    places: tuple[tuple[str, tuple[str, ...]], ...] | None = None,
    joined: bool = False,
) -> list[Row]:
    """The sessions of ``queryset`` (in its order; a slice too) as rows, in three queries;
    ``brief``: only what the pages print, and of the other fields the ``details`` named;
    with ``html`` their ``abstract_html`` as well; ``without``: fields not read (the
    frab formats write the abstract, not its plain text); ``people``: the fields of
    Person read (the brief ones for a brief read, all otherwise); ``places``: each kind
    of place read, with its fields (as ``people``; a kind not named is none), in a query
    of their own unless ``joined`` (for one session). Fields not read keep their
    defaults.

    Read column by column (``lib.sql.columns``): each distinct value converted once,
    each room, track and type made once; at hundreds of rows this is a good part of a
    page's time. A brief read skips the long texts and the values that cost a
    conversion each (ids, links, the time of the last change).
    """
    return read_rows(queryset, Reading(brief, details, html, without, people, places, joined))


def read_rows(queryset, how: "Reading") -> list[Row]:
    """``load_rows`` with what it reads as a ``Reading``."""
    return _made(sql.columns(queryset.prefetch_related(None).values_list(*how.names)), how)


@dataclass(frozen=True)
class Reading:
    """What ``load_rows`` reads: the Row fields (``own``), then each place's id and fields."""

    brief: bool = False
    details: tuple[str, ...] = ()
    html: bool = False
    without: tuple[str, ...] = ()
    people: tuple[str, ...] | None = None
    places: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    # The places' fields read with each row (a join), not apart (``_places``): for one
    # session, where a query of their own cost more than it saves.
    joined: bool = False

    @property
    def person_fields(self) -> tuple[str, ...]:
        if self.people is not None:
            return self.people
        return BRIEF_PERSON_FIELDS if self.brief else PERSON_FIELDS

    @property
    def kinds(self) -> dict[str, tuple[str, ...]]:
        if self.places is not None:
            return dict(self.places)
        return BRIEF_PLACE_FIELDS if self.brief else PLACE_FIELDS

    @property
    def own(self) -> list[str]:
        own = [*BRIEF_FIELDS, *(self.details if self.brief else DETAIL_FIELDS)]
        own += ["abstract_html"] * self.html
        return [name for name in own if name not in self.without]

    @property
    def names(self) -> list:
        names = [GUID_TEXT if name == "guid" else _AS_READ.get(name, name) for name in self.own]
        for kind, place in self.kinds.items():  # each kind's id (and its fields, joined)
            names += [f"{kind}_id", *(f"{kind}__{name}" for name in place if self.joined)]
        return names


# The whole schedule, and one session by slug, per way of reading them: statements
# compiled once (lib/sql.py). Building and compiling the queryset took the ORM longer
# than a session's calendar took to write, and some 3 ms of each whole export.
_SCHEDULE: dict[Reading, sql.Statement] = {}
_ONE: dict[Reading, sql.Statement] = {}


def load_schedule(event: Event, how: Reading) -> list[Row]:
    """``load_rows(Session.objects.for_schedule(event), event)`` as ``how`` reads it:
    the whole public schedule, for the exports of all of it."""
    if how not in _SCHEDULE:
        names = how.names
        _SCHEDULE[how] = sql.Statement(
            lambda event_id: Session.objects.for_schedule(event_id).values_list(*names), int
        )
    read = _SCHEDULE[how].columns(event.pk)
    return _made(read, how) if read else []


def load_session(event: Event, slug: str, how: Reading) -> list[Row]:
    """The public, scheduled session ``slug`` of ``event`` as ``load_rows`` reads it
    (none: an empty list), for one session's calendar."""
    how = replace(how, joined=True)
    if how not in _ONE:
        names = how.names
        _ONE[how] = sql.Statement(
            lambda event_id, slug: (
                Session.objects.for_schedule(event_id).filter(slug=slug).values_list(*names)
            ),
            int,
            str,
        )
    read = _ONE[how].columns(event.pk, slug)
    return _made(read, how) if read else []


def _made(read: list[list], how: Reading) -> list[Row]:
    """Rows from the columns ``how.names`` read, with their people (one query)."""
    own = how.own
    values = dict(zip(own, read, strict=False))
    if "guid" in values:
        values["guid"] = guid_texts(values["guid"])
    if "links" in values:
        values["links"] = [_links(links) if links else [] for links in values["links"]]
    ids, joined, at = {}, {}, len(own)
    for kind, place in how.kinds.items():
        ids[kind] = read[at]
        if how.joined:  # its fields follow its id
            joined[kind] = _joined(ids[kind], place, read[at + 1 : at + 1 + len(place)])
            at += len(place)
        at += 1
    found = joined if how.joined else _places(ids, how.kinds)
    places = list(chain.from_iterable(made.values() for made in found.values()))
    for kind, made in found.items():
        values[kind] = list(map({**made, None: None}.__getitem__, ids[kind]))
    people = _people(values["pk"], how.person_fields)
    values["people"] = [people.get(pk, []) for pk in values["pk"]]
    # Row's fields in its order; a field not read repeats its default (the pk is always
    # read, so the rows end with it).
    column = [values[n] if n in values else repeat(_DEFAULTS[n]) for n in _SESSION_NAMES]
    rows = list(map(Row, *column))
    # No control character reaches an output, whatever the database holds (the models
    # refuse them and the importer strips them; this is the last line). They are all but
    # absent: all text is searched at once, column by column, and cleaned field by field
    # only when that search finds one.
    lines = list(chain.from_iterable(values[name] for name in LINE_FIELDS if name in values))
    lines += [v for links in values.get("links", ()) for link in links for v in link.values()]
    lines += [p.name for p in places]
    texts = list(chain.from_iterable(values[name] for name in TEXT_FIELDS if name in values))
    if not all_clean(texts, lines):
        _clean(rows)
    return rows


def _joined(ids: list[int | None], names: tuple[str, ...], columns: list[list]) -> dict:
    """A kind's places from their fields read with each row: each made once, from the
    first row that names it."""
    first = dict(zip(ids, range(len(ids)), strict=True))
    return {
        pk: Place(pk, **{name: column[n] for name, column in zip(names, columns, strict=True)})
        for pk, n in first.items()
        if pk is not None
    }


def _places(
    ids: dict[str, list[int | None]], kinds: dict[str, tuple[str, ...]]
) -> dict[str, dict[int, Place]]:
    """Each kind's places that ``ids`` name, with the fields ``kinds`` names: one query
    (none without an id), each place made once. Read apart from the sessions, as
    ``_people`` are: a room's fields repeated on each of its hundreds of sessions made
    the sessions' read twice as many values."""
    names = list(dict.fromkeys(chain.from_iterable(kinds.values())))  # a column each
    selects: list[str] = []
    params: list[list[int]] = []
    made: list[tuple[str, list]] = []  # each kind's name, and where its fields are
    # A field a kind has not, as a null of that field's type: PostgreSQL takes a branch's
    # plain NULL for text, and then refuses another's boolean or uuid in that column.
    nulls = {
        name: f"CAST(NULL AS {_field(PLACE_MODELS[kind], name).cast_db_type(connection)})"
        for kind, read in kinds.items()
        for name in read
    }
    for n, (kind, read) in enumerate(kinds.items()):
        model = PLACE_MODELS[kind]
        used = {name: _field(model, name) for name in read}
        columns = [str(used[name].column) if name in used else nulls[name] for name in names]
        table = model._meta.db_table
        # The columns and the table are the models'; the ids are parameters.
        selects.append(f"SELECT {n}, id, {', '.join(columns)} FROM {table} WHERE id IN %s")  # noqa: S608
        params.append(sorted({pk for pk in ids[kind] if pk is not None}))
        # Each value as the ORM gives it (SQLite holds a guid as text, a boolean as 0 or 1).
        where = [(at, name, used[name].to_python) for at, name in enumerate(names) if name in used]
        made.append((kind, where))
    found: dict[str, dict[int, Place]] = {kind: {} for kind in kinds}
    if not any(params):
        return found
    for n, pk, *values in sql.rows(" UNION ALL ".join(selects), params):
        kind, where = made[n]
        found[kind][pk] = Place(pk, **{name: value(values[at]) for at, name, value in where})
    return found


PLACE_MODELS: dict[str, type[Model]] = {"room": Room, "track": Track, "session_type": SessionType}


def _field(model: type[Model], name: str) -> Field:
    return cast(Field, model._meta.get_field(name))


def _links(links) -> list[dict[str, str]]:
    """A session's links as the outputs write them: those with a URL, text only."""
    if not isinstance(links, list):
        return []
    return [
        {"url": str(link.get("url") or ""), "title": str(link.get("title") or "")}
        for link in links if isinstance(link, dict) and link.get("url")
    ]  # fmt: skip


# A guid read as text: no UUID made and written again for every row and person.
GUID_TEXT = Cast("guid", output_field=CharField())
# Times as stored: converted once per distinct value (lib/sql.py).
_AS_READ = {name: sql.AsStored(name) for name in ("starts_at", "ends_at", "updated_at")}


def guid_texts(values: Sequence[str | None]) -> list[str | None]:
    """Guids in their canonical form ("6fa459ea-ee8a-3ca4-894e-db77e160355e") from their
    text in the database: SQLite keeps the 32 hex digits, PostgreSQL the canonical form.
    A column at once: a call per guid took longer than the dashes."""
    return [
        f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}" if v is not None and len(v) == 32 else v
        for v in values
    ]


def _people(session_ids: list[int], read: tuple[str, ...]) -> dict[int, list[Person]]:
    """Each session's people, in order, with the fields ``read`` names (one query: none
    without sessions), their text clean (as a row's, see ``_made``). Made column by
    column, as rows are: a field not read is not selected, and repeats its default."""
    people: dict[int, list[Person]] = {}
    names = [name for name in PERSON_FIELDS if name in read]
    columns = ", ".join(_PERSON_SQL[name] for name in names)
    found = sql.rows(PEOPLE_SQL.format(columns=columns), [session_ids]) if session_ids else []
    if not found:
        return people
    sessions, *read_columns = zip(*found, strict=True)
    values: dict[str, Sequence] = dict(zip(names, read_columns, strict=True))
    if "guid" in values:
        values["guid"] = guid_texts(values["guid"])
    lines = [values[name] for name in PERSON_LINES if name in values]
    texts = [values[name] for name in PERSON_TEXTS if name in values]
    if not all_clean(list(chain.from_iterable(texts)), list(chain.from_iterable(lines))):
        for name in PERSON_LINES + PERSON_TEXTS:
            if name in values:
                clean = clean_text if name in PERSON_TEXTS else clean_line
                values[name] = [clean(value) for value in values[name]]
    column = [values[n] if n in values else repeat(_PERSON_DEFAULTS[n]) for n in PERSON_FIELDS]
    for session_id, person in zip(sessions, map(Person, *column), strict=True):
        people.setdefault(session_id, []).append(person)
    return people


def _clean(rows: list[Row]) -> None:
    """Each row's text cleaned field by field (see ``_made``)."""
    places = {id(p): p for r in rows for p in (r.room, r.track, r.session_type) if p}
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
