"""Public schedule pages. Each view: the event (found by ``@event_page``), one
canonical query, render. The decorator answers 304 or from the page cache.
"""

import unicodedata

from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.models import Event
from events.pages import event_page
from lib import sql
from lib.colors import brand_css
from speakers.models import Speaker
from speakers.templatetags.avatars import avatar

from .agenda import personalize, star_buttons
from .display import (
    day_links,
    grid_days,
    group_by_day_and_time,
    render_rows,
    url_for,
)
from .exporters import EXPORTERS, ICalExporter
from .filters import MAX_QUERY_LENGTH, MAX_QUERY_WORDS, SessionFilter
from .models import Session, public_speakers
from .rows import load_rows

BIO_EXCERPT_CHARS = 280
# Sessions; above this the list and grid open one day at a time, as pretalx's schedule
# does ("All days" stays one click away): on a phone, 600 sessions were a page of some
# 100,000 px that took seconds to lay out (issue 17's phone benchmark).
LONG_SCHEDULE = 250


def _filtered_schedule(
    request: HttpRequest, event: Event, query, template: str, build, *, grid=False, embed=False
):
    """Shared by the list and the grid (and their embeds): filter, then render the page
    or, for htmx, only the results block. Bad filter values give 400 with the page and a
    message."""
    live_today = event.local_today() if event.phase() == "live" else None
    if "day" not in query and live_today is not None:
        query["day"] = live_today.isoformat()
    filterset = SessionFilter(query, Session.objects.for_schedule(event), event=event)
    valid = filterset.is_valid()
    found = filterset.qs if valid else None
    day = filterset.form.cleaned_data.get("day") if valid else None
    size = {}
    if found is not None and "day" not in query:  # at a day there is nothing to decide
        # One query for both: the count is the same whether the page opens at a day.
        size = found.aggregate(n=Count("pk"), first=Min("starts_at"))
    one_day = bool(size) and size["n"] > LONG_SCHEDULE
    if one_day:
        # Hundreds of sessions make a page nobody reads on a phone: open at the
        # first day; "All days" stays one click away.
        day = size["first"].astimezone(event.tzinfo).date()
        query["day"] = day.isoformat()
        found = filterset.filters["day"].filter(found, day)
    sessions = load_rows(found, event, brief=True) if found is not None else []
    places = _places(event)
    rooms = places["room"]
    others = query.copy()
    others.pop("day", None)
    active = _active_filters(filterset, query) if valid else []
    ctx = {
        "event": event,
        "filterset": filterset,
        "errors": filterset.error_messages if not valid else [],
        "count": len(sessions),
        "days": build(sessions, rooms) if valid else [],
        "day_links": day_links(event, day if day not in ("", "all") else None, others),
        "active_filters": active,
        "live": live_today is not None,
        "one_day": one_day,
        "query": query.urlencode(),
        "filter_groups": _filter_options(query, places),
        "hidden": [("day", v) for v in query.getlist("day")[:1]]
        + [("speaker", v) for v in query.getlist("speaker")],
        "q": query.get("q", ""),
        "filters_open": not valid,
        "starrable": event.phase() != "ended",
        "section": "grid" if grid else "schedule",  # marks the current page in the nav
        "embed": embed,
    }
    partial = request.headers.get("HX-Request") == "true"
    if not partial:  # htmx swaps the results only
        panel = ("filters_open", "hidden", "q", "filter_groups")
        ctx["filter_panel"] = render_rows(
            "schedule/filter_panel.jinja", view_url=request.path, **{k: ctx[k] for k in panel}
        )
    name = "schedule/includes/results.html" if partial else template
    return render(request, name, ctx, status=200 if valid else 400)


