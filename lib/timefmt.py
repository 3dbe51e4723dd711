"""How times read on Lineup's pages: "11:00am PST", "Tuesday, November 8".

Every time is shown in the event's own zone, with the zone's abbreviation, whatever
the visitor's or server's zone is. Words and order follow the active language: the
clock is 24-hour where Django's format for the language is ("11:00 PST" in German),
and each date pattern is a translatable Django date format (``l, F j`` in English,
``l, j. F`` in German), so weekdays and months come from Django's catalogues.
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable
from functools import lru_cache

from django.utils import dateformat, formats
from django.utils.translation import get_language, pgettext


@lru_cache(maxsize=32)
def _clock_format(language: str | None) -> str:
    """The language's 24-hour TIME_FORMAT, or "" where it keeps am/pm."""
    pattern = formats.get_format("TIME_FORMAT", lang=language)
    return pattern if ("H" in pattern or "G" in pattern) else ""


def local(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return value.astimezone(tz)


def clocks() -> Callable[[dt.datetime, zoneinfo.ZoneInfo], str]:
    """``clock`` for the active language, looked up once: a page of rows formats
    hundreds of times, and finding the language took longer than formatting."""
    pattern = _clock_format(get_language())
    if pattern == "H:i":  # the common case, cheaply
        return lambda value, tz: _hour_minute(value.astimezone(tz))
    if pattern:
        return lambda value, tz: dateformat.time_format(value.astimezone(tz), pattern)
    return lambda value, tz: _am_pm(value.astimezone(tz))


def _hour_minute(moment: dt.datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _am_pm(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"


def clock(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """ "11:00am" (or "11:00" where the language counts 24 hours) in the event's zone."""
    return clocks()(value, tz)


def zone_abbr(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(tz).tzname() or ""


def clock_zone(value: dt.datetime, tz: zoneinfo.ZoneInfo, clock=clock) -> str:
    """ "11:00am PST" (``clock``: from ``clocks()``, for many at once)"""
    return f"{clock(value, tz)} {zone_abbr(value, tz)}".strip()


def day_heading(day: dt.date) -> str:
    """ "Tuesday, November 8" """
    # Translators: a Django date format (l weekday, F month, j day, Y year; \ escapes a
    # letter), for a day's heading: "Tuesday, November 8".
    return dateformat.format(day, pgettext("date format", "l, F j"))


def short_day(day: dt.date) -> str:
    """ "Tue Nov 8" """
    # Translators: a Django date format (D short weekday, M short month, j day) for a
    # day's tab or link: "Tue Nov 8".
    return dateformat.format(day, pgettext("date format", "D M j"))


def long_date(day: dt.date) -> str:
    """ "Tuesday November 8, 2016" """
    # Translators: a Django date format: the full date of a session, "Tuesday November 8, 2016".
    return dateformat.format(day, pgettext("date format", "l F j, Y"))


def span(starts: dt.datetime, ends: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """ "Tuesday November 8, 2016 11:00am – 11:40am PST" """
    start = starts.astimezone(tz)
    end = ends.astimezone(tz)
    head = f"{long_date(start.date())} {clock(start, tz)}"
    if start.date() != end.date():
        # Translators: a Django date format: the day a session ends, "Wednesday November 9".
        end_day = dateformat.format(end.date(), pgettext("date format", "l F j"))
        return f"{head} – {end_day} {clock_zone(end, tz)}"
    if start.tzname() != end.tzname():
        return f"{head} {start.tzname()} – {clock_zone(end, tz)}"
    return f"{head} – {clock_zone(end, tz)}"


def short_date(day: dt.date, year: bool = False) -> str:
    """ "Feb 24", or "Feb 24, 2027" with the year."""
    if year:
        # Translators: a Django date format: a short date with the year, "Feb 24, 2027".
        return dateformat.format(day, pgettext("date format", "M j, Y"))
    # Translators: a Django date format: a short date, "Feb 24".
    return dateformat.format(day, pgettext("date format", "M j"))


def month_day(day: dt.date, year: bool = False) -> str:
    """ "November 8", or "November 8, 2016" with the year."""
    if year:
        # Translators: a Django date format: a date with the year, "November 8, 2016".
        return dateformat.format(day, pgettext("date format", "F j, Y"))
    return dateformat.format(day, pgettext("date format", "F j"))


def date_range(start: dt.date, end: dt.date) -> str:
    """ "June 3 – June 5, 2026": an event's dates, as printed pages name them."""
    # Translators: a Django date format: a date with its year, "June 5, 2026".
    with_year = pgettext("date format", "F j, Y")
    if start == end:
        return dateformat.format(start, with_year)
    # Translators: a Django date format: the first day of a range in one year, "June 3".
    first = pgettext("date format", "F j") if start.year == end.year else with_year
    return f"{dateformat.format(start, first)} – {dateformat.format(end, with_year)}"
