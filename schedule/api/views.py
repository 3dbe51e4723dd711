"""REST API, /api/v1/: public reads with the pages' visibility, organizers' writes by token.

Reads see exactly what the public pages see (published events; published or cancelled
sessions). Writes need a token of a member of the event; they see the event's drafts
too, and are checked by the same rules as the admin.
"""

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.http import Http404, HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from events.models import Event, Membership, Room, SessionType, Track
from events.pages import public_event
from lib.conditional import canonical_query, conditional_response
from speakers.models import Speaker

from .. import releases
from ..filters import SessionFilter
from ..models import Session, public_speakers
from ..rows import load_rows
from . import serializers as s

SAFE = permissions.SAFE_METHODS
SLUG_RE = "[-a-zA-Z0-9_]+"
# By start time, unscheduled sessions last, ties by id: alike on every database (SQLite
# puts NULLs first, PostgreSQL last), so pages do not shift between backends.
SESSION_ORDER = (F("starts_at").asc(nulls_last=True), "pk")


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class RowPaginator(Paginator):
    """Reads only the page's slice, and as session rows (schedule.rows), not instances."""

    def __init__(self, object_list, per_page, *, event: Event):
        super().__init__(object_list, per_page)
        self.event = event

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(load_rows(object_list, self.event, html=True), number, paginator)


class SessionPagination(Pagination):
    """Pages of session rows: a count, then three queries for the page's sessions."""

    def paginate_queryset(self, queryset, request, view=None):
        self.event = view.get_event()
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):
        return RowPaginator(queryset, page_size, event=self.event)


class ConditionalMixin:
    """ETag and Last-Modified from when the data last changed; 304 on a match, and the
    answer's JSON cached under its ETag.

    The key holds the parameters the route takes, in a canonical order, and nothing
    else: an unknown parameter is a 400 (no render, no cache entry), and a repeated or
    reordered value finds the same entry.
    """

    accepted_params: tuple[str, ...] = ("page", "page_size", "format")

    def known_query(self, request) -> str:
        unknown = sorted(set(request.query_params) - set(self.accepted_params))
        if unknown:
            names = ", ".join(f"“{name}”" for name in unknown)
            message = ngettext(
                "Unknown query parameter: %(names)s.",
                "Unknown query parameters: %(names)s.",
                len(unknown),
            )
            raise ValidationError({"detail": message % {"names": names}})
        return canonical_query(request.query_params, self.accepted_params).urlencode()

    def conditional(self, request, stamp: str, changed_at, build) -> HttpResponse:
        known = self.known_query(request)  # before anything: an unknown parameter is a 400

        def render() -> HttpResponse:
            built = build()
            if built.status_code != 200:
                return built
            return HttpResponse(JSONRenderer().render(built.data), content_type="application/json")

        return conditional_response(
            request, key=["api", stamp, known], changed_at=changed_at, render=render
        )

    def event_conditional(self, request, event: Event, build) -> HttpResponse:
        stamp = f"{event.pk}:{event.changed_at.isoformat()}"
        return self.conditional(request, stamp, event.changed_at, build)


# Every answer the API can give, documented (the schema is checked against the API).
ERROR = s.ErrorSerializer
INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="Messages by field or parameter.")
NOT_MODIFIED = OpenApiResponse(description="Not modified: If-None-Match names the current ETag.")
IN_USE = OpenApiResponse(ERROR, description="Still used by sessions: move them first.")


def reads(ok, more: dict | None = None) -> dict:
    """A read: 404 for an unknown or unpublished event or row (or a page past the end);
    400 for a query parameter the route does not take; 401 for a token that is not
    valid (none is needed); 429 when throttled."""
    return {200: ok, 400: INVALID, **(more or {}), 401: ERROR, 404: ERROR, 429: ERROR}


def writes(code: int, ok) -> dict:
    """A write: 401 without a valid token, 403 for an event of others, 404 for an event
    that is neither published nor one's own (or an unknown row)."""
    return {code: ok, 400: INVALID, 401: ERROR, 403: ERROR, 404: ERROR, 429: ERROR}


def deletes(used_by_sessions: bool = False) -> dict:
    """Rooms, tracks and types in use by sessions cannot be deleted (409)."""
    in_use = {409: IN_USE} if used_by_sessions else {}
    return {204: None, **in_use, 401: ERROR, 403: ERROR, 404: ERROR, 429: ERROR}


