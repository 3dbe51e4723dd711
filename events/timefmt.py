"""How times read on Lineup's pages: "11:00am PST", "Tuesday, November 8".

Every time is shown in the event's own zone, with the zone's abbreviation, whatever
the visitor's or server's zone is.
"""

import datetime as dt
import zoneinfo


def local(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return value.astimezone(tz)


def clock(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """ "11:00am" in the event's zone."""
    moment = value.astimezone(tz)
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"


def zone_abbr(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(tz).tzname() or ""


def clock_zone(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """ "11:00am PST" """
    return f"{clock(value, tz)} {zone_abbr(value, tz)}".strip()


def day_heading(day: dt.date) -> str:
    """ "Tuesday, November 8" """
    return f"{day:%A}, {day:%B} {day.day}"


def span(starts: dt.datetime, ends: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """ "Tuesday November 8, 2016 11:00am – 11:40am PST" """
    start = starts.astimezone(tz)
    end = ends.astimezone(tz)
    head = f"{start:%A} {start:%B} {start.day}, {start.year} {clock(start, tz)}"
    if start.date() != end.date():
        return f"{head} – {end:%A} {end:%B} {end.day} {clock_zone(end, tz)}"
    if start.tzname() != end.tzname():
        return f"{head} {start.tzname()} – {clock_zone(end, tz)}"
    return f"{head} – {clock_zone(end, tz)}"


def date_range(start: dt.date, end: dt.date) -> str:
    """ "June 3–5, 2026", "May 30 – June 1, 2026", "December 30, 2026 – January 2, 2027" """
    if start == end:
        return f"{start:%B} {start.day}, {start.year}"
    if start.year != end.year:
        return f"{start:%B} {start.day}, {start.year} – {end:%B} {end.day}, {end.year}"
    if start.month != end.month:
        return f"{start:%B} {start.day} – {end:%B} {end.day}, {end.year}"
    return f"{start:%B} {start.day}–{end.day}, {end.year}"
