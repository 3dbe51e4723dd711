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

from events.models import Event
from tests.factories import conference as shared_conference

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
    titles: dict[str, str]  # key (the shared conference's name of it) -> session title
    draft_title: str
    draft_speaker: str

    def path(self, suffix: str = "") -> str:
        return f"{self.url}/{self.event.slug}/{suffix}"


LA = zoneinfo.ZoneInfo("America/Los_Angeles")


@pytest.fixture
def conference(live_server, transactional_db) -> Conference:
    """The shared conference (tests/factories.conference) on Monday and Tuesday, May 6
    and 7, 2030 (Pacific daylight time): CloudNativeCon 2030, ``cnc30``."""
    c = shared_conference(start=dt.date(2030, 5, 6))
    keys = ("breakfast", "opening", "k101", "helm", "panel_session", "mesh", "draft", "prom")
    return Conference(
        event=c.event,
        url=live_server.url,
        public_count=len(c.public),
        track_counts={
            track.slug: sum(1 for s in c.public if s.track_id == track.pk)
            for track in (c.ops, c.dev)
        },
        titles={key: getattr(c, key).title for key in keys},
        draft_title=c.draft.title,
        draft_speaker=c.ghost.name,
    )
