"""The test data every folder (and the bench) builds on: plain factory_boy factories
(times default to the first day of the event, 10:00 UTC), the fixed permission cast
(``make_cast``), the shared conference of the page, API and browser tests
(``conference``), the board's (``board_conference``) and the sized conference of the
query-count tests and the bench (``sized_conference``); ``SharedRows`` shares one
build among a module's tests."""

import copy
import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.db import transaction

from events.models import Event, Membership, Room, SessionType, Track
from lib.markup import render_markdown
from schedule.models import Session, SessionSpeaker, next_frab_id
from speakers.models import Speaker

PASSWORD = "correct horse battery staple"  # every test user's
SECRET_DOMAIN = "secret.example"  # every speaker's e-mail address is at this domain


def transactional(request) -> bool:
    """Whether the test runs with ``transactional_db`` (the fixture, a live server, or
    ``django_db(transaction=True)``): its writes are committed, then flushed."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


class SharedRows:
    """Rows built once for a module's tests, as Django's setUpTestData: written inside a
    transaction that stays open while the module's tests run, each test's ``db``
    transaction being a savepoint inside it (rolled back after the test), so every test
    starts from the same rows; each test gets its own deep copy of the objects.

    A test with ``transactional_db`` must not run inside that transaction (its own
    commits are what it checks): ``for_test`` then rolls the shared rows back and builds
    the test's own, committed, which its flush removes. pytest-django runs such tests
    after all the others, so no test needs the shared rows afterwards."""

    def __init__(self, django_db_blocker, build):
        self.blocker, self.build = django_db_blocker, build
        with self.blocker.unblock():
            self.outer = transaction.atomic()
            self.outer.__enter__()
            try:
                self.built = build()
            except BaseException:
                self.close()
                raise

    def for_test(self, request):
        if transactional(request):
            self.close()
            assert not transaction.get_connection().in_atomic_block, request.node.nodeid
            return self.build()
        assert self.outer is not None, f"shared rows rolled back before {request.node.nodeid}"
        return copy.deepcopy(self.built)

    def close(self) -> None:
        if self.outer is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.outer.__exit__(None, None, None)
            self.outer = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Conference {n}")
    slug = factory.Sequence(lambda n: f"conf-{n}")
    timezone = "UTC"
    start_date = dt.date(2030, 5, 6)
    end_date = dt.date(2030, 5, 8)
    venue_name = "Congress Hall"
    is_published = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, is_staff=True)
    event = factory.SubFactory(EventFactory)
    role = Membership.Role.OWNER


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    position = factory.Sequence(lambda n: n)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Track {n}")
    color = "#2a6f97"


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Type {n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Speaker Person{n}")
    job_title = "Engineer"
    company = "Example Co"
    bio = "Works on *things*."


def _first_morning(session) -> dt.datetime:
    return dt.datetime.combine(session.event.start_date, dt.time(10, 0), tzinfo=dt.UTC)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session number {n}")
    abstract = "An **abstract** with a [link](https://example.org)."
    status = Session.Status.PUBLISHED
    starts_at = factory.LazyAttribute(_first_morning)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(minutes=40))
    room = factory.LazyAttribute(lambda s: RoomFactory(event=s.event))


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.LazyAttribute(lambda link: SpeakerFactory(event=link.session.event))
    role = SessionSpeaker.Role.SPEAKER


# --- the permission cast ---------------------------------------------------------------


@dataclass
class Cast:
    """Who may do what to one event: always these four, under these user names."""

    owner: object  # an organizer of the event (Membership role OWNER), staff
    editor: object  # an organizer with the EDITOR role, staff
    stranger: object  # an organizer (owner) of another event only, staff
    visitor: object  # signed in, organizer of nothing


def make_cast(event: Event, other_event: Event | None = None, *, prefix: str = "") -> Cast:
    """The cast of ``event``; the stranger organizes ``other_event`` (a new one if None).
    User names are ``owner``, ``editor``, ``stranger``, ``visitor`` (after ``prefix``,
    for several casts in one database), the password ``PASSWORD``."""
    editor = MembershipFactory(
        event=event, user__username=f"{prefix}editor", role=Membership.Role.EDITOR
    ).user
    return Cast(
        owner=MembershipFactory(event=event, user__username=f"{prefix}owner").user,
        editor=editor,
        stranger=MembershipFactory(
            event=other_event or EventFactory(), user__username=f"{prefix}stranger"
        ).user,
        visitor=UserFactory(username=f"{prefix}visitor"),
    )


# --- the shared conference -------------------------------------------------------------

LONG_BIO = (
    "Kelsey has been building *infrastructure* for a long time. "
    + "He talks about containers, clusters and the people who run them. " * 8
    + "The last sentence of this bio is only on the speaker page."
)
_DAYS = {1: "One", 2: "Two", 3: "Three", 4: "Four"}


def conference(
    *, start: dt.date = dt.date(2016, 11, 8), days: int = 2, extras: bool = False
) -> SimpleNamespace:
    """CloudNativeCon, Seattle (the reference page of DESIGN.md), in America/Los_Angeles,
    ``days`` days from ``start``, named after its year (``cnc16``, "CloudNativeCon 2016":
    the default is an event in the past; 2030-11-02 for three days spans the end of
    daylight saving time on the 3rd).

    Three rooms, two tracks, four types (a break type, Meal); on the first day a
    breakfast without a room, the opening keynote (Dan Kohn), two talks at 11:00
    (Kelsey Hightower; Brendan Burns), a panel (moderated by Dan Kohn; Sarah Novotny and
    Brendan Burns), a cancelled talk (Sarah Novotny) and a draft (Gustav Draftson, in
    nothing else); on the last day Kelsey Hightower again. Every speaker's e-mail is at
    ``SECRET_DOMAIN``.

    ``extras`` adds what the API's tests read: an empty room (``spare``), a talk at
    23:30 on the first day (the next day in UTC), a two-hour workshop on the second day
    (both Erin Evening's), a published session not on the clock yet (``lightning``), a
    second speaker of the cancelled talk who is in nothing else (Dora Dormant), a speaker
    of no session (Nora Nobody), and two more events with rows of their own: ``other``
    (published, UTC) and ``hidden`` (unpublished).

    ``public`` lists the public sessions in the schedule's order (by start, unscheduled
    last)."""
    last = start + dt.timedelta(days=days - 1)
    event = EventFactory(
        slug=f"cnc{start.year % 100:02d}", name=f"CloudNativeCon {start.year}",
        tagline="The cloud native community meets in Seattle",
        timezone="America/Los_Angeles", start_date=start, end_date=last,
        venue_name="Sheraton Seattle", venue_address="1400 6th Ave, Seattle, WA",
        description=f"{_DAYS[days]} days of **talks**.",
    )  # fmt: skip
    tz = event.tzinfo

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)

    c = SimpleNamespace(event=event, day1=start, day2=start + dt.timedelta(days=1), last=last)
    c.ballroom_a = RoomFactory(event=event, name="Ballroom A", slug="ballroom-a", position=0)
    c.ballroom_b = RoomFactory(event=event, name="Ballroom B", slug="ballroom-b", position=1)
    c.room_401 = RoomFactory(event=event, name="Room 401", slug="room-401", position=2)
    c.rooms = [c.ballroom_a, c.ballroom_b, c.room_401]
    c.ops = TrackFactory(event=event, name="Operations", slug="ops", position=0)
    c.dev = TrackFactory(event=event, name="Development", slug="dev", color="#445566",
                         position=1)  # fmt: skip
    c.keynote = SessionTypeFactory(event=event, name="Keynote", slug="keynote")
    c.talk = SessionTypeFactory(event=event, name="Talk", slug="talk")
    c.panel = SessionTypeFactory(event=event, name="Panel", slug="panel")
    c.meal = SessionTypeFactory(event=event, name="Meal", slug="meal", is_break=True)

    def person(name: str, **kwargs) -> Speaker:
        slug = name.lower().replace(" ", "-")
        return SpeakerFactory(
            event=event, name=name, slug=slug, email=f"{slug}@{SECRET_DOMAIN}", **kwargs
        )

    c.kelsey = person("Kelsey Hightower", job_title="Developer Advocate", company="Google",
                      bio=LONG_BIO)  # fmt: skip
    c.brendan = person("Brendan Burns", job_title="Partner Architect", company="Microsoft",
                       bio="Co-founded *Kubernetes*.")  # fmt: skip
    c.sarah = person("Sarah Novotny", job_title="Community Lead", company="Google",
                     bio="Community first.")  # fmt: skip
    c.dan = person("Dan Kohn", job_title="Executive Director", company="CNCF",
                   bio="Runs the foundation.")  # fmt: skip
    c.ghost = person("Gustav Draftson", company="Stealth Inc")

    def session(title, slug, start_at, minutes, **kwargs) -> Session:
        kwargs.setdefault("status", Session.Status.PUBLISHED)
        return SessionFactory(
            event=event, title=title, slug=slug, starts_at=start_at,
            ends_at=start_at + dt.timedelta(minutes=minutes), **kwargs,
        )  # fmt: skip

    day1 = c.day1
    c.breakfast = session(
        "Breakfast", "breakfast", at(day1, 8), 60, room=None, session_type=c.meal,
        abstract="Coffee and pastries.",
    )  # fmt: skip
    c.opening = session(
        "Opening keynote", "opening-keynote", at(day1, 9), 30, room=c.ballroom_a,
        session_type=c.keynote, abstract="Welcome to Seattle.",
    )  # fmt: skip
    c.k101 = session(
        "Kubernetes 101", "kubernetes-101", at(day1, 11), 40, room=c.ballroom_a,
        track=c.ops, session_type=c.talk,
        abstract=(
            "Learn about **pods** and [services](https://kubernetes.io/docs/).\n\n"
            "<script>alert('owned')</script>\n\nBring a laptop."
        ),
    )  # fmt: skip
    c.helm = session(
        "Helm charts in practice", "helm-charts", at(day1, 11), 40, room=c.ballroom_b,
        track=c.dev, session_type=c.talk, abstract="Packaging applications for clusters.",
    )  # fmt: skip
    c.panel_session = session(
        "The future of containers", "future-of-containers", at(day1, 14), 60,
        room=c.room_401, track=c.dev, session_type=c.panel,
        abstract="Where do containers go from here?",
    )  # fmt: skip
    c.mesh = session(
        "Service mesh deep dive", "service-mesh", at(day1, 15), 30, room=c.ballroom_b,
        track=c.dev, session_type=c.talk, status=Session.Status.CANCELLED,
        abstract="Sidecars everywhere.",
    )  # fmt: skip
    c.draft = session(
        "Secret roadmap", "secret-roadmap", at(day1, 16), 30, room=c.ballroom_a,
        track=c.ops, session_type=c.talk, status=Session.Status.DRAFT,
        abstract="Not announced yet.",
    )  # fmt: skip
    c.prom = session(
        "Prometheus at scale", "prometheus-at-scale", at(last, 10), 30, room=c.ballroom_a,
        track=c.ops, session_type=c.talk, abstract="Monitoring **millions** of series.",
    )  # fmt: skip
    speaker, moderator, panelist = (
        SessionSpeaker.Role.SPEAKER, SessionSpeaker.Role.MODERATOR,
        SessionSpeaker.Role.PANELIST,
    )  # fmt: skip
    cast = [
        (c.opening, c.dan, speaker, 0),
        (c.k101, c.kelsey, speaker, 0),
        (c.helm, c.brendan, speaker, 0),
        (c.panel_session, c.dan, moderator, 0),
        (c.panel_session, c.sarah, panelist, 1),
        (c.panel_session, c.brendan, panelist, 2),
        (c.mesh, c.sarah, speaker, 0),
        (c.draft, c.ghost, speaker, 0),
        (c.prom, c.kelsey, speaker, 0),
    ]
    c.public = [c.breakfast, c.opening, c.k101, c.helm, c.panel_session, c.mesh, c.prom]
    if extras:
        cast += _extras(c, session, person, at)
    for s, who, role, position in cast:
        SessionSpeakerFactory(session=s, speaker=who, role=role, position=position)
    return c


def _extras(c: SimpleNamespace, session, person, at) -> list[tuple]:
    """The rows ``conference(extras=True)`` adds (see there); the speakers' links."""
    event = c.event
    c.spare = RoomFactory(event=event, name="Spare room", slug="spare", position=3)
    c.rooms.append(c.spare)
    c.dora = person("Dora Dormant")  # only in a cancelled session: still public
    c.erin = person("Erin Evening")
    c.nobody = person("Nora Nobody")  # in no session at all
    c.late = session(  # the first day in Seattle, the next one in UTC
        "Late night hacking", "late-night-hacking", at(c.day1, 23, 30), 30,
        room=c.ballroom_b, track=c.dev, session_type=c.talk, abstract="Bring snacks.",
    )  # fmt: skip
    c.workshop = session(
        "Observability workshop", "observability-workshop", at(c.day2, 13), 120,
        room=c.room_401, track=c.ops, session_type=c.talk, abstract="Traces, metrics, logs.",
    )  # fmt: skip
    c.lightning = SessionFactory(  # published, but not on the clock yet
        event=event, title="Lightning talks", slug="lightning-talks", starts_at=None,
        ends_at=None, room=None, status=Session.Status.PUBLISHED, abstract="To be announced.",
    )  # fmt: skip
    *first, prom = c.public
    c.public = [*first, c.late, c.workshop, prom, c.lightning]

    c.other = EventFactory(slug="other-conf", name="Other Conference", timezone="UTC")
    c.other_room = RoomFactory(event=c.other, name="B Hall", slug="b-hall")
    c.other_track = TrackFactory(event=c.other, name="B Track", slug="b-track")
    c.other_type = SessionTypeFactory(event=c.other, name="B Talk", slug="b-talk")
    c.other_speaker = SpeakerFactory(
        event=c.other, name="Bea Other", slug="bea-other", email=f"bea@{SECRET_DOMAIN}"
    )
    c.other_session = SessionFactory(
        event=c.other, title="Other session", slug="b-session", room=c.other_room,
        track=c.other_track, session_type=c.other_type,
    )  # fmt: skip
    SessionSpeakerFactory(session=c.other_session, speaker=c.other_speaker)
    c.hidden = EventFactory(slug="hidden-conf", name="Hidden Conference", is_published=False)
    c.hidden_room = RoomFactory(event=c.hidden, name="C Room", slug="c-room")
    c.hidden_speaker = SpeakerFactory(
        event=c.hidden, name="Cid Hidden", slug="cid-hidden", email=f"cid@{SECRET_DOMAIN}"
    )
    c.hidden_session = SessionFactory(
        event=c.hidden, title="Hidden session", slug="c-session", room=c.hidden_room
    )
    SessionSpeakerFactory(session=c.hidden_session, speaker=c.hidden_speaker)
    speaker = SessionSpeaker.Role.SPEAKER
    return [
        (c.mesh, c.dora, speaker, 1),
        (c.late, c.erin, speaker, 0),
        (c.workshop, c.erin, speaker, 0),
    ]


