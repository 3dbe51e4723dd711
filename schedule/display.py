"""What the public pages show, prepared in Python so templates only print strings.

Formatting 600 sessions in template filters is slow and spreads rules across
templates; here each session row (rows.py) becomes one flat dict of strings, built
once per (cached) page.
"""

import datetime as dt
from collections import defaultdict
from functools import lru_cache
from itertools import groupby
from math import gcd
from operator import attrgetter

from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from markupsafe import escape

from events.models import Event
from lib.timefmt import clock_zone, clocks, day_heading, short_day

from .rows import Row

EXCERPT_CHARS = 220


def render_rows(template: str, **context) -> str:
    """Render one of the hot Jinja2 templates (templates/jinja2/schedule/) to safe HTML."""
    return mark_safe(get_template(template, using="jinja2").render(context))  # noqa: S308


@lru_cache(maxsize=512)
def _url_pattern(name: str, event_slug: str) -> str:
    return reverse(name, args=[event_slug, "__slug__"])


def url_for(name: str, event_slug: str, slug: str) -> str:
    """``reverse`` for a URL of one event's object by slug, cheap enough for every row."""
    return _url_pattern(name, event_slug).replace("__slug__", slug)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters, cut at a word, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


class Rows:
    """Session rows as a page's Jinja template prints them, for one page: every value
    HTML-escaped here (the templates print the rows' values as they are, autoescape off:
    escaping in the template cost a call per value, a dozen a row), and each distinct
    time and room, track or type formatted and escaped once, not per row (a day of two
    hundred sessions has some twenty start times). ``row`` gives what every page prints;
    ``ListRows`` (the list, the embedded list, my agenda) and ``GridRows`` (the grid's
    cells) add their own. With ``star`` (``agenda.star_buttons``) each session that
    can be starred has its button.
    """

    def __init__(self, event: Event, star=None):
        self.event, self.tz, self.star = event, event.tzinfo, star
        self.clock = clocks()
        self.times: dict[dt.datetime, tuple[str, str]] = {}
        self.places: dict[int, tuple[str, str]] = {}

    def time(self, moment: dt.datetime) -> tuple[str, str]:
        """(its clock time, the instant in ISO 8601 as given: the rows' in UTC), escaped."""
        found = self.times.get(moment)
        if found is None:
            found = (escape(self.clock(moment, self.tz)), escape(moment.isoformat()))
            self.times[moment] = found
        return found

    def place(self, place) -> tuple[str, str]:
        """A room's, track's or type's (name, slug), escaped (empty for none)."""
        if place is None:
            return ("", "")
        found = self.places.get(id(place))
        if found is None:
            found = self.places[id(place)] = (escape(place.name), escape(place.slug))
        return found

    def row(self, row: Row) -> dict:
        """Its title, link and times, its moderators ("Ada, Bob"), its track's slug and
        its star button."""
        start, starts_iso = self.time(row.starts_at)
        end, ends_iso = self.time(row.ends_at)
        cancelled, is_break = row.is_cancelled, row.is_break
        star = self.star(row.slug, row.title) if self.star and not (cancelled or is_break) else ""
        moderators = ", ".join(p.name for p in row.moderators)
        return {
            "pk": row.pk,
            "title": escape(row.title),
            "url": escape(url_for("session_detail", self.event.slug, row.slug)),
            "is_break": is_break,
            "is_cancelled": cancelled,
            "starts_iso": starts_iso,
            "ends_iso": ends_iso,
            "start": start,
            "end": end,
            "star": star,
            "moderators": escape(moderators) if moderators else "",
            "track_slug": self.place(row.track)[1],
        }


class ListRows(Rows):
    """The rows of the list, the embedded list and my agenda as day_list.jinja prints them."""

    def row(self, row: Row) -> dict:
        """``Rows.row`` with the people and their companies ("Ada, ACME; Bob"), the
        excerpt, and room, type and track by name."""
        shown = super().row(row)
        people = "; ".join(f"{p.name}, {p.company}" if p.company else p.name for p in row.speakers)
        text = excerpt(row.abstract_text)
        shown["speakers"] = escape(people) if people else ""
        shown["excerpt"] = escape(text) if text else ""
        shown["track"] = self.place(row.track)[0]
        shown["type"] = self.place(row.session_type)[0]
        shown["room"] = self.place(row.room)[0]
        return shown


class GridRows(Rows):
    """The grid's cells as grid_tables.jinja prints them."""

    def row(self, row: Row) -> dict:
        """``Rows.row`` with the speakers' names ("Ada, Bob")."""
        shown = super().row(row)
        names = ", ".join(p.name for p in row.speakers)
        shown["speakers"] = escape(names) if names else ""
        return shown


def group_by_day_and_time(sessions, event: Event, star=None) -> list[dict]:
    """[{day, iso, heading, slots: [{time, iso, anchor, sessions: [row, ...]}]}] in
    time order, escaped (``ListRows``)."""
    rows = ListRows(event, star)
    days: list[dict] = []
    for starts_at, slot_sessions in groupby(sessions, key=attrgetter("starts_at")):
        local = starts_at.astimezone(rows.tz)
        day = local.date()
        if not days or days[-1]["day"] != day:
            heading = escape(day_heading(day))
            days.append({"day": day, "iso": day.isoformat(), "heading": heading, "slots": []})
        days[-1]["slots"].append(
            {
                "time": escape(clock_zone(starts_at, rows.tz, rows.clock)),
                "iso": rows.time(starts_at)[1],
                "anchor": f"t{local.year:04}{local.month:02}{local.day:02}-"
                f"{local.hour:02}{local.minute:02}",
                "sessions": [rows.row(s) for s in slot_sessions],
            }
        )
    return days


