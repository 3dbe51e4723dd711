import datetime as dt
import re
import uuid
import zoneinfo
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils import timezone as django_tz
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib.markup import render_markdown
from lib.text import validate_language, validate_line, validate_text
from lib.timefmt import date_range

ACRONYM_RE = re.compile(r"^[a-z0-9_]{4,}$")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name. Use an IANA name such as Europe/Berlin."),
            params={"value": value},
            code="invalid_timezone",
        )


COLOR_RE = r"^#[0-9a-fA-F]{6}$"
# An origin as frame-ancestors takes it: scheme, host (a name, IPv4, or [IPv6]), port.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
ORIGIN_RE = re.compile(
    rf"https?://(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\])(?::(?P<port>\d{{1,5}}))?"
)


def frame_origins(value: str) -> list[str]:
    """The origins in an event's ``frame_origins`` text, one a line (blank lines skipped)."""
    return [line.strip().lower() for line in value.splitlines() if line.strip()]


def _is_origin(text: str) -> bool:
    match = ORIGIN_RE.fullmatch(text)
    return bool(match) and 0 < int(match["port"] or 80) <= 65535


def validate_frame_origins(value: str) -> None:
    """Each line an origin, ``scheme://host[:port]`` (http or https), and nothing else:
    no path, wildcard, query or user name, which a browser would not match as meant."""
    bad = [origin for origin in frame_origins(value) if not _is_origin(origin)]
    if bad:
        raise ValidationError(
            _(
                "Not an origin: %(bad)s. Write one origin per line as scheme://host[:port], "
                "such as https://conf.example.org or http://localhost:8080, without a path "
                "(not even a final “/”), wildcard or query."
            ),
            params={"bad": ", ".join(f"“{origin}”" for origin in bad[:5])},
            code="invalid_origin",
        )


RESERVED_SLUGS = {"admin", "api", "accounts", "static", "media", "healthz", "favicon.ico", "i18n"}


def validate_event_slug(value: str) -> None:
    """Event slugs share the URL space with the site's own top-level paths."""
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is reserved for the site itself; choose another slug."),
            params={"value": value},
            code="reserved_slug",
        )


def acronym_from_slug(slug: str) -> str:
    """A frab acronym: lower-case letters, digits and underscores, at least 4 of them."""
    acronym = re.sub(r"[^a-z0-9_]", "_", slug.lower()).strip("_") or "event"
    return acronym.ljust(4, "_")


def slug_root(base: str) -> str:
    """At most 45 characters of ``base``, slugified, never ending in "-"."""
    return slugify(base)[:45].strip("-_") or "item"


def free_slug(root: str, taken: set[str]) -> str:
    slug, n = root, 2
    while slug in taken:
        slug, n = f"{root}-{n}", n + 1
    return slug


def unique_slug(model: type[models.Model], base: str, *, exclude_pk=None, **scope) -> str:
    """A slug from ``base`` that is free within ``scope`` (usually the event)."""
    root = slug_root(base)
    taken = set(
        model._default_manager.filter(slug__startswith=root, **scope)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    return free_slug(root, taken)


PAGE_ROUTES = (
    "event_home", "event_theme", "event_manifest", "schedule_list", "schedule_grid",
    "speaker_list", "agenda", "changelog",
)  # fmt: skip


@lru_cache(maxsize=1024)
def _page_urls(slug: str, prefix: str) -> dict[str, str]:
    return {name: reverse(name, args=[slug]) for name in PAGE_ROUTES}


class EventData:
    """Mixin for models whose rows belong to one event's published data.

    Saving or deleting one marks the event's data as changed (see signals.py), which
    is what public pages, exports and their caches key on.
    """

    def changed_event_id(self) -> int | None:
        return getattr(self, "event_id", None)

    @classmethod
    def from_db(cls, db, field_names, values):
        # Remember the event a row was loaded with: moving it changes both events.
        instance = super().from_db(db, field_names, values)
        instance._loaded_event_id = getattr(instance, "event_id", None)
        return instance


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_organizer(self, user):
        """Events this user may organize: all for superusers, their memberships otherwise."""
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user)

    def touch(self) -> int:
        """Record that these events' data changed now (invalidates caches and ETags)."""
        return self.update(changed_at=django_tz.now())


