import datetime as dt
import uuid

from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import cached_property

from events.markup import plain_text, render_markdown
from events.models import (
    Event,
    EventData,
    EventScopedQuerySet,
    Room,
    SessionType,
    Track,
    unique_slug,
)
from speakers.models import Speaker


class SessionQuerySet(EventScopedQuerySet):
    def public(self):
        """What visitors may see: published or cancelled sessions of published events."""
        return self.filter(
            status__in=Session.PUBLIC_STATUSES, event__is_published=True
        )

    def scheduled(self):
        return self.filter(starts_at__isnull=False)

    def with_details(self):
        """Room, track, type and ordered speakers, in a fixed number of queries."""
        return self.select_related("room", "track", "session_type").prefetch_related(
            Prefetch(
                "speaker_links",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by(
                    "position", "speaker__name"
                ),
            )
        )

    def for_schedule(self, event: Event):
        """The canonical read of an event's public schedule, in time order."""
        return (
            self.public()
            .scheduled()
            .filter(event=event)
            .with_details()
            .order_by("starts_at", "room__position", "room__name", "title")
        )

    def set_status(self, status: str) -> int:
        """Change the status of many sessions at once, keeping caches honest."""
        event_ids = set(self.values_list("event_id", flat=True))
        count = self.update(status=status)
        Event.objects.filter(pk__in=event_ids).touch()
        return count


class Session(EventData, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.CANCELLED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    guid = models.UUIDField(
        default=uuid.uuid4, help_text="Stable identity across exports and imports."
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=80, blank=True, help_text="Filled from the title.")
    abstract = models.TextField(blank=True, help_text="Markdown: links and lists are kept.")
    abstract_html = models.TextField(blank=True, editable=False)
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    session_type = models.ForeignKey(
        SessionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="type",
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    starts_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    speakers = models.ManyToManyField(
        Speaker, through="SessionSpeaker", related_name="sessions", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slug"],
                name="session_slug_unique_per_event",
                violation_error_message="This slug is already used in this event.",
            ),
            models.UniqueConstraint(
                fields=["event", "guid"],
                name="session_guid_unique_per_event",
                violation_error_message="This guid is already used in this event.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(starts_at__isnull=True, ends_at__isnull=True)
                    | models.Q(starts_at__isnull=False, ends_at__isnull=False)
                ),
                name="session_times_both_or_neither",
                violation_error_message="Set both the start and the end time, or neither.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(starts_at__isnull=True)
                    | models.Q(ends_at__gt=models.F("starts_at"))
                ),
                name="session_ends_after_start",
                violation_error_message="The session must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Session, self.title, exclude_pk=self.pk, event=self.event)
        self.abstract_html = render_markdown(self.abstract)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("session_detail", args=[self.event.slug, self.slug])

    def clean(self) -> None:
        from .rules import check_session  # rules queries Session: import when used

        check_session(self)

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_break(self) -> bool:
        return bool(self.session_type and self.session_type.is_break)

    @property
    def duration(self) -> dt.timedelta | None:
        if self.starts_at and self.ends_at:
            return self.ends_at - self.starts_at
        return None

    @cached_property
    def abstract_text(self) -> str:
        return plain_text(self.abstract)

    @property
    def speaker_list(self) -> list["SessionSpeaker"]:
        """Links whose role is speaker or panelist, in order (uses the prefetch)."""
        return [
            link
            for link in self.speaker_links.all()
            if link.role != SessionSpeaker.Role.MODERATOR
        ]

    @property
    def moderator_list(self) -> list["SessionSpeaker"]:
        return [
            link
            for link in self.speaker_links.all()
            if link.role == SessionSpeaker.Role.MODERATOR
        ]


class SessionSpeaker(EventData, models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", "Speaker"
        MODERATOR = "moderator", "Moderator"
        PANELIST = "panelist", "Panelist"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speaker_links")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_links")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.SPEAKER)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = "speaker of the session"
        verbose_name_plural = "speakers of the session"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"],
                name="sessionspeaker_unique",
                violation_error_message="This speaker is already linked to this session.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()})"

    def changed_event_id(self) -> int | None:
        if SessionSpeaker.session.is_cached(self):
            return self.session.event_id
        return Session.objects.filter(pk=self.session_id).values_list(
            "event_id", flat=True
        ).first()