def _active_filters(filterset, query) -> list[dict]:
    """A chip per chosen value, named as visitors know it, with a link that drops it."""
    chips = []
    kinds = {
        "track": pgettext("filter chip", "track"),
        "type": pgettext("filter chip", "type"),
        "room": pgettext("filter chip", "room"),
        "speaker": pgettext("filter chip", "speaker"),
    }
    for name, kind in kinds.items():
        for item in filterset.form.cleaned_data.get(name) or []:
            label = _("%(kind)s: %(value)s") % {"kind": kind, "value": item.name}
            chips.append({"label": label, "clear": _without(query, name, item.slug)})
    text = filterset.form.cleaned_data.get("q")
    if text:
        kind = pgettext("filter chip", "search")
        label = _("%(kind)s: %(value)s") % {"kind": kind, "value": text}
        chips.append({"label": label, "clear": _without(query, "q", query.get("q"))})
    return chips


def _without(query, name: str, value: str) -> str:
    rest = query.copy()
    rest.setlist(name, [v for v in query.getlist(name) if v != value])
    return rest.urlencode()


# The event's tracks, types and rooms in their orders (the models' Meta.ordering), in one
# plain statement: for three small tables the ORM took longer to build three queries
# than the database took to answer them.
PLACES_SQL = (
    "SELECT 'track', id, slug, name, position FROM events_track WHERE event_id = %s "
    "UNION ALL SELECT 'type', id, slug, name, 0 FROM events_sessiontype WHERE event_id = %s "
    "UNION ALL SELECT 'room', id, slug, name, position FROM events_room WHERE event_id = %s "
    "ORDER BY 1, 5, 4"
)


def _places(event: Event) -> dict[str, list[dict]]:
    """The filter panel's choices and the grid's columns: {"track": [{pk, slug, name}],
    "type": [...], "room": [...]}."""
    places: dict[str, list[dict]] = {"track": [], "type": [], "room": []}
    for kind, pk, slug, name, _position in sql.rows(PLACES_SQL, [event.pk] * 3):
        places[kind].append({"pk": pk, "slug": slug, "name": name})
    return places


def _filter_options(query, places: dict[str, list[dict]]) -> list[dict]:
    """Choices for the filter panel, with the chosen ones marked."""
    chosen = {name: set(query.getlist(name)) for name in ("track", "type", "room")}

    def group(name, label, items):
        items = [
            {"slug": item["slug"], "name": item["name"], "selected": item["slug"] in chosen[name]}
            for item in items
        ]
        return {"name": name, "label": label, "items": items, "open": bool(chosen[name])}

    return [
        group("track", _("Track"), places["track"]),
        group("type", _("Type"), places["type"]),
        group("room", _("Room"), places["room"]),
    ]


def _star(event: Event, embed: bool, *, in_form: bool = False):
    """The row's star button, or None once the event is over (nothing left to attend) and
    in a frame on another site (no cookie of ours there to keep an agenda in)."""
    if embed or event.phase() == "ended":
        return None
    return star_buttons(event.slug, in_form=in_form)


def list_rows(event: Event, *, embed: bool = False):
    """Builds the list's days from the filtered sessions (HTML)."""

    def build(sessions, rooms):
        days = group_by_day_and_time(sessions, event, star=_star(event, embed))
        return render_rows("schedule/day_list.jinja", days=days, embed=embed, agenda=None)

    return build


def grid_rows(event: Event, *, embed: bool = False):
    """Builds the grid's tables from the filtered sessions (HTML)."""

    def build(sessions, rooms):
        star = _star(event, embed, in_form=True)
        tables = grid_days(sessions, event, rooms, star)
        return render_rows("schedule/grid_tables.jinja", tables=tables, star=star, embed=embed)

    return build


@event_page(query=SessionFilter.base_filters, personal=personalize)
def schedule_list(request: HttpRequest, event: Event, query) -> HttpResponse:
    template = "schedule/schedule_list.html"
    return _filtered_schedule(request, event, query, template, list_rows(event))


@event_page(query=SessionFilter.base_filters, personal=personalize)
def schedule_grid(request: HttpRequest, event: Event, query) -> HttpResponse:
    template = "schedule/schedule_grid.html"
    return _filtered_schedule(request, event, query, template, grid_rows(event), grid=True)


SPEAKERS_PER_PAGE = 60


