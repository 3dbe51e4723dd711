"""The demo conference planned in memory: its schedule, texts, people and avatars.

Nothing here touches the database; ``generate_demo`` (the package) writes the plan."""

import datetime as dt
import io
import math
import random
import uuid
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from PIL import Image, ImageDraw

from events.models import free_slug, slug_root
from speakers.images import process_avatar

from ..models import Session
from .words import (
    ACTIVITIES,
    BREAK_ABSTRACTS,
    CLOSERS,
    COMPANY_HEADS,
    COMPANY_KINDS,
    COMPANY_TAILS,
    FIRST_NAMES,
    HOBBIES,
    KEYNOTE_ABSTRACTS,
    LAST_NAMES,
    LEARNINGS,
    LIGHTNING_TITLES,
    MASTODON_SERVERS,
    MIDDLES,
    OPENERS,
    ORDINALS,
    PANEL_ABSTRACTS,
    PANEL_TITLES,
    REQUIREMENTS,
    ROLES,
    SENIORITY,
    SOLO_TITLES,
    TALK_TITLES,
    WORKSHOP_ABSTRACTS,
    WORKSHOP_TITLES,
)

MIN_SESSIONS = 20
MAX_SESSIONS = 10_000
DEFAULT_AVATARS_SHARE = 0.6
AVATAR_POOL_SIZE = 16
MAX_DAYS = 61  # Event.clean allows at most 61 days.


class DemoError(Exception):
    """The demo cannot be generated with these arguments (the message says why)."""


# ---------------------------------------------------------------------------------------
# The day's shape, in the event's local time. Every room follows the same grid, so rooms
# never overlap with themselves; keynotes and lunch are plenary (nothing else runs).


T = dt.time
KEYNOTE = (T(9, 0), T(9, 45))
CLOSING_KEYNOTE = (T(17, 20), T(18, 0))  # last day only, in place of the last slot
SLOTS = [
    (T(10, 0), T(10, 40)),
    (T(10, 50), T(11, 30)),
    (T(12, 0), T(12, 40)),
    (T(12, 50), T(13, 30)),
    (T(14, 30), T(15, 10)),
    (T(15, 20), T(16, 0)),
    (T(16, 30), T(17, 10)),
    (T(17, 20), T(18, 0)),
]
BLOCKS = [(0, 1), (2, 3), (4, 5), (6, 7)]  # pairs of slots between breaks (workshops)
BREAKS = [
    ("Coffee break", T(11, 30), T(12, 0), False),
    ("Lunch", T(13, 30), T(14, 30), True),  # True: served in the main room
    ("Afternoon coffee", T(16, 0), T(16, 30), False),
]
LIGHTNING_MINUTES = 10
STRUCTURAL_PER_DAY = 1 + len(BREAKS)  # the morning keynote and the breaks

# Mix of what fills a slot: most are talks; a lightning block holds 3–4 short talks.
P_WORKSHOP = 0.08  # per pair of slots
P_PANEL = 0.10
P_LIGHTNING = 0.04  # per slot, and at most this share of a day's slots
# Expected sessions per slot with that mix, and how full rooms should be on average.
EXPECTED_PER_SLOT = 1.1
FILL = 0.95


# ---------------------------------------------------------------------------------------
# Plans: what will be written, built in memory first.


@dataclass
class PlannedSession:
    kind: str  # keynote, talk, lightning, panel, workshop, break
    day: int
    start: dt.time
    end: dt.time
    room: int | None  # index into the rooms; 0 is the main room
    track: int | None = None
    title: str = ""
    status: str = Session.Status.PUBLISHED
    speakers: list[tuple[int, str]] = field(default_factory=list)  # (speaker index, role)
    topic: str = ""  # what the title and abstract are about
    topic2: str = ""
    abstract: str = ""
    starts_at: dt.datetime | None = None  # aware, UTC
    ends_at: dt.datetime | None = None
    guid: uuid.UUID | None = None


def _rng(seed: int, topic: str) -> random.Random:
    """An independent random stream per concern (str seeds are hashed deterministically)."""
    return random.Random(f"lineup-demo:{seed}:{topic}")


