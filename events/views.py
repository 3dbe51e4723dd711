import json
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse

from .caching import cached_event_response
from .models import Event


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: is the database reachable, is the cache?

    Without its database a server cannot answer: 503 takes it out of rotation. Without
    its cache it still serves every page, only uncached (events.cache): that is 200 with
    ``"status": "degraded"``, so a Redis outage does not empty the whole pool.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
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


def event_home(request: HttpRequest, event: str) -> HttpResponse:
    obj = get_object_or_404(Event.objects.published(), slug=event)
    return cached_event_response(
        request, obj, lambda: render(request, "events/event_home.html", {"event": obj})
    )


SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw.js"


def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker (static/js/sw.js), served from the root: a worker's scope is at
    most its own folder, and it must cover every event's pages."""
    response = HttpResponse(
        SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"  # browsers also look for a new worker daily
    return response


def manifest(request: HttpRequest, event: str) -> HttpResponse:
    """The web app manifest of one event: installed, it opens the event's schedule."""
    obj = get_object_or_404(Event.objects.published(), slug=event)

    def render_manifest() -> HttpResponse:
        data = {
            "name": obj.name,
            "description": obj.tagline,
            "lang": obj.language,
            "start_url": reverse("schedule_list", args=[obj.slug]),
            "scope": reverse("event_home", args=[obj.slug]),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": obj.color or "#0b5cad",
            "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        }
        return HttpResponse(json.dumps(data), content_type="application/manifest+json")

    return cached_event_response(request, obj, render_manifest)
