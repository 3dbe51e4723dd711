"""The test data every folder (and the bench) builds on: plain factory_boy factories
(times default to the first day of the event, 10:00 UTC), the fixed permission cast
(``make_cast``) and the sized conference of the query-count tests
(``sized_conference``)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model

from events.models import Event, Membership, Room, SessionType, Track
from lib.markup import render_markdown
from schedule.models import Session, SessionSpeaker, next_frab_id
from speakers.models import Speaker

PASSWORD = "correct horse battery staple"  # every test user's


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
    cancel_every: int = 11,
    draft_every: int = 0,
) -> SimpleNamespace:
    """A published event of ``sessions`` sessions over three days, written in bulk: at
    least 3 rooms (``room-N``), ``tracks`` tracks (``track-N``) and ``types`` types
    (``type-N``) taken in turn, one speaker
    per session at least (``person-N``). Each session has 1 to 3 speakers (with
    ``moderators``: a speaker and a moderator); every ``cancel_every``-th (from the
    fourth; 0: none) is cancelled, every ``draft_every``-th (from the sixth; 0: none) a draft.
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
        for k in range(2 if moderators else 1 + i % 3)
    )  # fmt: skip
    return SimpleNamespace(
        event=event, rooms=rooms, tracks=tracks, types=kinds, speakers=speakers, sessions=rows,
        speaker=speakers[0],
    )  # fmt: skip
