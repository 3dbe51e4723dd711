import datetime as dt
import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from events.admin import EventFilter, EventScopedAdmin, EventScopedInline, organizer_events
from lib.timefmt import clock, clock_zone, short_day

from . import history
from .admin_bulk import BulkPlaceActions
from .importer import ImportProblem, import_schedule
from .models import AgendaItem, PendingImport, Session, SessionSpeaker
from .release_views import RecordsReleases
from .rules import find_clashes, speaker_clash_errors


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A frab schedule.xml or schedule.json (at most 20 MB). Sessions are matched "
            "by guid, so importing again updates them."
        ),
    )
    draft = forms.BooleanField(
        required=False, label=_("Import new sessions as drafts (otherwise they are published)")
    )
    prune = forms.BooleanField(
        required=False,
        label=_("Cancel the sessions that the file no longer has (they are never deleted)"),
    )


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


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
                raise ValidationError(
                    _("%(speaker)s is a speaker of another event.") % {"speaker": speaker}
                )
        if len({s.pk for s in speakers}) != len(speakers):
            raise ValidationError(_("Each speaker can be listed only once per session."))
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


class ScheduledFilter(admin.SimpleListFilter):
    title = _("schedule")
    parameter_name = "scheduled"

    def lookups(self, request, model_admin):
        return [("no", _("Unscheduled")), ("yes", _("Scheduled"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(starts_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(starts_at__isnull=False)
        return queryset


@admin.register(Session)
class SessionAdmin(BulkPlaceActions, RecordsReleases, EventScopedAdmin):
    list_display = ["title_and_speakers", "when", "room", "kind", "status_mark", "stars"]
    list_display_links = ["title_and_speakers"]
    list_filter = [
        EventFilter,
        ScheduledFilter,
        "status",
        ("track", RelatedOnlyFieldListFilter),
        ("session_type", RelatedOnlyFieldListFilter),
        ("room", RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["event", "room", "track", "session_type"]
    search_fields = ["title", "abstract", "speakers__name", "guid"]
    search_help_text = _("Search titles, abstracts, speaker names and guids.")
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionSpeakerInline]
    actions = [
        "publish", "unpublish", "cancel", "move_to_room", "shift_time", "set_track", "set_type",
    ]  # fmt: skip
    readonly_fields = ["guid"]
    ordering = ["event", "starts_at", "room__position"]
    fieldsets = [
        (None, {"fields": ["event", "title", "subtitle", "slug", "status", "abstract",
                           "description"]}),
        (_("When and where"), {
            "fields": ["starts_at", "ends_at", "room", "planned_minutes"],
            "description": _("Times are in the event's own time zone."),
        }),
        (_("Kind"), {"fields": ["track", "session_type"]}),
        (_("Language and recording"), {
            "fields": ["language", "do_not_record", "recording_license", "links"],
            "classes": ["collapse"],
        }),
        (_("Identity"), {"fields": ["guid"], "classes": ["collapse"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        links = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
        stars = (
            AgendaItem.objects.filter(session=OuterRef("pk"))
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("speaker_links", queryset=links))
            .annotate(num_stars=Coalesce(Subquery(stars, output_field=IntegerField()), Value(0)))
        )

    def get_fieldsets(self, request, obj=None):
        tz = event_timezone(request, obj.pk if obj else None)
        where = escape(  # the admin shows descriptions unescaped
            _("Times are in %(zone)s (the event's own time zone).") % {"zone": tz}
            if tz
            else _("Times are read in the time zone of the event you choose.")
        )
        when_and_where = _("When and where")  # lazy: compared in the active language
        return [
            (title, {**options, "description": where} if title == when_and_where else options)
            for title, options in self.fieldsets
        ]

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

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return history.worded(response)  # the board's lines in the reader's language

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
        """Upload a frab XML or JSON file into this event, in two steps.

        The upload runs the import as a dry run and shows what it would create, change
        (field by field for the first few), cancel and repair; the file waits in a
        PendingImport until the organizer confirms, and only then is anything written.
        """
        event = get_object_or_404(organizer_events(request), pk=event_id)
        ctx = {
            **self.admin_site.each_context(request),
            "title": _("Import a schedule into %(name)s") % {"name": event.name},
            "event": event,
            "opts": self.model._meta,
        }
        status = 200
        form = ImportForm()
        if request.method == "POST" and "pending" in request.POST:
            pending = PendingImport.objects.filter(
                pk=_uuid_or_none(request.POST["pending"]), event=event, user=request.user
            ).first()
            if pending is None:
                ctx["problem"] = _(
                    "That preview has expired or was already used: upload the file again."
                )
                status = 400
            elif "cancel" in request.POST:
                pending.delete()
                self.message_user(request, _("Nothing was imported."), messages.INFO)
            else:
                status = self._import(request, event, pending, ctx)
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            status = self._preview(request, event, form, ctx) if form.is_valid() else 400
        ctx["form"] = form
        return TemplateResponse(request, "admin/schedule/session/import.html", ctx, status=status)

    def _preview(self, request, event, form, ctx) -> int:
        data = form.cleaned_data["file"].read()
        options = {"draft": form.cleaned_data["draft"], "prune": form.cleaned_data["prune"]}
        try:
            report = import_schedule(
                data, event.slug, publish=not options["draft"], prune=options["prune"],
                update_event=False, dry_run=True,
            )  # fmt: skip
        except ImportProblem as exc:
            form.add_error("file", _("Nothing was imported. %(problem)s") % {"problem": exc})
            return 400
        stale = timezone.now() - dt.timedelta(days=1)
        PendingImport.objects.filter(created_at__lt=stale).delete()
        ctx["pending"] = PendingImport.objects.create(
            event=event, user=request.user, name=form.cleaned_data["file"].name[:255],
            data=data, **options,
        )  # fmt: skip
        ctx["report"] = report
        return 200

    def _import(self, request, event, pending, ctx) -> int:
        try:
            report = import_schedule(
                bytes(pending.data), event.slug, publish=not pending.draft,
                prune=pending.prune, update_event=False,
            )  # fmt: skip
        except ImportProblem as exc:  # the event changed since the preview
            ctx["problem"] = _("Nothing was imported. %(problem)s") % {"problem": exc}
            return 400
        finally:
            pending.delete()
        self.message_user(request, report.summary(), messages.SUCCESS)
        ctx["report"] = report
        ctx["imported"] = True
        return 200

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
                        "when": f"{short_day(s.starts_at.astimezone(tz).date())} "
                        f"{clock(s.starts_at, tz)}–{clock_zone(s.ends_at, tz)}",
                    }
                    for s in (clash.first, clash.second)
                ],
            }
            for clash in find_clashes(event)
        ]
        ctx = {
            **self.admin_site.each_context(request),
            "title": _("Clashes in %(name)s") % {"name": event.name},
            "event": event,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/schedule/session/clashes.html", ctx)

    @admin.display(description=_("title and speakers"), ordering="title")
    def title_and_speakers(self, obj):
        names = ", ".join(link.speaker.name for link in obj.speaker_links.all())
        if not names:
            return obj.title
        return format_html('{}<span class="lineup-sub">{}</span>', obj.title, names)

    @admin.display(description=_("when"), ordering="starts_at")
    def when(self, obj):
        if not obj.starts_at:
            return _("unscheduled")
        tz = obj.event.tzinfo
        local = obj.starts_at.astimezone(tz)
        return format_html(
            '{}<span class="lineup-sub">{}–{}</span>',
            short_day(local.date()),
            clock(obj.starts_at, tz),
            clock_zone(obj.ends_at, tz),
        )

    @admin.display(description=_("track · type"))
    def kind(self, obj):
        parts = [str(part) for part in (obj.track, obj.session_type) if part]
        return " · ".join(parts) or "—"

    @admin.display(description=_("status"), ordering="status")
    def status_mark(self, obj):
        return format_html(
            '<span class="lineup-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description=_("★ stars"), ordering="num_stars")
    def stars(self, obj):
        room = obj.room
        if room is not None and room.capacity is not None and obj.num_stars > room.capacity:
            return format_html(
                '<span class="lineup-over" title="{}">{} ⚠ {}</span>',
                _("More stars than %(room)s has seats") % {"room": room.name},
                obj.num_stars,
                ngettext_lazy("%(count)d seat", "%(count)d seats", "count")
                % {"count": room.capacity},
            )
        return obj.num_stars

    @transaction.atomic
    def _set_status(self, request, queryset, status, verb):
        changed = list(queryset.exclude(status=status).select_related("event"))
        count = queryset.set_status(status)
        self._record(request, changed, "bulk action")
        # An update() leaves no history: record who changed each session, as a form save does.
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=history.status_set(status, "bulk action"),
        )
        self.message_user(request, verb % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish selected sessions"))
    def publish(self, request, queryset):
        done = ngettext_lazy(
            "%(count)d session published.", "%(count)d sessions published.", "count"
        )
        self._set_status(request, queryset, Session.Status.PUBLISHED, done)

    @admin.action(description=_("Unpublish selected sessions (back to draft)"))
    def unpublish(self, request, queryset):
        done = ngettext_lazy(
            "%(count)d session set to draft.", "%(count)d sessions set to draft.", "count"
        )
        self._set_status(request, queryset, Session.Status.DRAFT, done)

    @admin.action(description=_("Mark selected sessions as cancelled"))
    def cancel(self, request, queryset):
        done = ngettext_lazy(
            "%(count)d session cancelled.", "%(count)d sessions cancelled.", "count"
        )
        self._set_status(request, queryset, Session.Status.CANCELLED, done)
