import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.timezone import now as django_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models import (
    Event,
    EventData,
    EventScopedQuerySet,
    Room,
    SessionType,
    Track,
    identity_constraints,
    unique_slug,
)
from lib.markup import plain_text, render_markdown
from lib.text import validate_language, validate_line, validate_text
from speakers.models import Speaker


def next_frab_id(event_id: int | None = None) -> int:
    """The next free session id. Ids are unique across the installation, so that a
    client holding several of its conferences never mixes up their sessions."""
    highest = Session.objects.aggregate(top=models.Max("frab_id"))
    return (highest["top"] or 0) + 1


def validate_links(value) -> None:
    """A list of {"url": "https://…", "title": "…"}, as the frab formats carry them."""
    if not isinstance(value, list):
        raise ValidationError(_("Links must be a list."), code="invalid_links")
    url_check = URLValidator(schemes=["http", "https"])
    for item in value:
        if not isinstance(item, dict) or set(item) - {"url", "title"} or "url" not in item:
            raise ValidationError(_('Each link is {"url": …, "title": …}.'), code="invalid_links")
        url_check(item["url"])
        validate_line(item.get("title") or "")


class SessionQuerySet(EventScopedQuerySet):
    def public(self):
        """What visitors may see: published or cancelled sessions of published events."""
        return self.filter(status__in=Session.PUBLIC_STATUSES, event__is_published=True)

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
        """The canonical read of an event's public schedule, in time order (read it
        with ``rows.load_rows``)."""
        return (
            self.public()
            .scheduled()
            .filter(event=event)
            .order_by("starts_at", "room__position", "room__name", "title")
        )

    def set_status(self, status: str) -> int:
        """Change the status of many sessions at once, keeping caches honest."""
        event_ids = set(self.values_list("event_id", flat=True))
        # updated_at too: API clients poll with updated_since.
        count = self.update(status=status, updated_at=django_now(), version=models.F("version") + 1)
        Event.objects.filter(pk__in=event_ids).touch()
        return count


class SessionFacts:
    """The facts derived from a session's fields, one rule each, shared by the model and
    by the public outputs' ``schedule.rows.Row``."""

    __slots__ = ()

    @property
    def export_id(self) -> int:
        return self.frab_id or self.pk

    @property
    def is_cancelled(self) -> bool:
        return self.status == Session.Status.CANCELLED

    @property
    def is_break(self) -> bool:
        return bool(self.session_type and self.session_type.is_break)

    @property
    def duration(self) -> dt.timedelta | None:
        if self.starts_at is None or self.ends_at is None:
            return None
        return self.ends_at - self.starts_at


