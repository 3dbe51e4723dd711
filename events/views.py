import json
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

from .models import Event, EventData
from .pages import event_page


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: is the database reachable, is the cache?

    Without its database a server cannot answer: 503 takes it out of rotation. Without
    its cache it still serves every page, only uncached (lib.cache): that is 200 with
    ``"status": "degraded"``, so a Redis outage does not empty the whole pool.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error: no round trip"
    except Exception as exc:
        checks["cache"] = f"error: {type(exc).__name__}"
    if checks["database"] != "ok":
        status, code = "error", 503
    elif checks["cache"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks}, status=code)


def event_list(request: HttpRequest) -> HttpResponse:
    """Published events: upcoming and live ones first (soonest first), past ones after."""
    current, past = [], []
    for event in Event.objects.published().order_by("start_date", "name"):
        event.phase_now = event.phase()
        (past if event.phase_now == "ended" else current).append(event)
    past.reverse()
    return render(request, "events/event_list.html", {"current": current, "past": past})


@event_page
def event_home(request: HttpRequest, event: Event) -> HttpResponse:
    return render(request, "events/event_home.html", {"event": event})


SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw.js"


def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker (static/js/sw.js), served from the root: a worker's scope is at
    most its own folder, and it must cover every event's pages."""
    response = HttpResponse(
        SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"  # browsers also look for a new worker daily
    return response


@event_page
def manifest(request: HttpRequest, event: Event) -> HttpResponse:
    """The web app manifest of one event: installed, it opens the event's schedule."""
    data = {
        "name": event.name,
        "description": event.tagline,
        "lang": event.language,
        "start_url": reverse("schedule_list", args=[event.slug]),
        "scope": reverse("event_home", args=[event.slug]),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": event.color or "#0b5cad",
        "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" shortcut (/admin/r/<type>/<id>/), for one's own events.

    Django's shortcut redirects any staff account to any object's public URL, which
    names an unpublished event's or a draft's slug. Here an object of an event the
    account does not organize (or of no event, for anyone but a superuser) is a 404, as
    if it did not exist.
    """
    user = request.user
    if not user.is_superuser:
        try:
            kind = ContentType.objects.get_for_id(content_type_id)
            obj = kind.get_object_for_this_type(pk=object_id)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise Http404("No such object.") from None
        if isinstance(obj, Event):
            event_id = obj.pk
        elif isinstance(obj, EventData) or hasattr(obj, "event_id"):
            event_id = obj.changed_event_id() if isinstance(obj, EventData) else obj.event_id
        else:
            event_id = None
        if event_id is None or not Event.objects.for_organizer(user).filter(pk=event_id).exists():
            raise Http404("No such object.")
    return shortcut(request, content_type_id, object_id)
