"""REST API representations. Reads nest rooms, tracks, types and speakers by slug and
name; writes take slugs. Validation reuses the models' constraints and schedule.rules."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import Event, Room, SessionType, Track
from lib.markup import MAX_MARKDOWN_CHARS
from speakers.images import process_avatar
from speakers.models import Speaker

from ..display import url_for
from ..models import Session, SessionSpeaker
from ..rules import speaker_clash_errors


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
        return serializers.ValidationError(detail)
    return serializers.ValidationError({"non_field_errors": exc.messages})


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class ErrorSerializer(serializers.Serializer):
    """The body of an error that is not about fields (401, 403, 404, 409, 429)."""

    detail = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    days = serializers.ListField(child=serializers.DateField(), read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug", "name", "acronym", "tagline", "description", "description_html",
            "timezone", "start_date", "end_date", "days", "venue_name", "venue_address",
            "url", "changed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return absolute(self.context.get("request"), reverse("event_home", args=[obj.slug]))


# The bound of every integer the API takes (positions, capacities): far above any real
# value, far below the database's integer range (2**31 - 1 on PostgreSQL).
MAX_INTEGER = 1_000_000


class BoundedModelSerializer(serializers.ModelSerializer):
    """Every integer field of a model is taken between 0 and MAX_INTEGER, every text
    field (abstracts, bios, descriptions: Markdown) up to MAX_MARKDOWN_CHARS."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, serializers.IntegerField):
            kwargs["max_value"] = min(kwargs.get("max_value", MAX_INTEGER), MAX_INTEGER)
            kwargs["min_value"] = max(kwargs.get("min_value", 0), 0)
        if issubclass(field_class, serializers.CharField) and "max_length" not in kwargs:
            kwargs["max_length"] = MAX_MARKDOWN_CHARS
        return field_class, kwargs


class EventPartSerializer(BoundedModelSerializer):
    """Rooms, tracks, types: the event comes from the URL, the slug from the name."""

    slug = serializers.SlugField(required=False, max_length=50)

    def validate_slug(self, value):
        event = self.context["event"]
        clash = type(self.instance or self.Meta.model())._default_manager.filter(
            event=event, slug=value
        )
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                _("The slug “%(slug)s” is already used in this event.") % {"slug": value}
            )
        return value


class RoomSerializer(EventPartSerializer):
    class Meta:
        model = Room
        fields = ["slug", "name", "capacity", "position"]


class TrackSerializer(EventPartSerializer):
    class Meta:
        model = Track
        fields = ["slug", "name", "color", "position"]


class SessionTypeSerializer(EventPartSerializer):
    class Meta:
        model = SessionType
        fields = ["slug", "name", "is_break"]


class RefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class TrackRefSerializer(RefSerializer):
    color = serializers.CharField()


class SpeakerSerializer(EventPartSerializer):
    avatar = serializers.FileField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("JPEG, PNG, WebP or GIF, at most 5 MB and 40 megapixels; null removes it."),
    )
    avatar_url = serializers.SerializerMethodField()
    avatar_thumb_url = serializers.SerializerMethodField()
    email = serializers.EmailField(
        write_only=True, required=False, allow_blank=True, help_text=_("Never shown.")
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = [
            "slug", "name", "job_title", "company", "bio", "bio_html", "website",
            "mastodon", "github", "linkedin", "email", "avatar", "avatar_url",
            "avatar_thumb_url", "url",
        ]  # fmt: skip
        read_only_fields = ["bio_html"]

    def get_avatar_url(self, obj) -> str | None:
        return absolute(self.context.get("request"), obj.avatar.url) if obj.avatar else None

    def get_avatar_thumb_url(self, obj) -> str | None:
        if not obj.avatar_thumb:
            return None
        return absolute(self.context.get("request"), obj.avatar_thumb.url)

    def get_url(self, obj) -> str:
        path = reverse("speaker_detail", args=[self.context["event"].slug, obj.slug])
        return absolute(self.context.get("request"), path)

    def validate_avatar(self, upload):
        if upload is None:
            return None
        try:
            return process_avatar(upload)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def _save_avatar(self, instance, validated_data):
        if "avatar" in validated_data:
            instance.set_avatar(validated_data.pop("avatar"))

    def create(self, validated_data):
        processed = validated_data.pop("avatar", None)
        instance = Speaker(**validated_data)
        instance.set_avatar(processed) if processed else None
        instance.save()
        return instance

    def update(self, instance, validated_data):
        self._save_avatar(instance, validated_data)
        return super().update(instance, validated_data)


AVATARS = Speaker._meta.get_field("avatar").storage


class RowURLs:
    """Absolute URLs for a page of rows: the request's scheme and host found once, not
    parsed again for every URL (``absolute`` gives the same for these paths)."""

    origin: str | None = None

    def absolute(self, path: str) -> str:
        request = self.context.get("request")
        if request is None or not path.startswith("/") or path.startswith("//"):
            return absolute(request, path)
        if "/./" in path or "/../" in path:
            return absolute(request, path)
        if self.origin is None:
            self.origin = request.build_absolute_uri("/")[:-1]
        return self.origin + path

    def avatar(self, name: str) -> str | None:
        return self.absolute(AVATARS.url(name)) if name else None


class SessionSpeakerSerializer(RowURLs, serializers.Serializer):
    # One of a session row's people (schedule.rows.Person).

    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=SessionSpeaker.Role.choices)
    position = serializers.IntegerField()
    avatar_url = serializers.SerializerMethodField()
    avatar_thumb_url = serializers.SerializerMethodField()

    def get_avatar_url(self, obj) -> str | None:
        return self.avatar(obj.avatar)

    def get_avatar_thumb_url(self, obj) -> str | None:
        return self.avatar(obj.avatar_thumb)

    def to_representation(self, instance) -> dict:
        """The fields above, written directly (tests/api/test_read.py holds it to DRF's
        walk through them, which took most of the time of a page of sessions)."""
        return {
            "slug": instance.slug,
            "name": instance.name,
            "role": instance.role,
            "position": int(instance.position),
            "avatar_url": self.avatar(instance.avatar),
            "avatar_thumb_url": self.avatar(instance.avatar_thumb),
        }