# --- the board's conference ------------------------------------------------------------


def board_conference() -> SimpleNamespace:
    """A small two-day conference in Los Angeles (May 6–7, 2030), for the board's tests
    (unit and browser). Rooms Hall (300 seats), Cedar (40) and Oak (120); Ada Lovelace
    speaks in the keynote (9:00–10:00, Hall) and in the second talk (``talk_b``,
    10:00–10:40, Cedar); a draft (``loose``) waits unscheduled; a coffee break
    (``pause``, of the break type ``coffee``) sits in Hall at 11:00."""
    day = dt.date(2030, 5, 6)

    def at(hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=event.tzinfo)

    event = EventFactory(
        name="Board Conf", slug="board-conf", timezone="America/Los_Angeles",
        start_date=day, end_date=day + dt.timedelta(days=1),
    )  # fmt: skip
    hall = RoomFactory(event=event, name="Hall", capacity=300, position=0)
    cedar = RoomFactory(event=event, name="Cedar", capacity=40, position=1)
    oak = RoomFactory(event=event, name="Oak", capacity=120, position=2)
    track = TrackFactory(event=event, name="Data", color="#aa3300")
    talk = SessionTypeFactory(event=event, name="Talk")
    coffee = SessionTypeFactory(event=event, name="Break", is_break=True)
    ada = SpeakerFactory(event=event, name="Ada Lovelace")
    keynote = SessionFactory(
        event=event, title="Keynote", room=hall, track=track, session_type=talk,
        starts_at=at(9), ends_at=at(10),
    )  # fmt: skip
    SessionSpeaker.objects.create(session=keynote, speaker=ada)
    talk_b = SessionFactory(
        event=event, title="Second talk", room=cedar, session_type=talk,
        starts_at=at(10), ends_at=at(10, 40),
    )  # fmt: skip
    SessionSpeaker.objects.create(session=talk_b, speaker=ada)
    loose = SessionFactory(
        event=event, title="Loose talk", room=None, starts_at=None, ends_at=None,
        status=Session.Status.DRAFT,
    )  # fmt: skip
    pause = SessionFactory(
        event=event, title="Coffee", room=hall, session_type=coffee,
        starts_at=at(11), ends_at=at(11, 30),
    )  # fmt: skip
    return SimpleNamespace(
        event=event, hall=hall, cedar=cedar, oak=oak, track=track, talk=talk,
        coffee=coffee, ada=ada, keynote=keynote, talk_b=talk_b, loose=loose, pause=pause,
    )  # fmt: skip


