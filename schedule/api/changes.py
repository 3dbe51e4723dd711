"""/api/v1/events/<event>/changes/: what changed in the public schedule, by release.

Each change comes as facts (its kind and what moved where, with times in UTC) and as
a sentence in the language the request asks for. Apps ask for the changes after the
release they know (``since=<number>``) or after a time (``since_time=<ISO 8601 with
offset>``); ``latest`` names the newest release, the one the frab exports' ``version``
names too. Same visibility as the public changelog.
"""

from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from events.models import Event

from .. import changelog
from ..models import Release, SessionChange
from .views import EVENT_PARAM, NOT_MODIFIED, ConditionalMixin, reads


class PlaceSerializer(serializers.Serializer):
    title = serializers.CharField()
    status = serializers.CharField()
    room = serializers.CharField(source="room_name")
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)


FACT_KINDS = [*SessionChange.Kind.values, "text"]


class FactSerializer(serializers.Serializer):
    """One fact of a change, with only the fields its kind has: new (start, room), moved
    (start, room, was_start, was_room), resized (ends, was_ends), retitled (title,
    was_title), speakers (added, removed: names), cancelled, restored and removed (none),
    text (a change kept as an English sentence from before changes were kept as facts).
    Times are ISO 8601 in UTC; a start is null for a session without a time, a room
    empty for one that spans every room."""

    kind = serializers.ChoiceField(choices=FACT_KINDS)
    start = serializers.DateTimeField(required=False, allow_null=True)
    room = serializers.CharField(required=False, allow_blank=True)
    was_start = serializers.DateTimeField(required=False, allow_null=True)
    was_room = serializers.CharField(required=False, allow_blank=True)
    ends = serializers.DateTimeField(required=False)
    was_ends = serializers.DateTimeField(required=False)
    title = serializers.CharField(required=False)
    was_title = serializers.CharField(required=False)
    added = serializers.ListField(child=serializers.CharField(), required=False)
    removed = serializers.ListField(child=serializers.CharField(), required=False)
    text = serializers.CharField(required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if key in instance}


class SessionChangeSerializer(serializers.Serializer):
    session = serializers.CharField(source="current_slug")
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=SessionChange.Kind.choices)
    words = serializers.CharField(
        help_text=_("The facts in a sentence, in the language the request asks for.")
    )
    facts = FactSerializer(many=True)
    before = PlaceSerializer(allow_null=True)
    after = PlaceSerializer(allow_null=True)


class ReleaseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Release.Kind.choices)
    label = serializers.CharField()
    note = serializers.CharField()
    undoes = serializers.IntegerField(
        allow_null=True, help_text=_("The number of the release this one rolled back.")
    )
    published_at = serializers.DateTimeField(source="created_at")
    changes = SessionChangeSerializer(many=True, source="visible")


class ChangesSerializer(serializers.Serializer):
    latest = serializers.IntegerField()
    releases = ReleaseSerializer(many=True)


class ChangesView(ConditionalMixin, generics.GenericAPIView):
    serializer_class = ChangesSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    accepted_params = ("since", "since_time", "format")

    @extend_schema(
        summary="Changes of the public schedule, by release",
        parameters=[
            EVENT_PARAM,
            OpenApiParameter(
                "since", OpenApiTypes.INT, description="Only releases after this number."
            ),
            OpenApiParameter(
                "since_time",
                OpenApiTypes.DATETIME,
                description="Only releases after this time (ISO 8601 with offset).",
            ),
        ],
        responses=reads(ChangesSerializer, {304: NOT_MODIFIED}),
    )
    def get(self, request, event: str):
        obj = get_object_or_404(Event.objects.published(), slug=event)
        params = request.query_params
        since = params.get("since")
        if since is not None and not (since.isdigit() and len(since) < 10):
            message = _("“%(value)s” is not a release number.") % {"value": since}
            raise ValidationError({"since": [message]})
        moment = None
        if params.get("since_time") is not None:
            text = params["since_time"]
            try:
                moment = parse_datetime(text.replace(" ", "+"))
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                message = _("“%(value)s” is not an ISO 8601 date and time with offset.")
                raise ValidationError({"since_time": [message % {"value": text}]})

        def build():
            releases = changelog.visible_releases(
                obj, since=int(since) if since else None, since_time=moment
            )
            data = {"latest": changelog.latest_number(obj), "releases": releases}
            return Response(ChangesSerializer(data).data)

        # The sentences are in the language asked for: one cached answer per language.
        stamp = f"{obj.pk}:{obj.changed_at.isoformat()}:{get_language()}"
        return self.conditional(request, stamp, obj.changed_at, build)