class LocalDateTimeField(serializers.DateTimeField):
    """ISO 8601 with the offset of the event's own zone ("2030-05-06T10:00:00-07:00")."""

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(self.context["event"].tzinfo).isoformat()


class SessionSerializer(RowURLs, serializers.ModelSerializer):
    """A session as visitors see it."""

    # Read from its row (schedule.rows.load_rows with html): the model only describes
    # the fields (docstrings are the schema's descriptions).

    starts_at = LocalDateTimeField(read_only=True, allow_null=True)
    ends_at = LocalDateTimeField(read_only=True, allow_null=True)

    type = serializers.SerializerMethodField()
    room = serializers.SerializerMethodField()
    track = serializers.SerializerMethodField()
    speakers = SessionSpeakerSerializer(source="people", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "guid", "slug", "title", "abstract", "abstract_html", "status", "starts_at",
            "ends_at", "room", "track", "type", "speakers", "url", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_type(self, obj):
        kind = obj.session_type
        return {"slug": kind.slug, "name": kind.name} if kind else None

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_room(self, obj):
        return {"slug": obj.room.slug, "name": obj.room.name} if obj.room else None

    @extend_schema_field(TrackRefSerializer(allow_null=True))
    def get_track(self, obj):
        track = obj.track
        return {"slug": track.slug, "name": track.name, "color": track.color} if track else None

    def get_url(self, obj) -> str:
        return self.absolute(url_for("session_detail", self.context["event"].slug, obj.slug))

    def to_representation(self, instance) -> dict:
        """The fields above in their order, written directly, as the people are (see
        SessionSpeakerSerializer)."""
        tz = self.context["event"].tzinfo
        starts, ends = instance.starts_at, instance.ends_at
        fields = self.fields
        return {
            "guid": str(instance.guid),
            "slug": instance.slug,
            "title": instance.title,
            "abstract": instance.abstract,
            "abstract_html": instance.abstract_html,
            "status": instance.status,
            "starts_at": None if starts is None else starts.astimezone(tz).isoformat(),
            "ends_at": None if ends is None else ends.astimezone(tz).isoformat(),
            "room": self.get_room(instance),
            "track": self.get_track(instance),
            "type": self.get_type(instance),
            "speakers": fields["speakers"].to_representation(instance.people),
            "url": self.get_url(instance),
            "updated_at": fields["updated_at"].to_representation(instance.updated_at),
        }


class SpeakerLinkWriteSerializer(serializers.Serializer):
    speaker = serializers.SlugField(help_text=_("The speaker's slug in this event."))
    role = serializers.ChoiceField(
        choices=SessionSpeaker.Role.choices, default=SessionSpeaker.Role.SPEAKER
    )
    position = serializers.IntegerField(min_value=0, max_value=MAX_INTEGER, default=0)

    def validate(self, attrs):
        # A partial update (PATCH) skips missing nested fields, the speaker too: a link
        # is whole in every request.
        if "speaker" not in attrs:
            raise serializers.ValidationError({"speaker": [_("Each link needs a speaker.")]})
        return {"role": SessionSpeaker.Role.SPEAKER, "position": 0, **attrs}


# For each kind of slug field: its help text, and its errors ({value}: the slug given).
SLUG_WORDS = {
    "room": (
        _("The room's slug in this event; null for none."),
        _("There is no room “{value}” in this event."),
        _("Give the room's slug as a string."),
    ),
    "track": (
        _("The track's slug in this event; null for none."),
        _("There is no track “{value}” in this event."),
        _("Give the track's slug as a string."),
    ),
    "type": (
        _("The type's slug in this event; null for none."),
        _("There is no type “{value}” in this event."),
        _("Give the type's slug as a string."),
    ),
}


class EventSlugField(serializers.SlugRelatedField):
    """A room, track or type of the event in the URL, given by slug."""

    def __init__(self, noun: str, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        # (Otherwise the schema shows the model slug's help text, about names.)
        help_text, missing, invalid = SLUG_WORDS[noun]
        kwargs.setdefault("help_text", help_text)
        kwargs["error_messages"] = {"does_not_exist": missing, "invalid": invalid}
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.queryset.filter(event=self.context["event"])

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:  # PostgreSQL refuses NUL: a 500 otherwise
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class SessionWriteSerializer(BoundedModelSerializer):
    """What organizers' tools send to create or change a session."""

    room = EventSlugField("room", queryset=Room.objects)
    track = EventSlugField("track", queryset=Track.objects)
    type = EventSlugField("type", source="session_type", queryset=SessionType.objects)
    speakers = SpeakerLinkWriteSerializer(many=True, required=False)
    slug = serializers.SlugField(required=False, max_length=80)

    class Meta:
        model = Session
        fields = [
            "slug", "title", "abstract", "status", "starts_at", "ends_at", "room", "track",
            "type", "speakers",
        ]  # fmt: skip

    def validate(self, attrs):
        event = self.context["event"]
        links = attrs.get("speakers")
        speakers = {}
        if links is not None:
            wanted = [link["speaker"] for link in links]
            speakers = {s.slug: s for s in Speaker.objects.filter(event=event, slug__in=wanted)}
            missing = [slug for slug in wanted if slug not in speakers]
            if missing:
                unknown = [
                    _("There is no speaker “%(slug)s” in this event.") % {"slug": slug}
                    for slug in missing
                ]
                raise serializers.ValidationError({"speakers": unknown})
            if len(set(wanted)) != len(wanted):
                raise serializers.ValidationError(
                    {"speakers": [_("Each speaker can be listed only once per session.")]}
                )
        session = self.instance or Session(event=event)
        for field, value in attrs.items():
            if field != "speakers":
                setattr(session, field, value)
        if attrs.get("slug"):
            clash = Session.objects.filter(event=event, slug=attrs["slug"]).exclude(pk=session.pk)
            if clash.exists():
                taken = _("The slug “%(slug)s” is already used in this event.")
                raise serializers.ValidationError({"slug": [taken % {"slug": attrs["slug"]}]})
        if links is None and session.pk:
            speaker_ids = list(session.speaker_links.values_list("speaker_id", flat=True))
        else:
            speaker_ids = [s.pk for s in speakers.values()]
        try:
            # Model.clean() checks relations, dates and the room (schedule.rules).
            session.full_clean(exclude=["event", "slug", "guid", "frab_id"], validate_unique=False)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from None
        # Speakers are checked here, where the new list is known, under their own field.
        clashes = speaker_clash_errors(session, speaker_ids)
        if clashes:
            raise serializers.ValidationError({"speakers": clashes})
        attrs["_speakers"] = speakers
        return attrs

    def save_links(self, session, links, speakers):
        SessionSpeaker.objects.filter(session=session).delete()
        SessionSpeaker.objects.bulk_create(
            SessionSpeaker(
                session=session,
                speaker=speakers[link["speaker"]],
                role=link["role"],
                position=link["position"],
            )
            for link in links
        )
        # bulk_create sends no signals: mark the event's data as changed after it, if
        # visitors see the session (events.signals).
        if session.seen_by_public():
            Event.objects.filter(pk=session.event_id).touch()

    def create(self, validated_data):
        links = validated_data.pop("speakers", [])
        speakers = validated_data.pop("_speakers")
        validated_data["event"] = self.context["event"]  # perform_create passes it too
        session = Session.objects.create(**validated_data)
        self.save_links(session, links, speakers)
        return session

    def update(self, instance, validated_data):
        links = validated_data.pop("speakers", None)
        speakers = validated_data.pop("_speakers")
        instance = super().update(instance, validated_data)
        if links is not None:
            self.save_links(instance, links, speakers)
        return instance