def _guid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _Slugs:
    """``events.models.unique_slug`` for rows not yet saved: free within one event."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, base: str) -> str:
        slug = free_slug(slug_root(base), self.taken)
        self.taken.add(slug)
        return slug


SMALL_WORDS = {"a", "an", "and", "as", "at", "for", "in", "of", "on", "the", "to", "with"}


def _title_case(text: str) -> str:
    """ "zero-trust networking" -> "Zero-Trust Networking"; "SLOs" and "CI" stay as they are."""

    def word(w: str, first: bool) -> str:
        if w != w.lower() or (w in SMALL_WORDS and not first):
            return w
        return "-".join(part[:1].upper() + part[1:] for part in w.split("-"))

    return " ".join(word(w, i == 0) for i, w in enumerate(text.split()))


def _fill(template: str, rng: random.Random, topic: str, topic2: str, **extra) -> str:
    """Fill a template: {topic} and {topic2} in running text, {Title} and {Title2} in titles."""
    return template.format(
        topic=topic,
        topic2=topic2,
        Title=_title_case(topic),
        Title2=_title_case(topic2),
        n=rng.choice([3, 5, 7, 10]),
        **extra,
    )


def default_start_date(seed: int) -> dt.date:
    """A Tuesday in spring 2027 picked by the seed (never today's date: reproducible)."""
    rng = _rng(seed, "date")
    day = dt.date(2027, 3, 1) + dt.timedelta(weeks=rng.randrange(12))
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


def plan_days(sessions: int) -> tuple[int, int]:
    """(rooms, days) for an event of ``sessions`` sessions."""
    rooms = min(25, max(3, round(sessions / 25)))
    per_day = rooms * len(SLOTS) * EXPECTED_PER_SLOT * FILL + STRUCTURAL_PER_DAY
    days = max(2, math.ceil(sessions / per_day))
    return rooms, days


def _later(moment: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date.min, moment) + dt.timedelta(minutes=minutes)).time()


