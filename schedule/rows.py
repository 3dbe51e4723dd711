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
PERSON_FIELDS = (
    "session_id", "speaker__name", "speaker__slug", "speaker__company", "speaker__bio",
    "role", "speaker__frab_id", "speaker__guid", "speaker__code", "speaker_id", "position",
    "speaker__avatar", "speaker__avatar_thumb",
)  # fmt: skip
LINE_FIELDS = ("title", "subtitle", "recording_license")
TEXT_FIELDS = ("abstract", "abstract_text", "description")


def load_rows(queryset, event: Event, *, html: bool = False) -> list[Row]:
    """The sessions of ``queryset`` (in its order; a slice too) as rows, in two queries;
    with ``html`` their ``abstract_html`` as well.

    Tuples, not dicts, and each room, track and type made once: at hundreds of rows
    this loop is a good part of a page's time.
    """
    queryset = queryset.prefetch_related(None)
    people: dict[int, list[Person]] = {}
    links = (
        SessionSpeaker.objects.filter(session__in=queryset.values("pk"))
        .order_by("position", "speaker__name")
        .values_list(*PERSON_FIELDS)
    )
    for (session_id, name, slug, company, bio, role, frab_id, guid, code, speaker_id,
         position, avatar, avatar_thumb) in links:  # fmt: skip
        people.setdefault(session_id, []).append(
            Person(
                name, slug, company, bio, role, frab_id or speaker_id, guid, code, position,
                avatar, avatar_thumb,
            )
        )  # fmt: skip
    places: dict[tuple[str, int], Place] = {}
    rows = []
    width = len(SESSION_FIELDS)
    track_at = width + 1 + len(PLACE_FIELDS["room"])
    kind_at = track_at + 1 + len(PLACE_FIELDS["track"])
    extra = ("abstract_html",) if html else ()
    for values in queryset.values_list(*SESSION_FIELDS, *PLACE_COLUMNS, *extra):
        room = _place("room", values, width, places)
        track = _place("track", values, track_at, places)
        kind = _place("session_type", values, kind_at, places)
        row = Row(*(*values[:width], room, track, kind, people.get(values[0], [])))
        if html:
            row.abstract_html = values[-1]
        rows.append(row)
    _clean(rows, people)
    return rows


def _place(kind: str, values: tuple, at: int, places: dict) -> Place | None:
    """The room, track or type whose columns start at ``at``: one ``Place`` each."""
    pk = values[at]
    if pk is None:
        return None
    place = places.get((kind, pk))
    if place is None:
        names = PLACE_FIELDS[kind]
        place = places[kind, pk] = Place(pk, **dict(zip(names, values[at + 1 :], strict=False)))
    return place


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
