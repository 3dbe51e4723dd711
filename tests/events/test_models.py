"""The data model: database constraints, derived values and change tracking."""

import datetime as dt
import re
import uuid
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from events.models import Event, Membership, Room, SessionType, Track
from schedule.models import Session, SessionSpeaker
from speakers.models import Speaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
FRAB_ACRONYM = re.compile(r"^[a-z0-9_]{4,}$")
LONG_AGO = dt.datetime(2001, 1, 1, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, tz=UTC) -> dt.datetime:
    return dt.datetime(2030, 5, day, hour, minute, tzinfo=tz)


def rejected_by_database():
    """The database itself refuses the write (no model validation is involved)."""
    return pytest.raises(IntegrityError)


# --- database constraints -------------------------------------------------------------

SLUGGED = [Room, Track, SessionType, Speaker, Session]


def _make(model, event, slug, **extra):
    fields = {"event": event, "slug": slug, **extra}
    if model is Session:
        fields["title"] = f"Title {slug}"
    else:
        fields["name"] = f"Name {slug}"
    return model.objects.create(**fields)


@pytest.mark.parametrize("model", SLUGGED, ids=lambda m: m.__name__)
def test_slug_is_unique_per_event_in_the_database(model):
    event = EventFactory()
    _make(model, event, "same")
    with rejected_by_database(), transaction.atomic():
        _make(model, event, "same")
    assert model.objects.filter(event=event, slug="same").count() == 1


@pytest.mark.parametrize("model", SLUGGED, ids=lambda m: m.__name__)
def test_slug_is_unique_per_event_also_for_bulk_create_and_update(model):
    event = EventFactory()
    first = _make(model, event, "first")
    _make(model, event, "second")
    with rejected_by_database(), transaction.atomic():
        model.objects.filter(pk=first.pk).update(slug="second")
    extra = {"title": "Bulk"} if model is Session else {"name": "Bulk"}
    with rejected_by_database(), transaction.atomic():
        model.objects.bulk_create([model(event=event, slug="first", **extra)])
    assert sorted(model.objects.filter(event=event).values_list("slug", flat=True)) == [
        "first",
        "second",
    ]


@pytest.mark.parametrize("model", SLUGGED, ids=lambda m: m.__name__)
def test_the_same_slug_is_fine_in_two_events(model):
    one, two = EventFactory(), EventFactory()
    _make(model, one, "keynote")
    _make(model, two, "keynote")
    assert model.objects.filter(slug="keynote").count() == 2


def test_session_guid_is_unique_per_event():
    event, other = EventFactory(), EventFactory()
    guid = uuid.uuid4()
    SessionFactory(event=event, guid=guid)
    with rejected_by_database(), transaction.atomic():
        Session.objects.create(event=event, title="Copy", slug="copy", guid=guid)
    with rejected_by_database(), transaction.atomic():
        Session.objects.bulk_create(
            [Session(event=event, title="Bulk copy", slug="bulk-copy", guid=guid)]
        )
    # Another event may hold the same guid (an import of the same talk elsewhere).
    Session.objects.create(event=other, title="Elsewhere", slug="elsewhere", guid=guid)
    assert Session.objects.filter(guid=guid).count() == 2


