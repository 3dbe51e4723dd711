"""The draft as attendees would see it: the public list, grid and session pages, rendered
with the draft applied, for the event's owners and editors only.

Each preview page runs the public view itself (undecorated: no page cache, no 304)
inside the savepoint of ``releases.preview``, which is rolled back, so no row of the
draft is ever written for good; the shared cache is switched off for this thread
meanwhile, so nothing rendered from the draft can be stored where visitors read. The
pages live under the admin (login, staff, never cached, kept out of the offline copy);
their links to the list, the grid and sessions lead to the preview's own pages, and a
banner says it is a preview and lists what attendees will read in the changelog.
"""

import re
from contextlib import contextmanager

from django.contrib import admin, messages
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from events.admin import organizer_events
from events.models import Event
from lib.conditional import canonical_query

from . import detail_views, releases, views
from .board import BoardError
from .change_facts import tell
from .filters import SessionFilter


@contextmanager
def no_shared_cache():
    """The default cache is a no-op for this thread while a draft is rendered."""
    real = caches["default"]
    caches["default"] = DummyCache("draft-preview", {})
    try:
        yield
    finally:
        caches["default"] = real


def context(request: HttpRequest) -> dict:
    """Context processor: the preview's banner data on a preview page, else nothing."""
    return {"draft_preview": getattr(request, "draft_preview", None)}


def _links(html: bytes, event: Event) -> bytes:
    """Point the page's links to the list, the grid and sessions at the preview's pages."""
    base = reverse("schedule_draft_preview", args=[event.pk])
    slug = re.escape(event.slug)
    public = re.compile(rf'(?<=")/{slug}/(schedule/grid/|schedule/|sessions/([\w-]+)/)(?=[?"#])')

    def to_preview(match: re.Match) -> str:
        if match.group(2):
            return f"{base}sessions/{match.group(2)}/"
        return f"{base}grid/" if match.group(1) == "schedule/grid/" else base

    return public.sub(to_preview, html.decode()).encode()


def _page(request: HttpRequest, event_id: int, view, **kwargs) -> HttpResponse:
    event = get_object_or_404(organizer_events(request), pk=event_id)
    board = redirect("schedule_board", event.pk)
    if releases.draft_of(event) is None:
        messages.info(request, _("There is no draft to preview."))
        return board

    def show(changes: list[dict]) -> HttpResponse:
        # The banner (base.html, through ``context``) lists what the changelog will say.
        request.draft_preview = {"event": event, "changes": tell(changes, event.tzinfo)}
        fresh = Event.objects.get(pk=event.pk)  # as the draft leaves it
        with no_shared_cache():
            return view(request, fresh, **kwargs)

    try:
        _changes, response = releases.preview(event, request.user, show)
    except BoardError as exc:
        why = " ".join(exc.messages)
        messages.error(request, _("The draft cannot be published as it is: %(why)s") % {"why": why})
        return board
    response.content = _links(response.content, event)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _schedule(view):
    names = SessionFilter.base_filters
    return lambda request, event: view(request, event, canonical_query(request.GET, names))


@require_GET
def preview_list(request: HttpRequest, event_id: int) -> HttpResponse:
    return _page(request, event_id, _schedule(views.schedule_list.__wrapped__))


@require_GET
def preview_grid(request: HttpRequest, event_id: int) -> HttpResponse:
    return _page(request, event_id, _schedule(views.schedule_grid.__wrapped__))


@require_GET
def preview_session(request: HttpRequest, event_id: int, slug: str) -> HttpResponse:
    return _page(request, event_id, detail_views.session_detail.__wrapped__, slug=slug)


def urls(base: str) -> list:
    view = admin.site.admin_view
    return [
        path(f"{base}draft/preview/", view(preview_list), name="schedule_draft_preview"),
        path(f"{base}draft/preview/grid/", view(preview_grid), name="schedule_draft_preview_grid"),
        path(
            f"{base}draft/preview/sessions/<slug:slug>/",
            view(preview_session),
            name="schedule_draft_preview_session",
        ),
    ]
