"""The scheduling rules, defined once and used by the admin, the API and the importer.

- a room holds one session at a time;
- a speaker is in one session at a time;
- a session lies within its event's days (in the event's time zone);
- room, track and type belong to the session's own event.

Cancelled sessions free their room and speakers. Messages name the other session, so
an organizer knows what to move.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lib import sql
from lib.timefmt import clock, clock_zone, month_day, short_day

from .models import Session, SessionSpeaker


def _when(session: Session) -> str:
    tz = session.event.tzinfo
    start = session.starts_at.astimezone(tz)
    return (
        f"{short_day(start.date())}, {clock(session.starts_at, tz)}–"
        f"{clock_zone(session.ends_at, tz)}"
    )


def _overlapping(session: Session, *near: Q):
    """The event's other sessions (not cancelled) that overlap ``session`` in time, and
    meet ``near``."""
    return Session.objects.filter(
        *near,
        event_id=session.event_id,
        starts_at__lt=session.ends_at,
        ends_at__gt=session.starts_at,
    ).exclude(Q(status=Session.Status.CANCELLED) | Q(pk=session.pk))


BELONGS_ELSEWHERE = {
    "room": gettext_lazy("This room belongs to another event (%(event)s)."),
    "track": gettext_lazy("This track belongs to another event (%(event)s)."),
    "session_type": gettext_lazy("This type belongs to another event (%(event)s)."),
}


def relation_errors(session: Session) -> dict[str, str]:
    errors = {}
    for field in ("room", "track", "session_type"):
        related = getattr(session, field)
        if related is not None and related.event_id != session.event_id:
            errors[field] = BELONGS_ELSEWHERE[field] % {"event": related.event}
    return errors


def date_errors(session: Session) -> dict[str, str]:
    event = session.event
    if session.starts_at is None or session.ends_at is None:
        return {}
    if session.starts_at < event.starts_at or session.ends_at > event.ends_at:
        return {
            "starts_at": _(
                "The session must take place during the event, between %(first)s and "
                "%(last)s (%(zone)s)."
            )
            % {
                "first": month_day(event.start_date),
                "last": month_day(event.end_date, year=True),
                "zone": event.timezone,
            }
        }
    return {}


def room_clash_errors(session: Session) -> dict[str, str]:
    """A room holds one session at a time; a scheduled session without a room (a break or
    a plenary, shown across every room) takes every room."""
    if session.starts_at is None or session.ends_at is None or session.is_cancelled:
        return {}
    others = _overlapping(session)
    if session.room_id is not None:
        others = others.filter(Q(room_id=session.room_id) | Q(room__isnull=True))
    other = others.select_related("event", "room").order_by("starts_at", "title").first()
    if other is None:
        return {}
    if other.room_id is None:
        message = _("“%(title)s” takes every room at that time (%(when)s).") % {
            "title": other.title,
            "when": _when(other),
        }
    elif session.room_id is None:
        message = _(
            "This session would take every room, but %(room)s is taken at that time "
            "by “%(title)s” (%(when)s)."
        ) % {"room": other.room, "title": other.title, "when": _when(other)}
    else:
        message = _("%(room)s is already taken at that time by “%(title)s” (%(when)s).") % {
            "room": session.room,
            "title": other.title,
            "when": _when(other),
        }
    return {"room": message}


def speaker_clash_errors(session: Session, speaker_ids: Iterable[int]) -> list[str]:
    """One message per speaker who is in another session at an overlapping time."""
    speaker_ids = set(speaker_ids)
    if (
        not speaker_ids
        or session.starts_at is None
        or session.ends_at is None
        or session.is_cancelled
    ):
        return []
    links = (
        SessionSpeaker.objects.filter(speaker_id__in=speaker_ids, session__in=_overlapping(session))
        .select_related("speaker", "session__event")
        .order_by("speaker__name", "session__starts_at")
    )
    messages, seen = [], set()
    for link in links:
        if link.speaker_id in seen:
            continue
        seen.add(link.speaker_id)
        messages.append(
            _("%(speaker)s is already speaking at that time in “%(title)s” (%(when)s).")
            % {"speaker": link.speaker, "title": link.session.title, "when": _when(link.session)}
        )
    return messages


def _in_the_way(session: Session, speaker_ids: Iterable[int] | None) -> bool:
    """Whether any session overlaps this one in its room (or, without a room, in any) or,
    when ``speaker_ids`` is given, shares a speaker with it: one query of ids, so that a
    session that breaks no rule costs no more; the messages are built only on a clash.

    The same conditions as ``_overlapping`` (and the messages' queries), in plain SQL: it
    runs on every save, and the ORM took several times longer to build this statement than
    the database to answer it."""
    if session.starts_at is None or session.ends_at is None or session.is_cancelled:
        return False
    to_db = connection.ops.adapt_datetimefield_value
    params = [
        session.event_id, to_db(session.ends_at), to_db(session.starts_at),
        Session.Status.CANCELLED.value, session.pk or 0,  # (0: a new session, not stored yet)
    ]  # fmt: skip
    if session.room_id is None:  # it takes every room: anything at that time is in the way
        found = sql.rows(
            "SELECT 1 FROM schedule_session WHERE event_id = %s AND starts_at < %s "
            "AND ends_at > %s AND status <> %s AND id <> %s LIMIT 1",
            params,
        )
    else:
        found = sql.rows(
            "SELECT 1 FROM schedule_session WHERE event_id = %s AND starts_at < %s "
            "AND ends_at > %s AND status <> %s AND id <> %s "
            "AND (room_id = %s OR room_id IS NULL OR id IN "
            "(SELECT session_id FROM schedule_sessionspeaker WHERE speaker_id IN %s)) LIMIT 1",
            [*params, session.room_id, sorted(set(speaker_ids or ()))],
        )
    return bool(found)


def check_session(session: Session, speaker_ids: Iterable[int] | None = None) -> None:
    """Raise ValidationError (by field) if the session breaks a scheduling rule.

    ``speaker_ids`` are the speakers the session will have; when None, speakers are not
    checked here (the admin checks them with its inline, where the new list is known).
    """
    if not session.event_id:
        return
    errors = relation_errors(session)
    errors.update(date_errors(session))
    if not errors and not _in_the_way(session, speaker_ids):
        return  # the usual case, one small query: nothing overlaps in its room or speakers
    if not errors:
        errors.update(room_clash_errors(session))
    if not errors and speaker_ids is not None:
        clashes = speaker_clash_errors(session, speaker_ids)
        if clashes:
            errors["__all__"] = clashes
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Clash:
    kind: str  # "room" or "speaker"
    where: str  # the room's or the speaker's name
    first: Session
    second: Session


def overlapping_pairs(members: list, spans: dict) -> list[tuple]:
    """Pairs of ``members`` whose (start, end) in ``spans`` overlap, earliest first."""
    ordered = sorted(members, key=lambda m: spans[m][0])
    pairs = []
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if spans[second][0] >= spans[first][1]:
                break
            pairs.append((first, second))
    return pairs


def add_spanning(groups: dict, spanning: list, own_key: tuple) -> None:
    """Sessions without a room take every room: they join each room's group (and one of
    their own, where two of them meet)."""
    if not spanning:
        return
    for key in [k for k in groups if k[0] == "room"]:
        groups[key].extend(spanning)
    groups[own_key].extend(spanning)


def find_clashes(event) -> list[Clash]:
    """Every room and speaker double-booking in an event, e.g. after an import."""
    sessions = list(
        Session.objects.filter(event=event, starts_at__isnull=False)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("room", "event")
        .order_by("starts_at")
    )
    by_id = {s.pk: s for s in sessions}
    spans = {s.pk: (s.starts_at, s.ends_at) for s in sessions}
    # Grouped by id, not name: two rooms or speakers may share a name.
    groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for session in sessions:
        if session.room_id:
            groups[("room", session.room.name, session.room_id)].append(session.pk)
    spanning = [s.pk for s in sessions if s.room_id is None]
    add_spanning(groups, spanning, ("room", _("every room"), 0))
    links = SessionSpeaker.objects.filter(session_id__in=by_id).select_related("speaker")
    for link in links:
        groups[("speaker", link.speaker.name, link.speaker_id)].append(link.session_id)
    return [
        Clash(kind, where, by_id[first], by_id[second])
        for (kind, where, _), members in sorted(groups.items())
        for first, second in overlapping_pairs(members, spans)
    ]
