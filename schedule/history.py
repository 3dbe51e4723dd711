"""The admin's History lines that the board and the bulk actions write: stored as data,
worded when an organizer reads them, in the reader's language.

Each ``change_message`` is a JSON list like Django's own: its "changed"/"added"/
"deleted" part reads sensibly wherever Django words it (``LogEntry.get_change_message``),
and its "lineup" part holds what happened (the places before and after, with the room
names and local times of that moment). ``message()`` words that part; rows written
before it (plain English text) read as they are.
"""

import datetime as dt
import json
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from lib.timefmt import clock, short_day

from .models import Session

# How a change was made, as the callers name it: the stored key and its words.
HOWS = {
    "on the board": pgettext_lazy("history", "on the board"),
    "bulk action": pgettext_lazy("history", "bulk action"),
    "published from the draft": pgettext_lazy("history", "published from the draft"),
}
ROLLBACK = re.compile(r"rollback of release (\d+)")  # as schedule/releases.py names it
# Field words for Django's part of the message (Django translates them when it words it).
FIELD_WORDS = {
    "room_id": gettext_noop("room"),
    "starts_at": gettext_noop("time"),
    "ends_at": gettext_noop("time"),
    "track_id": gettext_noop("track"),
    "session_type_id": gettext_noop("type"),
    "status": gettext_noop("status"),
}
PLACE = ("room_id", "starts_at", "ends_at")


def _dump(django_part: dict, ours: dict) -> str:
    return json.dumps([{**django_part, "lineup": ours}], ensure_ascii=False)


def _place(room_id, starts_at, ends_at, rooms: dict[int, str], tz) -> dict | None:
    if starts_at is None:
        return None
    return {
        "start": starts_at.astimezone(tz).isoformat(),
        "end": ends_at.astimezone(tz).isoformat(),
        "room": rooms.get(room_id) if room_id is not None else None,
    }


def moved(session, before: dict, rooms: dict[int, str], how: str) -> str:
    """A session's new place or kind; ``before`` holds its old values by field name."""
    tz = session.event.tzinfo
    ours: dict = {"do": "change", "how": how}
    fields = [key for key in before if before[key] != getattr(session, key)]
    if any(key in fields for key in PLACE):
        ours["from"] = _place(*(before[k] for k in PLACE), rooms, tz)
        ours["to"] = _place(*(getattr(session, k) for k in PLACE), rooms, tz)
    ours["kinds"] = [k for k in ("track_id", "session_type_id") if k in fields]
    if "status" in fields:
        ours["status"] = str(session.status)
    words = list(dict.fromkeys(FIELD_WORDS[k] for k in fields if k in FIELD_WORDS))
    return _dump({"changed": {"fields": words}}, ours)


def copied(source) -> str:
    """A break copied from ``source`` into another room."""
    ours = {"do": "copy", "how": "on the board", "title": source.title, "room": str(source.room)}
    return _dump({"added": {}}, ours)


def copy_removed() -> str:
    return _dump({"deleted": {}}, {"do": "uncopy", "how": "on the board"})


def status_set(status: str, how: str) -> str:
    ours = {"do": "status", "how": how, "status": status}
    return _dump({"changed": {"fields": [FIELD_WORDS["status"]]}}, ours)


def _ours(change_message: str) -> dict | None:
    if not change_message.startswith("["):
        return None
    try:
        parts = json.loads(change_message)
    except json.JSONDecodeError:
        return None
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, dict) and isinstance(part.get("lineup"), dict):
            return part["lineup"]
    return None


def _place_words(place: dict | None) -> str:
    """ "Tue Feb 24 10:00am–10:40am, Magnolia", or "unscheduled", in the reader's language."""
    if place is None:
        return _("unscheduled")
    start = dt.datetime.fromisoformat(place["start"])
    end = dt.datetime.fromisoformat(place["end"])
    when = f"{short_day(start.date())} {clock(start, start.tzinfo)}–{clock(end, end.tzinfo)}"
    return f"{when}, {place['room'] or _('all rooms')}"


def message(entry) -> str:
    """The entry's History line in the active language."""
    ours = _ours(entry.change_message or "")
    if ours is None:
        return entry.get_change_message()
    do = ours.get("do")
    if do == "change":
        parts = []
        if "to" in ours:
            parts.append(
                _("Moved from %(old)s to %(new)s")
                % {"old": _place_words(ours["from"]), "new": _place_words(ours["to"])}
            )
        kinds = ours.get("kinds", [])
        if "track_id" in kinds:
            parts.append(_("Changed track"))
        if "session_type_id" in kinds:
            parts.append(_("Changed type"))
        if "status" in ours:
            parts.append(_status_words(ours["status"]))
        what = "; ".join(parts)
    elif do == "copy":
        what = _("Copied from “%(title)s” in %(room)s") % ours
    elif do == "uncopy":
        what = _("Removed: undo of “copy to all rooms”")
    elif do == "status":
        what = _status_words(ours["status"])
    else:
        return entry.get_change_message()
    # Translators: a History line: what was done, then how ("on the board", "bulk action").
    return _("%(what)s (%(how)s).") % {"what": what, "how": _how_words(ours.get("how", ""))}


def _status_words(status: str) -> str:
    label = Session.Status(status).label if status in Session.Status.values else status
    return _("Changed status to %(status)s") % {"status": label}


def _how_words(how: str) -> str:
    rollback = ROLLBACK.fullmatch(how)
    if rollback:
        return _("rollback of release %(number)s") % {"number": rollback.group(1)}
    return HOWS.get(how, how)


class Line:
    """A LogEntry as the History page shows it: its message in the reader's language."""

    def __init__(self, entry):
        self._entry = entry

    def __getattr__(self, name):
        return getattr(self._entry, name)

    def get_change_message(self) -> str:
        return message(self._entry)


def worded(response):
    """The admin's History page (a TemplateResponse, not yet rendered) with our lines worded."""
    page = (getattr(response, "context_data", None) or {}).get("action_list")
    if page is not None:
        page.object_list = [Line(entry) for entry in page.object_list]
    return response
