"""What a visitor's browser adds to the pages: times in their own zone, offline copies,
and the schedule framed on the conference's own site. Desktop only: none of it depends
on the width (the embed's screenshots at both widths are in docs/screenshots/)."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from events.models import Event
from schedule.models import Session


@pytest.fixture
def viewport() -> str:
    return "desktop"


def path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def wait_for_copies(page, paths: list[str]) -> None:
    """Until the service worker has saved these paths (it works after the page loads)."""
    script = """async (paths) => {
        const cache = await caches.open("lineup-pages-v1");
        const saved = (await cache.keys()).map((r) => new URL(r.url).pathname);
        return paths.every((p) => saved.includes(p));
    }"""
    for _ in range(100):
        if page.evaluate(script, paths):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not saved for offline use: {paths}")


def test_times_in_my_zone_and_pages_offline(conference, new_page):
    page = new_page(timezone_id="Asia/Tokyo")
    schedule = conference.path("schedule/")
    page.goto(schedule)
    first_slot = page.locator(".slot-time time").first
    expect(first_slot).to_have_text("8:00am PDT")  # the event's time until asked

    page.get_by_role("button", name="My zone").click()
    # 8:00 in Los Angeles on Monday May 6 is midnight on Tuesday in Tokyo.
    expect(first_slot).to_have_text("Tue 12:00am GMT+9")
    expect(first_slot).to_have_attribute("title", "8:00am PDT")
    expect(page.locator(".meta-time").first).to_have_text("12:00am – 1:00am")
    expect(page.locator("[data-time-note]")).to_have_text(
        "Times are shown in Asia/Tokyo; the event is in America/Los_Angeles."
    )
    # Remembered, on every page with times; another zone can be picked.
    k8s = Session.objects.get(title=conference.titles["k101"])
    session = conference.path(f"sessions/{k8s.slug}/")
    page.goto(session)
    when = page.locator(".session-facts time")
    expect(when).to_have_text("Tuesday, May 7, 2030 3:00am – 3:40am GMT+9")
    page.get_by_label("My time zone").select_option("Europe/Berlin")
    expect(when).to_have_text("Monday, May 6, 2030 8:00pm – 8:40pm GMT+2")

    page.goto(conference.path("speakers/kelsey-hightower/"))  # his first: 11:00 in LA
    expect(page.locator("main time").first).to_have_text(
        "Monday, May 6, 2030 8:00pm – 8:40pm GMT+2"
    )
    page.goto(conference.path("schedule/grid/?day=2030-05-06"))
    expect(page.locator("thead .grid-time")).to_have_text("GMT+2")
    expect(page.locator(".grid-when").first).to_have_text("5:00pm – 6:00pm")
    expect(page.get_by_role("rowheader").first).to_have_text("5:00pm")
    page.goto(session)

    # Offline: the schedule, the sessions opened and the agenda stay readable.
    page.locator(".btn-star").click()
    expect(page.locator(".btn-star")).to_have_attribute("aria-pressed", "true")
    agenda = conference.path("agenda/")
    wait_for_copies(
        page, [path(schedule), path(session), path(agenda), "/static/bundles/lineup.css"]
    )
    page.context.set_offline(True)
    for url, shows in [
        (schedule, conference.titles["opening"]),
        (session, conference.titles["k101"]),
        (agenda, conference.titles["k101"]),
    ]:
        page.goto(url)
        expect(page.locator(".offline-note")).to_have_text(
            re.compile(r"^Offline: saved copy as of \d\d:\d\d$")
        )
        expect(page.locator("main")).to_contain_text(shows)
    expect(page.locator(".agenda-summary")).to_have_text("1 session")
    # In my zone (the agenda's rows are the list's: a range, from the slot and the row).
    expect(page.locator(".meta-time").first).to_have_text("8:00pm – 8:40pm")
    page.goto(schedule)
    expect(first_slot).to_have_text("5:00pm GMT+2")  # the copy in my zone too (same day)

    # Back online: fresh data, and no "as of" any more.
    Session.objects.filter(title=conference.titles["opening"]).update(title="Opening, renamed")
    Event.objects.filter(pk=conference.event.pk).touch()
    page.context.set_offline(False)
    expect(page.locator(".offline-note")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Opening, renamed")

    # The agenda page sends no referrer to other sites, yet its own forms post (with
    # "no-referrer", Chromium sent "Origin: null" and the CSRF check refused them).
    page.goto(agenda)
    page.get_by_role("button", name="Remove from my agenda").click()
    expect(page.locator("main")).to_contain_text("You have not starred any sessions yet.")
    assert not page.log.page_errors


class HostSite(BaseHTTPRequestHandler):
    """The conference's own site: a page that frames the embedded schedule."""

    embed_url = ""

    def do_GET(self):
        body = (
            f"<!doctype html><title>Our conference</title><h1>Our conference</h1>"
            f'<iframe src="{self.embed_url}" title="Schedule" width="900" height="600"></iframe>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def host_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_embed_shows_on_a_listed_site_only(conference, new_page, host_site):
    allowed = f"http://127.0.0.1:{host_site}"
    Event.objects.filter(pk=conference.event.pk).update(frame_origins=allowed, color="#b5179e")
    Event.objects.filter(pk=conference.event.pk).touch()
    HostSite.embed_url = conference.path("embed/?track=dev")
    page = new_page()
    page.goto(f"{allowed}/")
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("CloudNativeCon 2030")
    expect(frame.locator(".match-count")).to_have_text(f"{conference.track_counts['dev']} sessions")
    expect(frame.locator(".site-header")).to_have_count(0)
    header = frame.locator(".embed-header")
    expect(header).to_have_css("background-color", "rgb(181, 23, 158)")  # the conference's
    # Filters work inside the frame; a session opens the full site in a new tab.
    frame.locator("summary", has_text="Filter").click()
    frame.get_by_label("Operations", exact=True).check()
    both = sum(conference.track_counts.values())
    expect(frame.locator(".match-count")).to_have_text(f"{both} sessions")
    with page.context.expect_page() as opened:
        frame.get_by_role("link", name=conference.titles["k101"]).click()
    expect(opened.value.locator("h1")).to_have_text(conference.titles["k101"])

    # The same page on another origin (localhost is not 127.0.0.1) is refused.
    other = new_page()
    other.goto(f"http://localhost:{host_site}/")

    def refused() -> bool:
        return (
            len(other.frames) > 1
            and other.frames[1].url.startswith("chrome-error://")
            and any("frame-ancestors" in e for e in other.log.console_errors)
        )

    for _ in range(200):  # until the frame is refused (at most 10 s), not a fixed wait
        if refused():
            break
        other.wait_for_timeout(50)
    assert any("frame-ancestors" in e for e in other.log.console_errors), other.log.console_errors
    assert other.frames[1].url.startswith("chrome-error://")  # the browser's "refused"
    assert "CloudNativeCon" not in other.frames[1].content()