def test_session_must_end_after_it_starts_in_the_database():
    event = EventFactory()
    start = at(6, 10)
    with rejected_by_database(), transaction.atomic():
        Session.objects.create(event=event, title="Zero", starts_at=start, ends_at=start)
    with rejected_by_database(), transaction.atomic():
        Session.objects.create(
            event=event, title="Backwards", starts_at=start, ends_at=start - dt.timedelta(1)
        )
    session = SessionFactory(event=event)
    with rejected_by_database(), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(ends_at=F("starts_at"))
    session.refresh_from_db()
    assert session.ends_at > session.starts_at


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [(at(6, 10), None), (None, at(6, 11))],
    ids=["start-only", "end-only"],
)
def test_session_times_are_both_set_or_neither_in_the_database(starts_at, ends_at):
    event = EventFactory()
    with rejected_by_database(), transaction.atomic():
        Session.objects.create(event=event, title="Half", starts_at=starts_at, ends_at=ends_at)
    with rejected_by_database(), transaction.atomic():
        Session.objects.bulk_create(
            [Session(event=event, title="Half", slug="half", starts_at=starts_at, ends_at=ends_at)]
        )
    session = SessionFactory(event=event)
    with rejected_by_database(), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(ends_at=None)
    # Neither is fine: an unscheduled session.
    Session.objects.create(event=event, title="Unscheduled")
    assert Session.objects.filter(event=event, starts_at__isnull=True).count() == 1


def test_a_speaker_is_linked_to_a_session_once():
    link = SessionSpeakerFactory()
    with rejected_by_database(), transaction.atomic():
        SessionSpeaker.objects.create(session=link.session, speaker=link.speaker)
    with rejected_by_database(), transaction.atomic():
        SessionSpeaker.objects.bulk_create(
            [SessionSpeaker(session=link.session, speaker=link.speaker, role="moderator")]
        )
    assert SessionSpeaker.objects.filter(session=link.session).count() == 1


def test_membership_is_unique_per_user_and_event():
    user, event = UserFactory(), EventFactory()
    Membership.objects.create(user=user, event=event, role=Membership.Role.OWNER)
    with rejected_by_database(), transaction.atomic():
        Membership.objects.create(user=user, event=event, role=Membership.Role.EDITOR)
    # The same person may organize another event.
    Membership.objects.create(user=user, event=EventFactory())
    assert Membership.objects.filter(user=user).count() == 2


def test_event_cannot_end_before_it_starts_in_the_database():
    with rejected_by_database(), transaction.atomic():
        Event.objects.create(
            slug="backwards", name="Backwards", start_date=dt.date(2030, 5, 8),
            end_date=dt.date(2030, 5, 6),
        )  # fmt: skip
    event = EventFactory()
    with rejected_by_database(), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(end_date=dt.date(2030, 5, 1))
    # A one-day event is fine.
    Event.objects.create(
        slug="one-day", name="One day", start_date=dt.date(2030, 5, 6),
        end_date=dt.date(2030, 5, 6),
    )  # fmt: skip


def test_event_dates_are_also_checked_by_full_clean():
    event = EventFactory.build(start_date=dt.date(2030, 5, 8), end_date=dt.date(2030, 5, 6))
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "end_date" in excinfo.value.message_dict


# --- acronyms and slugs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "expected"),
    [("pycon-2030", "pycon_2030"), ("kubecon", "kubecon"), ("ab", None), ("x", None)],
)
def test_acronym_is_filled_from_the_slug_and_frab_valid(slug, expected):
    event = EventFactory(slug=slug, acronym="")
    event.refresh_from_db()
    assert FRAB_ACRONYM.match(event.acronym), event.acronym
    if expected:
        assert event.acronym == expected
    else:
        assert event.acronym.startswith(slug)
    event.full_clean()  # the filled acronym passes the model's own validator


def test_an_acronym_given_by_the_organizer_is_kept():
    event = EventFactory(slug="pycon-2030", acronym="pyc30")
    event.refresh_from_db()
    assert event.acronym == "pyc30"


def test_an_invalid_acronym_is_refused_by_full_clean():
    event = EventFactory.build(acronym="PY")
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "acronym" in excinfo.value.message_dict


