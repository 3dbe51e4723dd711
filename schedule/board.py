"""The organizers' schedule board: how it changes sessions (what it shows: ``board_state``).

Every change made on the board, by the admin's bulk actions or by "copy to all rooms"
goes through ``apply_changes``: one transaction that locks the sessions, refuses a change
based on a stale ``Session.version``, writes the new placement, runs the scheduling rules
of ``rules.py`` on the result (so a batch is judged as a whole, not one row at a time),
and writes the admin's history. A refused change leaves nothing behind.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from events.models import Event, Room, SessionType, Track
from lib import sql
from lib.timefmt import clock, short_date, short_day

from . import history
from .models import Session
from .rules import check_session

STEPS = (5, 10, 15, 30)
MAX_DURATION = 24 * 60  # minutes: a slot longer than a day is a typo


class BoardError(Exception):
    """A change the board refuses. ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str | list[str], session: Session | None = None):
        self.messages = [message] if isinstance(message, str) else list(message)
        self.session = session
        super().__init__(" ".join(self.messages))


class StaleChange(BoardError):
    status = 409


@dataclass
class Change:
    """New values for one session; ``version`` is the one the change was based on."""

    session_id: int
    values: dict
    version: int | None = None


# Placing in the event's zone ------------------------------------------------------------


def at_local(event: Event, day: dt.date, minutes: int, fold: int = 0) -> dt.datetime:
    """The instant that reads ``minutes`` after midnight of ``day`` in the event's zone
    (``fold=1``: the second time that clock time comes round, when clocks go back).

    Raises BoardError for a clock time that does not exist (clocks go forward)."""
    naive = dt.datetime.combine(day, dt.time.min) + dt.timedelta(minutes=minutes)
    moment = naive.replace(tzinfo=event.tzinfo, fold=fold)
    if moment.astimezone(dt.UTC).astimezone(event.tzinfo).replace(tzinfo=None) != naive:
        raise BoardError(
            _(
                "%(time)s does not exist on %(day)s in %(zone)s: the clocks go forward then. "
                "Choose another time."
            )
            % {"time": f"{naive:%H:%M}", "day": short_date(naive.date()), "zone": event.timezone}
        )
    return moment


def slot_words(session: Session, rooms: dict[int, str] | None = None) -> str:
    """ "Tue Feb 24 10:00am–10:40am, Magnolia", or "unscheduled", for history and messages."""
    if session.starts_at is None:
        return _("unscheduled")
    tz = session.event.tzinfo
    start = session.starts_at.astimezone(tz)
    when = f"{short_day(start.date())} {clock(start, tz)}–{clock(session.ends_at, tz)}"
    if session.room_id is None:
        return f"{when}, {_('all rooms')}"
    name = rooms[session.room_id] if rooms else str(session.room)
    return f"{when}, {name}"


# Changing ------------------------------------------------------------------------------

PLACEMENT = ("room_id", "starts_at", "ends_at")


def placement(event: Event, room_id, day, start, duration, fold: int = 0) -> dict:
    """Check the raw parts of a placement and turn them into field values (the room is
    checked by ``apply_changes``, which loads the event's rooms anyway)."""
    if day is None:
        return {"room_id": None, "starts_at": None, "ends_at": None}
    if day not in event.days:
        raise BoardError(
            _("%(day)s is not one of the event's days (%(first)s to %(last)s).")
            % {
                "day": short_date(day, year=True),
                "first": short_date(event.start_date),
                "last": short_date(event.end_date, year=True),
            }
        )
    if not 0 <= start < 24 * 60:
        raise BoardError(_("The start time must lie within the day (00:00 to 23:59)."))
    if not 1 <= duration <= MAX_DURATION:
        raise BoardError(
            _("The length must be between 1 and %(most)d minutes.") % {"most": MAX_DURATION}
        )
    starts_at = at_local(event, day, start, fold)
    # Elapsed minutes, not clock minutes: a talk across a clock change keeps its length.
    ends_at = (starts_at.astimezone(dt.UTC) + dt.timedelta(minutes=duration)).astimezone(
        event.tzinfo
    )
    return {"room_id": room_id, "starts_at": starts_at, "ends_at": ends_at}


