"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every test in this folder is marked ``browser`` and runs once per viewport (phone and
desktop). Screenshots go to ``test-artifacts/screenshots/<test>-<viewport>[-<label>].png``;
a failing test leaves one named ``...-failed.png``.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from events.models import Event, SessionType
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

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parents[1] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Mark every test collected from this folder (and only those) as a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


# Browser -------------------------------------------------------------------------------


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request) -> str:
    """The name of the viewport this test runs at: "phone" (360x740) or "desktop"."""
    return request.param


@dataclass
class PageLog:
    """What went wrong while a page was open: console errors, page errors, bad requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on(
            "console",
            lambda msg: (
                self.console_errors.append(f"{msg.text} ({msg.location})")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on(
            "requestfailed",
            lambda req: self.failed_requests.append(f"{req.url}: {req.failure}"),
        )
        page.on(
            "response",
            lambda resp: (
                self.bad_responses.append(f"{resp.status} {resp.url}")
                if resp.status >= 400
                else None
            ),
        )


@pytest.fixture
def new_page(browser, viewport, request):
    """Make a page in a fresh browser context at this test's viewport.

    Keyword arguments go to ``browser.new_context`` (``java_script_enabled=False``...).
    Each page gets a ``log`` attribute (a PageLog). On failure, a screenshot of every
    page the test opened is saved.
    """
    for stale in SCREENSHOTS.glob(f"{_screenshot_path(request, viewport).stem}-failed*.png"):
        stale.unlink()
    contexts = []

    def make(**context_options):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="en-US", **context_options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.log = PageLog()
        page.log.watch(page)
        return page

    yield make
    failed = request.node.stash.get(_CALL_FAILED, False)
    for n, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                label = "failed" if n == 0 else f"failed-{n}"
                page.screenshot(path=_screenshot_path(request, viewport, label), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    """A page with JavaScript on, at this test's viewport."""
    return new_page()


def _screenshot_path(request, viewport: str, label: str = "") -> Path:
    name = re.sub(r"[^\w.-]+", "_", request.node.originalname)
    suffix = f"-{label}" if label else ""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}-{viewport}{suffix}.png"


@pytest.fixture
def screenshot(request, viewport):
    """``screenshot(page, label="")`` saves a full-page screenshot named after the test."""

    def take(page, label: str = "") -> Path:
        path = _screenshot_path(request, viewport, label)
        page.screenshot(path=path, full_page=True)
        return path

    return take


# Live server ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _empty_static_root(tmp_path_factory):
    """Point STATIC_ROOT at an empty folder while the live server starts and runs.

    Tests run with DEBUG off, so WhiteNoise scans STATIC_ROOT once at start-up and warns
    (an error here) when it is missing, as it is until ``collectstatic`` runs. The live
    server serves /static/ itself, from the finders, through staticfiles'
    StaticFilesHandler, so nothing needs collecting.
    """
    from django.test.utils import override_settings

    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static_root"))):
        yield


@pytest.fixture(scope="session")
def live_server(_empty_static_root, live_server):
    """pytest-django's live server, started after ``_empty_static_root``."""
    return live_server


# Data ----------------------------------------------------------------------------------


@dataclass
class Conference:
    """The published test event, and the facts the tests check against."""

    event: Event
    url: str  # the live server's root, without a trailing slash
    public_count: int
    track_counts: dict[str, int]  # track slug -> public sessions in it
    titles: dict[str, str]  # key -> session title
    draft_title: str
    draft_speaker: str

    def path(self, suffix: str = "") -> str:
        return f"{self.url}/{self.event.slug}/{suffix}"


LA = zoneinfo.ZoneInfo("America/Los_Angeles")
DAY1 = dt.date(2030, 5, 6)  # a Monday
DAY2 = dt.date(2030, 5, 7)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LA)