@pytest.mark.parametrize(
    "factory",
    [
        lambda event, name: Room.objects.create(event=event, name=name),
        lambda event, name: Track.objects.create(event=event, name=name),
        lambda event, name: SessionType.objects.create(event=event, name=name),
        lambda event, name: Speaker.objects.create(event=event, name=name),
        lambda event, name: Session.objects.create(event=event, title=name),
    ],
    ids=["room", "track", "type", "speaker", "session"],
)
def test_slugs_are_filled_and_made_unique_within_the_event(factory):
    event, other = EventFactory(), EventFactory()
    first = factory(event, "Main Hall")
    second = factory(event, "Main Hall")
    third = factory(event, "Main  hall!")
    elsewhere = factory(other, "Main Hall")
    symbols = factory(event, "!!!")
    assert first.slug == "main-hall"
    assert second.slug == "main-hall-2"
    assert third.slug == "main-hall-3"
    assert elsewhere.slug == "main-hall"
    assert symbols.slug  # never empty
    # Saving again keeps the slug (it does not collide with itself).
    first.save()
    first.refresh_from_db()
    assert first.slug == "main-hall"


def test_a_long_title_gives_a_slug_that_fits():
    event = EventFactory()
    title = "A very long session title " * 11  # 286 of the 300 characters allowed
    one = Session.objects.create(event=event, title=title)
    two = Session.objects.create(event=event, title=title)
    assert one.slug != two.slug
    assert len(two.slug) <= Session._meta.get_field("slug").max_length
    speaker = Speaker.objects.create(event=event, name="Name " * 30)
    assert len(speaker.slug) <= Speaker._meta.get_field("slug").max_length


# --- times and zones ------------------------------------------------------------------


def test_session_times_are_stored_in_utc():
    event = EventFactory(timezone="America/Los_Angeles")
    local_start = dt.datetime(2030, 5, 6, 10, 0, tzinfo=LA)  # PDT, UTC-7
    session = SessionFactory(
        event=event, starts_at=local_start, ends_at=local_start + dt.timedelta(minutes=45)
    )
    stored = Session.objects.get(pk=session.pk)
    assert stored.starts_at == local_start
    assert stored.starts_at.utcoffset() == dt.timedelta(0)
    assert stored.starts_at.replace(tzinfo=None) == dt.datetime(2030, 5, 6, 17, 0)
    with timezone.override(UTC):
        hour = Session.objects.filter(pk=session.pk).values_list("starts_at__hour", flat=True)
        assert list(hour) == [17]


def test_event_days_list_every_day():
    event = EventFactory(start_date=dt.date(2030, 5, 30), end_date=dt.date(2030, 6, 2))
    assert event.days == [
        dt.date(2030, 5, 30),
        dt.date(2030, 5, 31),
        dt.date(2030, 6, 1),
        dt.date(2030, 6, 2),
    ]
    one_day = EventFactory(start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 6))
    assert one_day.days == [dt.date(2030, 5, 6)]


@pytest.mark.parametrize(
    ("zone", "now", "phase"),
    [
        # Auckland is UTC+12 in May: its day starts while UTC is still on the day before.
        ("Pacific/Auckland", dt.datetime(2030, 5, 5, 11, 30, tzinfo=UTC), "upcoming"),
        ("Pacific/Auckland", dt.datetime(2030, 5, 5, 12, 30, tzinfo=UTC), "live"),
        ("Pacific/Auckland", dt.datetime(2030, 5, 8, 11, 30, tzinfo=UTC), "live"),
        ("Pacific/Auckland", dt.datetime(2030, 5, 8, 12, 30, tzinfo=UTC), "ended"),
        # Los Angeles is UTC-7 in May: its day ends when UTC is already on the next one.
        ("America/Los_Angeles", dt.datetime(2030, 5, 6, 6, 30, tzinfo=UTC), "upcoming"),
        ("America/Los_Angeles", dt.datetime(2030, 5, 6, 7, 30, tzinfo=UTC), "live"),
        ("America/Los_Angeles", dt.datetime(2030, 5, 9, 0, 30, tzinfo=UTC), "live"),
        ("America/Los_Angeles", dt.datetime(2030, 5, 9, 6, 30, tzinfo=UTC), "live"),
        ("America/Los_Angeles", dt.datetime(2030, 5, 9, 7, 30, tzinfo=UTC), "ended"),
    ],
)
def test_event_phase_is_judged_in_the_events_zone(zone, now, phase):
    event = EventFactory(
        timezone=zone, start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 8)
    )
    assert event.phase(now) == phase