def day_links(event: Event, active: dt.date | None, base_query) -> list[dict]:
    """The day picker: one link per day of the event, keeping the other filters
    (``base_query``, without a day: encoded once, the day put after them)."""
    others = base_query.urlencode()
    before = f"{others}&" if others else ""
    return [
        {
            "label": short_day(day) if day else _("All days"),
            "query": f"{before}day={day.isoformat() if day else 'all'}",
            "active": day == active,
        }
        for day in [None, *event.days]
    ]


# The grid ------------------------------------------------------------------


def _slot_minutes(sessions) -> int:
    """The largest step (5 to 30 minutes) on which every start and end falls."""
    step = 30
    for s in sessions:
        for moment in (s.starts_at, s.ends_at):
            step = gcd(step, moment.minute % 30 or 30)
    return max(step, 5)


def grid_days(sessions, event: Event, rooms: list[dict], star=None) -> list[dict]:
    """Per day, a table: rows are time slots, columns are ``rooms`` (see ``DayGrid``),
    escaped (``GridRows``)."""
    by_day = defaultdict(list)
    for starts_at, same in groupby(sessions, key=attrgetter("starts_at")):
        by_day[starts_at.astimezone(event.tzinfo).date()].extend(same)
    rows = GridRows(event, star)
    columns = [{"pk": r["pk"], "name": escape(r["name"])} for r in rooms]
    return [DayGrid(rows, columns, by_day[day]).table(day) for day in sorted(by_day)]


class DayGrid:
    """One day of the grid, placed cell by cell.

    Each cell is a session starting there (with rowspan), "covered" by one above it,
    or empty. A session with no room (a break) spans every column when it can; a
    session that cannot be placed (no room and others overlap it, or a double-booked
    room after an import) goes to an extra "Elsewhere" column so nothing is lost.
    """

    def __init__(self, rows: GridRows, rooms: list[dict], sessions: list[Row]):
        self.rows, self.tz, self.rooms = rows, rows.tz, rooms
        self.step = dt.timedelta(minutes=_slot_minutes(sessions))
        self.first = min(s.starts_at for s in sessions).astimezone(self.tz)
        last = max(s.ends_at for s in sessions)
        self.times = []  # the lines' instants, in UTC as the rows' (``Rows.time``)
        moment = self.first.astimezone(dt.UTC)  # elapsed time: a DST change keeps rows even
        while moment < last:
            self.times.append(moment)
            moment += self.step
        self.index = {t: i for i, t in enumerate(self.times)}
        self.column = {room["pk"]: n for n, room in enumerate(rooms)}
        self.overflow = len(rooms)  # the "Elsewhere" column
        self.grid: list[list] = [[None] * (len(rooms) + 1) for _ in self.times]
        for s in sessions:
            self.place(s)

    def rows_of(self, s: Row) -> tuple[int, int]:
        start = self.index.get(s.starts_at)
        if start is None:
            times = self.times
            start = min(range(len(times)), key=lambda n: abs(times[n] - s.starts_at))
        count = max(1, round((s.ends_at - s.starts_at) / self.step))
        return start, min(start + count, len(self.times))

    def free(self, col: int, start: int, end: int) -> bool:
        return all(self.grid[r][col] is None for r in range(start, end))

    def place(self, s: Row) -> None:
        start, end = self.rows_of(s)
        rooms = range(len(self.rooms))
        col = self.column.get(s.room_id)
        if col is not None and self.free(col, start, end):
            cols = [col]
        elif s.room_id is None and rooms and all(self.free(c, start, end) for c in rooms):
            cols = list(rooms)
        elif self.free(self.overflow, start, end):
            cols = [self.overflow]
        else:
            return  # third overlap in the overflow column: shown in the list view
        for r in range(start, end):
            for c in cols:
                self.grid[r][c] = "covered"
        cell = self.rows.row(s)
        cell["rowspan"], cell["colspan"], cell["empty"] = end - start, len(cols), 0
        self.grid[start][cols[0]] = cell

    def table(self, day: dt.date) -> dict:
        use_overflow = any(line[self.overflow] is not None for line in self.grid)
        width = self.overflow + 1 if use_overflow else self.overflow
        lines = []
        for moment, line in zip(self.times, self.grid, strict=True):
            local = moment.astimezone(self.tz)
            labelled = local.minute % 15 == 0
            lines.append(
                {
                    "time": self.rows.time(moment)[0] if labelled else "",
                    # Only a labelled line prints its instant (a <time>), in local time.
                    "iso": escape(local.isoformat()) if labelled else "",
                    "on_hour": local.minute == 0,
                    "labelled": labelled,
                    "cells": _runs(line[:width]),
                }
            )
        return {
            "day": day,
            "iso": day.isoformat(),
            "heading": escape(day_heading(day)),
            "zone": escape(self.first.tzname()),
            "start_iso": escape(self.first.isoformat()),
            "rooms": self.rooms,
            "rows": lines,
            "overflow": use_overflow,
            "step": int(self.step.total_seconds() // 60),
        }


def _runs(cells) -> list[dict]:
    """A line's cells, each run of side-by-side empty ones (None) as one
    ``{"empty": count}``, printed as one cell spanning them (issue 17: a day of 25 rooms
    is mostly empty cells, each a box for the phone to lay out; the table's columns
    draw the lines between rooms). A cell covered by one above ends a run."""
    runs: list[dict] = []
    after_empty = False
    for cell in cells:
        if cell is None and after_empty:
            runs[-1]["empty"] += 1
        elif cell is None:
            runs.append({"empty": 1})
        elif cell != "covered":
            runs.append(cell)
        after_empty = cell is None
    return runs
