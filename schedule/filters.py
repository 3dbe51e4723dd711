"""The schedule's filters: one FilterSet for the HTML views and the API.

Filters take slugs; several values repeat the parameter (``track=a&track=b``); ``q``
keeps sessions that contain every word (title, abstract or a speaker's name). An
unknown slug or a malformed value makes the FilterSet invalid with a message that
names the value, which the views turn into a 400.
"""

import copy
import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelMultipleChoiceField

from events.models import Event, Room, SessionType, Track
from speakers.models import Speaker

from .models import Session, SessionSpeaker, public_speakers

MAX_QUERY_WORDS = 10
MAX_QUERY_LENGTH = 200
# Per kind of thing: a sentence each, so that each language can word it its own way.
UNKNOWN = {
    "track": (
        _("There is no track “%(value)s” in this event."),
        _("“%(pk)s” is not a valid track."),
    ),
    "type": (
        _("There is no type “%(value)s” in this event."),
        _("“%(pk)s” is not a valid type."),
    ),
    "room": (
        _("There is no room “%(value)s” in this event."),
        _("“%(pk)s” is not a valid room."),
    ),
    "speaker": (
        _("There is no speaker “%(value)s” in this event."),
        _("“%(pk)s” is not a valid speaker."),
    ),
}


class CopiedLightly:
    """A FilterSet copies its class's filters for each instance with ``copy.deepcopy``,
    which copied every filter's queryset, query and all, on every request. What an
    instance changes in a filter is its ``extra`` (``SessionFilter`` puts the event
    there) and attributes it replaces (a queryset), so a copy of the filter and of its
    ``extra`` is enough: the rest is shared, never changed in place. A filter with a
    ``method`` gets its own caller, which finds the method on the copy's FilterSet."""

    def __deepcopy__(self, memo):
        copied = copy.copy(self)
        copied.extra = dict(self.extra)
        copied.__dict__.pop("_field", None)  # the form field is made from the copy
        copied.method = self.method
        return copied


class SlugChoiceField(ModelMultipleChoiceField):
    def clean(self, value):
        # No value: an empty list, where Django gives ``queryset.none()``, whose every
        # truth test compiles a query (that runs none): four per page, for nothing.
        return super().clean(value) if value else []


class SlugChoiceFilter(CopiedLightly, django_filters.ModelMultipleChoiceFilter):
    """Several slugs of one event's rooms, tracks, types or speakers."""

    field_class = SlugChoiceField

    def __init__(self, *args, noun: str, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("distinct", False)  # a foreign key matches each session once
        unknown, invalid = UNKNOWN[noun]
        messages = {"invalid_choice": unknown, "invalid_pk_value": invalid}
        kwargs.setdefault("error_messages", messages)
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        # The field cleans slugs into model instances: filter on those. (The base class
        # would compare the slug itself with the foreign key's integer id.)
        return {self.field_name: v}


class DayField(forms.CharField):
    """A day of the event as YYYY-MM-DD, or "all"."""

    def __init__(self, *, event: Event | None = None, **kwargs):
        self.event = event
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value).strip()
        if value in ("", "all"):
            return value
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a date; use YYYY-MM-DD."), params={"value": value}
            ) from None
        if self.event is not None and day not in self.event.days:
            raise forms.ValidationError(
                _("%(value)s is not a day of this event."), params={"value": value}
            )
        return day


class DayFilter(CopiedLightly, django_filters.Filter):
    field_class = DayField

    def filter(self, qs, value):
        if not isinstance(value, dt.date):
            return qs
        tz = self.parent.event.tzinfo
        start = dt.datetime.combine(value, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return qs.filter(starts_at__gte=start, starts_at__lt=end)


class TextFilter(CopiedLightly, django_filters.CharFilter):
    pass


class SessionFilter(django_filters.FilterSet):
    day = DayFilter(label=_("Day"))
    track = SlugChoiceFilter(queryset=Track.objects.none(), noun="track", label=_("Track"))
    type = SlugChoiceFilter(
        field_name="session_type", queryset=SessionType.objects.none(), noun="type",
        label=_("Type"),
    )  # fmt: skip
    room = SlugChoiceFilter(queryset=Room.objects.none(), noun="room", label=_("Room"))
    speaker = SlugChoiceFilter(
        queryset=Speaker.objects.none(), noun="speaker", method="filter_speaker",
        label=_("Speaker"),
    )  # fmt: skip
    q = TextFilter(method="filter_text", label=_("Search"), max_length=MAX_QUERY_LENGTH)

    class Meta:
        model = Session
        fields = ["day", "track", "type", "room", "speaker", "q"]

    def __init__(self, data=None, queryset=None, *, event: Event, **kwargs):
        self.event = event
        super().__init__(data, queryset, **kwargs)
        self.filters["day"].extra["event"] = event
        # The choices of a parameter that is given (only those are read): an event's.
        given = set(data or ())
        for name, model in (("track", Track), ("type", SessionType), ("room", Room)):
            if name in given:
                self.filters[name].queryset = model.objects.filter(event=event)
        if "speaker" in given:
            # Speakers not announced yet (drafts only) are as unknown as a wrong slug.
            self.filters["speaker"].queryset = public_speakers(event)

    def filter_speaker(self, qs, name, value):
        if not value:
            return qs
        links = SessionSpeaker.objects.filter(session=OuterRef("pk"), speaker__in=value)
        return qs.filter(Exists(links))

    def filter_text(self, qs, name, value):
        for word in value.split()[:MAX_QUERY_WORDS]:
            by_speaker = SessionSpeaker.objects.filter(
                session=OuterRef("pk"), speaker__name__icontains=word
            )
            qs = qs.filter(
                Q(title__icontains=word) | Q(abstract__icontains=word) | Exists(by_speaker)
            )
        return qs

    @property
    def error_messages(self) -> list[str]:
        """Each problem with the query as one sentence that names the parameter."""
        return [
            f"{name}: {message}" for name, messages in self.errors.items() for message in messages
        ]
