"""What a change did to one session: stored as facts, told in the reader's language.

``describe`` compares two snapshots of a session (``releases.public_state``) and gives
the change's kind and its facts, plain JSON kept in ``SessionChange.facts``:

    {"kind": "new", "start": iso | None, "room": "Cedar"}
    {"kind": "moved", "start", "room", "was_start", "was_room"}
    {"kind": "resized", "ends": iso, "was_ends": iso}
    {"kind": "retitled", "title": "Better talk", "was_title": "Talk"}
    {"kind": "speakers", "added": ["Grace Hopper"], "removed": []}
    {"kind": "cancelled"}, {"kind": "restored"}, {"kind": "removed"}
    {"kind": "text", "text": "..."}  (a sentence stored before facts were)

``sentence`` tells them at display time, in the active language, with its weekday names
and clock, in the event's zone: the changelog page, its feed, the banner, the releases
history and the API all read the same facts.
"""

import datetime as dt

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lib.timefmt import clock

CANCELLED = "cancelled"


def describe(before: dict | None, after: dict | None) -> tuple[str, list[dict]] | None:
    """(kind, facts) for one session between two snapshots, or None if nothing changed;
    the kind is that of the first fact (the one a change is filed under)."""
    if before is None:
        return "new", [{"kind": "new", "start": after["starts_at"], "room": after["room_name"]}]
    if after is None:
        return "removed", [{"kind": "removed"}]
    facts: list[dict] = []
    if before["status"] != after["status"]:
        facts.append({"kind": "cancelled" if after["status"] == CANCELLED else "restored"})
    if (before["room"], before["starts_at"]) != (after["room"], after["starts_at"]):
        facts.append(
            {
                "kind": "moved",
                "start": after["starts_at"],
                "room": after["room_name"],
                "was_start": before["starts_at"],
                "was_room": before["room_name"],
            }
        )
    elif before["ends_at"] != after["ends_at"] and after["ends_at"] and before["ends_at"]:
        facts.append({"kind": "resized", "ends": after["ends_at"], "was_ends": before["ends_at"]})
    if before["title"] != after["title"]:
        facts.append({"kind": "retitled", "title": after["title"], "was_title": before["title"]})
    had, has = dict(before["speakers"]), dict(after["speakers"])
    added = [name for pk, name in after["speakers"] if pk not in had]
    removed = [name for pk, name in before["speakers"] if pk not in has]
    if added or removed:
        facts.append({"kind": "speakers", "added": added, "removed": removed})
    if not facts:
        return None
    return facts[0]["kind"], facts


def _moment(value: str, tz) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(tz)


def place(start: str | None, room: str, tz) -> str:
    """ "Tue 10:00am, Magnolia" (weekday and clock of the active language)."""
    where = room or _("all rooms")
    if not start:
        # Translators: where a session is when it has no time: "no time yet, Magnolia".
        return _("no time yet, %(room)s") % {"room": where}
    moment = _moment(start, tz)
    # Translators: when and where a session is: short weekday, time and room,
    # "Tue 10:00am, Magnolia".
    return _("%(day)s %(time)s, %(room)s") % {
        "day": dateformat.format(moment, "D"),
        "time": clock(moment, tz),
        "room": where,
    }


def _names(names: list[str]) -> str:
    return ", ".join(names)


def fact_words(fact: dict, tz) -> str:
    kind = fact.get("kind")
    if kind == "new":
        return _("new: %(place)s") % {"place": place(fact["start"], fact["room"], tz)}
    if kind == "moved":
        return _("moved from %(before)s to %(after)s") % {
            "before": place(fact["was_start"], fact["was_room"], tz),
            "after": place(fact["start"], fact["room"], tz),
        }
    if kind == "resized":
        return _("now ends at %(end)s (was %(was)s)") % {
            "end": clock(_moment(fact["ends"], tz), tz),
            "was": clock(_moment(fact["was_ends"], tz), tz),
        }
    if kind == "retitled":
        return _("retitled (was “%(title)s”)") % {"title": fact["was_title"]}
    if kind == "speakers":
        parts = []
        if fact["added"]:
            added = fact["added"]
            parts.append(
                ngettext("speaker added: %(names)s", "speakers added: %(names)s", len(added))
                % {"names": _names(added)}
            )
        if fact["removed"]:
            removed = fact["removed"]
            parts.append(
                ngettext("speaker removed: %(names)s", "speakers removed: %(names)s", len(removed))
                % {"names": _names(removed)}
            )
        return "; ".join(parts)
    if kind == "cancelled":
        return _("cancelled")
    if kind == "restored":
        return _("back on the schedule")
    if kind == "removed":
        return _("removed from the schedule")
    return str(fact.get("text", ""))


def sentence(facts: list[dict], tz) -> str:
    """The facts of one change in words, in the active language: "moved from Tue 10:00am,
    Cedar to Tue 2:00pm, Oak; retitled (was “Talk”)"."""
    return "; ".join(fact_words(fact, tz) for fact in facts)


def tell(changes, tz) -> list:
    """Give each change (``SessionChange`` or dict with ``facts``) its ``words``."""
    for change in changes:
        if isinstance(change, dict):
            change["words"] = sentence(change["facts"], tz)
        else:
            change.words = sentence(change.facts, tz)
    return changes
