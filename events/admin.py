import functools
import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from lib.markup import MAX_MARKDOWN_CHARS
from lib.timefmt import short_date

from .models import Event, Membership, Room, SessionType, Track


@functools.cache
def zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class ColorInput(forms.TextInput):
    input_type = "color"


class ZoneInput(forms.TextInput):
    """A text box that suggests IANA zone names as one types (a <datalist>)."""

    def render(self, name, value, attrs=None, renderer=None):
        zones = f"{(attrs or {}).get('id', name)}-zones"
        attrs = {**(attrs or {}), "list": zones, "autocomplete": "off"}
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}">', ((z,) for z in zone_names()))
        return format_html('{}<datalist id="{}">{}</datalist>', box, zones, options)


class TrackForm(forms.ModelForm):
    class Meta:
        model = Track
        fields = ["event", "name", "slug", "color", "position"]
        widgets = {"color": ColorInput}


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "name", "slug", "acronym", "tagline", "is_published", "start_date", "end_date",
            "timezone", "venue_name", "venue_address", "language", "description", "color",
            "frame_origins",
        ]  # fmt: skip
        widgets = {
            "timezone": ZoneInput,
            "color": forms.TextInput(attrs={"placeholder": "#0b5cad", "size": 8}),
            "frame_origins": forms.Textarea(
                attrs={"rows": 3, "placeholder": "https://conf.example.org"}
            ),
        }
        # Slugs are unique across the site: say it is taken, not whose it is.
        error_messages = {"slug": {"unique": "This slug is not available; choose another."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:  # not when the form is read-only
            self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data["language"] or Event._meta.get_field("language").default


def organizer_events(request):
    """The events the signed-in user organizes (memoized on the request)."""
    if not hasattr(request, "_organizer_events"):
        request._organizer_events = Event.objects.for_organizer(request.user)
    return request._organizer_events


def is_organizer(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or Membership.objects.filter(user=user).exists()


class EventFilter(admin.SimpleListFilter):
    """Filter by event, offering only the events this organizer may see."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [(str(e.pk), e.name) for e in organizer_events(request)]

    def queryset(self, request, queryset):
        if self.value():
            allowed = {str(pk) for pk in organizer_events(request).values_list("pk", flat=True)}
            if self.value() not in allowed:
                return queryset.none()
            return queryset.filter(event_id=self.value())
        return queryset


class EventScopedAdmin(admin.ModelAdmin):
    """Admin for rows that belong to one event.

    Membership is the permission: a staff user sees, edits and can pick only rows of
    the events they organize; superusers see everything. Rows of other events are 404,
    never listed, and never offered in a dropdown or an autocomplete.
    """

    event_path = "event"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.event_path}__in": organizer_events(request)})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such object among the events you organize.")
        return obj

    def get_ordering(self, request):
        # Meta.ordering is dropped from querysets annotated with aggregates (GROUP BY),
        # and the autocomplete pages through get_queryset(): order explicitly.
        return self.ordering or self.model._meta.ordering

    def _may(self, request, obj=None) -> bool:
        if not is_organizer(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        event_id = obj.pk if isinstance(obj, Event) else obj.event_id
        return organizer_events(request).filter(pk=event_id).exists()

    def has_module_permission(self, request):
        return is_organizer(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        if isinstance(db_field, models.TextField) and db_field.help_text.startswith("Markdown"):
            # The same bound as the API's (Markdown is rendered in linear time up to it).
            kwargs["max_length"] = MAX_MARKDOWN_CHARS
            most = _("At most %(count)s characters.") % {
                "count": number_format(MAX_MARKDOWN_CHARS, force_grouping=True)
            }
            kwargs["help_text"] = f"{db_field.help_text} {most}"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            field.queryset = limit_to_organizer(field.queryset, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None:
            field.queryset = limit_to_organizer(field.queryset, request)
        return field


def limit_to_organizer(queryset, request):
    """Restrict a choice list to the organizer's events, whatever model it lists."""
    if request.user.is_superuser:
        return queryset
    model = queryset.model
    if model is Event:
        return queryset & organizer_events(request)
    if any(f.name == "event" for f in model._meta.fields):
        return queryset.filter(event__in=organizer_events(request))
    return queryset


class EventScopedInline:
    """Inline on an event-scoped admin: its parent's permission is the permission, and
    its foreign keys offer only the organizer's events' rows."""

    def has_view_permission(self, request, obj=None):
        return is_organizer(request)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            field.queryset = limit_to_organizer(field.queryset, request)
        return field


class RoomInline(EventScopedInline, admin.TabularInline):
    model = Room
    extra = 0
    fields = ["name", "slug", "capacity", "position"]


class TrackInline(EventScopedInline, admin.TabularInline):
    model = Track
    form = TrackForm
    extra = 0
    fields = ["name", "slug", "color", "position"]


class SessionTypeInline(EventScopedInline, admin.TabularInline):
    model = SessionType
    extra = 0
    fields = ["name", "slug", "is_break"]


class MembershipInline(admin.TabularInline):
    """Superusers pick organizers from every account."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class MembershipByNameForm(forms.ModelForm):
    """Owners name co-organizers by user name: no list of accounts is shown to them."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("An account that can already sign in to the admin."),
    )

    class Meta:
        model = Membership
        fields = ["username", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.get_username()

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        # One answer for "no such account" and "not staff": this form must not tell an
        # owner which user names exist.
        user = get_user_model().objects.filter(username=name, is_active=True, is_staff=True).first()
        if user is None:
            raise forms.ValidationError(
                _(
                    "“%(name)s” is not an account that can organize events: check the spelling, "
                    "or ask an administrator for staff access."
                ),
                params={"name": name},
            )
        others = Membership.objects.filter(user=user, event_id=self.instance.event_id)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("“%(name)s” already organizes this event."), params={"name": name}
            )
        self.instance.user = user
        return name


class MembershipByNameFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        names = [
            form.cleaned_data["username"]
            for form in self.forms
            if form.cleaned_data.get("username") and not form.cleaned_data.get("DELETE")
        ]
        if len(names) != len(set(names)):
            raise forms.ValidationError(_("Each person can be listed only once."))


class OwnerMembershipInline(EventScopedInline, admin.TabularInline):
    model = Membership
    form = MembershipByNameForm
    formset = MembershipByNameFormSet
    extra = 0
    verbose_name = _("organizer")
    verbose_name_plural = _("organizers")


@admin.register(Event)
class EventAdmin(EventScopedAdmin):
    event_path = "pk"
    form = EventForm
    list_display = [
        "name",
        "dates",
        "is_published",
        "session_count",
        "speaker_count",
        "public_links",
    ]
    list_filter = ["is_published"]
    search_fields = ["name", "slug", "venue_name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "acronym", "tagline", "is_published"]}),
        (_("When and where"), {"fields": ["start_date", "end_date", "timezone", "venue_name",
                                          "venue_address", "language"]}),
        (_("About"), {"fields": ["description"]}),
        (_("On your own site"), {"fields": ["color", "frame_origins"]}),
    ]  # fmt: skip
    inlines = [RoomInline, TrackInline, SessionTypeInline, MembershipInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            qs = Event.objects.all()
        else:
            qs = Event.objects.filter(pk__in=organizer_events(request).values("pk"))
        return qs.annotate(
            num_sessions=Count("sessions", distinct=True),
            num_speakers=Count("speakers", distinct=True),
        )

    def get_inlines(self, request, obj):
        parts = [RoomInline, TrackInline, SessionTypeInline]
        if request.user.is_superuser:
            return self.inlines
        if obj is not None and self._is_owner(request, obj):
            return [*parts, OwnerMembershipInline]  # by user name, not from a list
        return parts

    def _is_owner(self, request, obj) -> bool:
        return (
            request.user.is_superuser
            or obj.memberships.filter(user=request.user, role=Membership.Role.OWNER).exists()
        )

    def has_add_permission(self, request):
        # Any active staff user may start an event; they become its owner.
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self._may(request)
        return self._may(request, obj) and self._is_owner(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["embed_snippets"] = embed_snippets(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not request.user.is_superuser:
            Membership.objects.get_or_create(
                user=request.user, event=obj, defaults={"role": Membership.Role.OWNER}
            )
        if obj.is_published and (not change or "is_published" in form.changed_data):
            from schedule import releases  # (schedule builds on events)

            # Published: the schedule as it is now is the changelog's first entry (or,
            # published again, one entry with all that changed while it was not public).
            releases.record(obj, request.user, how="admin")

    @admin.display(description=_("sessions"), ordering="num_sessions")
    def session_count(self, obj):
        return obj.num_sessions

    @admin.display(description=_("speakers"), ordering="num_speakers")
    def speaker_count(self, obj):
        return obj.num_speakers

    @admin.display(description=_("dates"), ordering="start_date")
    def dates(self, obj):
        start, end = obj.start_date, obj.end_date
        if start == end:
            return short_date(start, year=True)
        return f"{short_date(start, year=start.year != end.year)} – {short_date(end, year=True)}"

    @admin.display(description=_("links"))
    def public_links(self, obj):
        sessions = reverse("admin:schedule_session_changelist") + f"?event={obj.pk}"
        links = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            [
                (sessions, _("Sessions")),
                (reverse("admin:schedule_session_clashes", args=[obj.pk]), _("Clashes")),
                (reverse("admin:schedule_session_import", args=[obj.pk]), _("Import")),
                (reverse("schedule_list", args=[obj.slug]), _("Public schedule")),
            ],
        )
        return format_html(
            '<span class="lineup-links"><a class="lineup-board" href="{}">{}</a> · {}</span>',
            reverse("schedule_board", args=[obj.pk]),
            _("Board"),
            links,
        )


def embed_snippets(request, event: Event) -> list[tuple[str, str]]:
    """The <iframe> code that shows the event's schedule (list, grid) on another site."""
    return [
        (
            label,
            format_html(
                '<iframe src="{}" title="{}" width="100%" height="800" loading="lazy"></iframe>',
                request.build_absolute_uri(reverse(name, args=[event.slug])),
                f"{title} · {event.name}",
            ),
        )
        for label, name, title in [
            (_("List"), "embed_list", _("Schedule")),
            (_("Grid by room"), "embed_grid", _("Schedule by room")),
        ]
    ]


class EventPartAdmin(EventScopedAdmin):
    list_filter = [EventFilter]
    search_fields = ["name", "slug"]
    list_select_related = ["event"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(num_sessions=Count("sessions", filter=~Q(sessions__status="draft")))
        )

    @admin.display(description=_("public sessions"), ordering="num_sessions")
    def session_count(self, obj):
        return obj.num_sessions


@admin.register(Room)
class RoomAdmin(EventPartAdmin):
    list_display = ["name", "event", "capacity", "position", "session_count"]
    list_editable = ["position"]


@admin.register(Track)
class TrackAdmin(EventPartAdmin):
    form = TrackForm
    list_display = ["name", "event", "swatch", "position", "session_count"]
    list_editable = ["position"]

    @admin.display(description=_("colour"))
    def swatch(self, obj):
        return format_html(
            '<span class="lineup-swatch" data-color="{}">{}</span>', obj.color, obj.color
        )


@admin.register(SessionType)
class SessionTypeAdmin(EventPartAdmin):
    list_display = ["name", "event", "is_break", "session_count"]