def lock_event(event: Event) -> None:
    """Take the event's row lock: changes to one event's schedule go one at a time, so
    two organizers cannot each put a different session into the same free slot."""
    if not sql.rows("SELECT id FROM events_event WHERE id = %s", [event.pk], lock=True):
        raise Event.DoesNotExist


def _lock_sessions(event: Event, ids: list[int]) -> dict[int, Session]:
    """The event's sessions of ``ids``, locked, each with its room, track and type as far
    as the rules and the changelog read them (their event, the room's name; the rest of
    them is read only if asked for)."""
    query = (
        "SELECT s.*, room.event_id AS room_event, room.name AS room_name, "
        "track.event_id AS track_event, kind.event_id AS kind_event, "
        "kind.is_break AS kind_is_break FROM schedule_session s "
        "LEFT JOIN events_room room ON room.id = s.room_id "
        "LEFT JOIN events_track track ON track.id = s.track_id "
        "LEFT JOIN events_sessiontype kind ON kind.id = s.session_type_id "
        "WHERE s.event_id = %s AND s.id IN %s ORDER BY s.id"
    )
    sessions = {}
    for session in Session.objects.raw(*sql.expand(query, [event.pk, ids], lock="s")):
        session.event = event  # (the caller's, already read)
        db = session._state.db
        if session.room_id is not None:
            session.room = _loaded(
                Room, db, id=session.room_id, event_id=session.room_event, name=session.room_name
            )
        if session.track_id is not None:
            session.track = _loaded(Track, db, id=session.track_id, event_id=session.track_event)
        if session.session_type_id is not None:
            session.session_type = _loaded(
                SessionType, db, id=session.session_type_id, event_id=session.kind_event,
                is_break=bool(session.kind_is_break),
            )  # fmt: skip
        sessions[session.pk] = session
    return sessions