class Event(models.Model):
    slug = models.SlugField(
        unique=True,
        validators=[validate_event_slug],
        help_text=_("Used in every public URL of the event."),
        verbose_name=_("slug"),
    )
    acronym = models.CharField(
        max_length=50,
        blank=True,
        validators=[
            RegexValidator(
                ACRONYM_RE,
                "Use at least 4 lower-case letters, digits or underscores.",
            )
        ],
        help_text=_("Short name for frab exports; filled from the slug when left empty."),
        verbose_name=_("acronym"),
    )
    name = models.CharField(max_length=200, validators=[validate_line], verbose_name=_("name"))
    tagline = models.CharField(
        max_length=300, blank=True, validators=[validate_line], verbose_name=_("tagline")
    )
    description = models.TextField(
        blank=True,
        help_text=_("Markdown."),
        validators=[validate_text],
        verbose_name=_("description"),
    )
    description_html = models.TextField(blank=True, editable=False)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_("IANA time zone of the venue, such as America/Los_Angeles."),
        verbose_name=_("timezone"),
    )
    start_date = models.DateField(verbose_name=_("start date"))
    end_date = models.DateField(verbose_name=_("end date"))
    venue_name = models.CharField(
        max_length=200, blank=True, validators=[validate_line], verbose_name=_("venue name")
    )
    venue_address = models.CharField(
        max_length=300, blank=True, validators=[validate_line], verbose_name=_("venue address")
    )
    language = models.CharField(
        max_length=16,
        default="en",
        blank=True,
        validators=[validate_language],
        help_text=_(
            "The language most sessions are held in (en, de…); a session in another "
            "language says so on its page."
        ),
        verbose_name=_("language"),
    )
    is_published = models.BooleanField(
        default=False,
        help_text=_("Only published events are visible to the public."),
        verbose_name=_("is published"),
    )
    color = models.CharField(
        _("colour"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(COLOR_RE, _("Use a colour like #3b6ea5."))],
        help_text=_("The conference's colour (#rrggbb), for the embedded schedule."),
    )
    frame_origins = models.TextField(
        _("sites that may embed the schedule"),
        blank=True,
        max_length=2000,
        validators=[validate_frame_origins],
        help_text=_(
            "Origins allowed to show the schedule in an <iframe>, one a line, such "
            "as https://conf.example.org. None when empty."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(
        default=django_tz.now,
        editable=False,
        help_text=_("When any of the event's data last changed."),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="event_ends_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
            models.CheckConstraint(condition=~models.Q(slug=""), name="event_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.acronym:
            self.acronym = acronym_from_slug(self.slug)
        if not self.language:
            self.language = "en"
        self.description_html = render_markdown(self.description)
        self.changed_at = django_tz.now()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "changed_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("event_home", args=[self.slug])

    @property
    def urls(self) -> dict[str, str]:
        """The URLs of the event's own pages that base.html links on every page, by
        route name: reversed once per event for the process (they were a fifth of the
        time Django's engine took for the page around a session's or speaker's)."""
        return _page_urls(self.slug, get_script_prefix())

    @cached_property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def starts_at(self) -> dt.datetime:
        """Midnight at the start of the first day, in the event's zone."""
        return dt.datetime.combine(self.start_date, dt.time.min, tzinfo=self.tzinfo)

    @property
    def ends_at(self) -> dt.datetime:
        """Midnight after the last day, in the event's zone."""
        next_day = self.end_date + dt.timedelta(days=1)
        return dt.datetime.combine(next_day, dt.time.min, tzinfo=self.tzinfo)

    @property
    def days(self) -> list[dt.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=i) for i in range(max(count, 0))]

    @property
    def date_range(self) -> str:
        """ "June 3–5, 2026": what printed pages and the event's pages say of its dates."""
        return date_range(self.start_date, self.end_date)

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        return (now or django_tz.now()).astimezone(self.tzinfo).date()

    def phase(self, now: dt.datetime | None = None) -> str:
        """ "upcoming", "live" or "ended", judged in the event's own time zone."""
        today = self.local_today(now)
        if today < self.start_date:
            return "upcoming"
        if today > self.end_date:
            return "ended"
        return "live"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The event cannot end before it starts.")})
        if self.start_date and self.end_date and (self.end_date - self.start_date).days > 60:
            raise ValidationError({"end_date": _("An event may last at most 61 days.")})


class EventScopedQuerySet(models.QuerySet):
    def for_organizer(self, user):
        return self.filter(event__in=Event.objects.for_organizer(user))


class SluggedEventData(EventData, models.Model):
    """Rooms, tracks and types: named, ordered things that belong to one event."""

    name = models.CharField(max_length=100, validators=[validate_line], verbose_name=_("name"))
    slug = models.SlugField(
        blank=True, help_text=_("Filled from the name when left empty."), verbose_name=_("slug")
    )

    objects = EventScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, exclude_pk=self.pk, event=self.event)
        super().save(*args, **kwargs)


def identity_constraints(
    prefix: str, *, guid: bool = False, frab_id: bool = False
) -> list[models.UniqueConstraint]:
    """What names a row of an event's data: its slug within the event, and where the model
    has them its guid within the event and its frab id across the installation. Named
    ``<prefix>_slug_unique_per_event`` and so on, as the migrations know them."""
    rules = [
        (["event", "slug"], "slug_unique_per_event", _("This slug is already used in this event."))
    ]
    if guid:
        rules.append(
            (
                ["event", "guid"],
                "guid_unique_per_event",
                _("This guid is already used in this event."),
            )
        )
    if frab_id:
        rules.append((["frab_id"], "frab_id_unique", _("This frab id is already used.")))
    return [
        models.UniqueConstraint(
            fields=fields, name=f"{prefix}_{name}", violation_error_message=message
        )
        for fields, name, message in rules
    ]


class Room(SluggedEventData):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("event")
    )
    guid = models.UUIDField(
        default=uuid.uuid4,
        help_text=_("Stable identity across exports and imports."),
        verbose_name=_("guid"),
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("capacity"))
    position = models.PositiveIntegerField(
        default=0, help_text=_("Column order in the grid."), verbose_name=_("position")
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["position", "name"]
        constraints = identity_constraints("room", guid=True)


class Track(SluggedEventData):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("event")
    )
    color = models.CharField(
        max_length=7,
        default="#3b6ea5",
        validators=[RegexValidator(COLOR_RE, "Use a colour like #3b6ea5.")],
        verbose_name=_("color"),
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["position", "name"]
        constraints = identity_constraints("track")


class SessionType(SluggedEventData):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="session_types", verbose_name=_("event")
    )
    is_break = models.BooleanField(
        default=False,
        help_text=_("Breaks (coffee, lunch) are shown as breaks, without speakers."),
        verbose_name=_("is break"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("session type")
        constraints = identity_constraints("sessiontype")


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", pgettext_lazy("organizer role", "Owner")
        EDITOR = "editor", pgettext_lazy("organizer role", "Editor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("event")
    )
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.EDITOR, verbose_name=_("role")
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                name="membership_unique_user_event",
                violation_error_message=_("This person already organizes this event."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.event}"
