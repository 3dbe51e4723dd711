"""What the organizers' schedule board draws: sessions, speakers, stars, clashes and the
event's days, rooms, tracks and types, as JSON-ready data in a fixed number of queries.

Changing the schedule is ``board.py``'s part.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Max
from django.urls import reverse

from events.models import Event
from lib.timefmt import day_heading, short_day

from .board import at_local
from .models import AgendaItem, Session, SessionSpeaker
from .rules import add_spanning, overlapping_pairs


def local_minutes(moment: dt.datetime, tz) -> tuple[dt.date, int, int]:
    """Day, minutes after midnight and ``fold`` (1 in the repeated hour) in zone ``tz``."""
    local = moment.astimezone(tz)
    return local.date(), local.hour * 60 + local.minute, local.fold


def fingerprint(event: Event) -> str:
    """Changes whenever any session of the event (drafts included) or the event changes."""
    seen = Session.objects.filter(event=event).aggregate(n=Count("pk"), last=Max("updated_at"))
    last = seen["last"].isoformat() if seen["last"] else "-"
    return f"{seen['n']}|{last}|{event.changed_at.isoformat()}"


def session_row(values: dict, speakers: list, stars: int, tz) -> dict:
    row = {
        "id": values["id"],
        "v": values["version"],
        "title": values["title"],
        "status": values["status"],
        "track": values["track_id"],
        "type": values["session_type_id"],
        "room": values["room_id"],
        "speakers": speakers,
        "stars": stars,
        "day": None,
        "start": None,
        "duration": values["planned_minutes"],  # in the tray: the length it needs, if known
    }
    if values["starts_at"] is not None:
        day, start, fold = local_minutes(values["starts_at"], tz)
        row["day"] = day.isoformat()
        row["start"] = start
        row["fold"] = fold
        # Elapsed time, also for datetimes in the event's zone (where "-" would give the
        # wall-clock difference across a clock change).
        row["duration"] = round(
            (values["ends_at"].timestamp() - values["starts_at"].timestamp()) / 60
        )
    return row


ROW_FIELDS = (
    "id", "version", "title", "status", "track_id", "session_type_id", "room_id",
    "starts_at", "ends_at", "planned_minutes",
)  # fmt: skip


def changed_rows(event: Event, sessions: Iterable[Session]) -> list[dict]:
    """The rows of sessions a change has just saved, built from the saved objects without
    a query: no speakers and no stars, which a move leaves as they were (the board keeps
    its own; a new copy has none)."""
    tz = event.tzinfo
    rows = []
    for session in sessions:
        row = session_row({f: getattr(session, f) for f in ROW_FIELDS}, [], 0, tz)
        del row["speakers"], row["stars"]
        rows.append(row)
    return rows


def board_state(event: Event, session_ids: Iterable[int] | None = None) -> dict:
    """Everything the board draws, as JSON-ready data, in a fixed number of queries.

    With ``session_ids``, only those sessions (for the answer to a move).
    """
    tz = event.tzinfo
    sessions = Session.objects.filter(event=event)
    if session_ids is not None:
        sessions = sessions.filter(pk__in=list(session_ids))
    values = list(sessions.order_by("starts_at", "title").values(*ROW_FIELDS))
    # Filtered by a subquery, not a list of ids: hundreds of parameters cost more to build.
    chosen = sessions.values("pk")
    speakers: dict[int, list] = defaultdict(list)
    links = (
        SessionSpeaker.objects.filter(session__in=chosen)
        .order_by("session_id", "position", "speaker__name")
        .values_list("session_id", "speaker_id", "speaker__name", "role")
    )
    for session_id, speaker_id, name, role in links:
        speakers[session_id].append([speaker_id, name, role])
    stars = dict(
        AgendaItem.objects.filter(session__in=chosen)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    rows = [session_row(v, speakers[v["id"]], stars.get(v["id"], 0), tz) for v in values]
    state = {"sessions": rows}
    if session_ids is None:
        state.update(
            event_parts(event),
            clashes=clash_list(values, speakers),
            fingerprint=fingerprint(event),
        )
    return state


def event_parts(event: Event) -> dict:
    days = [
        {
            "date": day.isoformat(),
            "label": short_day(day),
            "heading": day_heading(day),
            "zone": at_local(event, day, 12 * 60).tzname(),
        }
        for day in event.days
    ]
    return {
        "event": {
            "id": event.pk,
            "name": event.name,
            "timezone": event.timezone,
            "days": days,
            "admin_change_url": reverse("admin:schedule_session_change", args=[0]),
        },
        "rooms": list(event.rooms.order_by("position", "name").values("id", "name", "capacity")),
        "tracks": list(event.tracks.order_by("position", "name").values("id", "name", "color")),
        "types": list(event.session_types.order_by("name").values("id", "name", "is_break")),
    }


def clash_list(values: list[dict], speakers: dict[int, list]) -> list[dict]:
    """Room and speaker double-bookings among loaded session values (cancelled left out)."""
    live = {
        v["id"]: v
        for v in values
        if v["starts_at"] is not None and v["status"] != Session.Status.CANCELLED
    }
    groups: dict[tuple, list[int]] = defaultdict(list)
    for v in live.values():
        if v["room_id"] is not None:
            groups[("room", v["room_id"], "")].append(v["id"])
    add_spanning(groups, [pk for pk, v in live.items() if v["room_id"] is None], ("room", None, ""))
    for session_id, links in speakers.items():
        if session_id in live:
            for speaker_id, name, _role in links:
                groups[("speaker", speaker_id, name)].append(session_id)
    spans = {pk: (v["starts_at"], v["ends_at"]) for pk, v in live.items()}
    return [
        {"kind": kind, "what": what, "name": name, "sessions": [first, second]}
        for (kind, what, name), members in groups.items()
        for first, second in overlapping_pairs(members, spans)
    ]