def _loaded(model, db: str, **values):
    """A ``model`` row with only these fields loaded (as ``only()`` gives; any other
    field is read from the database if asked for)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


@transaction.atomic
def apply_changes(
    event: Event, user, changes: list[Change], *, how: str, name_sessions: bool = False
) -> list[Session]:
    """Apply every change or none; see the module's docstring.

    ``how`` ends each history message ("on the board", "bulk action"); with
    ``name_sessions`` (or several changes) each refusal starts with its session's title.
    """
    ids = [c.session_id for c in changes]
    if len(set(ids)) != len(ids):
        raise BoardError(_("Each session can be changed only once at a time."))
    lock_event(event)
    locked = _lock_sessions(event, ids)
    missing = [pk for pk in ids if pk not in locked]
    if missing:
        raise BoardError(_("That session is not one of this event's sessions."))
    # The rooms the sessions leave came with them; only a room a change names anew is
    # read (a move to another room reads that one room, not all of them).
    halls = {s.room_id: s.room for s in locked.values() if s.room and s.room.event_id == event.pk}
    wanted = sorted({c.values.get("room_id") for c in changes} - {None, *halls})
    if wanted:
        query = "SELECT * FROM events_room WHERE event_id = %s AND id IN %s"
        found = Room.objects.raw(*sql.expand(query, [event.pk, wanted]))
        halls.update((room.pk, room) for room in found)
    rooms = {pk: room.name for pk, room in halls.items()}
    befores = {}
    for change in changes:
        session = locked[change.session_id]
        room_id = change.values.get("room_id")
        if room_id is not None and room_id not in halls:
            raise BoardError(_("That room is not one of this event's rooms."))
        if change.version is not None and change.version != session.version:
            raise StaleChange(
                _(
                    "“%(title)s” was changed by someone else since your board loaded it: "
                    "it is now %(place)s. Nothing was saved; look again."
                )
                % {"title": session.title, "place": slot_words(session, rooms)},
                session,
            )
        if all(getattr(session, k) == v for k, v in change.values.items()):
            continue  # dropped where it was: nothing to save or to record
        befores[session.pk] = {k: getattr(session, k) for k in (*PLACEMENT, *change.values)}
        session._stored_seen_by_public = session.seen_by_public()  # locked: saves a query
        if session.starts_at is not None and change.values.get("starts_at", 0) is None:
            # Back to the tray: keep the length it had, for when it is placed again.
            session.planned_minutes = round(session.duration.total_seconds() / 60)
        for key, value in change.values.items():
            setattr(session, key, value)
        if "room_id" in change.values:  # the rules read the room: no query for it
            session.room = halls.get(room_id)
        session.save(update_fields={*change.values, "planned_minutes", "updated_at"})
    _check_all([locked[pk] for pk in befores], name_sessions or len(changes) > 1)
    for pk in befores:
        session = locked[pk]
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[session],
            action_flag=CHANGE,
            change_message=history.moved(session, befores[pk], rooms, how),
        )
    return [locked[pk] for pk in ids]


def _check_all(sessions: list[Session], name_sessions: bool) -> None:
    """Judge the new state of every changed session; refuse the whole batch on any error.

    Each session keeps the speakers read here, in their order, as ``speaker_names``
    ([(id, name)]) for the changelog (``releases.written_state``)."""
    if not sessions:
        return
    speakers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    links = sql.rows(
        "SELECT link.session_id, link.speaker_id, person.name "
        "FROM schedule_sessionspeaker link "
        "JOIN speakers_speaker person ON person.id = link.speaker_id "
        "WHERE link.session_id IN %s ORDER BY link.session_id, link.position, person.name",
        [[s.pk for s in sessions]],
    )
    for session_id, speaker_id, name in links:
        speakers[session_id].append((speaker_id, name))
    problems = []
    for session in sessions:
        session.speaker_names = speakers[session.pk]
        try:
            check_session(session, [pk for pk, _name in speakers[session.pk]])
        except ValidationError as exc:
            for message in exc.messages:
                named = _("“%(title)s”: %(problem)s") % {"title": session.title, "problem": message}
                problems.append(named if name_sessions else message)
    if problems:
        raise BoardError(problems, sessions[0] if len(sessions) == 1 else None)


@transaction.atomic
def copy_to_all_rooms(event: Event, user, session_id: int, version: int | None) -> list[Session]:
    """Copy a break into every other room at the same time, or refuse it whole."""
    lock_event(event)
    source = (
        Session.objects.select_for_update(of=("self",))
        .select_related("event", "session_type")
        .filter(event=event, pk=session_id)
        .first()
    )
    if source is None:
        raise BoardError(_("That session is not one of this event's sessions."))
    if version is not None and version != source.version:
        raise StaleChange(
            _("“%(title)s” was changed by someone else meanwhile.") % {"title": source.title},
            source,
        )
    if source.starts_at is None or source.room_id is None:
        raise BoardError(_("Place the break in one room first, then copy it to the others."))
    if not source.is_break:
        raise BoardError(_("Only breaks are copied to every room; this session is not a break."))
    copies = []
    for room in event.rooms.exclude(pk=source.room_id).order_by("position", "name"):
        copy = Session(
            event=event,
            title=source.title,
            abstract=source.abstract,
            track_id=source.track_id,
            session_type_id=source.session_type_id,
            room=room,
            starts_at=source.starts_at,
            ends_at=source.ends_at,
            status=source.status,
        )
        copy.save()
        copies.append(copy)
    problems = []
    for copy in copies:
        try:
            check_session(copy, [])
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise BoardError(problems, source)
    for copy in copies:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[copy],
            action_flag=ADDITION,
            change_message=history.copied(source),
        )
    return copies


@transaction.atomic
def remove_copies(event: Event, user, items: list[tuple[int, int]]) -> list[int]:
    """Undo "copy to all rooms": delete the copies, each unchanged since it was made
    (``items`` are (id, version) pairs), or none of them."""
    lock_event(event)
    ids = [pk for pk, _ in items]
    found = {
        s.pk: s
        for s in Session.objects.select_for_update(of=("self",))
        .select_related("event", "session_type")
        .filter(event=event, pk__in=ids)
    }
    if len(found) != len(set(ids)):
        raise BoardError(_("That session is not one of this event's sessions."))
    for pk, version in items:
        copy = found[pk]
        if copy.version != version:
            raise StaleChange(
                _("“%(title)s” in %(room)s was changed since it was copied; nothing was removed.")
                % {"title": copy.title, "room": copy.room or _("every room")},
                copy,
            )
        if not copy.is_break or copy.speakers.exists():
            raise BoardError(
                _("“%(title)s” is not a copied break; nothing was removed.")
                % {"title": copy.title},
                copy,
            )
    for copy in found.values():
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[copy],
            action_flag=DELETION,
            change_message=history.copy_removed(),
        )
        copy.delete()
    return ids