class Session(SessionFacts, EventData, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("session status", "Draft")
        PUBLISHED = "published", pgettext_lazy("session status", "Published")
        CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.CANCELLED)

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event")
    )
    guid = models.UUIDField(
        default=uuid.uuid4,
        help_text=_("Stable identity across exports and imports."),
        verbose_name=_("guid"),
    )
    frab_id = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The positive integer id frab apps key on, unique across the installation; "
            "ids from imported files are kept where they are free."
        ),
    )
    title = models.CharField(max_length=300, validators=[validate_line], verbose_name=_("title"))
    slug = models.SlugField(
        max_length=80, blank=True, help_text=_("Filled from the title."), verbose_name=_("slug")
    )
    abstract = models.TextField(
        blank=True,
        help_text=_("Markdown: links and lists are kept."),
        validators=[validate_text],
        verbose_name=_("abstract"),
    )
    abstract_html = models.TextField(blank=True, editable=False)
    abstract_text = models.TextField(
        blank=True, editable=False, help_text=_("The abstract's words, for excerpts and calendars.")
    )
    subtitle = models.CharField(
        max_length=300, blank=True, validators=[validate_line], verbose_name=_("subtitle")
    )
    description = models.TextField(
        blank=True,
        help_text=_("Markdown: the longer text shown under the abstract."),
        validators=[validate_text],
        verbose_name=_("description"),
    )
    description_html = models.TextField(blank=True, editable=False)
    language = models.CharField(
        max_length=16,
        blank=True,
        validators=[validate_language],
        help_text=_("Language code such as en or de; empty means the event's language."),
        verbose_name=_("language"),
    )
    do_not_record = models.BooleanField(
        default=False,
        help_text=_("The speakers ask not to be recorded."),
        verbose_name=_("do not record"),
    )
    recording_license = models.CharField(
        max_length=200, blank=True, validators=[validate_line], verbose_name=_("recording license")
    )
    links = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_links],
        help_text=_('A list of {"url": …, "title": …}.'),
        verbose_name=_("links"),
    )
    track = models.ForeignKey(
        Track,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("track"),
    )
    session_type = models.ForeignKey(
        SessionType,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("type"),
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    starts_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("starts at")
    )
    ends_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ends at"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        verbose_name=_("status"),
    )
    speakers = models.ManyToManyField(
        Speaker,
        through="SessionSpeaker",
        related_name="sessions",
        blank=True,
        verbose_name=_("speakers"),
    )
    planned_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        verbose_name=_("length when unscheduled"),
        help_text=_(
            "Minutes the session needs while it has no time: the board places it for "
            "this long, and keeps its length here when it goes back to the tray."
        ),
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text=_(
            "Goes up by one at every change: the board refuses a change based on an "
            "older version, and calendar clients read it as the event's SEQUENCE."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "title"]
        constraints = [
            *identity_constraints("session", guid=True, frab_id=True),
            models.CheckConstraint(
                condition=(
                    models.Q(starts_at__isnull=True, ends_at__isnull=True)
                    | models.Q(starts_at__isnull=False, ends_at__isnull=False)
                ),
                name="session_times_both_or_neither",
                violation_error_message=_("Set both the start and the end time, or neither."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(starts_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at"))
                ),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Session, self.title, exclude_pk=self.pk, event=self.event)
        if self.frab_id is None:
            self.frab_id = next_frab_id(self.event_id)
        fields = kwargs.get("update_fields")
        if fields is None or not {"abstract", "description"}.isdisjoint(fields):
            # A save of named fields without the texts (a move on the board) skips this.
            self.render_text()
            if fields is not None:
                kwargs["update_fields"] = {*fields, *self.TEXT_FIELDS}
        if self.pk is not None and not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("session_detail", args=[self.event.slug, self.slug])

    TEXT_FIELDS = ("abstract_html", "abstract_text", "description_html")

    def render_text(self) -> None:
        """Store the HTML and plain text of the abstract and description, once per
        change rather than on every read (bulk writes call this too)."""
        self.abstract_html = render_markdown(self.abstract)
        self.abstract_text = plain_text(self.abstract_html)
        self.description_html = render_markdown(self.description)

    def seen_by_public(self) -> bool:
        """Whether visitors see this row (events.signals: only such changes are news)."""
        return self.status in self.PUBLIC_STATUSES

    def clean(self) -> None:
        # board and rules query Session: imported when used
        from .board import lock_event
        from .rules import check_session

        if self.event_id is not None and transaction.get_connection().in_atomic_block:
            # As on the board: the check and the write it guards (the admin's and the
            # API's, each one transaction) go one at a time per event, so two writers
            # cannot each put a session into the same free slot, and every writer takes
            # the event's lock before any session's (no deadlock with a board move).
            lock_event(self.event)
        check_session(self)

        return None

    @property
    def speaker_list(self) -> list["SessionSpeaker"]:
        """Links whose role is speaker or panelist, in order (uses the prefetch)."""
        return [
            link for link in self.speaker_links.all() if link.role != SessionSpeaker.Role.MODERATOR
        ]

    @property
    def moderator_list(self) -> list["SessionSpeaker"]:
        return [
            link for link in self.speaker_links.all() if link.role == SessionSpeaker.Role.MODERATOR
        ]


def public_speakers(event: Event):
    """Speakers with at least one public session: the others are not announced yet."""
    public_links = SessionSpeaker.objects.filter(
        speaker=OuterRef("pk"), session__status__in=Session.PUBLIC_STATUSES
    )
    return Speaker.objects.filter(event=event).filter(Exists(public_links))


class SessionSpeaker(EventData, models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", pgettext_lazy("speaker role", "Speaker")
        MODERATOR = "moderator", pgettext_lazy("speaker role", "Moderator")
        PANELIST = "panelist", pgettext_lazy("speaker role", "Panelist")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="speaker_links", verbose_name=_("session")
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.CASCADE, related_name="session_links", verbose_name=_("speaker")
    )
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.SPEAKER, verbose_name=_("role")
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("speaker of the session")
        verbose_name_plural = _("speakers of the session")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"],
                name="sessionspeaker_unique",
                violation_error_message=_("This speaker is already linked to this session."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()})"

    def changed_event_id(self) -> int | None:
        if SessionSpeaker.session.is_cached(self):
            return self.session.event_id
        return Session.objects.filter(pk=self.session_id).values_list("event_id", flat=True).first()

    def seen_by_public(self) -> bool:
        return Session.objects.filter(
            pk=self.session_id, status__in=Session.PUBLIC_STATUSES
        ).exists()


class Agenda(models.Model):
    """One attendee's starred sessions in one event.

    An anonymous agenda is found by a private key held in the browser's cookie; the
    database keeps only its SHA-256. A signed-in attendee's agenda is found by user.
    The subscription feed has its own token, derived from a random nonce with the
    site's secret key (see agenda.py); the database keeps only its hash too, so a
    leaked database reveals neither keys nor feed URLs.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agendas")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agendas",
    )
    key_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    feed_nonce = models.CharField(max_length=64, blank=True)
    feed_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    sessions = models.ManyToManyField(Session, through="AgendaItem", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                condition=models.Q(user__isnull=False),
                name="agenda_one_per_user_and_event",
            )
        ]

    def __str__(self) -> str:
        return f"Agenda {self.pk} for {self.event}"


class AgendaItem(models.Model):
    """A starred session, with what it looked like when starred (to flag changes)."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="items")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    starred_at = models.DateTimeField(auto_now_add=True)
    seen_starts_at = models.DateTimeField(null=True, blank=True)
    seen_ends_at = models.DateTimeField(null=True, blank=True)
    seen_room_id = models.BigIntegerField(null=True, blank=True)
    seen_status = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agenda", "session"], name="agendaitem_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} in agenda {self.agenda_id}"

    def remember(self, session: Session) -> None:
        self.seen_starts_at = session.starts_at
        self.seen_ends_at = session.ends_at
        self.seen_room_id = session.room_id
        self.seen_status = session.status

    def changes(self, session: Session) -> list[str]:
        """What changed since the session was starred, in words."""
        changed = []
        if (self.seen_starts_at, self.seen_ends_at) != (session.starts_at, session.ends_at):
            changed.append("time")
        if self.seen_room_id != session.room_id:
            changed.append("room")
        return changed


class PendingImport(models.Model):
    """An uploaded schedule file waiting for its organizer to confirm the import.

    The admin upload shows what the import would do first (a dry run) and imports only
    when the organizer confirms; the file waits here meanwhile, in the database, so that
    any app server can take the confirmation. Rows older than a day are deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, blank=True)
    data = models.BinaryField()
    draft = models.BooleanField(default=False)
    prune = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} for {self.event_id}"


# The schedule's releases and drafts (a module of their own: this one is long enough).
from .release_models import (  # noqa: E402, F401
    DraftChange,
    PublicSnapshot,
    Release,
    ScheduleDraft,
    SessionChange,
)