@extend_schema_view(
    list=extend_schema(
        summary="Published events", responses=reads(s.EventSerializer, {304: NOT_MODIFIED})
    ),
    retrieve=extend_schema(
        summary="One published event", responses=reads(s.EventSerializer, {304: NOT_MODIFIED})
    ),
)
class EventViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.EventSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_RE  # what the URL accepts, documented as the pattern
    pagination_class = Pagination

    def get_queryset(self):
        return Event.objects.published().order_by("start_date", "slug")

    def _events_conditional(self, request, build):
        # Published events only: an organizer's work on an unpublished event must not
        # show. Publishing, unpublishing or deleting one changes the list of pairs.
        seen = list(self.get_queryset().values_list("pk", "changed_at"))
        stamp = "events:" + ",".join(f"{pk}@{changed.isoformat()}" for pk, changed in seen)
        latest = max((changed for _, changed in seen), default=None)
        return self.conditional(request, stamp, latest, build)

    def list(self, request, *args, **kwargs):
        return self._events_conditional(request, lambda: super(EventViewSet, self).list(
            request, *args, **kwargs))  # fmt: skip

    def retrieve(self, request, *args, **kwargs):
        return self._events_conditional(request, lambda: super(EventViewSet, self).retrieve(
            request, *args, **kwargs))  # fmt: skip


EVENT_PARAM = OpenApiParameter(
    "event", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.",
    pattern=f"^{SLUG_RE}$",  # as in urls.py: other values never reach the API
)  # fmt: skip
SLUG_PARAM = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH)


