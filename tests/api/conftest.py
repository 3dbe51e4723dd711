"""Shared by the API tests: a small published conference with every kind of row the API
shows (and a few it must never show), a second published event, an unpublished one,
their organizers and API tokens.

The main event runs November 2–4, 2030 in America/Los_Angeles: daylight saving time
ends on the 3rd, so its sessions carry both "-07:00" and "-08:00".
"""

import datetime as dt
import io
import zoneinfo
from types import SimpleNamespace

import pytest
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from schedule.models import Session, SessionSpeaker
from speakers.images import process_avatar
from tests.factories import (
    EventFactory,
    MembershipFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SessionTypeFactory,
    SpeakerFactory,
    TrackFactory,
    UserFactory,
)

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
SECRET_DOMAIN = "secret.example"  # every speaker's e-mail address is at this domain


def local(day: dt.date, hour: int, minute: int = 0, tz=LA) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


class Upload(io.BytesIO):
    """Just enough of an uploaded file for process_avatar."""

    @property
    def size(self) -> int:
        return len(self.getvalue())


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def conf(db):
    day1, day2, day3 = dt.date(2030, 11, 2), dt.date(2030, 11, 3), dt.date(2030, 11, 4)
    event = EventFactory(
        slug="pdx30", name="Cascadia Cloud 2030", timezone="America/Los_Angeles",
        start_date=day1, end_date=day3, venue_name="Convention Center",
        description="Three days of **talks**.",
    )  # fmt: skip
    hall_a = RoomFactory(event=event, name="Hall A", slug="hall-a", position=0)
    hall_b = RoomFactory(event=event, name="Hall B", slug="hall-b", position=1)
    room_101 = RoomFactory(event=event, name="Room 101", slug="room-101", position=2)
    spare = RoomFactory(event=event, name="Spare room", slug="spare", position=3)
    ops = TrackFactory(event=event, name="Operations", slug="ops", color="#112233", position=0)
    dev = TrackFactory(event=event, name="Development", slug="dev", color="#445566", position=1)
    keynote = SessionTypeFactory(event=event, name="Keynote", slug="keynote")
    talk = SessionTypeFactory(event=event, name="Talk", slug="talk")
    panel = SessionTypeFactory(event=event, name="Panel", slug="panel")
    meal = SessionTypeFactory(event=event, name="Meal", slug="meal", is_break=True)

    def person(name, slug, **kwargs):
        return SpeakerFactory(
            event=event, name=name, slug=slug, email=f"{slug}@{SECRET_DOMAIN}", **kwargs
        )

    alice = person("Alice Archer", "alice-archer", company="Initech")
    alice.set_avatar(process_avatar(Upload(png_bytes())))
    alice.save()
    bob = person("Bob Builder", "bob-builder")
    carol = person("Carol Chen", "carol-chen")
    dan = person("Dan Dormant", "dan-dormant")  # only in a cancelled session: still public
    erin = person("Erin Evening", "erin-evening")
    ghost = person("Gustav Ghost", "gustav-ghost")  # only in a draft: not announced yet
    nobody = person("Nora Nobody", "nora-nobody")  # in no session at all

    def session(title, slug, start, minutes, **kwargs):
        kwargs.setdefault("status", Session.Status.PUBLISHED)
        return SessionFactory(
            event=event, title=title, slug=slug, starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes), **kwargs,
        )  # fmt: skip

    breakfast = session(
        "Breakfast", "breakfast", local(day1, 8), 60, room=None, session_type=meal,
        abstract="Coffee and pastries.",
    )  # fmt: skip
    opening = session(
        "Opening keynote", "opening-keynote", local(day1, 9), 30, room=hall_a,
        session_type=keynote, abstract="Welcome to Portland.",
    )  # fmt: skip
    k8s = session(
        "Kubernetes basics", "kubernetes-basics", local(day1, 11), 40, room=hall_a,
        track=ops, session_type=talk, abstract="Pods and **services** explained.",
    )  # fmt: skip
    helm = session(
        "Helm charts in practice", "helm-charts", local(day1, 11), 40, room=hall_b,
        track=dev, session_type=talk, abstract="Packaging applications for clusters.",
    )  # fmt: skip
    panel_session = session(
        "The future of containers", "future-of-containers", local(day1, 14), 60,
        room=room_101, track=dev, session_type=panel, abstract="Where next?",
    )  # fmt: skip
    mesh = session(
        "Service mesh deep dive", "service-mesh", local(day1, 15), 30, room=hall_b,
        track=dev, session_type=talk, status=Session.Status.CANCELLED,
        abstract="Sidecars everywhere.",
    )  # fmt: skip
    draft = session(
        "Secret roadmap", "secret-roadmap", local(day1, 16), 30, room=hall_a, track=ops,
        session_type=talk, status=Session.Status.DRAFT, abstract="Not announced yet.",
    )  # fmt: skip
    late = session(  # November 2 in Portland, November 3 in UTC
        "Late night hacking", "late-night-hacking", local(day1, 23, 30), 30, room=hall_b,
        track=dev, session_type=talk, abstract="Bring snacks.",
    )  # fmt: skip
    workshop = session(
        "Observability workshop", "observability-workshop", local(day2, 13), 120,
        room=room_101, track=ops, session_type=talk, abstract="Traces, metrics, logs.",
    )  # fmt: skip
    prom = session(
        "Prometheus at scale", "prometheus-at-scale", local(day3, 10), 30, room=hall_a,
        track=ops, session_type=talk, abstract="Monitoring **millions** of series.",
    )  # fmt: skip
    lightning = SessionFactory(  # published, but not on the clock yet
        event=event, title="Lightning talks", slug="lightning-talks", starts_at=None,
        ends_at=None, room=None, status=Session.Status.PUBLISHED, abstract="To be announced.",
    )  # fmt: skip

    speaker, moderator, panelist = (
        SessionSpeaker.Role.SPEAKER, SessionSpeaker.Role.MODERATOR,
        SessionSpeaker.Role.PANELIST,
    )  # fmt: skip
    for s, who, role, position in [
        (opening, alice, speaker, 0),
        (k8s, bob, speaker, 0),
        (helm, carol, speaker, 0),
        (panel_session, alice, moderator, 0),
        (panel_session, bob, panelist, 1),
        (panel_session, carol, panelist, 2),
        (mesh, dan, speaker, 0),
        (draft, ghost, speaker, 0),
        (late, erin, speaker, 0),
        (workshop, erin, speaker, 0),
        (prom, bob, speaker, 0),
    ]:
        SessionSpeakerFactory(session=s, speaker=who, role=role, position=position)

    # A second published event, and an unpublished one, with rows of their own.
    other = EventFactory(slug="other-conf", name="Other Conference", timezone="UTC")
    other_room = RoomFactory(event=other, name="B Hall", slug="b-hall")
    other_track = TrackFactory(event=other, name="B Track", slug="b-track")
    other_type = SessionTypeFactory(event=other, name="B Talk", slug="b-talk")
    other_speaker = SpeakerFactory(
        event=other, name="Bea Other", slug="bea-other", email=f"bea@{SECRET_DOMAIN}"
    )
    other_session = SessionFactory(
        event=other, title="Other session", slug="b-session", room=other_room,
        track=other_track, session_type=other_type,
    )  # fmt: skip
    SessionSpeakerFactory(session=other_session, speaker=other_speaker)

    hidden = EventFactory(slug="hidden-conf", name="Hidden Conference", is_published=False)
    hidden_room = RoomFactory(event=hidden, name="C Room", slug="c-room")
    hidden_speaker = SpeakerFactory(
        event=hidden, name="Cid Hidden", slug="cid-hidden", email=f"cid@{SECRET_DOMAIN}"
    )
    hidden_session = SessionFactory(
        event=hidden, title="Hidden session", slug="c-session", room=hidden_room
    )
    SessionSpeakerFactory(session=hidden_session, speaker=hidden_speaker)

    public = [breakfast, opening, k8s, helm, panel_session, mesh, late, workshop, prom]
    return SimpleNamespace(
        event=event, day1=day1, day2=day2, day3=day3,
        hall_a=hall_a, hall_b=hall_b, room_101=room_101, spare=spare,
        ops=ops, dev=dev, keynote=keynote, talk=talk, panel=panel, meal=meal,
        alice=alice, bob=bob, carol=carol, dan=dan, erin=erin, ghost=ghost, nobody=nobody,
        breakfast=breakfast, opening=opening, k8s=k8s, helm=helm,
        panel_session=panel_session, mesh=mesh, draft=draft, late=late,
        workshop=workshop, prom=prom, lightning=lightning,
        # In the API's order: by start time, unscheduled last, ties by creation.
        public=[*public, lightning],
        other=other, other_room=other_room, other_track=other_track,
        other_type=other_type, other_speaker=other_speaker, other_session=other_session,
        hidden=hidden, hidden_room=hidden_room, hidden_speaker=hidden_speaker,
        hidden_session=hidden_session,
    )  # fmt: skip


def token_for(user) -> str:
    return Token.objects.create(user=user).key


@pytest.fixture
def people(conf, cast):
    """Organizers of each event (the main event's from the shared cast: its owner, and
    the stranger, who organizes ``other``) and a superuser, each with an API token."""
    org_a, org_b = cast.owner, cast.stranger
    org_hidden = MembershipFactory(event=conf.hidden).user
    admin = UserFactory(is_staff=True, is_superuser=True)
    return SimpleNamespace(
        org_a=org_a, org_b=org_b, org_hidden=org_hidden, admin=admin,
        a=token_for(org_a), b=token_for(org_b), hidden=token_for(org_hidden),
        superuser=token_for(admin),
    )  # fmt: skip


@pytest.fixture
def as_user(api):
    """An API client that sends ``Authorization: Token <key>``."""

    def client(token: str) -> APIClient:
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api

    return client