def _initial(name: str) -> str:
    """The A–Z letter a name files under ("Émile" under E); "#" for anything else."""
    char = name.strip()[:1]
    first = char.upper()[:1]
    if "A" <= first <= "Z":  # most names: no decomposition to look up
        return first
    first = unicodedata.normalize("NFKD", char).upper()[:1]
    return first if "A" <= first <= "Z" else "#"


# What the directory reads of every public speaker (columns in the model's order, as
# ``Speaker.from_db`` takes them): the name to sort and file them by, the rest for the
# sixty of a page.
DIRECTORY_FIELDS = tuple(
    f.attname
    for f in Speaker._meta.concrete_fields
    if f.attname in {"id", "event_id", "name", "slug", "job_title", "company", "avatar_thumb"}
)
_NAME = DIRECTORY_FIELDS.index("name")
# The directory without a search, a statement compiled once (lib/sql.py): building and
# compiling its query (the speakers of public sessions) took as long as running it.
_DIRECTORY = sql.Statement(
    lambda event_id: public_speakers(event_id).order_by().values_list(*DIRECTORY_FIELDS), int
)


def _directory(event: Event, words: list[str]):
    """The DIRECTORY_FIELDS of the public speakers whose name, company or title
    contains every one of ``words``."""
    if not words:
        return _DIRECTORY.rows(event.pk)
    speakers = public_speakers(event)
    for word in words:
        speakers = speakers.filter(
            Q(name__icontains=word) | Q(company__icontains=word) | Q(job_title__icontains=word)
        )
    return speakers.order_by().values_list(*DIRECTORY_FIELDS)


@event_page(query=["page", "q"])
def speaker_list(request: HttpRequest, event: Event, query) -> HttpResponse:
    q = query.get("q", "").strip()
    error = ""
    if len(q) > MAX_QUERY_LENGTH:
        error = _("q: the search text is too long (at most %(limit)d characters).") % {
            "limit": MAX_QUERY_LENGTH
        }
    elif "\x00" in q:  # PostgreSQL refuses NUL in text: a 500 otherwise
        error = _("q: the search text cannot contain a NUL character.")
    # By letter as the A–Z shows them ("Émile" among the E), then by name; others last.
    # Sorted here, so every public speaker is read: as tuples of what is shown, each
    # with its letter, found once. (No ORDER BY: sorted below; the key is unique.)
    found: list[tuple[tuple, str, tuple]] = []
    if not error:
        for values in _directory(event, q.split()[:MAX_QUERY_WORDS]):
            name = values[_NAME]
            letter = _initial(name)
            order = (letter == "#", letter, name.casefold(), name, values[0])
            found.append((order, letter, values))
        found.sort()
    pages = Paginator(found, SPEAKERS_PER_PAGE, allow_empty_first_page=True)
    number = query.get("page", "1")
    if not error and not (number.isascii() and number.isdigit()):
        error = _("page: “%(value)s” is not a page number.") % {"value": number[:20]}
    elif not error and not 1 <= int(number) <= pages.num_pages:
        raise Http404(_("There is no page %(number)s of speakers.") % {"number": number})
    page = pages.page(1 if error else int(number))
    shown_here = []
    for _order, letter, values in page.object_list:
        # For its byline, initials and avatar URL: the columns read, the others
        # deferred (Model.__init__ made each field's default, and a guid's uuid4).
        speaker = Speaker.from_db(DEFAULT_DB_ALIAS, DIRECTORY_FIELDS, values)
        speaker.url = url_for("speaker_detail", event.slug, speaker.slug)
        shown_here.append((letter, speaker))
    ctx = {
        "event": event,
        "section": "speakers",
        "count": len(found),
        "directory": render_rows(
            "speakers/directory.jinja", groups=_letter_groups(shown_here), avatar=avatar
        ),
        "letters": _letter_links(found, query),
        "page": page,
        "page_links": _page_links(page, query),
        "q": q,
        "errors": [error] if error else [],
    }
    return render(request, "speakers/speaker_list.html", ctx, status=400 if error else 200)


