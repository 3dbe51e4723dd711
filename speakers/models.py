import uuid

from django.core.validators import RegexValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from events.models import (
    Event,
    EventData,
    EventScopedQuerySet,
    identity_constraints,
    unique_slug,
)
from lib.markup import plain_text, render_markdown
from lib.text import validate_line, validate_text

from .images import ProcessedAvatar


def avatar_path(instance, filename: str) -> str:
    # The file name was generated in images.process_avatar; keep only its base name.
    return f"avatars/{instance.event_id}/{filename.rsplit('/', 1)[-1]}"


def next_speaker_id() -> int:
    """The next free person id (unique across the installation, as frab clients need)."""
    highest = Speaker.objects.aggregate(top=models.Max("frab_id"))["top"]
    return (highest or 0) + 1


class Speaker(EventData, models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("event")
    )
    name = models.CharField(max_length=200, validators=[validate_line], verbose_name=_("name"))
    guid = models.UUIDField(
        default=uuid.uuid4,
        help_text=_("Stable identity across exports and imports."),
        verbose_name=_("guid"),
    )
    code = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_line],
        help_text=_("The person's code in the system the schedule was imported from (pretalx)."),
        verbose_name=_("code"),
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
    slug = models.SlugField(
        blank=True, help_text=_("Filled from the name when left empty."), verbose_name=_("slug")
    )
    job_title = models.CharField(
        max_length=200, blank=True, validators=[validate_line], verbose_name=_("job title")
    )
    company = models.CharField(
        max_length=200, blank=True, validators=[validate_line], verbose_name=_("company")
    )
    bio = models.TextField(
        blank=True,
        help_text=_("Markdown: links and lists are kept."),
        validators=[validate_text],
        verbose_name=_("bio"),
    )
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ImageField(
        upload_to=avatar_path,
        blank=True,
        help_text=_("JPEG, PNG, WebP or GIF, at most 5 MB; stored as a square photo."),
        verbose_name=_("avatar"),
    )
    avatar_thumb = models.ImageField(upload_to=avatar_path, blank=True, editable=False)
    email = models.EmailField(
        blank=True, help_text=_("Never shown to the public."), verbose_name=_("email")
    )
    website = models.URLField(blank=True, verbose_name=_("website"))
    mastodon = models.CharField(
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(
                r"^(@[\w.]+@[\w.-]+\.\w+|https://\S+)$",
                "Use @name@server.example or a https:// profile link.",
            )
        ],
        verbose_name=_("mastodon"),
    )
    github = models.CharField(
        max_length=39,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", "Use the GitHub user name only.")],
        verbose_name=_("github"),
    )
    linkedin = models.URLField(blank=True, verbose_name=_("linkedin"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = identity_constraints("speaker", guid=True, frab_id=True)

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Speaker, self.name, exclude_pk=self.pk, event=self.event)
        self.bio_html = render_markdown(self.bio)
        if self.frab_id is None:
            self.frab_id = next_speaker_id()
        super().save(*args, **kwargs)
        replaced = getattr(self, "_replaced_files", [])
        if replaced:
            storage = self.avatar.storage
            self._replaced_files = []
            transaction.on_commit(lambda: [storage.delete(name) for name in replaced])

    def get_absolute_url(self) -> str:
        return reverse("speaker_detail", args=[self.event.slug, self.slug])

    def seen_by_public(self) -> bool:
        """Announced: in a published or cancelled session (events.signals)."""
        return self.session_links.filter(session__status__in=("published", "cancelled")).exists()

    def set_avatar(self, processed: ProcessedAvatar | None) -> None:
        """Attach an avatar made by images.process_avatar (or remove it with None).

        The files it replaces are deleted once the new ones are saved and committed.
        """
        self._replaced_files = [f.name for f in (self.avatar, self.avatar_thumb) if f]
        if processed is None:
            self.avatar = self.avatar_thumb = ""
        else:
            self.avatar = processed.avatar
            self.avatar_thumb = processed.thumb

    @property
    def initials(self) -> str:
        words = [w for w in self.name.replace("-", " ").split() if w[:1].isalpha()]
        if not words:
            return "?"
        if len(words) == 1:
            return words[0][:2].upper()
        return (words[0][0] + words[-1][0]).upper()

    @property
    def byline(self) -> str:
        """ "Architect, Example Corp" — whichever parts are known."""
        return ", ".join(part for part in (self.job_title, self.company) if part)

    @property
    def bio_text(self) -> str:
        return plain_text(self.bio_html)

    @property
    def mastodon_url(self) -> str:
        if self.mastodon.startswith("@") and self.mastodon.count("@") == 2:
            _, user, server = self.mastodon.split("@")
            return f"https://{server}/@{user}"
        return self.mastodon
