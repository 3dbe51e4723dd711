"""Organizers' pages for drafts and releases, beside the board (same access rules).

The board switches to draft mode, publishes the draft with a note or discards it (the
preview is draft_preview.py: the public pages as the draft would make them); the history
lists every release with who made it and what it changed, and rolls one back as a new
release. Every change is a POST, then a redirect.
"""

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from events.admin import organizer_events
from events.models import Event

from . import releases
from .board import BoardError
from .change_facts import tell
from .models import Release

NOTE_MAX = Release._meta.get_field("note").max_length


def _event(request: HttpRequest, event_id: int) -> Event:
    return get_object_or_404(organizer_events(request), pk=event_id)


def _board(event: Event) -> HttpResponse:
    return redirect("schedule_board", event.pk)


def _ctx(request: HttpRequest, event: Event, title: str, **more) -> dict:
    return {
        **admin.site.each_context(request),
        "title": f"{title} · {event.name}",
        "event": event,
        **more,
    }


@require_POST
def draft_start(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    releases.start_draft(event, request.user)
    messages.info(request, _("Draft mode: your moves stay private until you publish them."))
    return _board(event)


@require_POST
def draft_publish(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    note = request.POST.get("note", "").strip()
    if len(note) > NOTE_MAX or any(ord(c) < 32 for c in note):
        messages.error(
            request,
            _("The note must be one line of at most %(max)d characters.") % {"max": NOTE_MAX},
        )
        return _board(event)
    try:
        release = releases.publish(event, request.user, note)
    except BoardError as exc:
        messages.error(
            request, _("Nothing was published: %(why)s") % {"why": " ".join(exc.messages)}
        )
        return _board(event)
    if release is None:
        messages.warning(request, _("Published; the event is not public, so no release was made."))
    else:
        count = release.changes.count()
        messages.success(
            request,
            ngettext(
                "%(release)s published: %(count)d public change.",
                "%(release)s published: %(count)d public changes.",
                count,
            )
            % {"release": release.name, "count": count},
        )
    return _board(event)


@require_POST
def draft_discard(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if releases.discard(event):
        messages.success(request, _("Draft discarded: the schedule is as last published."))
    return _board(event)


@require_GET
def release_list(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    items = list(
        Release.objects.filter(event=event)
        .select_related("user")
        .prefetch_related("changes")
        .order_by("-number")[:200]
    )
    for release in items:
        tell(release.changes.all(), event.tzinfo)
    ctx = _ctx(request, event, _("Schedule releases"), releases=items)
    return TemplateResponse(request, "admin/schedule/releases.html", ctx)


@require_POST
def release_rollback(request: HttpRequest, event_id: int, number: int) -> HttpResponse:
    event = _event(request, event_id)
    release = get_object_or_404(Release, event=event, number=number)
    try:
        new = releases.rollback(event, request.user, release)
    except BoardError as exc:
        messages.error(
            request, _("Nothing was rolled back: %(why)s") % {"why": " ".join(exc.messages)}
        )
    else:
        if new is not None:
            messages.success(
                request,
                _("Release %(number)d rolled back as %(new)s.")
                % {"number": number, "new": new.name},
            )
    return redirect(reverse("schedule_releases", args=[event.pk]))


def urls(base: str) -> list:
    view = admin.site.admin_view
    return [
        path(f"{base}draft/", view(draft_start), name="schedule_draft_start"),
        path(f"{base}draft/publish/", view(draft_publish), name="schedule_draft_publish"),
        path(f"{base}draft/discard/", view(draft_discard), name="schedule_draft_discard"),
        path(f"{base}releases/", view(release_list), name="schedule_releases"),
        path(
            f"{base}releases/<int:number>/rollback/",
            view(release_rollback),
            name="schedule_release_rollback",
        ),
    ]


class RecordsReleases:
    """For the session admin: every change there is a change of the public schedule,
    recorded in the changelog in the same transaction (the admin's change and delete
    views are atomic; its bulk actions call ``_record`` themselves)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        releases.record(form.instance.event, request.user, [form.instance.pk], how="admin")

    def delete_model(self, request, obj):
        event, pk = obj.event, obj.pk
        super().delete_model(request, obj)
        releases.record(event, request.user, [pk], how="admin")

    def delete_queryset(self, request, queryset):
        by_event = {}
        for session in queryset.select_related("event"):
            by_event.setdefault(session.event, []).append(session.pk)
        super().delete_queryset(request, queryset)
        for event, ids in by_event.items():
            releases.record(event, request.user, ids, how="admin")

    def _record(self, request, sessions, how: str) -> None:
        by_event = {}
        for session in sessions:
            by_event.setdefault(session.event, []).append(session.pk)
        for event, ids in by_event.items():
            releases.record(event, request.user, ids, how=how)
