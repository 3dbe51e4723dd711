"""/api/v1/events/<event>/changes/: what changed in the public schedule, by release.

Apps ask for the changes after the release they know (``since=<number>``) or after a
time (``since_time=<ISO 8601 with offset>``); ``latest`` names the newest release, the
one the frab exports' ``version`` names too. Same visibility as the public changelog.
"""

from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
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


class SessionChangeSerializer(serializers.Serializer):
    session = serializers.CharField(source="current_slug")
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=SessionChange.Kind.choices)
    words = serializers.CharField()
    before = PlaceSerializer(allow_null=True)
    after = PlaceSerializer(allow_null=True)


class ReleaseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Release.Kind.choices)
    label = serializers.CharField()
    note = serializers.CharField()
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
            raise ValidationError({"since": [f"“{since}” is not a release number."]})
        moment = None
        if params.get("since_time") is not None:
            text = params["since_time"]
            try:
                moment = parse_datetime(text.replace(" ", "+"))
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise ValidationError(
                    {"since_time": [f"“{text}” is not an ISO 8601 date and time with offset."]}
                )

        def build():
            releases = changelog.visible_releases(
                obj, since=int(since) if since else None, since_time=moment
            )
            data = {"latest": changelog.latest_number(obj), "releases": releases}
            return Response(ChangesSerializer(data).data)

        return self.event_conditional(request, obj, build)
