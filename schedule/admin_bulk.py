"""The session list's bulk changes of place and kind (move to a room, shift by minutes,
set track, set type): a second page asks for the value, then every selected session is
changed through the board's ``apply_changes`` and its rules, or none is."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from events.models import Room, SessionType, Track

from . import releases
from .board import BoardError, Change, apply_changes
from .models import Session


class BulkForm(forms.Form):
    """The value a bulk action needs: a room, a number of minutes, a track or a type."""

    TITLES = {
        "room": _("Move sessions to a room"),
        "shift": _("Shift sessions in time"),
        "track": _("Set the track of sessions"),
        "type": _("Set the type of sessions"),
    }

    def __init__(self, kind: str, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "room":
            self.fields["room"] = forms.ModelChoiceField(
                Room.objects.filter(event=event), empty_label=_("All rooms (break, plenary)"),
                required=False,
            )  # fmt: skip
        elif kind == "shift":
            self.fields["minutes"] = forms.IntegerField(
                label=_("Minutes"),
                min_value=-24 * 60,
                max_value=24 * 60,
                help_text=_("Later with a positive number, earlier with a negative one."),
            )
        elif kind == "track":
            self.fields["track"] = forms.ModelChoiceField(
                Track.objects.filter(event=event), empty_label=_("No track"), required=False
            )
        else:
            self.fields["session_type"] = forms.ModelChoiceField(
                SessionType.objects.filter(event=event), empty_label=_("No type"), required=False,
                label=_("Type"),
            )  # fmt: skip

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes == 0:
            raise forms.ValidationError(_("Shift by at least one minute."))
        return minutes

    def changes(self, sessions) -> tuple[list[Change], list[Session]]:
        data, changes, skipped = self.cleaned_data, [], []
        for session in sessions:
            if self.kind == "room":
                if session.starts_at is None:  # a room is chosen with a time, on the board
                    skipped.append(session)
                    continue
                room = data["room"]
                values = {"room_id": room.pk if room else None}
            elif self.kind == "shift":
                if session.starts_at is None:
                    skipped.append(session)
                    continue
                delta = dt.timedelta(minutes=data["minutes"])
                values = {
                    "starts_at": session.starts_at + delta,
                    "ends_at": session.ends_at + delta,
                }
            elif self.kind == "track":
                values = {"track_id": data["track"].pk if data["track"] else None}
            else:
                kind = data["session_type"]
                values = {"session_type_id": kind.pk if kind else None}
            changes.append(Change(session.pk, values, session.version))
        return changes, skipped


class BulkPlaceActions:
    """ModelAdmin actions for the session list (see the module)."""

    @admin.action(description=_("Move selected sessions to a room…"))
    def move_to_room(self, request, queryset):
        return self._bulk(request, queryset, "room")

    @admin.action(description=_("Shift selected sessions by some minutes…"))
    def shift_time(self, request, queryset):
        return self._bulk(request, queryset, "shift")

    @admin.action(description=_("Set the track of selected sessions…"))
    def set_track(self, request, queryset):
        return self._bulk(request, queryset, "track")

    @admin.action(description=_("Set the type of selected sessions…"))
    def set_type(self, request, queryset):
        return self._bulk(request, queryset, "type")

    def _bulk(self, request, queryset, kind: str):
        sessions = list(queryset.select_related("event").order_by("starts_at", "title"))
        events = {s.event for s in sessions}
        if len(events) != 1:
            self.message_user(
                request, _("Choose sessions of one event at a time."), messages.WARNING
            )
            return None
        (event,) = events
        applying = "apply" in request.POST
        form = BulkForm(kind, event, request.POST if applying else None)
        if applying and form.is_valid():
            changes, skipped = form.changes(sessions)
            try:
                with transaction.atomic():
                    changed = apply_changes(
                        event, request.user, changes, how="bulk action", name_sessions=True
                    )
                    releases.record(
                        event, request.user, [c.pk for c in changed], how="bulk action",
                        locked=True, written=changed,
                    )  # fmt: skip
            except BoardError as exc:
                self.message_user(
                    request,
                    _("Nothing was changed: %(problems)s") % {"problems": " ".join(exc.messages)},
                    messages.ERROR,
                )
                return None
            note = ngettext_lazy(
                "%(count)d session changed.", "%(count)d sessions changed.", "count"
            ) % {"count": len(changed)}
            if skipped:
                titles = ", ".join(s.title for s in skipped)
                note += " " + _("Left alone (not scheduled): %(titles)s.") % {"titles": titles}
            self.message_user(request, note, messages.SUCCESS)
            return None
        ctx = {
            **self.admin_site.each_context(request),
            "title": BulkForm.TITLES[kind],
            "opts": self.model._meta,
            "event": event,
            "sessions": sessions,
            "form": form,
            "action": request.POST.get("action"),
            "selected": [s.pk for s in sessions],
        }
        return TemplateResponse(request, "admin/schedule/session/bulk.html", ctx)