def test_event_phase_defaults_to_now():
    past = EventFactory(start_date=dt.date(2001, 1, 1), end_date=dt.date(2001, 1, 2))
    future = EventFactory(start_date=dt.date(2099, 1, 1), end_date=dt.date(2099, 1, 2))
    today = timezone.now().date()
    current = EventFactory(
        timezone="UTC", start_date=today - dt.timedelta(days=1), end_date=today + dt.timedelta(1)
    )
    assert (past.phase(), future.phase(), current.phase()) == ("ended", "upcoming", "live")


def test_event_starts_and_ends_at_local_midnight():
    event = EventFactory(timezone="Pacific/Auckland")
    assert event.starts_at == dt.datetime(2030, 5, 6, tzinfo=AUCKLAND)
    assert event.starts_at == dt.datetime(2030, 5, 5, 12, tzinfo=UTC)
    assert event.ends_at == dt.datetime(2030, 5, 8, 12, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "PST", "europe/berlin", "", "../etc"])
def test_an_invalid_time_zone_is_refused_by_full_clean(name):
    event = EventFactory.build(timezone=name)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "timezone" in excinfo.value.message_dict


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Los_Angeles", "UTC"])
def test_a_valid_time_zone_passes_full_clean(name):
    EventFactory.build(timezone=name).full_clean()


# --- markdown rendered on save --------------------------------------------------------


def test_descriptions_bios_and_abstracts_store_rendered_html():
    event = EventFactory(description="Welcome to **the** [venue](https://example.org/venue)")
    speaker = SpeakerFactory(event=event, bio="- one\n- two\n\n<script>alert(1)</script>")
    session = SessionFactory(event=event, abstract="An *abstract* <b onclick='x()'>bold</b>")
    event.refresh_from_db()
    speaker.refresh_from_db()
    session.refresh_from_db()
    assert "<strong>the</strong>" in event.description_html
    assert 'href="https://example.org/venue"' in event.description_html
    assert "<li>one</li>" in speaker.bio_html
    assert "script" not in speaker.bio_html
    assert "<em>abstract</em>" in session.abstract_html
    assert "onclick" not in session.abstract_html
    # Edits re-render; emptied text empties the HTML.
    session.abstract = ""
    session.save()
    session.refresh_from_db()
    assert session.abstract_html == ""


# --- changed_at bookkeeping -----------------------------------------------------------