@pytest.fixture
def conference(live_server, transactional_db) -> Conference:
    """A two-day published event in Los Angeles: 3 rooms, 2 tracks, 12 sessions."""
    event = EventFactory(
        slug="cloudconf",
        name="CloudConf 2030",
        timezone="America/Los_Angeles",
        start_date=DAY1,
        end_date=DAY2,
        venue_name="Moscone West",
    )
    main = RoomFactory(event=event, name="Main Hall", position=0)
    room_b = RoomFactory(event=event, name="Room B", position=1)
    lab = RoomFactory(event=event, name="Workshop Lab", position=2)
    cloud = TrackFactory(event=event, name="Cloud Native", color="#1b7f5b", position=0)
    security = TrackFactory(event=event, name="Security", color="#b5179e", position=1)
    keynote = SessionTypeFactory(event=event, name="Keynote")
    talk = SessionTypeFactory(event=event, name="Talk")
    panel = SessionTypeFactory(event=event, name="Panel")
    workshop = SessionTypeFactory(event=event, name="Workshop")
    pause = SessionType.objects.create(event=event, name="Break", is_break=True)

    people = {
        key: SpeakerFactory(event=event, name=name, company=company, bio=bio)
        for key, name, company, bio in [
            ("ada", "Ada Quinton", "Orbit Labs", "Ada builds *schedulers*."),
            ("ben", "Ben Okafor", "Harbor Systems", "Ben maintains container tooling."),
            ("chen", "Chen Wei", "Lockstep", "Chen leads an application security team."),
            ("dana", "Dana Kowalski", "Kubeworks", "Dana teaches controller development."),
            ("eve", "Eve Marchetti", "Signet", "Eve works on software provenance."),
            ("farid", "Farid Haddad", "Signet", "Farid writes transparency logs."),
            ("grace", "Grace Lindqvist", "Perimeterless", "Grace designs networks."),
            ("hana", "Hana Sato", "Cloud Weekly", "Hana hosts a podcast about infrastructure."),
            ("ivan", "Ivan Petrov", "Tracewise", "Ivan works on telemetry pipelines."),
        ]
    }
    hidden = SpeakerFactory(event=event, name="Zed Hidden", company="Stealth Startup")

    def session(key, title, start, end, *, room, track=None, kind=talk, status=None, **kw):
        return key, SessionFactory(
            event=event,
            title=title,
            abstract=kw.pop("abstract", f"A session about {title.lower()}."),
            starts_at=start,
            ends_at=end,
            room=room,
            track=track,
            session_type=kind,
            status=status or Session.Status.PUBLISHED,
        )

    sessions = dict(
        [
            session("opening", "Opening keynote: the road ahead", _at(DAY1, 9), _at(DAY1, 9, 45),
                    room=main, track=cloud, kind=keynote),
            session("k8s", "Kubernetes operators in practice", _at(DAY1, 10), _at(DAY1, 10, 40),
                    room=main, track=cloud),
            session("threat", "Threat modelling for platform teams", _at(DAY1, 10),
                    _at(DAY1, 10, 40), room=room_b, track=security),
            session("lab", "Hands-on: writing your first operator", _at(DAY1, 11),
                    _at(DAY1, 12, 30), room=lab, track=cloud, kind=workshop),
            session("coffee", "Coffee", _at(DAY1, 10, 40), _at(DAY1, 11), room=None,
                    kind=pause, abstract=""),
            session("sigstore", "Supply chain security with Sigstore", _at(DAY1, 11),
                    _at(DAY1, 11, 40), room=room_b, track=security),
            session("mesh", "Service meshes without the hype", _at(DAY1, 11, 30),
                    _at(DAY1, 12, 10), room=main, track=cloud,
                    status=Session.Status.CANCELLED),
            session("lunch", "Lunch", _at(DAY1, 12, 30), _at(DAY1, 13, 30), room=None,
                    kind=pause, abstract=""),
            session("zerotrust", "Zero trust networking, explained", _at(DAY2, 9),
                    _at(DAY2, 9, 40), room=main, track=security),
            session("panel", "Panel: the future of cloud security", _at(DAY2, 10),
                    _at(DAY2, 11), room=main, track=security, kind=panel),
            session("otel", "Observability with OpenTelemetry", _at(DAY2, 10),
                    _at(DAY2, 10, 40), room=room_b, track=cloud),
            session("draft", "Secret unannounced talk", _at(DAY2, 11), _at(DAY2, 11, 40),
                    room=room_b, track=cloud, status=Session.Status.DRAFT),
        ]
    )  # fmt: skip

    speaker, panelist, moderator = (
        SessionSpeaker.Role.SPEAKER,
        SessionSpeaker.Role.PANELIST,
        SessionSpeaker.Role.MODERATOR,
    )
    for key, who, role in [
        ("opening", "ada", speaker),
        ("k8s", "ben", speaker),
        ("threat", "chen", speaker),
        ("lab", "dana", speaker),
        ("sigstore", "eve", speaker),
        ("sigstore", "farid", speaker),
        ("mesh", "ben", speaker),
        ("zerotrust", "grace", speaker),
        ("panel", "chen", panelist),
        ("panel", "eve", panelist),
        ("panel", "hana", moderator),
        ("otel", "ivan", speaker),
    ]:
        SessionSpeakerFactory(session=sessions[key], speaker=people[who], role=role)
    SessionSpeakerFactory(session=sessions["draft"], speaker=hidden)

    public = [s for s in sessions.values() if s.status != Session.Status.DRAFT]
    return Conference(
        event=event,
        url=live_server.url,
        public_count=len(public),
        track_counts={
            t.slug: sum(1 for s in public if s.track_id == t.pk) for t in (cloud, security)
        },
        titles={key: s.title for key, s in sessions.items()},
        draft_title=sessions["draft"].title,
        draft_speaker=hidden.name,
    )
