"""Shared by the public-page tests of the schedule: a small, realistic conference and
a few helpers to read the HTML the pages serve.

The conference is modelled on a 2016 cloud-native conference in Seattle (the
reference page of DESIGN.md): two days in America/Los_Angeles, three rooms, two
tracks, keynotes, talks, a panel with a moderator, a break without a room, a
cancelled talk and a draft that must never show.
"""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest

from schedule.models import Session, SessionSpeaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SessionTypeFactory,
    SpeakerFactory,
    TrackFactory,
)

LA = zoneinfo.ZoneInfo("America/Los_Angeles")

LONG_BIO = (
    "Kelsey has been building *infrastructure* for a long time. "
    + "He talks about containers, clusters and the people who run them. " * 8
    + "The last sentence of this bio is only on the speaker page."
)


def local(day: dt.date, hour: int, minute: int = 0, tz=LA) -> dt.datetime:
    """A wall-clock time in ``tz``, as the aware datetime the database stores."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


@pytest.fixture
def conf(db):
    """CloudNativeCon 2016, Seattle, November 8 and 9 (an event in the past)."""
    day1, day2 = dt.date(2016, 11, 8), dt.date(2016, 11, 9)
    event = EventFactory(
        slug="cnc16",
        name="CloudNativeCon 2016",
        tagline="The cloud native community meets in Seattle",
        timezone="America/Los_Angeles",
        start_date=day1,
        end_date=day2,
        venue_name="Sheraton Seattle",
        venue_address="1400 6th Ave, Seattle, WA",
        description="Two days of **talks**.",
    )
    ballroom_a = RoomFactory(event=event, name="Ballroom A", slug="ballroom-a", position=0)
    ballroom_b = RoomFactory(event=event, name="Ballroom B", slug="ballroom-b", position=1)
    room_401 = RoomFactory(event=event, name="Room 401", slug="room-401", position=2)
    ops = TrackFactory(event=event, name="Operations", slug="ops", position=0)
    dev = TrackFactory(event=event, name="Development", slug="dev", position=1)
    keynote = SessionTypeFactory(event=event, name="Keynote", slug="keynote")
    talk = SessionTypeFactory(event=event, name="Talk", slug="talk")
    panel = SessionTypeFactory(event=event, name="Panel", slug="panel")
    meal = SessionTypeFactory(event=event, name="Meal", slug="meal", is_break=True)

    kelsey = SpeakerFactory(
        event=event, name="Kelsey Hightower", slug="kelsey-hightower",
        job_title="Developer Advocate", company="Google", bio=LONG_BIO,
    )  # fmt: skip
    brendan = SpeakerFactory(
        event=event, name="Brendan Burns", slug="brendan-burns",
        job_title="Partner Architect", company="Microsoft", bio="Co-founded *Kubernetes*.",
    )  # fmt: skip
    sarah = SpeakerFactory(
        event=event, name="Sarah Novotny", slug="sarah-novotny",
        job_title="Community Lead", company="Google", bio="Community first.",
    )  # fmt: skip
    dan = SpeakerFactory(
        event=event, name="Dan Kohn", slug="dan-kohn",
        job_title="Executive Director", company="CNCF", bio="Runs the foundation.",
    )  # fmt: skip
    ghost = SpeakerFactory(
        event=event, name="Gustav Draftson", slug="gustav-draftson", company="Stealth Inc",
    )  # fmt: skip

    def session(title, slug, start, minutes, **kwargs):
        kwargs.setdefault("status", Session.Status.PUBLISHED)
        return SessionFactory(
            event=event,
            title=title,
            slug=slug,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            **kwargs,
        )

    breakfast = session(
        "Breakfast", "breakfast", local(day1, 8), 60, room=None, session_type=meal,
        abstract="Coffee and pastries.",
    )  # fmt: skip
    opening = session(
        "Opening keynote", "opening-keynote", local(day1, 9), 30, room=ballroom_a,
        session_type=keynote, abstract="Welcome to Seattle.",
    )  # fmt: skip
    k101 = session(
        "Kubernetes 101", "kubernetes-101", local(day1, 11), 40, room=ballroom_a,
        track=ops, session_type=talk,
        abstract=(
            "Learn about **pods** and [services](https://kubernetes.io/docs/).\n\n"
            "<script>alert('owned')</script>\n\nBring a laptop."
        ),
    )  # fmt: skip
    helm = session(
        "Helm charts in practice", "helm-charts", local(day1, 11), 40, room=ballroom_b,
        track=dev, session_type=talk, abstract="Packaging applications for clusters.",
    )  # fmt: skip
    panel_session = session(
        "The future of containers", "future-of-containers", local(day1, 14), 60,
        room=room_401, track=dev, session_type=panel,
        abstract="Where do containers go from here?",
    )  # fmt: skip
    mesh = session(
        "Service mesh deep dive", "service-mesh", local(day1, 15), 30, room=ballroom_b,
        track=dev, session_type=talk, status=Session.Status.CANCELLED,
        abstract="Sidecars everywhere.",
    )  # fmt: skip
    draft = session(
        "Secret roadmap", "secret-roadmap", local(day1, 16), 30, room=ballroom_a,
        track=ops, session_type=talk, status=Session.Status.DRAFT,
        abstract="Not announced yet.",
    )  # fmt: skip
    prom = session(
        "Prometheus at scale", "prometheus-at-scale", local(day2, 10), 30, room=ballroom_a,
        track=ops, session_type=talk, abstract="Monitoring **millions** of series.",
    )  # fmt: skip

    speaker, moderator, panelist = (
        SessionSpeaker.Role.SPEAKER, SessionSpeaker.Role.MODERATOR,
        SessionSpeaker.Role.PANELIST,
    )  # fmt: skip
    for s, person, role, position in [
        (opening, dan, speaker, 0),
        (k101, kelsey, speaker, 0),
        (helm, brendan, speaker, 0),
        (panel_session, dan, moderator, 0),
        (panel_session, sarah, panelist, 1),
        (panel_session, brendan, panelist, 2),
        (mesh, sarah, speaker, 0),
        (draft, ghost, speaker, 0),
        (prom, kelsey, speaker, 0),
    ]:
        SessionSpeakerFactory(session=s, speaker=person, role=role, position=position)

    return SimpleNamespace(
        event=event, day1=day1, day2=day2,
        rooms=[ballroom_a, ballroom_b, room_401], ballroom_a=ballroom_a,
        ballroom_b=ballroom_b, room_401=room_401, ops=ops, dev=dev,
        keynote=keynote, talk=talk, panel=panel, meal=meal,
        kelsey=kelsey, brendan=brendan, sarah=sarah, dan=dan, ghost=ghost,
        breakfast=breakfast, opening=opening, k101=k101, helm=helm,
        panel_session=panel_session, mesh=mesh, draft=draft, prom=prom,
        public=[breakfast, opening, k101, helm, panel_session, mesh, prom],
    )  # fmt: skip


@pytest.fixture
def html():
    """The page-reading helpers of tests/html.py."""
    from tests import html as helpers

    return helpers
