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
"""

import datetime as dt
import io
import math
import random
import uuid
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import slugify
from PIL import Image, ImageDraw

from events.models import Event, Room, SessionType, Track, free_slug, slug_root
from lib.markup import render_markdown
from speakers.images import THUMB_SIZE, ProcessedAvatar, process_avatar
from speakers.models import Speaker, next_speaker_id

from .models import Session, SessionSpeaker, next_frab_id

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
# Word lists. All made up for this demo; any likeness to real people or firms is chance.

VENUES = [
    ("America/Los_Angeles", "San Francisco, CA"),
    ("Europe/Berlin", "Berlin"),
    ("America/New_York", "Boston, MA"),
    ("Asia/Tokyo", "Tokyo"),
    ("Europe/Lisbon", "Lisbon"),
    ("America/Chicago", "Chicago, IL"),
    ("Australia/Sydney", "Sydney"),
    ("America/Vancouver", "Vancouver, BC"),
    ("Europe/Amsterdam", "Amsterdam"),
    ("America/Sao_Paulo", "São Paulo"),
    ("Africa/Nairobi", "Nairobi"),
    ("Asia/Singapore", "Singapore"),
]
VENUE_WORDS = [
    "Harborview", "Riverside", "Lakeside", "Ironworks", "Foundry", "Granary", "Skyline",
    "Waterfront"
]  # fmt: skip
VENUE_KINDS = ["Convention Center", "Conference Centre", "Congress Hall", "Expo Center"]
STREETS = ["Canal Street", "Mill Lane", "Quay Road", "Foundry Way", "Orchard Avenue", "Pier Row"]
EVENT_WORDS = [
    "Kestrel", "Driftwood", "Tidepool", "Basalt", "Marigold", "Foxglove", "Lanternfish",
    "Cobblestone"
]  # fmt: skip
EVENT_KINDS = ["DevDays", "Summit", "Conf", "Tech Days", "Forum"]

ROOM_NAMES = [
    "Auditorium", "Harbour", "Lighthouse", "Cedar", "Maple", "Birch", "Willow", "Aspen",
    "Rowan", "Hazel", "Alder", "Elm", "Juniper", "Larch", "Linden", "Poplar", "Spruce",
    "Hawthorn", "Chestnut", "Magnolia", "Sycamore", "Cypress", "Laurel", "Olive"
]  # fmt: skip
MAIN_ROOM = "Main Hall"

TRACK_COLORS = [
    "#2a6f97", "#c44536", "#3d8b37", "#8e44ad", "#d68910", "#17a2b8",
    "#b03a6f", "#5d6d7e", "#a0522d", "#1e8449", "#34495e", "#e67e22",
]  # fmt: skip
TRACKS = [
    ("Cloud & Infrastructure", [
        "Kubernetes operators", "service meshes", "edge clusters", "container images",
        "serverless functions", "infrastructure as code", "multi-region failover",
        "autoscaling",
    ]),
    ("Security", [
        "supply-chain security", "secrets management", "threat modelling",
        "zero-trust networking", "dependency audits", "incident response", "passkeys",
        "fuzzing",
    ]),
    ("Data & Machine Learning", [
        "feature stores", "data pipelines", "stream processing", "vector search",
        "model evaluation", "data contracts", "query planners", "columnar storage",
    ]),
    ("Web & Mobile", [
        "web components", "offline-first apps", "accessibility", "design systems",
        "server-side rendering", "progressive web apps", "mobile release trains",
        "web performance",
    ]),
    ("Developer Experience", [
        "build caches", "monorepos", "code review", "internal platforms", "documentation",
        "flaky tests", "local development environments", "CI pipelines",
    ]),
    ("Observability", [
        "distributed tracing", "structured logging", "SLOs", "alert fatigue",
        "continuous profiling", "metrics cardinality", "on-call rotations", "dashboards",
    ]),
    ("Languages & Runtimes", [
        "Rust", "WebAssembly", "garbage collectors", "async runtimes", "type systems",
        "Python packaging", "JIT compilers", "memory safety",
    ]),
    ("Databases", [
        "PostgreSQL", "schema migrations", "replication", "connection pooling",
        "time-series storage", "indexes", "backups", "sharding",
    ]),
    ("Architecture", [
        "event-driven systems", "modular monoliths", "API design", "caching",
        "idempotency", "backpressure", "message queues", "legacy rewrites",
    ]),
    ("Community & Careers", [
        "open-source maintainership", "mentoring", "inclusive teams", "technical writing",
        "remote collaboration", "first contributions", "project governance",
        "sustainable pace",
    ]),
]  # fmt: skip

SESSION_TYPES = [
    # (kind in the plan, name, is_break)
    ("keynote", "Keynote", False),
    ("talk", "Talk", False),
    ("lightning", "Lightning talk", False),
    ("panel", "Panel", False),
    ("workshop", "Workshop", False),
    ("break", "Break", True),
]

TALK_TITLES = [
    "{Title} Without the Drama",
    "{n} Lessons from {Title} in Production",
    "A Field Guide to {Title}",
    "{Title} at Scale: What Actually Broke",
    "Beyond the Hype: {Title} in Practice",
    "Taming {Title}",
    "{Title}, the Boring Way",
    "Rethinking {Title} for Small Teams",
    "What Nobody Tells You About {Title}",
    "Debugging {Title}: Stories from the Trenches",
    "The Hidden Costs of {Title}",
    "{Title} Meets {Title2}",
    "{Title} for the Rest of Us",
    "Why {Title} Is Harder Than It Looks",
    "Getting Started with {Title}",
    "A Year of {Title}: A Retrospective",
    "Measuring {Title} Before Changing It",
    "Untangling {Title} and {Title2}",
]
PANEL_TITLES = [
    "Panel: The Future of {Title}",
    "Ask the Practitioners: {Title}",
    "{Title}: Where Do We Go from Here?",
    "Roundtable on {Title} and {Title2}",
]
WORKSHOP_TITLES = [
    "Hands-On {Title}",
    "{Title} Lab: From an Empty Repository to Production",
    "Practical {Title}, Step by Step",
    "Workshop: {Title} in an Afternoon",
]
LIGHTNING_TITLES = [
    "{Title} in Ten Minutes",
    "A Tiny Tool for {Title}",
    "My Favourite {Title} Bug",
    "{Title}: A Quick Demo",
    "One Small Fix for {Title}",
]
KEYNOTE_TITLES = [
    "Software That Lasts",
    "Small Tools, Big Teams",
    "The Quiet Work of Reliability",
    "Building for People Who Are Not Us",
    "Curiosity as an Engineering Practice",
    "What the Last Outage Taught Us",
    "Maintainers Are People Too",
    "The Long Game of Open Source",
    "Simplicity Is a Feature",
    "Ten Thousand Deploys Later",
    "Writing Code Other People Can Read",
    "The Case for Slower Software",
]

OPENERS = [
    "On paper, {topic} looks simple; day-to-day reality is messier.",
    "Most teams meet {topic} long before they are ready for it.",
    "This session looks at {topic} through the eyes of a team that had to make it "
    "work under a deadline.",
    "Everyone agrees that getting {topic} right matters; fewer agree on how.",
    "Two years ago our approach to {topic} was a collection of scripts and good intentions.",
]
MIDDLES = [
    "We walk through {n} real incidents, what caused them, and the small changes that "
    "prevented the next one.",
    "Expect diagrams, a **live demo**, and at least one honest mistake.",
    "You will see the trade-offs between speed, cost and safety, and which of them we "
    "would make again.",
    "Along the way we compare {topic} with {topic2} and show where each one fits.",
    "We share the numbers before and after, including the ones that did not move.",
]
CLOSERS = [
    "You will leave with a checklist you can apply on Monday.",
    "No prior experience with {topic} is needed.",
    "Slides and sample code will be shared after the session.",
    "We keep ten minutes at the end for *your* questions.",
]
LEARNINGS = [
    "how to measure {topic} before changing it",
    "where {topic2} helps and where it gets in the way",
    "a rollout plan that survives contact with production",
    "which defaults to change first, and which to leave alone",
    "how to explain the trade-offs to the rest of your organisation",
    "the three metrics we watch every morning",
]
PANEL_ABSTRACTS = [
    "A conversation among practitioners about {topic}: what has changed in the last "
    "few years, what has not, and what they would tell a team starting today.",
    "Our panelists have run {topic} in very different places. They compare notes, "
    "disagree politely, and answer questions from the audience.",
]
WORKSHOP_ABSTRACTS = [
    "A hands-on session: we build a small but complete example of {topic}, one step "
    "at a time, and you leave with working code.",
    "Learn {topic} by doing. We pair up, work through short exercises, and discuss "
    "the results together.",
]
REQUIREMENTS = [
    "a laptop with Git and a recent browser",
    "Docker or Podman installed",
    "a free account on nothing at all: everything runs locally",
    "basic comfort with a terminal",
]
KEYNOTE_ABSTRACTS = [
    "Our {ordinal} keynote asks what it takes to build things that are still useful "
    "in ten years, and why the answer is mostly about people.",
    "A look back at a decade of building and running software, and a look forward at "
    "the habits worth keeping.",
]
BREAK_ABSTRACTS = {
    "Coffee break": "Coffee, tea and snacks in the foyer.",
    "Afternoon coffee": "Coffee, tea and fruit in the foyer.",
    "Lunch": "Lunch is served in the {room}; vegetarian and vegan options are labelled.",
}

FIRST_NAMES = [
    "Aaliyah", "Abdul", "Ada", "Adebayo", "Aiko", "Alejandro", "Amara", "Amir", "Ana", "Anders",
    "Anh", "Anika", "Arjun", "Astrid", "Aylin", "Babajide", "Beatriz", "Bilal", "Björn",
    "Camille", "Carlos", "Chen", "Chiara", "Chidi", "Clara", "Dalia", "Daniel", "Dario",
    "Deepa", "Diego", "Dmitri", "Elif", "Elena", "Emeka", "Emil", "Esi", "Esther", "Fatima",
    "Felix", "Femi", "Freya", "Gabriel", "Greta", "Hana", "Hamza", "Hannah", "Haruto", "Hugo",
    "Ines", "Ingrid", "Isaac", "Ivan", "Jamal", "Jana", "Javier", "Jin", "Joao", "Jonas",
    "Julia", "Kai", "Kavya", "Keiko", "Kemal", "Kofi", "Lars", "Laila", "Lea", "Leon", "Lina",
    "Luca", "Lucia", "Mai", "Malik", "Marco", "Mariam", "Mateo", "Maya", "Mehmet", "Mei",
    "Mika", "Milan", "Mina", "Nadia", "Naveen", "Nia", "Nikolai", "Noor", "Olga", "Omar",
    "Oskar", "Paulo", "Priya", "Quentin", "Rafael", "Rania", "Ravi", "Rosa", "Rui", "Sakura",
    "Samir", "Sara", "Sebastian", "Selin", "Sipho", "Sofia", "Sunita", "Tariq", "Thandiwe",
    "Theo", "Tomas", "Uma", "Valentina", "Vikram", "Wanjiru", "Wei", "Xavier", "Yara", "Yasmin",
    "Yuki", "Yusuf", "Zainab", "Zeynep", "Zofia", "Ayesha", "Bram", "Cyrus", "Dana", "Eero",
    "Farid", "Gwen", "Ilse", "Jorge", "Kenji", "Liesel", "Mateus", "Noah", "Otto", "Pia", "Ren",
    "Saoirse"
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Acheampong", "Adeyemi", "Ahmed", "Alvarez", "Andersen", "Aoki", "Barros",
    "Becker", "Bergström", "Bianchi", "Bose", "Brennan", "Castillo", "Chatterjee", "Chowdhury",
    "Costa", "Dahl", "Delgado", "Dimitrov", "Dubois", "Eze", "Farah", "Fernandes", "Fischer",
    "Fontaine", "Fujita", "Gallagher", "García", "Gonzaga", "Gupta", "Haddad", "Hansen",
    "Hartmann", "Hoang", "Horvath", "Ibrahim", "Iyer", "Jansen", "Jensen", "Kapoor", "Kaur",
    "Kim", "Kowalski", "Lambert", "Larsen", "Leclerc", "Lee", "Lindqvist", "Lopez", "Mahlangu",
    "Marino", "Martins", "Mendes", "Moreau", "Murphy", "Nakamura", "Nair", "Naidoo", "Nguyen",
    "Novak", "Nowak", "Obi", "Odhiambo", "Okafor", "Okoro", "Olsen", "Ortiz", "Osei", "Park",
    "Patel", "Pereira", "Petrov", "Popescu", "Quispe", "Rahman", "Ramos", "Rao", "Reyes",
    "Rossi", "Sato", "Schmidt", "Sharma", "Silva", "Singh", "Sokolova", "Suzuki", "Tanaka",
    "Tran", "Varga", "Vasquez", "Virtanen", "Wagner", "Walsh", "Wang", "Weber", "Yamamoto",
    "Yilmaz", "Zhang", "Zhou", "Achterberg", "Baptiste", "Carvalho", "Dlamini", "Eriksen",
    "Ferreira", "Grant", "Halvorsen", "Ishikawa", "Jovanović", "Kariuki", "Lindgren", "Mensah",
    "Nordin", "Oyelaran", "Pham", "Quinn", "Rasmussen", "Santos", "Takahashi", "Uddin",
    "Valdez", "Watanabe", "Xu", "Yeo", "Zielinski", "Aziz", "Bakker", "Cruz", "Duarte", "Engel",
    "Fuchs", "Gill", "Holm", "Ito", "Jaramillo"
]  # fmt: skip
SENIORITY = ["", "", "Senior ", "Staff ", "Principal ", "Lead "]
ROLES = [
    "Software Engineer", "Site Reliability Engineer", "Platform Engineer", "Data Engineer",
    "Security Engineer", "Developer Advocate", "Product Manager", "Engineering Manager",
    "Data Scientist", "Frontend Developer", "Mobile Developer", "Solutions Architect",
    "Research Scientist", "Technical Writer", "Database Administrator",
]  # fmt: skip
SOLO_TITLES = ["CTO", "Co-founder", "VP of Engineering", "Independent Consultant", "Maintainer"]
COMPANY_HEADS = [
    "Cinder", "Moss", "Pebble", "Quill", "Tundra", "Yarrow", "Basil", "Kelp", "Umber", "Fennel",
    "Gable", "Heron"
]  # fmt: skip
COMPANY_TAILS = ["loop", "byte", "field", "stack", "forge", "wave", "grid", "lane", "leaf", "mark"]
COMPANY_KINDS = ["", "", " Labs", " Systems", " Health", " Logistics", " Analytics", " Games"]
ACTIVITIES = [
    "building payment systems",
    "running infrastructure for a public broadcaster",
    "teaching programming at evening classes",
    "maintaining open-source libraries",
    "helping hospitals move off paper",
    "writing compilers for small devices",
    "scaling a marketplace from one server to many",
    "keeping a large monorepo fast",
    "designing APIs that other teams actually enjoy",
    "chasing latency in trading systems",
]
HOBBIES = [
    "bakes sourdough with mixed results",
    "runs trail races",
    "restores old bicycles",
    "plays the cello, badly but happily",
    "grows tomatoes on a tiny balcony",
    "volunteers at a coding club for kids",
    "collects vintage calculators",
    "climbs indoors and occasionally outdoors",
    "sketches buildings on train journeys",
    "is learning a fourth language",
]
MASTODON_SERVERS = ["social.example", "toot.example.net", "fedi.example.org"]
ORDINALS = ["opening", "second", "third", "fourth", "fifth", "sixth", "seventh"]


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
    capacities = [main_capacity] + sorted(
        (event_rng.randrange(4, 45) * 10 for _ in range(rooms_n - 1)), reverse=True
    )
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
