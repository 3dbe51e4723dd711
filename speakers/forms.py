from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.text import capfirst

from .images import process_avatar
from .models import Speaker

ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]


def https_urls(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SpeakerForm(forms.ModelForm):
    """Speaker form whose avatar upload is checked and re-encoded before anything is saved."""

    avatar = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_TYPES)}),
        label=capfirst(Speaker._meta.get_field("avatar").verbose_name),
        help_text=Speaker._meta.get_field("avatar").help_text,
    )

    class Meta:
        model = Speaker
        fields = [
            "event", "name", "slug", "job_title", "company", "bio", "avatar", "email",
            "website", "mastodon", "github", "linkedin",
        ]  # fmt: skip
        formfield_callback = https_urls

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if isinstance(upload, UploadedFile):
            self._processed_avatar = process_avatar(upload)
            return self._processed_avatar.avatar
        return upload

    def save(self, commit=True):
        processed = getattr(self, "_processed_avatar", None)
        if processed is not None:
            self.instance.set_avatar(processed)
        elif self.cleaned_data.get("avatar") is False:
            self.instance.set_avatar(None)
        return super().save(commit)
