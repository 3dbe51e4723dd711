"""Exports of the public schedule: small classes over one prepared list of sessions.

An exporter declares its content type and file name and renders sessions that were
read once with ``Session.objects.for_schedule(event)`` (a fixed number of queries).
One view (``views.export``) serves them all, cached and with conditional GETs.
"""

import datetime as dt

import icalendar
from django.urls import reverse
from django.utils import timezone

from events.models import Event

from .models import Session


class Exporter:
    content_type = "application/octet-stream"
    extension = ""

    def __init__(self, event: Event, base_url: str):
        self.event = event
        self.base_url = base_url.rstrip("/")

    def absolute(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def filename(self) -> str:
        return f"{self.event.slug}.{self.extension}"

    def render(self, sessions: list[Session]) -> bytes:
        raise NotImplementedError


class ICalExporter(Exporter):
    """RFC 5545 calendar, built with the icalendar package; times in UTC."""

    content_type = "text/calendar; charset=utf-8"
    extension = "ics"
    refresh = dt.timedelta(hours=1)

    def __init__(self, event: Event, base_url: str, *, name: str | None = None):
        super().__init__(event, base_url)
        self.name = name or event.name

    def render(self, sessions: list[Session]) -> bytes:
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Lineup//Conference schedule//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", self.name)
        cal.add("x-wr-timezone", self.event.timezone)
        cal.add("refresh-interval", self.refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(self.refresh).to_ical().decode())
        stamp = timezone.now()
        for session in sessions:
            if session.starts_at is None:
                continue
            cal.add_component(self.vevent(session, stamp))
        return cal.to_ical()

    def vevent(self, session: Session, stamp: dt.datetime) -> icalendar.Event:
        url = self.absolute(reverse("session_detail", args=[self.event.slug, session.slug]))
        people = [link.speaker.name for link in session.speaker_list]
        moderators = [link.speaker.name for link in session.moderator_list]
        description = [session.abstract_text]
        if people:
            description.append("Speakers: " + ", ".join(people))
        if moderators:
            description.append("Moderated by: " + ", ".join(moderators))
        description.append(url)
        vevent = icalendar.Event()
        vevent.add("uid", f"{session.guid}@{self.event.slug}.lineup")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", session.starts_at.astimezone(dt.UTC))
        vevent.add("dtend", session.ends_at.astimezone(dt.UTC))
        vevent.add("last-modified", session.updated_at.astimezone(dt.UTC))
        vevent.add("summary", session.title)
        vevent.add("description", "\n\n".join(part for part in description if part))
        vevent.add("url", url)
        if session.room:
            vevent.add("location", session.room.name)
        if session.track:
            vevent.add("categories", [session.track.name])
        vevent.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        return vevent
