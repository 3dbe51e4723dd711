"""Plain factory_boy factories. Times default to the first day of the event, 10:00 UTC."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from events.models import Event, Membership, Room, SessionType, Track
from schedule.models import Session, SessionSpeaker
from speakers.models import Speaker


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


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
