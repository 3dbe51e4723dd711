"""What an import reads into: plain data, the report, and the rules that read and
repair one field of a file (each repair noted with its line or JSON path)."""

import datetime as dt
import re
import uuid
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from events.models import (
    acronym_from_slug,
    validate_timezone,
)
from lib.text import BAD_IN_TEXT, clean_line, clean_text, describe

from .import_notes import FIELD_WORDS, note

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


# How the import report counts each kind of thing it wrote.
KIND_WORDS = {
    "events": ngettext_lazy("%(count)d event", "%(count)d events", "count"),
    "rooms": ngettext_lazy("%(count)d room", "%(count)d rooms", "count"),
    "tracks": ngettext_lazy("%(count)d track", "%(count)d tracks", "count"),
    "types": ngettext_lazy("%(count)d type", "%(count)d types", "count"),
    "sessions": ngettext_lazy("%(count)d session", "%(count)d sessions", "count"),
    "speakers": ngettext_lazy("%(count)d speaker", "%(count)d speakers", "count"),
}


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
    repairs: list[str] = field(default_factory=list)  # one per place, as the readers noted them
    notes: list[str] = field(default_factory=list)  # the same, one line per kind of repair
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
        """One paragraph, in the active language (the admin's; English for the command)."""

        def part(counts):
            words = [
                KIND_WORDS[kind] % {"count": n} if kind in KIND_WORDS else f"{n} {kind}"
                for kind, n in counts.items()
            ]
            return ", ".join(words) or _("nothing")

        values = {"format": self.format, "created": part(self.created)}
        values |= {"updated": part(self.updated), "unchanged": part(self.unchanged)}
        if self.dry_run:
            text = _("frab %(format)s: would create %(created)s; would update %(updated)s")
        else:
            text = _("frab %(format)s: created %(created)s; updated %(updated)s")
        if self.unchanged:
            text += _("; unchanged %(unchanged)s")
        text = (text + ".") % values
        if self.missing:
            n = len(self.missing)
            if self.pruned and self.dry_run:
                gone = ngettext(
                    "%(count)d session is not in the file and would be cancelled.",
                    "%(count)d sessions are not in the file and would be cancelled.",
                    n,
                )
            elif self.pruned:
                gone = ngettext(
                    "%(count)d session is not in the file and was cancelled.",
                    "%(count)d sessions are not in the file and were cancelled.",
                    n,
                )
            else:
                gone = ngettext(
                    "%(count)d session is not in the file (kept; --prune cancels it).",
                    "%(count)d sessions are not in the file (kept; --prune cancels them).",
                    n,
                )
            text += " " + gone % {"count": n}
        if not self.changed_anything:
            text += " " + _("Nothing changed: the file matches what is stored.")
        if self.dry_run:
            text += " " + _("Dry run: nothing was written.")
        return text

    def grouped_notes(self, limit: int = 8) -> list[str]:
        """Notes with the same message once, with the places it applies to."""
        order: dict[str, list[str]] = {}
        for repair in self.repairs:
            where = getattr(repair, "where", "")
            if where:
                order.setdefault(repair.what, []).append(where)
            else:
                order.setdefault(repair, [])
        lines = []
        for what, places in order.items():
            if not places:
                lines.append(what)
            elif len(places) == 1:
                lines.append(note(places[0], what))
            else:
                shown = "; ".join(places[:limit])
                if len(places) > limit:
                    more = {"count": len(places) - limit}
                    shown += "; " + _("and %(count)d more") % more
                times = ngettext(
                    "%(what)s (%(count)d time: %(places)s)",
                    "%(what)s (%(count)d times: %(places)s)",
                    len(places),
                )
                lines.append(times % {"what": what, "count": len(places), "places": shown})
        return lines

    def preview(self) -> str:
        """What the import does (or would do), in plain text, for the command and the admin."""
        lines = [self.summary()]
        for change in self.changes:
            lines.append("  " + _("changed “%(title)s”:") % {"title": change.title})
            for name, before, after in change.fields:
                lines.append(f"    {FIELD_WORDS.get(name, name)}: {before} → {after}")
        changed = self.updated.get("sessions", 0)
        if changed > len(self.changes):
            more = {"count": changed - len(self.changes)}
            lines.append("  " + _("… and %(count)d more changed sessions.") % more)
        for title in self.missing[:20]:
            lines.append("  " + _("not in the file: %(title)s") % {"title": title})
        if len(self.missing) > 20:
            more = {"count": len(self.missing) - 20}
            lines.append("  " + _("… and %(count)d more not in the file.") % more)
        lines.extend(
            "  " + _("repaired or skipped: %(note)s") % {"note": note} for note in self.notes
        )
        return "\n".join(lines)


def read_text(raw, where: str, what: str, notes: list[str], *, line: bool) -> str:
    """Text from the file without control characters (each removal noted)."""
    value = "" if raw is None else str(raw)
    bad = BAD_IN_TEXT.search(value)
    if bad:
        words = {"what": FIELD_WORDS.get(what, what), "char": describe(bad.group())}
        notes.append(
            note(
                where,
                _("control characters removed from the %(what)s (%(char)s and any others).")
                % words,
            )
        )
    value = clean_line(value) if line else clean_text(value)
    return value.strip()


