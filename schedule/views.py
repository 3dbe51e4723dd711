"""Public schedule pages. Each view: one event lookup, one canonical query, render.

Pages are cached and answer conditional requests through ``cached_event_response``,
keyed on when the event's data last changed.
"""

from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator

from events.caching import cached_event_response, canonical_query
from events.models import Event, Room
from events.timefmt import span
from lib.colors import brand_css

from .agenda import personalize, star_button
from .display import (
    day_links,
    grid_days,
    group_by_day_and_time,
    listing,
    person,
    render_rows,
)
from .exporters import FrabJSONExporter, FrabXMLExporter, ICalExporter, load_sessions
from .filters import MAX_QUERY_LENGTH, MAX_QUERY_WORDS, SessionFilter
from .models import Session, public_speakers

BIO_EXCERPT_CHARS = 280
LONG_SCHEDULE = 1000  # sessions; above this the list and grid open one day at a time


def public_event(slug: str) -> Event:
    return get_object_or_404(Event.objects.published(), slug=slug)


def _filtered_schedule(
    request: HttpRequest, event: Event, template: str, build, *, grid=False, embed=False
):
    """Shared by the list and the grid (and their embeds): filter, then render the page
    or, for htmx, only the results block. Bad filter values give 400 with the page and a
    message."""
    # Only the filters, in one order: what the page is rendered from and cached under.
    query = canonical_query(request.GET, SessionFilter.base_filters)
    live_today = event.local_today() if event.phase() == "live" else None
    if "day" not in query and live_today is not None:
        query["day"] = live_today.isoformat()

    def render_page() -> HttpResponse:
        filterset = SessionFilter(query, Session.objects.for_schedule(event), event=event)
        valid = filterset.is_valid()
        one_day = valid and "day" not in query and filterset.qs.count() > LONG_SCHEDULE
        if one_day:
            # Thousands of sessions make a page nobody reads on a phone: open at the
            # first day; "All days" stays one click away.
            first = filterset.qs.order_by("starts_at").values_list("starts_at", flat=True)[0]
            query["day"] = first.astimezone(event.tzinfo).date().isoformat()
            filterset = SessionFilter(query, Session.objects.for_schedule(event), event=event)
            valid = filterset.is_valid()
        sessions = listing(filterset.qs, event) if valid else []
        day = filterset.form.cleaned_data.get("day") if valid else None
        others = query.copy()
        others.pop("day", None)
        active = _active_filters(filterset, query) if valid else []
        ctx = {
            "event": event,
            "filterset": filterset,
            "errors": filterset.error_messages if not valid else [],
            "count": len(sessions),
            "days": build(sessions) if valid else [],
            "day_links": day_links(event, day if day not in ("", "all") else None, others),
            "active_filters": active,
            "live": live_today is not None,
            "one_day": one_day,
            "query": query.urlencode(),
            "filter_groups": _filter_options(event, query),
            "hidden": [("day", v) for v in query.getlist("day")[:1]]
            + [("speaker", v) for v in query.getlist("speaker")],
            "q": query.get("q", ""),
            "section": "grid" if grid else "schedule",  # marks the current page in the nav
            "embed": embed,
        }
        partial = request.headers.get("HX-Request") == "true"
        name = "schedule/includes/results.html" if partial else template
        return render(request, name, ctx, status=200 if valid else 400)

    return cached_event_response(
        request,
        event,
        render_page,
        variant=str(live_today),
        personal=None if embed else personalize(request, event),
        query=query.copy(),  # render_page may add a day to its own copy
    )


def _active_filters(filterset, query) -> list[dict]:
    """A chip per chosen value, named as visitors know it, with a link that drops it."""
    chips = []
    for name in ("track", "type", "room", "speaker"):
        for item in filterset.form.cleaned_data.get(name) or []:
            chips.append(
                {"label": f"{name}: {item.name}", "clear": _without(query, name, item.slug)}
            )
    text = filterset.form.cleaned_data.get("q")
    if text:
        chips.append({"label": f"search: {text}", "clear": _without(query, "q", query.get("q"))})
    return chips