def _letter_groups(speakers) -> list[dict]:
    groups: list[dict] = []
    for letter, speaker in speakers:
        if not groups or groups[-1]["letter"] != letter:
            groups.append({"letter": letter, "speakers": []})
        groups[-1]["speakers"].append(speaker)
    return groups


def _letter_links(speakers, query) -> list[dict]:
    """A–Z: each letter links to the page where its names start, or is shown as absent."""
    where: dict[str, int] = {}
    for n, (_order, letter, _values) in enumerate(speakers):
        where.setdefault(letter, n // SPEAKERS_PER_PAGE + 1)
    links = []
    target, pages = query.copy(), {}  # a page's query, made once for its letters
    for letter in [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#"]:
        if letter not in where:
            if letter != "#":
                links.append({"letter": letter, "url": ""})
            continue
        number = where[letter]
        if number not in pages:
            target["page"] = str(number)
            pages[number] = target.urlencode()
        links.append({"letter": letter, "url": f"?{pages[number]}#letter-{_anchor(letter)}"})
    return links


def _anchor(letter: str) -> str:
    return "other" if letter == "#" else letter


def _page_links(page, query) -> dict:
    def url(number: int) -> str:
        target = query.copy()
        target["page"] = str(number)
        return f"?{target.urlencode()}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
    }


def _attachment(exporter, sessions, filename: str) -> HttpResponse:
    response = HttpResponse(exporter.render(sessions), content_type=exporter.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@event_page
def session_ics(request: HttpRequest, event: Event, slug: str) -> HttpResponse:
    found = ICalExporter.read_session(event, slug)
    if not found:
        raise Http404(_("No such session."))
    exporter = ICalExporter(event, request.build_absolute_uri("/"), name=found[0].title)
    return _attachment(exporter, found, f"{event.slug}-{slug}.ics")


@event_page(query=SessionFilter.base_filters)
def schedule_export(request: HttpRequest, event: Event, fmt: str, query) -> HttpResponse:
    """The public schedule as iCalendar or frab XML/JSON, whole or filtered as the list
    is (``schedule.ics?track=data&type=workshop``: a subscription to what that view
    shows). A bad filter value is a 400 that names it."""
    exporter = EXPORTERS[fmt](event, request.build_absolute_uri("/"))
    if not query:  # the whole schedule (nearly every request): no filter to build
        sessions = exporter.read_schedule(event)
    else:
        filterset = SessionFilter(query, Session.objects.for_schedule(event), event=event)
        if not filterset.is_valid():
            message = "\n".join(filterset.error_messages)
            return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
        sessions = exporter.read(filterset.qs, event)
    return _attachment(exporter, sessions, exporter.filename.format(slug=event.slug))


def event_theme(request: HttpRequest, event_slug: str) -> HttpResponse:
    """The event's stylesheet. Pages link it as ``theme.css?v=<when the event last
    changed><language>`` (templates/base.html), a URL whose content never changes, so a
    browser keeps it and a page asks for it once, not on every visit (its one render-
    blocking request besides the site's stylesheet, a round trip on a phone)."""
    response = _theme(request, event_slug)
    if request.GET.get("v") and response.status_code in (200, 304):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@event_page
def _theme(request: HttpRequest, event: Event) -> HttpResponse:
    """Track colours, and the conference's colour (embed.css uses it), as CSS custom
    properties: no inline styles, so CSP stays strict."""
    rules = [
        f".track-{t.slug}{{--track-color:{t.color}}}"
        for t in event.tracks.all()
        if t.color.startswith("#") and t.color[1:].isalnum()
    ]
    if event.color:
        rules.append(brand_css(event.color))
    # Every printed page names the event and its dates (a page margin box).
    head = _css_string(f"{event.name} · {event.date_range}")
    rules.append(f"@page{{@top-left{{content:{head}}}@bottom-right{{content:counter(page)}}}}")
    return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string: anything but letters, digits and spaces escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