def read_duration(value: str, where: str, notes: list[str], slot: dt.timedelta) -> dt.timedelta:
    match = DURATION_RE.match((value or "").strip())
    if not match:
        raise ImportProblem(
            _("%(where)s: duration “%(value)s” is not HH:MM.") % {"where": where, "value": value}
        )
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    delta = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if delta <= dt.timedelta(0):
        minutes = int(slot.total_seconds() // 60)
        what = _(
            "duration “%(value)s” is zero; the session was given %(minutes)d minutes "
            "(one time slot)."
        )
        notes.append(note(where, what % {"value": value, "minutes": minutes}))
        return slot
    return delta


def read_zone(name: str, notes: list[str]) -> str | None:
    """The file's IANA time zone, by the same rule as Event.timezone; None if it has none."""
    name = (name or "").strip()
    if not name:
        return None
    try:
        validate_timezone(name)
    except ValidationError:
        notes.append(
            _("Unknown time zone “%(name)s”: the zone was decided as if none was named.")
            % {"name": name[:64]}
        )
        return None
    return name


def as_list(value, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportProblem(_("%(where)s: a list was expected.") % {"where": where})
    return value


def read_date(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def read_moment(value: str, where: str, schedule: ParsedSchedule, zone: str | None):
    """An aware datetime from an ISO 8601 date; naive ones are read in ``zone`` (or UTC)."""
    value = (value or "").strip()
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportProblem(
            _("%(where)s: date “%(value)s” is not an ISO 8601 date and time.")
            % {"where": where, "value": value}
        ) from None
    if not 1 < moment.year < 9999:  # converting or adding a duration would overflow
        raise ImportProblem(
            _("%(where)s: date “%(value)s” is out of range.") % {"where": where, "value": value}
        )
    if moment.tzinfo is None:
        schedule.naive_times = True
        return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone or "UTC")).astimezone(dt.UTC)
    if len(schedule.offsets) < 500:
        schedule.offsets.add((moment.astimezone(dt.UTC), moment.utcoffset()))
    return moment.astimezone(dt.UTC)


def read_guid(value, where: str, notes: list[str], fallback: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError, TypeError):
        if value in (None, ""):
            what = _("no guid; a stable one was derived from its id.")
        else:
            what = _("guid “%(value)s” is not a UUID; a stable one was derived from its id.") % {
                "value": str(value)[:40]
            }
        notes.append(note(where, what))
        return uuid.uuid5(FRAB_NAMESPACE, fallback)


def read_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip()) if value else None
    except (ValueError, AttributeError, TypeError):
        return None


def slug_from_frab(slug: str, acronym: str, frab_id: int | None, title: str) -> str:
    """Our exports write "<acronym>-<id>-<slug>"; read our own slug back from that."""
    slug = (slug or "").strip()
    for prefix in (f"{acronym}-{frab_id}-", f"{acronym}-"):
        if frab_id is not None and slug.lower().startswith(prefix.lower()):
            slug = slug[len(prefix) :]
            break
    return slugify(slug)[:80].strip("-_") or slugify(title)[:80].strip("-_") or "session"


def read_acronym(value: str, title: str, notes: list[str]) -> str:
    raw = (value or "").strip()
    fixed = acronym_from_slug(raw or slugify(title))
    if raw and fixed != raw:
        notes.append(
            _("Acronym “%(raw)s” became “%(fixed)s” (letters, digits and _ only).")
            % {"raw": raw[:60], "fixed": fixed}
        )
    return fixed


def read_title(raw, where: str, notes: list[str]) -> str:
    """One line of at most 300 characters (the limit of Session.title)."""
    title = " ".join(read_text(raw, where, "title", notes, line=True).split())
    if not title:
        raise ImportProblem(_("%(where)s: the title is missing or empty.") % {"where": where})
    if len(title) > 300:
        notes.append(note(where, _("the title was longer than 300 characters and was shortened.")))
        title = title[:299].rstrip() + "…"
    return title


def positive_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_INT else None


def read_frab_id(value, where: str, notes: list[str]) -> int | None:
    number = positive_int(value)
    if number is None and value not in (None, ""):
        what = _("id “%(value)s” is not a positive 32-bit integer; a new one is used.")
        notes.append(note(where, what % {"value": str(value)[:20]}))
    return number


def read_language(raw, where: str, notes: list[str]) -> str:
    value = str(raw or "").strip()
    if value and not LANGUAGE_RE.fullmatch(value):
        what = _("language “%(value)s” is not a language code; left empty.")
        notes.append(note(where, what % {"value": value[:20]}))
        return ""
    return value[:16]


def read_links(items, where: str, notes: list[str]) -> list[dict]:
    links = []
    for item in items:
        url = clean_line(str(item.get("url") or "")).strip()
        if BARE_DOMAIN_RE.match(url):
            what = _("a link without a scheme (“www.example.org”) was read as https://.")
            notes.append(note(where, what))
            url = f"https://{url}"
        if not re.match(r"^https?://\S+$", url) or len(url) > 2000:
            notes.append(note(where, _("a link without an http(s) URL was left out.")))
            continue
        title = read_text(item.get("title"), where, "link title", notes, line=True)[:300]
        links.append({"url": url, "title": title})
    return links


def read_slot(value: str) -> dt.timedelta:
    match = DURATION_RE.match((value or "").strip())
    if match:
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        slot = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if dt.timedelta(0) < slot <= dt.timedelta(hours=2):
            return slot
    return dt.timedelta(minutes=5)


def as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)
