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
from dataclasses import dataclass, field
from typing import Any

from events.models import Event
from lib.text import clean_line, clean_text

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


SESSION_FIELDS = (
    "pk", "guid", "frab_id", "slug", "title", "subtitle", "abstract", "abstract_text",
    "description", "language", "do_not_record", "recording_license", "links", "version",
    "status", "starts_at", "ends_at", "updated_at",
)  # fmt: skip
PLACE_FIELDS = {
    "room": ("name", "slug", "position", "guid", "capacity"),
    "track": ("name", "slug", "position", "color"),
    "session_type": ("name", "slug", "is_break"),
}
PERSON_FIELDS = (
    "session_id", "speaker__name", "speaker__slug", "speaker__company", "speaker__bio",
    "role", "speaker__frab_id", "speaker__guid", "speaker__code", "speaker_id", "position",
    "speaker__avatar", "speaker__avatar_thumb",
)  # fmt: skip
LINE_FIELDS = ("title", "subtitle", "recording_license")
TEXT_FIELDS = ("abstract", "abstract_text", "description")


def load_rows(queryset, event: Event, *, html: bool = False) -> list[Row]:
    """The sessions of ``queryset`` (in its order; a slice too) as rows, in two queries;
    with ``html`` their ``abstract_html`` as well."""
    queryset = queryset.prefetch_related(None)
    place_columns = [
        f"{kind}__{name}" for kind, names in PLACE_FIELDS.items() for name in ("id", *names)
    ]
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
                clean_line(name), slug, clean_line(company), clean_text(bio), role,
                frab_id or speaker_id, guid, clean_line(code), position, avatar, avatar_thumb,
            )
        )  # fmt: skip
    places: dict[tuple[str, int], Place] = {}
    rows = []
    extra = ("abstract_html",) if html else ()
    for values in queryset.values(*SESSION_FIELDS, *extra, *place_columns):
        fields: dict[str, Any] = {name: values[name] for name in (*SESSION_FIELDS, *extra)}
        fields.update((kind, _place(kind, values, places)) for kind in PLACE_FIELDS)
        rows.append(Row(**fields, people=people.get(values["pk"], [])))
    for row in rows:
        _clean(row)
    return rows


def _place(kind: str, values: dict[str, Any], places: dict) -> Place | None:
    pk = values[f"{kind}__id"]
    if pk is None:
        return None
    place = places.get((kind, pk))
    if place is None:
        kept = {name: values[f"{kind}__{name}"] for name in PLACE_FIELDS[kind]}
        kept["name"] = clean_line(kept["name"])
        place = places[kind, pk] = Place(pk=pk, **kept)
    return place


def _clean(row: Row) -> None:
    """No control character reaches an output, whatever the database holds (the models
    refuse them and the importer strips them; this is the last line)."""
    for name in LINE_FIELDS:
        setattr(row, name, clean_line(getattr(row, name)))
    for name in TEXT_FIELDS:
        setattr(row, name, clean_text(getattr(row, name)))
    links = row.links
    if links:
        row.links = [
            {"url": clean_line(str(link.get("url") or "")),
             "title": clean_line(str(link.get("title") or ""))}
            for link in links if isinstance(link, dict) and link.get("url")
        ]  # fmt: skip
    elif not isinstance(links, list):
        row.links = []
