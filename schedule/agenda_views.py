"""My agenda: star and unstar (POST, from this site only: lib/origin.py), the agenda
page, its calendar feed."""

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.pages import public_event
from lib.conditional import conditional_response
from lib.origin import same_origin_post

from . import agenda as agendas
from .display import group_by_day_and_time, render_rows, url_for
from .exporters import ICalExporter
from .models import AgendaItem, Session
from .rows import load_rows


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a form post without JavaScript returns to: the page it came from."""
    target = request.POST.get("next") or request.headers.get("Referer", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _toggle(request: HttpRequest, event_slug: str, session: str, on: bool) -> HttpResponse:
    obj = public_event(event_slug)
    target = get_object_or_404(Session.objects.public().filter(event=obj), slug=session)
    new_key = None
    try:
        if on:
            agenda, new_key = agendas.get_or_create_agenda(request, obj)
            agendas.star(agenda, target)
        else:
            agenda = agendas.find_agenda(request, obj)  # nothing to unstar: no new agenda
            if agenda is not None:
                agendas.unstar(agenda, target)
    except agendas.AgendaRefused as refused:
        response = HttpResponse(
            str(refused), status=refused.status, content_type="text/plain; charset=utf-8"
        )
        response["Cache-Control"] = "no-store"
        return response
    if request.headers.get("HX-Request") == "true":
        button = agendas.star_button(obj.slug, target.slug, target.title, on)
        response = HttpResponse(button)
    else:
        response = HttpResponseRedirect(_back(request, target.get_absolute_url()))
    if new_key:
        # HTTPS-only like the session cookie with DEBUG off, even if the proxy does not
        # say the request came over HTTPS.
        secure = request.is_secure() or settings.SESSION_COOKIE_SECURE
        agendas.set_agenda_cookie(response, obj, new_key, secure=secure)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@same_origin_post
def agenda_add(request: HttpRequest, event_slug: str, session: str) -> HttpResponse:
    return _toggle(request, event_slug, session, on=True)


@require_POST
@same_origin_post
def agenda_remove(request: HttpRequest, event_slug: str, session: str) -> HttpResponse:
    return _toggle(request, event_slug, session, on=False)


# "Clash: overlaps “Title”" (a context: makemessages reads none in Jinja2 templates).
OVERLAPS = pgettext_lazy("clash", "overlaps")
# What changed in a starred session since it was starred, as the agenda says it.
CHANGE_WORDS = {
    ("time",): gettext_lazy("time"),
    ("room",): gettext_lazy("room"),
    ("time", "room"): gettext_lazy("time and room"),
}


def _agenda_days(agenda, event):
    items = {
        item.session_id: item
        for item in AgendaItem.objects.filter(agenda=agenda).only(
            "session_id", "seen_starts_at", "seen_ends_at", "seen_room_id", "seen_status"
        )
    }
    sessions = load_rows(
        Session.objects.for_schedule(event).filter(pk__in=items.keys()), event, brief=True
    )
    clashes = agendas.clashes(sessions)
    days = group_by_day_and_time(sessions, event)
    by_pk = {s.pk: s for s in sessions}
    for day in days:
        for slot in day["slots"]:
            for row in slot["sessions"]:
                session = by_pk[row["pk"]]
                row["clashes_with"] = [other.title for other in clashes.get(session.pk, [])]
                row["changes"] = items[session.pk].changes(session)
                row["changes_text"] = str(CHANGE_WORDS.get(tuple(row["changes"]), ""))
                row["newly_cancelled"] = (
                    session.is_cancelled and items[session.pk].seen_status != session.status
                )
                row["remove_url"] = url_for("agenda_remove", event.slug, session.slug)
    return days, sessions, clashes


@require_GET
def agenda_page(request: HttpRequest, event_slug: str) -> HttpResponse:
    obj = public_event(event_slug)
    agenda = agendas.find_agenda(request, obj)
    ctx = {"event": obj, "section": "agenda", "agenda": agenda, "days": [], "count": 0}
    if agenda is not None:
        days, sessions, clashes = _agenda_days(agenda, obj)
        token = agendas.feed_token(agenda)
        feed = request.build_absolute_uri(reverse("agenda_feed", args=[obj.slug, token]))
        ctx.update(
            days=days,
            count=len(sessions),
            # Each clash is a pair: both of its sessions list the other.
            clash_count=sum(len(others) for others in clashes.values()) // 2,
            changed=any(
                row["changes"] or row["newly_cancelled"]
                for day in days
                for slot in day["slots"]
                for row in slot["sessions"]
            ),
            # The rows as the list prints them, with the agenda's notes and buttons.
            # (The CSRF field made once: each one made anew costs a random mask.)
            rows=render_rows(
                "schedule/day_list.jinja",
                days=days,
                embed=False,
                agenda={"overlaps": OVERLAPS, "next": request.path, "csrf": csrf_input(request)},
            ),
            feed_https=feed,
            feed_webcal="webcal://" + feed.split("://", 1)[1],
            download=f"{feed}?download=1",
        )
    response = render(request, "schedule/agenda.html", ctx)
    response["Cache-Control"] = "private, no-store"
    # The page shows the secret feed URL: no other site learns it from a Referer. Not
    # "no-referrer": browsers then send "Origin: null" with the page's own forms, which
    # the CSRF check must refuse.
    response["Referrer-Policy"] = "same-origin"
    return response


def _agenda_action(request: HttpRequest, event_slug: str):
    obj = public_event(event_slug)
    agenda = agendas.find_agenda(request, obj)
    if agenda is None:
        raise Http404(_("No agenda in this browser."))
    return obj, agenda


@require_POST
def agenda_reset_feed(request: HttpRequest, event_slug: str) -> HttpResponse:
    obj, agenda = _agenda_action(request, event_slug)
    agendas.rotate_feed(agenda)
    messages.success(request, _("A new subscription link was made; the old one no longer works."))
    return HttpResponseRedirect(reverse("agenda", args=[obj.slug]))


@require_POST
def agenda_clear(request: HttpRequest, event_slug: str) -> HttpResponse:
    obj, agenda = _agenda_action(request, event_slug)
    count, _by_model = AgendaItem.objects.filter(agenda=agenda).delete()
    agenda.save(update_fields=["updated_at"])
    messages.success(
        request,
        ngettext(
            "Your agenda is empty now (%(count)d session removed).",
            "Your agenda is empty now (%(count)d sessions removed).",
            count,
        )
        % {"count": count},
    )
    return HttpResponseRedirect(reverse("agenda", args=[obj.slug]))


@require_POST
def agenda_seen(request: HttpRequest, event_slug: str) -> HttpResponse:
    """Acknowledge changes: remember the sessions as they are now."""
    obj, agenda = _agenda_action(request, event_slug)
    items = list(AgendaItem.objects.filter(agenda=agenda))
    sessions = Session.objects.in_bulk([item.session_id for item in items])
    for item in items:
        item.remember(sessions[item.session_id])
    AgendaItem.objects.bulk_update(
        items, ["seen_starts_at", "seen_ends_at", "seen_room_id", "seen_status"]
    )
    return HttpResponseRedirect(reverse("agenda", args=[obj.slug]))


@require_GET
def agenda_feed(request: HttpRequest, event_slug: str, token: str) -> HttpResponse:
    """The subscription feed: calendar apps poll it, so it always reflects the agenda."""
    obj = public_event(event_slug)
    agenda = agendas.agenda_by_feed_token(obj, token)
    if agenda is None:
        raise Http404(_("No such calendar."))
    base = request.build_absolute_uri("/")
    # Translators: the name of a visitor's calendar of starred sessions.
    exporter = ICalExporter(obj, base, name=_("%(event)s · my agenda") % {"event": obj.name})

    def render_feed() -> HttpResponse:
        starred = AgendaItem.objects.filter(agenda=agenda).values("session_id")
        sessions = exporter.read(Session.objects.for_schedule(obj).filter(pk__in=starred), obj)
        return HttpResponse(exporter.render(sessions), content_type=exporter.content_type)

    # Polled every hour or so by every subscriber: 304 when neither the agenda nor the
    # event changed, else the stored compressed copy.
    response = conditional_response(
        request,
        key=[
            "feed",
            str(agenda.pk),
            agenda.updated_at.isoformat(),
            obj.changed_at.isoformat(),
            get_language(),  # the calendar's name is in the visitor's language
        ],
        changed_at=None,
        render=render_feed,
        private=True,
    )
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{obj.slug}-agenda.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response