def _without(query, name: str, value: str) -> str:
    rest = query.copy()
    rest.setlist(name, [v for v in query.getlist(name) if v != value])
    return rest.urlencode()


def _filter_options(event: Event, query) -> list[dict]:
    """Choices for the filter panel, with the chosen ones marked."""
    chosen = {name: set(query.getlist(name)) for name in ("track", "type", "room")}

    def group(name, label, items):
        items = [
            {"slug": item.slug, "name": item.name, "selected": item.slug in chosen[name]}
            for item in items
        ]
        return {"name": name, "label": label, "items": items, "open": bool(chosen[name])}

    return [
        group("track", "Track", event.tracks.all()),
        group("type", "Type", event.session_types.all()),
        group("room", "Room", event.rooms.all()),
    ]


def _star(event: Event, embed: bool):
    if embed:  # a framed page has no cookie of ours to keep an agenda in
        return lambda slug, title: ""
    return lambda slug, title: star_button(event.slug, slug, title, False)


def list_rows(event: Event, *, embed: bool = False):
    """Builds the list's days from the filtered sessions (HTML)."""

    def build(sessions):
        days = group_by_day_and_time(sessions, event)
        star = _star(event, embed)
        return render_rows("schedule/day_list.jinja", days=days, star=star, embed=embed)

    return build


def grid_rows(event: Event, *, embed: bool = False):
    """Builds the grid's tables from the filtered sessions (HTML)."""

    def build(sessions):
        rooms = list(Room.objects.filter(event=event))
        return render_rows(
            "schedule/grid_tables.jinja",
            rooms=rooms,
            tables=grid_days(sessions, event, rooms),
            star=_star(event, embed),
            embed=embed,
        )

    return build


def schedule_list(request: HttpRequest, event: str) -> HttpResponse:
    obj = public_event(event)
    return _filtered_schedule(request, obj, "schedule/schedule_list.html", list_rows(obj))


def schedule_grid(request: HttpRequest, event: str) -> HttpResponse:
    obj = public_event(event)
    template = "schedule/schedule_grid.html"
    return _filtered_schedule(request, obj, template, grid_rows(obj), grid=True)


def session_detail(request: HttpRequest, event: str, slug: str) -> HttpResponse:
    obj = public_event(event)

    def render_page() -> HttpResponse:
        session = get_object_or_404(
            Session.objects.public().filter(event=obj).with_details(), slug=slug
        )
        tz = obj.tzinfo
        ctx = {
            "event": obj,
            "section": "schedule",
            "session": session,
            "when": span(session.starts_at, session.ends_at, tz) if session.starts_at else "",
            "speakers": [_speaker_card(link, obj) for link in session.speaker_list],
            "moderators": [_speaker_card(link, obj) for link in session.moderator_list],
        }
        return render(request, "schedule/session_detail.html", ctx)

    return cached_event_response(request, obj, render_page, personal=personalize(request, obj))


def _speaker_card(link, event: Event) -> dict:
    speaker = link.speaker
    bio = speaker.bio_text
    excerpt = Truncator(bio).chars(BIO_EXCERPT_CHARS)
    return {
        **person(link, event.slug),
        "speaker": speaker,
        "bio_excerpt": excerpt,
        "bio_cut": excerpt != bio,
    }


