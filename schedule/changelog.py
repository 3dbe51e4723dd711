"""The public changelog: releases as attendees read them, and "since your last visit".

Only changes of sessions that are public now appear (a session taken back to draft takes
its history with it), each linked to the session; drafts live elsewhere and never show.
One read serves the page, the Atom feed, the banner and the API: a fixed number of
queries whatever the event's size.
"""

import datetime as dt

from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from events.models import Event
from lib.timefmt import clock_zone, short_day

from .change_facts import tell
from .models import Release, Session, SessionChange

BASELINE = "baseline"  # Release.how of a first release that was not a publication
LIMIT = 100  # releases on the page and in the feed
SEEN_COOKIE = "lineup_seen_"
SEEN_MAX_AGE = 60 * 60 * 24 * 400


def visible_releases(
    event: Event, *, since: int | None = None, since_time: dt.datetime | None = None
) -> list[Release]:
    """Newest first; each with ``visible`` (its changes of public sessions, with ``url``
    and ``words``, in the active language) and ``when`` (its time in the event's zone)."""
    current_slug = Session.objects.filter(
        pk=OuterRef("session_id"), event=event, status__in=Session.PUBLIC_STATUSES
    ).values("slug")[:1]
    changes = (
        SessionChange.objects.annotate(current_slug=Subquery(current_slug))
        .filter(current_slug__isnull=False)
        .order_by("pk")
    )
    releases = Release.objects.filter(event=event).order_by("-number")
    if since is not None:
        releases = releases.filter(number__gt=since)
    if since_time is not None:
        releases = releases.filter(created_at__gt=since_time)
    releases = releases.prefetch_related(Prefetch("changes", changes, to_attr="visible"))
    url = reverse("session_detail", args=[event.slug, "__slug__"])
    tz = event.tzinfo
    shown = []
    for release in releases[:LIMIT]:
        # The publication of the schedule is the first entry; a baseline taken for an
        # event published before releases were kept was none (migration 0012).
        published = release.kind == Release.Kind.FIRST and release.how != BASELINE
        if not (release.visible or release.note or release.undoes or published):
            continue
        for change in release.visible:
            change.url = url.replace("__slug__", change.current_slug)
        tell(release.visible, tz)
        local = release.created_at.astimezone(tz)
        release.when = f"{short_day(local.date())}, {clock_zone(local, tz)}"
        shown.append(release)
    return shown


def latest_number(event: Event) -> int:
    return (
        Release.objects.filter(event=event)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )


def seen_number(request: HttpRequest, event: Event) -> int | None:
    value = request.COOKIES.get(f"{SEEN_COOKIE}{event.pk}", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def remember_visit(response: HttpResponse, request: HttpRequest, event: Event, number: int):
    response.set_cookie(
        f"{SEEN_COOKIE}{event.pk}",
        str(number),
        max_age=SEEN_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