class EventPartViewSet(
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Rows of one event, addressed by slug under /api/v1/events/<event>/."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_RE
    # Reads are public; writes need a token, and get_event() checks the membership.
    # (DRF's own class: drf-spectacular then documents that reads need no token.)
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = Pagination
    model = None
    read_serializer = None
    write_serializer = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Who may write here is decided before the body is read: a token of another
        # event gets 403 whatever it sends (malformed or deeply nested JSON included).
        if request.method not in SAFE and not getattr(self, "swagger_fake_view", False):
            self.get_event()

    def get_event(self) -> Event:
        if not hasattr(self, "_event"):
            slug = self.kwargs["event"]
            if self.request.method in SAFE:
                self._event = public_event(slug)
            else:
                user = self.request.user
                event = Event.objects.filter(slug=slug).first()
                visible = event is not None and (
                    event.is_published or Event.objects.for_organizer(user).filter(pk=event.pk)
                )
                if not visible:
                    raise Http404(_("No such event."))
                member = (
                    user.is_superuser or Membership.objects.filter(user=user, event=event).exists()
                )
                if not (user.is_active and member):
                    raise PermissionDenied(_("You are not an organizer of this event."))
                self._event = event
        return self._event

    def public_queryset(self, event):
        return self.model.objects.filter(event=event)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        event = self.get_event()
        if self.request.method in SAFE:
            return self.public_queryset(event)
        return self.model.objects.filter(event=event)

    def get_serializer_class(self):
        if self.request.method in SAFE or self.write_serializer is None:
            return self.read_serializer
        return self.write_serializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["event"] = self.get_event()
        return context

    def list(self, request, *args, **kwargs):
        return self.event_conditional(request, self.get_event(), lambda: super(
            EventPartViewSet, self).list(request, *args, **kwargs))  # fmt: skip

    def retrieve(self, request, *args, **kwargs):
        return self.event_conditional(request, self.get_event(), lambda: super(
            EventPartViewSet, self).retrieve(request, *args, **kwargs))  # fmt: skip

    def perform_create(self, serializer):
        serializer.save(event=self.get_event())

    def reply_with_read(self, instance, code):
        data = self.read_serializer(instance, context=self.get_serializer_context()).data
        return Response(data, status=code)

    # Every write is one transaction: a session and its speaker links change together
    # or not at all.

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.reply_with_read(self.refetch(serializer.instance), status.HTTP_201_CREATED)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return self.reply_with_read(self.refetch(serializer.instance), status.HTTP_200_OK)

    def refetch(self, instance):
        return instance

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError) as exc:  # rooms, tracks, types: RESTRICT
            used_by = getattr(exc, "protected_objects", None) or exc.restricted_objects
            count = len(used_by)
            return Response(
                {
                    "detail": ngettext(
                        "%(thing)s is used by %(count)d session; move it first.",
                        "%(thing)s is used by %(count)d sessions; move them first.",
                        count,
                    )
                    % {"thing": instance, "count": count}
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _part_schema(name: str, serializer, *, used_by_sessions: bool = False):
    return extend_schema_view(
        list=extend_schema(
            summary=f"{name} of an event", parameters=[EVENT_PARAM],
            responses=reads(serializer, {304: NOT_MODIFIED}),
        ),
        retrieve=extend_schema(
            summary=f"One {name.lower()[:-1]}", parameters=[EVENT_PARAM],
            responses=reads(serializer, {304: NOT_MODIFIED}),
        ),
        create=extend_schema(parameters=[EVENT_PARAM], responses=writes(201, serializer)),
        update=extend_schema(parameters=[EVENT_PARAM], responses=writes(200, serializer)),
        partial_update=extend_schema(parameters=[EVENT_PARAM], responses=writes(200, serializer)),
        destroy=extend_schema(parameters=[EVENT_PARAM], responses=deletes(used_by_sessions)),
    )  # fmt: skip


@_part_schema("Rooms", s.RoomSerializer, used_by_sessions=True)
class RoomViewSet(EventPartViewSet):
    model = Room
    read_serializer = s.RoomSerializer


@_part_schema("Tracks", s.TrackSerializer, used_by_sessions=True)
class TrackViewSet(EventPartViewSet):
    model = Track
    read_serializer = s.TrackSerializer


@_part_schema("Types", s.SessionTypeSerializer, used_by_sessions=True)
class SessionTypeViewSet(EventPartViewSet):
    model = SessionType
    read_serializer = s.SessionTypeSerializer


@_part_schema("Speakers", s.SpeakerSerializer)
class SpeakerViewSet(EventPartViewSet):
    model = Speaker
    read_serializer = s.SpeakerSerializer

    def public_queryset(self, event):
        return public_speakers(event).order_by("name", "pk")


SESSION_FILTERS = [
    EVENT_PARAM,
    OpenApiParameter("day", OpenApiTypes.DATE, description="A day of the event (YYYY-MM-DD)."),
    OpenApiParameter("track", OpenApiTypes.STR, many=True, description="Track slug(s)."),
    OpenApiParameter("type", OpenApiTypes.STR, many=True, description="Type slug(s)."),
    OpenApiParameter("room", OpenApiTypes.STR, many=True, description="Room slug(s)."),
    OpenApiParameter("speaker", OpenApiTypes.STR, many=True, description="Speaker slug(s)."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words that must all appear."),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Only sessions changed at or after this moment (ISO 8601 with offset).",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="Public sessions of an event, in time order",
        parameters=SESSION_FILTERS,
        responses=reads(s.SessionSerializer, {304: NOT_MODIFIED, 400: INVALID}),
    ),
    retrieve=extend_schema(
        summary="One session", parameters=[EVENT_PARAM],
        responses=reads(s.SessionSerializer, {304: NOT_MODIFIED}),
    ),
    create=extend_schema(
        parameters=[EVENT_PARAM], request=s.SessionWriteSerializer,
        responses=writes(201, s.SessionSerializer),
    ),
    update=extend_schema(
        parameters=[EVENT_PARAM], request=s.SessionWriteSerializer,
        responses=writes(200, s.SessionSerializer),
    ),
    partial_update=extend_schema(
        parameters=[EVENT_PARAM], request=s.SessionWriteSerializer,
        responses=writes(200, s.SessionSerializer),
    ),
    destroy=extend_schema(parameters=[EVENT_PARAM], responses=deletes()),
)  # fmt: skip
class SessionViewSet(EventPartViewSet):
    model = Session
    read_serializer = s.SessionSerializer
    write_serializer = s.SessionWriteSerializer
    pagination_class = SessionPagination  # reads are rows (schedule.rows), writes instances

    @property
    def accepted_params(self):
        if self.action == "list":
            return ("page", "page_size", "format", "updated_since", *SessionFilter.base_filters)
        return ConditionalMixin.accepted_params

    def public_queryset(self, event):
        return Session.objects.public().filter(event=event).order_by(*SESSION_ORDER)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.method not in SAFE:
            return qs.with_details()
        return qs

    def row(self, queryset):
        """The one session of ``queryset`` as the reads show it, or a 404."""
        rows = load_rows(queryset, self.get_event(), html=True, joined=True)
        if not rows:
            raise NotFound()  # as get_object's 404 answers (api/errors.py)
        return rows[0]

    def retrieve(self, request, *args, **kwargs):
        def build():
            session = self.row(self.get_queryset().filter(slug=self.kwargs["slug"]))
            return Response(self.get_serializer(session).data)

        return self.event_conditional(request, self.get_event(), build)

    def refetch(self, instance):
        # Inside the write's transaction: the changelog records it with it.
        releases.record(self.get_event(), self.request.user, [instance.pk], how="API")
        return self.row(Session.objects.filter(pk=instance.pk))

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        pk = self.get_object().pk
        response = super().destroy(request, *args, **kwargs)
        releases.record(self.get_event(), request.user, [pk], how="API")
        return response

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        filterset = SessionFilter(params, queryset, event=self.get_event())
        if not filterset.is_valid():
            raise ValidationError(
                {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
            )
        queryset = filterset.qs
        since = params.get("updated_since")
        if since:
            try:
                moment = parse_datetime(since.replace(" ", "+"))
            except ValueError:  # well formed but impossible, such as February 30
                moment = None
            if moment is None or moment.tzinfo is None:
                message = _("“%(value)s” is not an ISO 8601 date and time with offset.")
                raise ValidationError({"updated_since": [message % {"value": since}]})
            queryset = queryset.filter(updated_at__gte=moment)
        return queryset.order_by(*SESSION_ORDER)
