"""A realistic, made-up conference for demos, browser tests and benchmarks.

``generate_demo`` builds a published multi-day event with rooms, tracks, session types,
speakers (some with avatars), keynotes, talks, lightning talks, panels, workshops and
breaks, laid out so that no room and no speaker is ever in two places at once.

Everything is drawn from ``random.Random`` instances seeded from ``seed``, so the same
arguments give the same event, down to the session guids. Each concern (the event, the
schedule, the texts, the people, the avatars) has its own random stream: changing the
share of avatars, say, leaves titles and times alone.

Rows are written with ``bulk_create`` (5,000 sessions in well under a minute), so the
work ``save()`` would do is done here: slugs, rendered Markdown, and touching the event.

The package: ``plan`` designs the event in memory (``words`` holds its word lists);
this module writes it.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import slugify

from events.models import Event, Room, SessionType, Track
from lib.markup import render_markdown
from speakers.images import THUMB_SIZE, ProcessedAvatar
from speakers.models import Speaker, next_speaker_id

from .. import releases
from ..models import Session, SessionSpeaker, next_frab_id
from .plan import (
    AVATAR_POOL_SIZE,
    CLOSING_KEYNOTE,
    DEFAULT_AVATARS_SHARE,
    MAX_DAYS,
    MAX_SESSIONS,
    MIN_SESSIONS,
    DemoError,
    PlannedSession,
    PlannedSpeaker,
    _abstract,
    _avatar_pool,
    _cast,
    _guid,
    _name_session,
    _People,
    _plan_schedule,
    _rng,
    _Slugs,
    default_start_date,
    plan_days,
)
from .words import (
    EVENT_KINDS,
    EVENT_WORDS,
    KEYNOTE_TITLES,
    MAIN_ROOM,
    ROOM_NAMES,
    SESSION_TYPES,
    STREETS,
    TRACK_COLORS,
    TRACKS,
    VENUE_KINDS,
    VENUE_WORDS,
    VENUES,
)

__all__ = [
    "DEFAULT_AVATARS_SHARE",
    "MAX_SESSIONS",
    "MIN_SESSIONS",
    "DemoError",
    "describe",
    "generate_demo",
    "summary",
]


# ---------------------------------------------------------------------------------------


def _validate(sessions: int, slug: str, avatars_share: float) -> None:
    if not MIN_SESSIONS <= sessions <= MAX_SESSIONS:
        raise DemoError(
            f"A demo event has between {MIN_SESSIONS} and {MAX_SESSIONS:,} sessions, "
            f"not {sessions}."
        )
    try:
        Event._meta.get_field("slug").run_validators(slug)  # a slug, and not a reserved one
    except ValidationError as error:
        raise DemoError(f"“{slug}” cannot be an event's slug: {' '.join(error.messages)}") from None
    if not 0 <= avatars_share <= 1:
        raise DemoError(
            f"The share of speakers with avatars is between 0 and 1, not {avatars_share}."
        )


@dataclass
class _Demo:
    """Everything generate_demo writes, decided in memory before the database is touched."""

    event: dict
    rooms: list[tuple[str, int]]  # (name, capacity), the main room first
    tracks: list[tuple[str, str]]  # (name, colour)
    sessions: list[PlannedSession]  # in time order
    people: list[PlannedSpeaker]


def _design(
    *, sessions: int, seed: int, start_date: dt.date | None, name: str | None, avatars_share: float
) -> _Demo:
    rooms_n, days = plan_days(sessions)
    if days > MAX_DAYS:
        raise DemoError(f"{sessions} sessions would need {days} days; at most {MAX_DAYS}.")

    event_rng = _rng(seed, "event")
    timezone_name, city = VENUES[(seed - 1) % len(VENUES)]
    tz = zoneinfo.ZoneInfo(timezone_name)
    start = start_date or default_start_date(seed)
    dates = [start + dt.timedelta(days=d) for d in range(days)]
    name = name or f"{event_rng.choice(EVENT_WORDS)} {event_rng.choice(EVENT_KINDS)} {start.year}"
    track_count = min(len(TRACKS), max(4, 3 + rooms_n // 3))
    tracks = event_rng.sample(TRACKS, track_count)
    colours = event_rng.sample(TRACK_COLORS, track_count)
    all_topics = [topic for _, topics in tracks for topic in topics]
    room_names = [MAIN_ROOM, *event_rng.sample(ROOM_NAMES, rooms_n - 1)]
    main_capacity = 500 + round(sessions / 5, -1)  # more than any other room
    capacities = [
        main_capacity,
        *sorted((event_rng.randrange(4, 45) * 10 for _ in range(rooms_n - 1)), reverse=True),
    ]
    track_list = ", ".join(track_name for track_name, _ in tracks[:-1])
    event = {
        "name": name,
        "tagline": f"Practical talks in {track_count} tracks, and the hallway track",
        "description": (
            f"{name} brings together people who build and run software for {days} days of "
            f"talks, workshops and hallway conversations in {city}.\n\n"
            f"This year's tracks: {track_list} and {tracks[-1][0]}.\n\n"
            "- Keynotes every morning in the Main Hall\n"
            "- Coffee breaks and lunch included\n"
            "- All rooms are step-free; quiet room on every floor\n\n"
            "Read the [code of conduct](https://example.org/code-of-conduct) before you come."
        ),
        "timezone": timezone_name,
        "start_date": start,
        "end_date": dates[-1],
        "venue_name": f"{event_rng.choice(VENUE_WORDS)} {event_rng.choice(VENUE_KINDS)}",
        "venue_address": f"{event_rng.randint(10, 2400)} {event_rng.choice(STREETS)}, {city}",
        "is_published": True,
    }

    schedule_rng = _rng(seed, "schedule")
    plan = _plan_schedule(schedule_rng, sessions, rooms_n, days, track_count)
    plan.sort(key=lambda i: (i.day, i.start, i.room or 0))
    for item in plan:
        day = dates[item.day]
        item.starts_at = dt.datetime.combine(day, item.start, tzinfo=tz).astimezone(dt.UTC)
        item.ends_at = dt.datetime.combine(day, item.end, tzinfo=tz).astimezone(dt.UTC)

    text_rng = _rng(seed, "text")
    used_titles: set[str] = set()
    keynote_titles = text_rng.sample(KEYNOTE_TITLES, len(KEYNOTE_TITLES))
    keynotes = 0
    for item in plan:
        if item.kind == "keynote":
            title = keynote_titles[keynotes % len(keynote_titles)]
            is_closing = item.start == CLOSING_KEYNOTE[0]
            item.title = f"{'Closing keynote' if is_closing else 'Keynote'}: {title}"
            keynotes += 1
        elif item.kind != "break":
            topics = tracks[item.track][1] if item.track is not None else all_topics
            _name_session(text_rng, item, topics, used_titles)
        if not item.topic:
            item.topic, item.topic2 = text_rng.sample(all_topics, 2)
        item.abstract = _abstract(text_rng, item, room_names)

    # One or two cancelled talks and a few drafts.
    candidates = [item for item in plan if item.kind == "talk"]
    cancelled = 1 if sessions < 300 else 2
    drafts = max(2, round(sessions * 0.03))
    if len(candidates) < cancelled + drafts:
        candidates = [item for item in plan if item.kind not in ("keynote", "break")]
    picked = schedule_rng.sample(candidates, min(len(candidates), cancelled + drafts))
    for item in picked[:cancelled]:
        item.status = Session.Status.CANCELLED
    for item in picked[cancelled:]:
        item.status = Session.Status.DRAFT

    people = _People(_rng(seed, "people"), all_topics)
    _cast(_rng(seed, "cast"), plan, people, round(sessions * 1.3))

    # One draft not placed yet, as in a programme that is still being put together.
    # (Its speakers keep the time free: harmless, and it keeps casting simple.)
    for item in picked[cancelled : cancelled + 1]:
        item.starts_at = item.ends_at = item.room = None

    guid_rng = _rng(seed, "guid")
    for item in plan:
        item.guid = _guid(guid_rng)

    avatar_rng = _rng(seed, "avatars")
    chosen = [person for person in people.people if avatar_rng.random() < avatars_share]
    pool = _avatar_pool(avatar_rng, min(AVATAR_POOL_SIZE, len(chosen)))
    for person in chosen:
        person.avatar = pool[avatar_rng.randrange(len(pool))]
        person.avatar_stem = _guid(avatar_rng).hex

    return _Demo(
        event=event,
        rooms=list(zip(room_names, capacities, strict=True)),
        tracks=[
            (track_name, colour) for (track_name, _), colour in zip(tracks, colours, strict=True)
        ],
        sessions=plan,
        people=people.people,
    )


def _write(demo: _Demo, slug: str, written: list[str]) -> Event:
    """Insert the designed event; note the names of stored avatar files in ``written``."""
    event = Event.objects.create(slug=slug, **demo.event)
    rooms = Room.objects.bulk_create(
        Room(event=event, name=name, slug=slugify(name), capacity=capacity, position=i)
        for i, (name, capacity) in enumerate(demo.rooms)
    )
    tracks = Track.objects.bulk_create(
        Track(event=event, name=name, slug=slugify(name), color=colour, position=i)
        for i, (name, colour) in enumerate(demo.tracks)
    )
    type_rows = SessionType.objects.bulk_create(
        SessionType(event=event, name=name, slug=slugify(name), is_break=is_break)
        for _, name, is_break in SESSION_TYPES
    )
    type_of = {kind: row for (kind, _, _), row in zip(SESSION_TYPES, type_rows, strict=True)}

    slugs = _Slugs()
    speakers = []
    first_person_id = next_speaker_id()  # frab ids are unique across the installation
    for number, person in enumerate(demo.people):
        speaker = Speaker(
            event=event,
            frab_id=first_person_id + number,
            name=person.name,
            slug=slugs(person.name),
            job_title=person.job_title,
            company=person.company,
            bio=person.bio,
            bio_html=render_markdown(person.bio),
            email=person.email,
            website=person.website,
            mastodon=person.mastodon,
            github=person.github,
        )
        if person.avatar:
            big, thumb = person.avatar
            speaker.set_avatar(
                ProcessedAvatar(
                    avatar=ContentFile(big, name=f"{person.avatar_stem}.jpg"),
                    thumb=ContentFile(thumb, name=f"{person.avatar_stem}-{THUMB_SIZE}.jpg"),
                )
            )
        speakers.append(speaker)
    # Saving the rows stores the avatar files (FileField.pre_save), a batch at a time.
    for i in range(0, len(speakers), 500):
        batch = Speaker.objects.bulk_create(speakers[i : i + 500])
        written.extend(f.name for s in batch for f in (s.avatar, s.avatar_thumb) if f)

    slugs = _Slugs()
    first_id = next_frab_id()
    sessions = Session.objects.bulk_create(
        (
            _with_text(
                event=event,
                guid=item.guid,
                frab_id=number,
                title=item.title,
                slug=slugs(item.title),
                abstract=item.abstract,
                track=tracks[item.track] if item.track is not None else None,
                session_type=type_of[item.kind],
                room=rooms[item.room] if item.room is not None else None,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                status=item.status,
            )
            for number, item in enumerate(demo.sessions, start=first_id)
        ),
        batch_size=500,
    )
    SessionSpeaker.objects.bulk_create(
        (
            SessionSpeaker(session=row, speaker=speakers[who], role=role, position=position)
            for item, row in zip(demo.sessions, sessions, strict=True)
            for position, (who, role) in enumerate(item.speakers)
        ),
        batch_size=1000,
    )
    # bulk_create sends no signals: mark the event's data as changed ourselves.
    Event.objects.filter(pk=event.pk).touch()
    releases.record(event, how="demo")  # published: its first release, the changelog's start
    return event


def _delete_event(event: Event) -> None:
    """Delete an event and, once that is committed, its speakers' avatar files.

    Sessions go first: their room, track and type are PROTECT foreign keys, which
    stop a cascade from the event.
    """
    files = [
        name
        for pair in Speaker.objects.filter(event=event).values_list("avatar", "avatar_thumb")
        for name in pair
        if name
    ]
    Session.objects.filter(event=event).delete()
    event.delete()
    transaction.on_commit(lambda: _delete_files(files))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def generate_demo(
    *,
    sessions: int,
    seed: int = 1,
    slug: str = "democon",
    start_date: dt.date | None = None,
    name: str | None = None,
    avatars_share: float = DEFAULT_AVATARS_SHARE,
    replace: bool = False,
) -> Event:
    """Create a published demo event with exactly ``sessions`` sessions and return it.

    ``sessions`` counts everything in the schedule, keynotes and breaks included.
    Raises DemoError for arguments out of range, or if an event with ``slug`` exists
    and ``replace`` is false (with ``replace`` the old event is deleted first).
    """
    _validate(sessions, slug, avatars_share)
    demo = _design(
        sessions=sessions,
        seed=seed,
        start_date=start_date,
        name=name,
        avatars_share=avatars_share,
    )
    written: list[str] = []
    try:
        with transaction.atomic():
            existing = Event.objects.filter(slug=slug).first()
            if existing is not None:
                if not replace:
                    raise DemoError(
                        f"An event with the slug “{slug}” already exists. Choose another "
                        "slug, or replace it (this deletes it and all its data)."
                    )
                _delete_event(existing)
            event = _write(demo, slug, written)
    except BaseException:
        _delete_files(written)  # the rows are rolled back; don't leave their files behind
        raise
    event.refresh_from_db()
    return event


def summary(event: Event) -> dict[str, int]:
    """Counts of what an event holds, for the commands' one-line reports."""
    statuses = dict(Session.objects.filter(event=event).values_list("status").annotate(Count("pk")))
    speakers = Speaker.objects.filter(event=event).aggregate(
        total=Count("pk"), with_avatar=Count("pk", filter=~Q(avatar=""))
    )
    return {
        "sessions": sum(statuses.values()),
        "published": statuses.get(Session.Status.PUBLISHED, 0),
        "draft": statuses.get(Session.Status.DRAFT, 0),
        "cancelled": statuses.get(Session.Status.CANCELLED, 0),
        "rooms": event.rooms.count(),
        "tracks": event.tracks.count(),
        "types": event.session_types.count(),
        "speakers": speakers["total"],
        "avatars": speakers["with_avatar"],
        "days": len(event.days),
    }


def describe(event: Event) -> str:
    """One line: what the event holds."""
    c = summary(event)
    return (
        f"“{event.name}” (/{event.slug}/): {c['sessions']} sessions ({c['published']} "
        f"published, {c['draft']} draft, {c['cancelled']} cancelled), {c['rooms']} rooms, "
        f"{c['tracks']} tracks, {c['types']} session types, {c['speakers']} speakers "
        f"({c['avatars']} with avatars), {c['days']} days from {event.start_date} "
        f"({event.timezone})"
    )


def _with_text(**fields) -> Session:
    """A session for bulk_create, with its text rendered as ``save`` would."""
    session = Session(**fields)
    session.render_text()
    return session