def _age(event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(changed_at=LONG_AGO)


def _was_touched(event: Event) -> bool:
    event.refresh_from_db(fields=["changed_at"])
    return event.changed_at > LONG_AGO


@pytest.fixture
def event_pair():
    """An event whose changes we watch and a bystander that must not be touched."""
    event, bystander = EventFactory(), EventFactory()
    return event, bystander


def _check_touch(event, bystander, action):
    _age(event)
    _age(bystander)
    action()
    assert _was_touched(event)
    assert not _was_touched(bystander)


def test_saving_or_deleting_a_room_marks_the_event_changed(event_pair):
    event, bystander = event_pair
    room = RoomFactory(event=event)

    def rename():
        room.name = "Renamed"
        room.save()

    _check_touch(event, bystander, rename)
    _check_touch(event, bystander, room.delete)
    _check_touch(event, bystander, lambda: RoomFactory(event=event))


def test_saving_or_deleting_a_session_marks_the_event_changed(event_pair):
    event, bystander = event_pair
    session = SessionFactory(event=event)

    def retitle():
        session.title = "New title"
        session.save()

    _check_touch(event, bystander, retitle)
    _check_touch(event, bystander, session.delete)


def test_saving_or_deleting_a_speaker_marks_the_event_changed(event_pair):
    event, bystander = event_pair
    speaker = SpeakerFactory(event=event)
    SessionSpeaker.objects.create(session=SessionFactory(event=event), speaker=speaker)

    def rename():
        speaker.name = "Someone Else"
        speaker.save()

    _check_touch(event, bystander, rename)
    _check_touch(event, bystander, speaker.delete)


def test_linking_and_unlinking_a_speaker_marks_the_event_changed(event_pair):
    event, bystander = event_pair
    session = SessionFactory(event=event)
    speaker = SpeakerFactory(event=event)
    other = SpeakerFactory(event=event)
    holder = {}

    def link():
        holder["link"] = SessionSpeaker.objects.create(session=session, speaker=speaker)

    def unlink_fresh():
        # Loaded without its session: the event is looked up from the database.
        SessionSpeaker.objects.get(pk=holder["link"].pk).delete()

    _check_touch(event, bystander, link)
    _check_touch(event, bystander, unlink_fresh)
    _check_touch(event, bystander, lambda: session.speakers.add(other))
    _check_touch(event, bystander, lambda: session.speakers.remove(other))


def test_set_status_marks_the_events_changed(event_pair):
    event, bystander = event_pair
    SessionFactory(event=event, status=Session.Status.DRAFT)
    SessionFactory(event=event, status=Session.Status.DRAFT)
    SessionFactory(event=bystander, status=Session.Status.DRAFT)

    def publish():
        count = Session.objects.filter(event=event).set_status(Session.Status.PUBLISHED)
        assert count == 2

    _check_touch(event, bystander, publish)
    assert set(Session.objects.filter(event=event).values_list("status", flat=True)) == {
        "published"
    }
    assert Session.objects.get(event=bystander).status == "draft"


def test_a_plain_update_does_not_touch_but_touch_does(event_pair):
    """Documents the contract in signals.py: bulk updates must call touch() themselves."""
    event, bystander = event_pair
    SessionFactory(event=event)
    _age(event)
    Session.objects.filter(event=event).update(title="Quietly")
    assert not _was_touched(event)
    Event.objects.filter(pk=event.pk).touch()
    assert _was_touched(event)


@pytest.mark.django_db
def test_slug_cut_at_45_characters_never_ends_in_a_dash():
    event = EventFactory()
    title = "Measuring internal platforms before changing them for good"
    assert slugify(title)[44] == "-"  # the cut would fall right after a word
    room = RoomFactory(event=event, name=title, slug="")
    assert room.slug == "measuring-internal-platforms-before-changing"
    assert RoomFactory(event=event, name=title, slug="").slug == f"{room.slug}-2"


def test_work_on_drafts_leaves_the_event_unchanged(event_pair):
    """changed_at is public (API, ETag, Last-Modified): drafts and speakers not yet
    announced change it only when visitors see the row before or after the change."""
    event, bystander = event_pair
    draft = SessionFactory(event=event, status=Session.Status.DRAFT)
    hidden = SpeakerFactory(event=event)
    SessionSpeaker.objects.create(session=draft, speaker=hidden)
    _age(event)

    def unchanged(action):
        _age(event)
        action()
        assert not _was_touched(event)

    draft.title = "Still a draft"
    unchanged(draft.save)
    hidden.bio = "Not announced yet"
    unchanged(hidden.save)
    unchanged(lambda: SessionSpeaker.objects.filter(session=draft).delete())
    unchanged(lambda: SessionFactory(event=event, status=Session.Status.DRAFT, room=draft.room))
    draft.status = Session.Status.PUBLISHED
    _check_touch(event, bystander, draft.save)
    draft.status = Session.Status.DRAFT
    _check_touch(event, bystander, draft.save)  # withdrawn: visitors see it go
    unchanged(draft.delete)
