"""Import a schedule in the frab family (frab XML, pentabarf XML, frab/pretalx JSON).

Two steps, so that a bad file changes nothing: ``parse`` reads the whole file into
plain data, stopping at the first real error with its position and repairing what can
be repaired (each repair noted with its line or JSON path); ``apply`` writes it in one
transaction. Sessions are matched by guid, people by the identity the file gives them
(guid, then pretalx code, then id; by name only when the file gives none), rooms by
guid, then name. Only what differs is written, so importing an unchanged file writes
no row. ``dry_run`` goes through the same steps and rolls everything back, so its
report is exactly what a real import would do.
"""

import zoneinfo
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from events.models import (
    Event,
    Track,
    validate_timezone,
)

from . import releases
from .import_data import (
    ImportProblem,
    ParsedSchedule,
    Report,
)
from .import_readers import parse
from .import_repairs import guess_zone
from .import_writer import (
    Writer,
    event_dates,
)
from .models import Session, SessionSpeaker

__all__ = ["ImportProblem", "Report", "SessionSpeaker", "apply", "import_schedule", "parse"]


def apply(
    parsed: ParsedSchedule,
    event_slug: str,
    *,
    publish: bool = True,
    update_event: bool = True,
    prune: bool = False,
    dry_run: bool = False,
    timezone: str | None = None,
) -> Report:
    """Write a parsed file in one transaction (rolled back when ``dry_run``).

    ``update_event=False`` (the admin's upload) leaves an existing event's name, acronym,
    time zone and description as they are: only its dates grow, with a note."""
    report = Report(format=parsed.format, dry_run=dry_run)
    with transaction.atomic():
        _apply(parsed, event_slug, report, publish, update_event, prune, timezone)
        if dry_run:
            transaction.set_rollback(True)
    report.repairs = parsed.notes
    report.notes = report.grouped_notes()
    return report


# The event's fields an import may change (saved only when one of them did).
EVENT_FIELDS = ("name", "acronym", "timezone", "description", "start_date", "end_date", "language")


def _apply(parsed, event_slug, report, publish, update_event, prune, timezone) -> None:
    """The event first (made, or its fields and dates brought up to the file), then its
    rooms, tracks, types, people and sessions; a release when anything changed."""
    event = Event.objects.select_for_update().filter(slug=event_slug).first()
    created = event is None
    # An event without sessions (just made in the admin) takes the file's days, and its
    # zone unless the organizers chose one (anything but the default UTC).
    fresh = created or not Session.objects.filter(event=event).exists()
    zone = _file_zone(parsed, event, fresh or update_event, timezone)
    if created:
        event = Event(slug=event_slug, is_published=publish, timezone=zone)
    before = {name: getattr(event, name) for name in EVENT_FIELDS}
    if created or update_event:
        _take_event_fields(event, parsed, zone, created)
    if fresh:
        zone = _take_zone(event, parsed, zone, follow=created or update_event)
    _take_dates(event, parsed, zone, created=created, fresh=fresh, before=before)
    if created:
        event.save()
        report.count("events", True)
    elif any(getattr(event, name) != value for name, value in before.items()):
        event.save()
        report.count("events", False)
    else:
        report.same("events")
    _write_rows(parsed, event, report, publish, prune)


def _file_zone(parsed, event: Event | None, may_guess: bool, timezone: str | None) -> str:
    """The zone of the file's times: named (by the file, else by the caller), the
    event's for times read in it, else a guess (noted) where the event may take it."""
    if parsed.timezone or timezone:
        return parsed.timezone or timezone
    if event is not None and not parsed.offsets:
        return event.timezone  # times without offsets were read in the event's zone
    if event is None or may_guess:
        zone, note = guess_zone(parsed, None)
        if note:
            parsed.notes.insert(0, note)
        return zone
    return event.timezone


def _take_event_fields(event: Event, parsed, zone: str, created: bool) -> None:
    event.name = parsed.title[:200]
    event.acronym = parsed.acronym[:50]
    event.timezone = zone
    if parsed.description:
        event.description = parsed.description
    languages = Counter(s.language for s in parsed.sessions if s.language)
    if languages and created:
        event.language = languages.most_common(1)[0][0]


def _take_zone(event: Event, parsed, zone: str, follow: bool) -> str:
    """An event without sessions takes the file's zone if it follows the file or has
    the default UTC; else it keeps its own (noted). Returns the zone it has."""
    if follow or event.timezone == "UTC":
        event.timezone = zone
    elif zone != event.timezone:
        parsed.notes.append(
            _("The file's time zone is %(zone)s; the event keeps its own, %(own)s.")
            % {"zone": zone, "own": event.timezone}
        )
    return event.timezone


def _take_dates(event: Event, parsed, zone: str, *, created, fresh, before) -> None:
    """A new or empty event runs on the file's days; one with sessions only grows."""
    start, end = event_dates(parsed, zoneinfo.ZoneInfo(event.timezone))
    if created:
        event.start_date, event.end_date = start, end
    elif fresh:
        if (start, end, zone) != (before["start_date"], before["end_date"], before["timezone"]):
            parsed.notes.append(
                _(
                    "The event had no sessions yet: it now runs %(start)s to %(end)s in "
                    "%(zone)s, as the file says."
                )
                % {"start": start, "end": end, "zone": zone}
            )
        event.start_date, event.end_date = start, end
    else:
        widened = min(start, event.start_date), max(end, event.end_date)
        if widened != (event.start_date, event.end_date):
            parsed.notes.append(
                _(
                    "The event ran %(start)s to %(end)s; it now runs %(new_start)s to "
                    "%(new_end)s to hold the file's sessions."
                )
                % {
                    "start": event.start_date,
                    "end": event.end_date,
                    "new_start": widened[0],
                    "new_end": widened[1],
                }
            )
            event.start_date, event.end_date = widened
    if (event.end_date - event.start_date).days > 60:
        raise ImportProblem(_("The sessions span more than 61 days: is this one conference?"))


def _write_rows(parsed, event: Event, report, publish: bool, prune: bool) -> None:
    writer = Writer(parsed, event, report, publish)
    writer.load_named()
    writer.load_people()
    writer.update_rooms()
    for track_name, color in parsed.track_colors.items():
        writer.named(writer.tracks, Track, track_name, "tracks", color=color,
                     position=len(writer.tracks))  # fmt: skip
    writer.sessions(prune)
    if report.changed_anything:
        Event.objects.filter(pk=event.pk).touch()
        releases.record(event, how="import")


def import_schedule(
    data: bytes, event_slug: str, *, timezone: str | None = None, **options
) -> Report:
    """Parse, then write in one transaction. Raises ImportProblem and changes nothing.

    ``timezone`` is the zone for a file that names none (else the event's, else a guess);
    the other options are ``apply``'s: ``dry_run=True`` returns the same report without
    writing anything (``report.preview()`` shows it); ``prune=True`` cancels the event's
    sessions that the file no longer has; ``publish``, ``update_event``."""
    if timezone:
        try:
            validate_timezone(timezone)
        except ValidationError:
            raise ImportProblem(
                _("“%(zone)s” is not a time zone name such as Europe/Berlin.") % {"zone": timezone}
            ) from None
    existing = Event.objects.filter(slug=event_slug).values_list("timezone", flat=True).first()
    parsed = parse(data, timezone=timezone or existing)  # the zone of times without offset
    return apply(parsed, event_slug, timezone=timezone, **options)