def speaker_list(request: HttpRequest, event: str) -> HttpResponse:
    obj = public_event(event)

    query = canonical_query(request.GET, ["q"])

    def render_page() -> HttpResponse:
        q = query.get("q", "").strip()
        speakers = public_speakers(obj)
        error = ""
        if len(q) > MAX_QUERY_LENGTH:
            error = f"q: the search text is too long (at most {MAX_QUERY_LENGTH} characters)."
        elif "\x00" in q:  # PostgreSQL refuses NUL in text: a 500 otherwise
            error = "q: the search text cannot contain a NUL character."
        else:
            for word in q.split()[:MAX_QUERY_WORDS]:
                speakers = speakers.filter(
                    Q(name__icontains=word) | Q(company__icontains=word)
                    | Q(job_title__icontains=word)
                )  # fmt: skip
        ctx = {
            "event": obj,
            "section": "speakers",
            "speakers": [] if error else list(speakers.order_by("name")),
            "q": q,
            "errors": [error] if error else [],
        }
        return render(request, "speakers/speaker_list.html", ctx, status=400 if error else 200)

    return cached_event_response(request, obj, render_page, query=query)


def speaker_detail(request: HttpRequest, event: str, slug: str) -> HttpResponse:
    obj = public_event(event)

    def render_page() -> HttpResponse:
        speaker = get_object_or_404(public_speakers(obj), slug=slug)
        sessions = (
            Session.objects.public()
            .filter(event=obj, speaker_links__speaker=speaker)
            .select_related("room", "track", "session_type")
            .order_by(F("starts_at").asc(nulls_last=True), "title")  # alike on every database
        )
        tz = obj.tzinfo
        ctx = {
            "event": obj,
            "section": "speakers",
            "speaker": speaker,
            "sessions": [
                {
                    "session": s,
                    "url": reverse("session_detail", args=[obj.slug, s.slug]),
                    "when": span(s.starts_at, s.ends_at, tz) if s.starts_at else "",
                }
                for s in sessions
            ],
        }
        return render(request, "speakers/speaker_detail.html", ctx)

    return cached_event_response(request, obj, render_page)


def _export(request, event: Event, exporter, sessions, filename: str) -> HttpResponse:
    def render_export() -> HttpResponse:
        response = HttpResponse(exporter.render(sessions()), content_type=exporter.content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    return cached_event_response(request, event, render_export)


def session_ics(request: HttpRequest, event: str, slug: str) -> HttpResponse:
    obj = public_event(event)
    exporter = ICalExporter(obj, request.build_absolute_uri("/"))

    def sessions():  # read only when rendering: a 304 or a cached answer needs no session
        found = load_sessions(Session.objects.for_schedule(obj).filter(slug=slug), obj)
        if not found:
            raise Http404("No such session.")
        exporter.name = found[0].title
        return found

    return _export(request, obj, exporter, sessions, f"{obj.slug}-{slug}.ics")


EXPORTERS = {"ics": ICalExporter, "xml": FrabXMLExporter, "json": FrabJSONExporter}
EXPORT_NAMES = {"ics": "{slug}.ics", "xml": "{slug}.schedule.xml", "json": "{slug}.schedule.json"}


def schedule_export(request: HttpRequest, event: str, fmt: str) -> HttpResponse:
    """The whole public schedule as iCalendar or frab XML/JSON: one view, one exporter each."""
    obj = public_event(event)
    exporter = EXPORTERS[fmt](obj, request.build_absolute_uri("/"))
    return _export(
        request,
        obj,
        exporter,
        lambda: load_sessions(Session.objects.for_schedule(obj), obj),
        EXPORT_NAMES[fmt].format(slug=obj.slug),
    )


def event_theme(request: HttpRequest, event: str) -> HttpResponse:
    """Track colours, and the conference's colour (embed.css uses it), as CSS custom
    properties: no inline styles, so CSP stays strict."""
    obj = public_event(event)

    def render_css() -> HttpResponse:
        rules = [
            f".track-{t.slug}{{--track-color:{t.color}}}"
            for t in obj.tracks.all()
            if t.color.startswith("#") and t.color[1:].isalnum()
        ]
        if obj.color:
            rules.append(brand_css(obj.color))
        return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")

    return cached_event_response(request, obj, render_css)
