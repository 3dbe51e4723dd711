from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from events.admin import EventFilter, EventScopedAdmin

from .forms import SpeakerForm
from .models import Speaker


def avatar_img(speaker, size: int = 40):
    if speaker.avatar_thumb:
        return format_html(
            '<img src="{}" alt="" width="{}" height="{}" class="lineup-avatar">',
            speaker.avatar_thumb.url,
            size,
            size,
        )
    return format_html('<span class="lineup-initials">{}</span>', speaker.initials)


@admin.register(Speaker)
class SpeakerAdmin(EventScopedAdmin):
    form = SpeakerForm
    list_display = ["thumbnail", "name", "job_title", "company", "event", "session_count"]
    list_display_links = ["thumbnail", "name"]
    list_filter = [EventFilter]
    list_select_related = ["event"]
    search_fields = ["name", "company", "job_title", "email"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["thumbnail", "their_sessions"]
    fieldsets = [
        (None, {"fields": ["event", "name", "slug", "job_title", "company"]}),
        (_("Photo and bio"), {"fields": ["thumbnail", "avatar", "bio"]}),
        (_("Contact and links"), {"fields": ["email", "website", "mastodon", "github",
                                          "linkedin"]}),
        (_("Sessions"), {"fields": ["their_sessions"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_sessions=Count("session_links"))

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        return avatar_img(obj)

    @admin.display(description=_("sessions"), ordering="num_sessions")
    def session_count(self, obj):
        return obj.num_sessions

    @admin.display(description=_("their sessions"))
    def their_sessions(self, obj):
        if obj.pk is None:
            return "—"
        links = obj.session_links.select_related("session").order_by("session__starts_at")
        if not links:
            return "No sessions yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({}, {})</li>',
                (
                    (
                        reverse("admin:schedule_session_change", args=[link.session_id]),
                        link.session.title,
                        link.get_role_display().lower(),
                        link.session.get_status_display().lower(),
                    )
                    for link in links
                ),
            ),
        )