def _plan_schedule(rng: random.Random, sessions: int, rooms: int, days: int, tracks: int):
    """Place keynotes, breaks and ``sessions`` sessions in all into the day grid.

    Each day gets an equal share of the content. Rooms are filled block by block (a block
    is the pair of slots between two breaks) in a diagonal order, so that a day that is
    not full has its free places spread over rooms and times rather than in one corner.
    Lightning blocks (3–4 sessions in one slot) stay rare unless a day needs them to fit.
    """
    plan: list[PlannedSession] = []
    structural = days * STRUCTURAL_PER_DAY + 1  # + the closing keynote
    content = sessions - structural
    shares = [content // days + (1 if d < content % days else 0) for d in range(days)]
    forced = ["workshop", "panel", "lightning"]  # so that even a small event has each kind
    remaining = 0
    for day in range(days):
        last_day = day == days - 1
        plan.append(PlannedSession("keynote", day, *KEYNOTE, room=0))
        for title, start, end, in_main_room in BREAKS:
            room = 0 if in_main_room else None
            plan.append(PlannedSession("break", day, start, end, room, title=title))
        if last_day:
            plan.append(PlannedSession("keynote", day, *CLOSING_KEYNOTE, room=0))

        units = []
        for rnd in range(len(BLOCKS)):
            for room in range(rooms):
                slots = BLOCKS[(rnd + room) % len(BLOCKS)]
                if last_day:  # the closing keynote takes the last slot
                    slots = tuple(s for s in slots if s != len(SLOTS) - 1)
                units.append((room, slots))
        slots_left = sum(len(slots) for _, slots in units)
        lightning_allowance = max(1, round(slots_left * P_LIGHTNING))
        remaining += shares[day]  # plus whatever the day before could not place

        for room, slots in units:
            if remaining <= 0:
                break
            track = (room + day) % tracks if rng.random() < 0.8 else rng.randrange(tracks)
            want = forced.pop(0) if forced else None
            need = remaining / slots_left
            room_for_workshop = len(slots) == 2 and remaining - 1 <= 4 * (slots_left - 2)
            if room_for_workshop and (
                want == "workshop" or (want is None and need < 1.1 and rng.random() < P_WORKSHOP)
            ):
                start, end = SLOTS[slots[0]][0], SLOTS[slots[1]][1]
                plan.append(PlannedSession("workshop", day, start, end, room, track))
                remaining -= 1
                slots_left -= 2
                continue
            for slot in slots:
                need = remaining / slots_left
                slots_left -= 1
                if remaining <= 0:
                    continue
                start, end = SLOTS[slot]
                roll = rng.random()
                # A lightning block holds up to 4 sessions; place at least ``must`` here so
                # that the slots after this one can still take the rest of the day's share.
                must = remaining - 4 * slots_left
                if need > 1:  # behind: lightning blocks catch up
                    p_lightning = min(1.0, (need - 1) / 1.5)
                else:
                    p_lightning = P_LIGHTNING if lightning_allowance > 0 else 0.0
                if must > 1 or want == "lightning" or (want is None and roll < p_lightning):
                    count = max(must, 4 if need > 2 else rng.choice([3, 4, 4]))
                    count = min(count, remaining)
                    for i in range(count):
                        moment = _later(start, i * LIGHTNING_MINUTES)
                        then = _later(moment, LIGHTNING_MINUTES)
                        plan.append(PlannedSession("lightning", day, moment, then, room, track))
                    remaining -= count
                    lightning_allowance -= 1
                elif want == "panel" or (want is None and roll < p_lightning + P_PANEL):
                    plan.append(PlannedSession("panel", day, start, end, room, track))
                    remaining -= 1
                else:
                    if rng.random() < 0.3:  # a short talk
                        end = _later(start, 30)
                    plan.append(PlannedSession("talk", day, start, end, room, track))
                    remaining -= 1
                want = None
    if remaining > 0:
        raise DemoError(f"Could not fit {sessions} sessions into {days} days.")
    return plan


TITLES = {
    "talk": TALK_TITLES,
    "panel": PANEL_TITLES,
    "workshop": WORKSHOP_TITLES,
    "lightning": LIGHTNING_TITLES,
}


def _name_session(rng: random.Random, item: PlannedSession, topics: list[str], used: set[str]):
    """Pick the session's topics and a title from them (a few tries for an unused title)."""
    for _ in range(6):
        item.topic, item.topic2 = rng.sample(topics, 2)
        item.title = _fill(rng.choice(TITLES[item.kind]), rng, item.topic, item.topic2)
        if item.title not in used:
            break
    used.add(item.title)


def _abstract(rng: random.Random, item: PlannedSession, room_names: list[str]) -> str:
    topic, topic2 = item.topic, item.topic2
    if item.kind == "break":
        room = room_names[item.room] if item.room is not None else "foyer"
        return BREAK_ABSTRACTS[item.title].format(room=room)
    if item.kind == "keynote":
        ordinal = rng.choice(ORDINALS)
        return _fill(rng.choice(KEYNOTE_ABSTRACTS), rng, topic, topic2, ordinal=ordinal)
    if item.kind == "panel":
        return _fill(rng.choice(PANEL_ABSTRACTS), rng, topic, topic2)
    if item.kind == "workshop":
        needs = "\n".join(f"- {need}" for need in rng.sample(REQUIREMENTS, 2))
        text = _fill(rng.choice(WORKSHOP_ABSTRACTS), rng, topic, topic2)
        return f"{text}\n\nWhat to bring:\n\n{needs}"
    if item.kind == "lightning":
        opener = _fill(rng.choice(OPENERS), rng, topic, topic2)
        return f"{opener} Ten minutes, one idea, one demo."
    paragraphs = [
        " ".join(_fill(rng.choice(part), rng, topic, topic2) for part in (OPENERS, MIDDLES)),
        _fill(rng.choice(CLOSERS), rng, topic, topic2),
    ]
    roll = rng.random()
    if roll < 0.2:
        learned = "\n".join(
            f"- {_fill(line, rng, topic, topic2)}" for line in rng.sample(LEARNINGS, 3)
        )
        paragraphs.insert(1, f"What you will learn:\n\n{learned}")
    elif roll < 0.35:
        link = f"https://example.org/notes/{slugify(topic)}"
        paragraphs.append(f"Background reading: [notes on {topic}]({link}).")
    return "\n\n".join(paragraphs)


@dataclass
class PlannedSpeaker:
    name: str
    job_title: str = ""
    company: str = ""
    bio: str = ""
    email: str = ""
    website: str = ""
    mastodon: str = ""
    github: str = ""
    busy: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    avatar: tuple[bytes, bytes] | None = None  # (avatar, thumbnail) JPEG bytes
    avatar_stem: str = ""  # file name, without extension


class _People:
    """Makes up speakers, each with a name of their own."""

    def __init__(self, rng: random.Random, topics: list[str]) -> None:
        self.rng = rng
        self.topics = topics
        self.used: set[str] = set()
        self.people: list[PlannedSpeaker] = []

    def _name(self) -> str:
        rng = self.rng
        for attempt in range(1000):
            middle = f" {chr(ord('A') + rng.randrange(26))}." if attempt >= 50 else ""
            name = f"{rng.choice(FIRST_NAMES)}{middle} {rng.choice(LAST_NAMES)}"
            if name not in self.used:
                return name
        raise DemoError("Ran out of names for speakers.")  # ~500,000 to choose from

    def new(self) -> int:
        rng = self.rng
        name = self._name()
        self.used.add(name)
        first = name.split()[0]
        handle = slugify(name)
        person = PlannedSpeaker(name=name, email=f"{handle}@example.org")
        if rng.random() < 0.1:
            person.job_title = rng.choice(SOLO_TITLES)
        else:
            person.job_title = rng.choice(SENIORITY) + rng.choice(ROLES)
        if rng.random() < 0.9:
            person.company = (
                rng.choice(COMPANY_HEADS) + rng.choice(COMPANY_TAILS) + rng.choice(COMPANY_KINDS)
            )
        topic, topic2 = rng.sample(self.topics, 2)
        where = f" at {person.company}" if person.company else ""
        sentences = [
            f"{first} is {_a(person.job_title)} {person.job_title}{where}, "
            f"working on {topic} and {topic2}.",
            f"{first} has spent {rng.randint(2, 20)} years {rng.choice(ACTIVITIES)}.",
        ]
        if rng.random() < 0.7:
            sentences.append(f"Away from the keyboard, {first} {rng.choice(HOBBIES)}.")
        bio = " ".join(sentences)
        roll = rng.random()
        if roll < 0.25:
            person.website = f"https://{handle}.example.net/"
            bio += f"\n\n{first} writes now and then at [{handle}.example.net]({person.website})."
        elif roll < 0.4:
            picks = "\n".join(f"- {t}" for t in rng.sample(self.topics, 3))
            bio += f"\n\nHappy to talk about:\n\n{picks}"
        person.bio = bio
        if rng.random() < 0.4:
            person.github = handle[:39].strip("-")
        if rng.random() < 0.3:
            person.mastodon = f"@{handle.replace('-', '_')}@{rng.choice(MASTODON_SERVERS)}"
        self.people.append(person)
        return len(self.people) - 1

    def free(self, index: int, start: dt.datetime, end: dt.datetime) -> bool:
        return all(end <= s or start >= e for s, e in self.people[index].busy)


def _a(words: str) -> str:
    return "an" if words[:1].lower() in "aeiou" else "a"


def _cast(rng: random.Random, plan: list[PlannedSession], people: _People, target: int):
    """Give every non-break session its speakers, never one person in two places at once.

    Roughly ``target`` people in all: most speak once; the rest of the places go to
    people already cast who are free at that time.
    """
    needs = []
    for item in plan:
        if item.kind == "panel":
            roles = ["moderator"] + ["panelist"] * rng.choice([3, 3, 4])
        elif item.kind in ("talk", "keynote"):
            roles = ["speaker"] * (
                2 if rng.random() < (0.25 if item.kind == "talk" else 0.1) else 1
            )
        elif item.kind == "workshop":
            roles = ["speaker"] * rng.choice([1, 2])
        elif item.kind == "lightning":
            roles = ["speaker"]
        else:
            roles = []
        needs.append(roles)
    places = sum(len(roles) for roles in needs)
    reuse_share = max(0.0, 1 - target / places) if places else 0.0
    order = list(range(len(plan)))
    rng.shuffle(order)
    for index in order:
        item = plan[index]
        start, end = item.starts_at, item.ends_at
        for role in needs[index]:
            chosen = None
            if people.people and rng.random() < reuse_share:
                taken = {who for who, _ in item.speakers}
                for _ in range(20):
                    candidate = rng.randrange(len(people.people))
                    if candidate not in taken and people.free(candidate, start, end):
                        chosen = candidate
                        break
            if chosen is None:
                chosen = people.new()
            people.people[chosen].busy.append((start, end))
            item.speakers.append((chosen, role))


# ---------------------------------------------------------------------------------------
# Avatars: abstract pictures drawn with Pillow, a small pool shared by many speakers.


def _draw_avatar(rng: random.Random) -> bytes:
    size = 240

    def colour():
        return tuple(rng.randrange(40, 230) for _ in range(3))

    top, bottom = Image.new("RGB", (size, size), colour()), Image.new("RGB", (size, size), colour())
    gradient = Image.linear_gradient("L").resize((size, size)).rotate(rng.choice([0, 45, 90, 135]))
    image = Image.composite(bottom, top, gradient)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(2, 4)):
        x, y = rng.randrange(size), rng.randrange(size)
        r = rng.randrange(size // 8, size // 2)
        box = (x - r, y - r, x + r, y + r)
        shape = rng.choice(["ellipse", "rectangle", "triangle"])
        if shape == "ellipse":
            draw.ellipse(box, fill=colour())
        elif shape == "rectangle":
            draw.rectangle(box, fill=colour())
        else:
            draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=colour())
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _avatar_pool(rng: random.Random, count: int) -> list[tuple[bytes, bytes]]:
    """(avatar, thumbnail) JPEG bytes, each made by the same code path as an upload."""
    pool = []
    for i in range(count):
        upload = SimpleUploadedFile(f"demo-{i}.png", _draw_avatar(rng), content_type="image/png")
        processed = process_avatar(upload)
        pool.append((processed.avatar.read(), processed.thumb.read()))
    return pool
