"""Repairs that need the whole file read: a guid or id used twice, one person id given
to several people, two rooms with one guid, and the zone of a file that names none."""

import datetime as dt
import uuid
import zoneinfo
from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .import_data import FRAB_NAMESPACE, LIKELY_ZONES, ParsedSchedule
from .import_notes import note


def repair_duplicates(parsed: ParsedSchedule) -> None:
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
            what = _(
                "guid %(guid)s is used twice (also at %(first)s); this one was given a stable "
                "guid of its own."
            )
            parsed.notes.append(note(s.where, what % {"guid": original, "first": first}))
        seen.setdefault(s.guid, s.where)
        if s.frab_id is not None:
            if s.frab_id in ids:
                what = _(
                    "id %(id)s is used twice (also at %(first)s); this one was given a new id."
                )
                words = {"id": s.frab_id, "first": ids[s.frab_id]}
                parsed.notes.append(note(s.where, what % words))
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
            _("id %(id)s at %(place)s: %(names)s")
            % {
                "id": number,
                "place": first_use[number],
                "names": ", ".join(sorted(names_of[number])[:3]),
            }
            for number in sorted(shared)[:3]
        )
        what = ngettext(
            "%(count)d person id is given to people of different names (%(examples)s; …): "
            "those people are told apart by id and name.",
            "%(count)d person ids are each given to people of different names "
            "(%(examples)s; …): those people are told apart by id and name.",
            len(shared),
        )
        parsed.notes.append(what % {"count": len(shared), "examples": examples})
    rooms: dict[uuid.UUID, str] = {}
    for name, guid in list(parsed.room_guids.items()):
        if guid in rooms:
            what = _(
                "Rooms “%(first)s” and “%(name)s” have the same guid; “%(name)s” was given one "
                "of its own."
            )
            parsed.notes.append(what % {"first": rooms[guid], "name": name})
            parsed.room_guids[name] = uuid.uuid5(FRAB_NAMESPACE, f"{guid}:{name}")
        else:
            rooms[guid] = name


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def guess_zone(parsed: ParsedSchedule, given: str | None) -> tuple[str, str | None]:
    """(zone, note) for a file that names no zone."""
    if given:
        return given, None
    if parsed.offsets:
        samples = sorted(parsed.offsets, key=lambda pair: pair[0])
        if all(off == dt.timedelta(0) for _, off in samples):
            return "UTC", _(
                "The file names no time zone; its times are in UTC (+00:00), so UTC was used. "
                "Give --timezone, or set the event's zone, if the venue is elsewhere."
            )
        for name in LIKELY_ZONES:
            zone = zoneinfo.ZoneInfo(name)
            if all(moment.astimezone(zone).utcoffset() == off for moment, off in samples):
                offsets = sorted({_offset(off) for _, off in samples})
                what = _(
                    "The file names no time zone; its times carry the offset(s) %(offsets)s, "
                    "so %(zone)s was guessed (the times themselves are kept). Give "
                    "--timezone, or set the event's zone, if that is wrong."
                )
                return name, what % {"offsets": ", ".join(offsets), "zone": name}
    return "UTC", _(
        "The file names no time zone; UTC was used (a guess: give --timezone to choose)."
    )
