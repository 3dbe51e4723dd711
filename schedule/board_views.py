"""The schedule board's page and the small JSON endpoints behind it.

Served under ``/admin/events/event/<id>/board/`` through the admin site (login, staff and
CSRF as for every admin page); only the event's owners and editors reach it, others get
404 as for the rest of that event's admin.
"""

import datetime as dt
import json

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.admin import organizer_events
from events.models import Event

from . import board, board_state, draft_preview, release_views, releases
from .board import BoardError, Change

MAX_BODY = 4096  # bytes: a move is a handful of numbers


def _event(request: HttpRequest, event_id: int) -> Event:
    """The event, if the user organizes it, read with its draft (see ``_draft``)."""
    events = organizer_events(request).select_related("schedule_draft")
    return get_object_or_404(events, pk=event_id)


def _draft(event: Event):
    """The event's draft as ``_event`` read it, or None: a move asks for no extra query."""
    return getattr(event, "schedule_draft", None)


@require_GET
def board_page(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    draft = _draft(event)
    state = _state(event, draft)
    ctx = {
        **admin.site.each_context(request),
        "title": _("Schedule board · %(name)s") % {"name": event.name},
        "is_nav_sidebar_enabled": False,  # the board needs the width
        "event": event,
        "state": state,
        "steps": board.STEPS,
        "draft": draft,
        "draft_count": len(releases.draft_values(draft)) if draft else 0,
        "urls": {
            "data": reverse("schedule_board_data", args=[event.pk]),
            "move": reverse("schedule_board_move", args=[event.pk]),
            "copy": reverse("schedule_board_copy", args=[event.pk]),
            "status": reverse("schedule_board_status", args=[event.pk]),
            "uncopy": reverse("schedule_board_uncopy", args=[event.pk]),
            "admin_session": reverse("admin:schedule_session_change", args=[0]),
            **{name: reverse(f"schedule_{name}", args=[event.pk]) for name in DRAFT_URLS},
        },
    }
    return TemplateResponse(request, "admin/schedule/board.html", ctx)


@require_GET
def board_data(request: HttpRequest, event_id: int) -> HttpResponse:
    """The whole board as JSON; 204 when nothing changed since ``?since=<fingerprint>``."""
    event = _event(request, event_id)
    draft = _draft(event)
    since = request.GET.get("since")
    if since and since == _fingerprint(event, draft):
        return HttpResponse(status=204)
    return JsonResponse(_state(event, draft))


# Draft mode: the board shows each session where the draft puts it (``drafted``), with a
# version that counts the draft's edits too, so a stale draft move is refused as well.

DRAFT_URLS = ("draft_start", "draft_publish", "draft_discard", "draft_preview", "releases")


def _fingerprint(event: Event, draft) -> str:
    return f"{board_state.fingerprint(event)}|{draft.updated_at.isoformat() if draft else '-'}"


def _state(event: Event, draft, session_ids=None) -> dict:
    state = board_state.board_state(event, session_ids)
    values = releases.draft_values(draft)
    for row in state["sessions"]:
        proposed = values.get(row["id"])
        if proposed is None:
            continue
        row.update(v=row["v"] + proposed["edits"], room=proposed["room_id"], drafted=True)
        row["status"] = proposed["status"]
        starts_at = proposed["starts_at"]
        if starts_at is None:
            row.update(day=None, start=None)
            continue
        day, start, fold = board_state.local_minutes(starts_at, event.tzinfo)
        minutes = round((proposed["ends_at"] - starts_at).total_seconds() / 60)
        row.update(day=day.isoformat(), start=start, fold=fold, duration=minutes)
    if "fingerprint" in state:
        state["fingerprint"] = _fingerprint(event, draft)
    state["draft"] = draft is not None
    return state


def _json_body(request: HttpRequest) -> dict:
    if len(request.body) > MAX_BODY:
        raise BoardError(_("That request is too large for a move."))
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):
        raise BoardError(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BoardError(_("The request must be a JSON object."))
    return data


def _int(data: dict, key: str, *, optional: bool = False, low=0, high=2**31 - 1):
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BoardError(
            _("“%(key)s” must be a whole number between %(low)d and %(high)d.")
            % {"key": key, "low": low, "high": high}
        )
    return value


def _day(data: dict):
    value = data.get("day")
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BoardError(_("“day” must be a date such as 2027-02-24.")) from None


def _answer(event: Event, sessions, draft=None) -> HttpResponse:
    """A saved change: the changed sessions' rows, which the board merges into its own
    (in draft mode, where the draft puts them)."""
    if draft is not None:
        rows = _state(event, draft, [s.pk for s in sessions])["sessions"]
    else:
        rows = board_state.changed_rows(event, sessions)
    return JsonResponse({"sessions": rows})


def _refusal(event: Event, error: BoardError) -> HttpResponse:
    """A refused change, with the session as it is now (another organizer may have moved
    it, or the draft has it elsewhere), so the board puts the card back where it is."""
    shown = [error.session.pk] if error.session is not None else []
    body = {
        "sessions": _state(event, releases.draft_of(event), shown)["sessions"],
        "error": " ".join(error.messages),
        "errors": error.messages,
    }
    return JsonResponse(body, status=error.status)


@require_POST
def board_move(request: HttpRequest, event_id: int) -> HttpResponse:
    """Place, move, resize or unschedule one session: {session, version, room, day, start,
    duration, fold}; ``day`` null puts it back in the tray, ``room`` null spans every room,
    ``fold`` 1 means the second time a clock time comes round when clocks go back."""
    event = _event(request, event_id)
    try:
        data = _json_body(request)
        session_id = _int(data, "session", low=1)
        version = _int(data, "version", low=1)
        day = _day(data)
        values = board.placement(
            event,
            _int(data, "room", optional=True, low=1),
            day,
            _int(data, "start", optional=day is None, high=24 * 60),
            _int(data, "duration", optional=day is None, low=1, high=board.MAX_DURATION),
            _int(data, "fold", optional=True, high=1) or 0,
        )
        change = Change(session_id, values, version)
        draft = _draft(event)
        if draft is not None:
            changed = [releases.draft_move(event, request.user, change)]
        else:
            with transaction.atomic():  # the move and its changelog entry, together
                changed = board.apply_changes(event, request.user, [change], how="on the board")
                releases.record(
                    event, request.user, [session_id], how="board", locked=True, written=changed
                )
    except BoardError as exc:
        return _refusal(event, exc)
    return _answer(event, changed, draft)


# What "Mark as cancelled" and "Back on" on the board may set, from which status.
DRAFT_STATUS = {"cancelled": "published", "published": "cancelled"}


@require_POST
def board_status(request: HttpRequest, event_id: int) -> HttpResponse:
    """Cancel a session, or put a cancelled one back on, in the draft: {session, version,
    status}. Kept aside like a draft move, shown by the preview, public when published."""
    event = _event(request, event_id)
    try:
        data = _json_body(request)
        session_id = _int(data, "session", low=1)
        version = _int(data, "version", low=1)
        status = data.get("status")
        if status not in DRAFT_STATUS:
            raise BoardError(_("“status” must be “cancelled” or “published”."))
        draft = _draft(event)
        if draft is None:
            raise BoardError(
                _("Sessions are cancelled on the board in draft mode; start a draft first.")
            )
        row = _state(event, draft, [session_id])["sessions"]
        if row and row[0]["status"] != DRAFT_STATUS[status]:
            raise BoardError(
                _("Only a published session can be cancelled, and only a cancelled one put back.")
            )
        change = Change(session_id, {"status": status}, version)
        changed = [releases.draft_move(event, request.user, change)]
    except BoardError as exc:
        return _refusal(event, exc)
    return _answer(event, changed, draft)


@require_POST
def board_copy(request: HttpRequest, event_id: int) -> HttpResponse:
    """Copy a break into every other room at the same time: {session, version}."""
    event = _event(request, event_id)
    try:
        data = _json_body(request)
        if _draft(event) is not None:
            raise BoardError(
                _("Copy to all rooms works outside draft mode: publish the draft first.")
            )
        with transaction.atomic():
            copies = board.copy_to_all_rooms(
                event, request.user, _int(data, "session", low=1), _int(data, "version", low=1)
            )
            releases.record(event, request.user, [c.pk for c in copies], how="board", locked=True)
    except BoardError as exc:
        return _refusal(event, exc)
    return _answer(event, copies)


@require_POST
def board_uncopy(request: HttpRequest, event_id: int) -> HttpResponse:
    """Undo a copy to all rooms: {copies: [{session, version}, ...]} (at most the rooms)."""
    event = _event(request, event_id)
    try:
        data = _json_body(request)
        copies = data.get("copies")
        if not isinstance(copies, list) or not 1 <= len(copies) <= 1000:
            raise BoardError(_("“copies” must be a list of {session, version}."))
        items = []
        for item in copies:
            if not isinstance(item, dict):
                raise BoardError(_("“copies” must be a list of {session, version}."))
            items.append((_int(item, "session", low=1), _int(item, "version", low=1)))
        with transaction.atomic():
            removed = board.remove_copies(event, request.user, items)
            releases.record(event, request.user, [pk for pk, _ in items], how="board", locked=True)
    except BoardError as exc:
        return _refusal(event, exc)
    return JsonResponse({"sessions": [], "removed": removed})


def urls():
    """The board's routes, inside the admin site (login, staff, CSRF, no caching): one
    pattern at the top of the site's routes, which every request passes."""
    view = admin.site.admin_view
    routes = [
        path("", view(board_page), name="schedule_board"),
        path("data/", view(board_data), name="schedule_board_data"),
        path("move/", view(board_move), name="schedule_board_move"),
        path("copy/", view(board_copy), name="schedule_board_copy"),
        path("status/", view(board_status), name="schedule_board_status"),
        path("uncopy/", view(board_uncopy), name="schedule_board_uncopy"),
        *release_views.urls(""),
        *draft_preview.urls(""),
    ]
    return [path("admin/events/event/<int:event_id>/board/", include(routes))]
