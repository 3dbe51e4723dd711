"""What the public schedule was, how it changed, and the changes waiting in a draft.

- ``Release``: one step of the public schedule (a published draft, a live change made
  in the admin, API or import, or a rollback), with who made it and an optional note.
- ``SessionChange``: what one release did to one session, as facts (``change_facts``),
  told in words in each reader's language when read.
- ``PublicSnapshot``: each session as visitors last saw it (the base the next change is
  compared with); a plain session id, so a deleted session's last state stays known.
- ``ScheduleDraft`` / ``DraftChange``: the board's draft, kept beside the sessions, so
  public pages, exports, feeds and the API never read it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from events.models import Event, Room

# Where a release's change was made (``Release.how``), as the releases history says it.
HOW_WORDS = {
    "board": pgettext_lazy("release made", "on the board"),
    "admin": pgettext_lazy("release made", "in the admin"),
    "bulk action": pgettext_lazy("release made", "by a bulk action"),
    "API": pgettext_lazy("release made", "through the API"),
    "import": pgettext_lazy("release made", "by an import"),
    "demo": pgettext_lazy("release made", "with the demo data"),
    "baseline": pgettext_lazy("release made", "as the starting point"),
}


class Release(models.Model):
    class Kind(models.TextChoices):
        FIRST = "first", pgettext_lazy("release", "First schedule")
        RELEASE = "release", pgettext_lazy("release", "Release")
        LIVE = "live", pgettext_lazy("release", "Live change")
        ROLLBACK = "rollback", pgettext_lazy("release", "Rollback")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField()  # 1, 2, 3… within the event
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    how = models.CharField(max_length=60, blank=True)
    undoes = models.PositiveIntegerField(null=True, blank=True)  # the release rolled back
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="release_number_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name apps see (frab ``version``): "Release 4: Room swap after the keynote"."""
        if self.undoes:
            return f"Release {self.number}: Rolled back release {self.undoes}"
        return f"Release {self.number}: {self.note}" if self.note else f"Release {self.number}"

    @property
    def how_words(self) -> str:
        return str(HOW_WORDS.get(self.how, self.how))

    @property
    def name(self) -> str:
        """The label in the reader's language, for pages, feeds and messages."""
        if self.undoes:
            return _("Release %(number)d: release %(undone)d rolled back") % {
                "number": self.number,
                "undone": self.undoes,
            }
        if self.note:
            return _("Release %(number)d: %(note)s") % {"number": self.number, "note": self.note}
        return _("Release %(number)d") % {"number": self.number}


class SessionChange(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", pgettext_lazy("change", "New")
        MOVED = "moved", pgettext_lazy("change", "Moved")
        RESIZED = "resized", pgettext_lazy("change", "New length")
        CANCELLED = "cancelled", pgettext_lazy("change", "Cancelled")
        RESTORED = "restored", pgettext_lazy("change", "Back on")
        REMOVED = "removed", pgettext_lazy("change", "Removed")
        RETITLED = "retitled", pgettext_lazy("change", "Retitled")
        SPEAKERS = "speakers", pgettext_lazy("change", "Speakers")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="changes")
    session_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    slug = models.CharField(max_length=80, blank=True)
    facts = models.JSONField(default=list)  # what happened: change_facts.describe
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["release", "pk"]

    def __str__(self) -> str:
        return f"{self.title}: {self.kind}"


class PublicSnapshot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    session_id = models.BigIntegerField(unique=True)
    data = models.JSONField()

    def __str__(self) -> str:
        return f"Snapshot of session {self.session_id}"


class ScheduleDraft(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="schedule_draft")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft of {self.event}"


class DraftChange(models.Model):
    """The placement and status one session will have when the draft is published."""

    draft = models.ForeignKey(ScheduleDraft, on_delete=models.CASCADE, related_name="changes")
    session = models.ForeignKey("schedule.Session", on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10)
    edits = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "session"], name="draftchange_unique")
        ]

    def __str__(self) -> str:
        return f"Draft placement of {self.session_id}"