# --- a conference of any size, in bulk -------------------------------------------------


def sized_conference(
    slug: str,
    sessions: int,
    *,
    timezone: str = "America/Los_Angeles",
    tracks: int = 4,
    types: int = 3,
    moderators: bool = False,
    one_speaker: bool = False,
    cancel_every: int = 11,
    draft_every: int = 0,
) -> SimpleNamespace:
    """A published event of ``sessions`` sessions over three days, written in bulk: at
    least 3 rooms (``room-N``), ``tracks`` tracks (``track-N``) and ``types`` types
    (``type-N``) taken in turn, one speaker per session at least (``person-N``). Each
    session has 1 to 3 speakers (with ``moderators``: a speaker and a moderator; with
    ``one_speaker``: one, each their own); every ``cancel_every``-th (from the fourth; 0:
    none) is cancelled, every ``draft_every``-th (from the sixth; 0: none) a draft.
    ``speaker`` is the first session's speaker."""
    event = EventFactory(
        slug=slug, name=f"Sized {sessions}", timezone=timezone,
        start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 8),
    )  # fmt: skip
    n_rooms = max(3, sessions // 24)
    rooms = Room.objects.bulk_create(
        Room(event=event, name=f"Room {i}", slug=f"room-{i}", position=i) for i in range(n_rooms)
    )
    n_tracks, n_types = tracks, types
    tracks = Track.objects.bulk_create(
        Track(event=event, name=f"Track {i}", slug=f"track-{i}") for i in range(n_tracks)
    )
    kinds = SessionType.objects.bulk_create(
        SessionType(event=event, name=f"Type {i}", slug=f"type-{i}") for i in range(n_types)
    )
    speakers = Speaker.objects.bulk_create(
        Speaker(event=event, name=f"Person {i}", slug=f"person-{i}", bio_html="<p>Hi</p>")
        for i in range(max(10, sessions))
    )
    tz = event.tzinfo
    first_id = next_frab_id(event.pk)
    rows = []
    for i in range(sessions):
        day = event.start_date + dt.timedelta(days=i % 3)
        slot, room = divmod(i // 3, n_rooms)
        start = dt.datetime.combine(day, dt.time(8), tzinfo=tz) + dt.timedelta(minutes=45 * slot)
        rows.append(
            Session(
                event=event, guid=uuid.uuid4(),
                frab_id=first_id + i,  # frab ids are unique across the installation
                title=f"Session {i}", slug=f"session-{i}", abstract="Some *text*.",
                abstract_html=render_markdown("Some *text*."), abstract_text="Some text.",
                track=tracks[i % n_tracks], session_type=kinds[i % n_types], room=rooms[room],
                starts_at=start, ends_at=start + dt.timedelta(minutes=40),
                status=(
                    Session.Status.DRAFT if draft_every and i % draft_every == 5
                    else Session.Status.CANCELLED if cancel_every and i % cancel_every == 3
                    else Session.Status.PUBLISHED
                ),
            )
        )  # fmt: skip
    rows = Session.objects.bulk_create(rows)
    if not all(s.pk for s in rows):
        rows = list(Session.objects.filter(event=event).order_by("pk"))
    moderator, speaker = SessionSpeaker.Role.MODERATOR, SessionSpeaker.Role.SPEAKER
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(
            session=s, speaker=speakers[(i + k * 7) % len(speakers)], position=k,
            role=moderator if moderators and k else speaker,
        )
        for i, s in enumerate(rows)
        for k in range(2 if moderators else 1 if one_speaker else 1 + i % 3)
    )  # fmt: skip
    return SimpleNamespace(
        event=event, rooms=rooms, tracks=tracks, types=kinds, speakers=speakers, sessions=rows,
        speaker=speakers[0],
    )  # fmt: skip
