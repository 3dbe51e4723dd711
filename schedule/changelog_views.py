"""/<event>/changes/: the public changelog, its Atom feed, and the "since your last visit"
banner (a fragment fetched by the schedule and agenda pages; no account needed).

The page and the feed are everyone's: cached and answered with 304 like every public
page (``@event_page``). The banner is the visitor's own: it reads the release number
they last saw from a cookie, set only for visitors with an agenda or who asked for it.
"""

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from events.models import Event
from events.pages import event_page, public_event
from lib.origin import same_origin_post

from . import changelog
from .agenda import find_agenda
from .models import AgendaItem, Release

BANNER_LIST = 5


@require_GET
@event_page
def changelog_page(request: HttpRequest, event: Event) -> HttpResponse:
    ctx = {
        "event": event,
        "section": "changes",
        "releases": changelog.visible_releases(event),
    }
    return render(request, "schedule/changelog.html", ctx)


class ChangesFeed(Feed):
    """The changelog as Atom: one entry per release."""

    feed_type = Atom1Feed

    def __init__(self, event: Event):
        super().__init__()
        self.event = event

    def get_object(self, request, *args, **kwargs):
        return self.event

    def title(self, obj):
        return f"{_('Schedule changes')} · {obj.name}"

    def subtitle(self, obj):
        return _("Moves, cancellations and new sessions of %(name)s, newest first.") % {
            "name": obj.name
        }

    def link(self, obj):
        return reverse("changelog", args=[obj.slug])

    def items(self, obj):
        return changelog.visible_releases(obj)

    def item_title(self, item: Release):
        if len(item.visible) == 1:
            change = item.visible[0]
            return f"{change.title}: {change.words}"
        if item.kind == Release.Kind.FIRST and not item.visible:
            return _("The schedule is published.")
        count = len(item.visible)
        changes = ngettext("%(count)d change", "%(count)d changes", count) % {"count": count}
        return f"{item.name}: {changes}"

    def item_description(self, item: Release):
        note = format_html("<p>{}</p>", item.note) if item.note else ""
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            ((c.url, c.title, c.words) for c in item.visible),
        )
        return format_html("{}<ul>{}</ul>", note, rows) if rows else note

    def item_link(self, item: Release):
        return f"{reverse('changelog', args=[self.event.slug])}#release-{item.number}"

    def item_pubdate(self, item: Release):
        return item.created_at

    def item_updateddate(self, item: Release):
        return item.created_at


@require_GET
@event_page
def changelog_feed(request: HttpRequest, event: Event) -> HttpResponse:
    return ChangesFeed(event)(request)


@require_GET
def changes_banner(request: HttpRequest, event_slug: str) -> HttpResponse:
    """The visitor's "N changes since your last visit" (204: nothing to say)."""
    obj = public_event(event_slug)
    seen = changelog.seen_number(request, obj)
    agenda = find_agenda(request, obj)
    latest = changelog.latest_number(obj)
    response = HttpResponse(status=204)
    if seen is None:
        if agenda is not None:  # a returning visitor with an agenda: count from now on
            changelog.remember_visit(response, request, obj, latest)
    elif seen < latest:
        releases = changelog.visible_releases(obj, since=seen)
        changes = [c for r in releases for c in r.visible]
        if changes:
            starred = set()
            if agenda is not None:
                starred = set(
                    AgendaItem.objects.filter(agenda=agenda).values_list("session_id", flat=True)
                )
            mine = [c for c in changes if c.session_id in starred]
            ctx = {
                "event": obj,
                "count": len(changes),
                "mine": len(mine),
                "changes": (mine + [c for c in changes if c.session_id not in starred])[
                    :BANNER_LIST
                ],
                "more": max(len(changes) - BANNER_LIST, 0),
                "next": request.GET.get("next", ""),
            }
            response = render(request, "schedule/includes/changes_banner.html", ctx)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@same_origin_post
def changes_seen(request: HttpRequest, event_slug: str) -> HttpResponse:
    """Remember this visit: the banner then counts the changes made after it."""
    obj = public_event(event_slug)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("changelog", args=[obj.slug])
    response = redirect(target or reverse("changelog", args=[obj.slug]))
    changelog.remember_visit(response, request, obj, changelog.latest_number(obj))
    return response
