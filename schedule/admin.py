from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from events.admin import EventFilter, EventScopedAdmin, EventScopedInline, organizer_events
from events.timefmt import clock, clock_zone

from .importer import ImportProblem, import_schedule
from .models import Session, SessionSpeaker
from .rules import find_clashes, speaker_clash_errors


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A frab schedule.xml or schedule.json (at most 20 MB). Sessions are matched "
        "by guid, so importing again updates them."
    )
    draft = forms.BooleanField(
        required=False, label="Import new sessions as drafts (otherwise they are published)"
    )


class SessionSpeakerFormSet(forms.BaseInlineFormSet):
    """Checks the speakers a session will have, once the whole list is known."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        session = self.instance
        speakers = [
            form.cleaned_data["speaker"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("speaker")
        ]
        for speaker in speakers:
            if session.event_id and speaker.event_id != session.event_id:
                raise ValidationError(f"{speaker} is a speaker of another event.")
        if len({s.pk for s in speakers}) != len(speakers):
            raise ValidationError("Each speaker can be listed only once per session.")
        if session.event_id:
            clashes = speaker_clash_errors(session, [s.pk for s in speakers])
            if clashes:
                raise ValidationError(clashes)


class SessionSpeakerInline(EventScopedInline, admin.TabularInline):
    model = SessionSpeaker
    formset = SessionSpeakerFormSet
    autocomplete_fields = ["speaker"]
    fields = ["speaker", "role", "position"]
    extra = 1


def event_timezone(request, object_id):
    """The zone in which the session form reads and shows its times."""
    event = None
    events = organizer_events(request)
    if object_id:
        session = Session.objects.filter(pk=object_id, event__in=events).first()
        event = session.event if session else None
    else:
        chosen = request.POST.get("event") or request.GET.get("event")
        if chosen and str(chosen).isdigit():
            event = events.filter(pk=chosen).first()
    return event.tzinfo if event else None


@admin.register(Session)
class SessionAdmin(EventScopedAdmin):
    list_display = [
        "title",
        "day",
        "time",
        "room",
        "track",
        "session_type",
        "status",
        "speaker_names",
    ]
    list_filter = [
        EventFilter,
        "status",
        ("track", RelatedOnlyFieldListFilter),
        ("session_type", RelatedOnlyFieldListFilter),
        ("room", RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["event", "room", "track", "session_type"]
    search_fields = ["title", "abstract", "speakers__name", "guid"]
    search_help_text = "Search titles, abstracts, speaker names and guids."
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionSpeakerInline]
    actions = ["publish", "unpublish", "cancel"]
    readonly_fields = ["guid"]
    ordering = ["event", "starts_at", "room__position"]
    fieldsets = [
        (None, {"fields": ["event", "title", "slug", "status", "abstract"]}),
        ("When and where", {
            "fields": ["starts_at", "ends_at", "room"],
            "description": "Times are in the event's own time zone.",
        }),
        ("Kind", {"fields": ["track", "session_type"]}),
        ("Identity", {"fields": ["guid"], "classes": ["collapse"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        links = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("speaker_links", queryset=links))
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        tz = event_timezone(request, object_id)
        if tz is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        extra_context = {**(extra_context or {}), "event_timezone": str(tz)}
        with timezone.override(tz):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # A TemplateResponse renders lazily, after this block: render it here, so the
            # form shows its times in the zone it reads them in.
            if callable(getattr(response, "render", None)):
                response.render()
            return response

    def get_urls(self):
        clashes = path(
            "clashes/<int:event_id>/",
            self.admin_site.admin_view(self.clashes_view),
            name="schedule_session_clashes",
        )
        upload = path(
            "import/<int:event_id>/",
            self.admin_site.admin_view(self.import_view),
            name="schedule_session_import",
        )
        return [clashes, upload, *super().get_urls()]

    def import_view(self, request, event_id: int):
        """Upload a frab XML or JSON file into this event: the same import as the command."""
        event = get_object_or_404(organizer_events(request), pk=event_id)
        report = None
        status = 200
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    report = import_schedule(
                        upload.read(),
                        event.slug,
                        publish=not form.cleaned_data["draft"],
                        update_event=False,  # the event's settings are its owners' to change
                    )
                except ImportProblem as exc:
                    form.add_error("file", f"Nothing was imported. {exc}")
                    status = 400
                else:
                    self.message_user(request, report.summary(), messages.SUCCESS)
            else:
                status = 400
        else:
            form = ImportForm()
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Import a schedule into {event.name}",
            "event": event,
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/schedule/session/import.html", ctx, status=status)

    def clashes_view(self, request, event_id: int):
        """Every double-booked room and speaker of one event (for imported data)."""
        event = get_object_or_404(organizer_events(request), pk=event_id)
        tz = event.tzinfo
        rows = [
            {
                "kind": clash.kind,
                "where": clash.where,
                "sessions": [
                    {
                        "session": s,
                        "when": f"{s.starts_at.astimezone(tz):%a %b %d} "
                        f"{clock(s.starts_at, tz)}–{clock_zone(s.ends_at, tz)}",
                    }
                    for s in (clash.first, clash.second)
                ],
            }
            for clash in find_clashes(event)
        ]
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Clashes in {event.name}",
            "event": event,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/schedule/session/clashes.html", ctx)

    @admin.display(description="day", ordering="starts_at")
    def day(self, obj):
        if not obj.starts_at:
            return "—"
        local = obj.starts_at.astimezone(obj.event.tzinfo)
        return f"{local:%a %b} {local.day}"

    @admin.display(description="time", ordering="starts_at")
    def time(self, obj):
        if not obj.starts_at:
            return "unscheduled"
        tz = obj.event.tzinfo
        return f"{clock(obj.starts_at, tz)}–{clock_zone(obj.ends_at, tz)}"

    @admin.display(description="speakers")
    def speaker_names(self, obj):
        return ", ".join(link.speaker.name for link in obj.speaker_links.all()) or "—"

    def _set_status(self, request, queryset, status, verb):
        changed = list(queryset.exclude(status=status))
        count = queryset.set_status(status)
        # An update() leaves no history: record who changed each session, as a form save does.
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=f"Changed Status to {Session.Status(status).label} (bulk action).",
        )
        self.message_user(request, f"{count} session(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Publish selected sessions")
    def publish(self, request, queryset):
        self._set_status(request, queryset, Session.Status.PUBLISHED, "published")

    @admin.action(description="Unpublish selected sessions (back to draft)")
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Session.Status.DRAFT, "set to draft")

    @admin.action(description="Mark selected sessions as cancelled")
    def cancel(self, request, queryset):
        self._set_status(request, queryset, Session.Status.CANCELLED, "cancelled")
