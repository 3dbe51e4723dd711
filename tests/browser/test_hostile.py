"""Hostile text stays inert in a real browser, and the strict CSP holds everywhere.

Every page (public, admin, API docs) is opened with a listener for
``securitypolicyviolation`` events and for dialogs: a script that ran would open one,
and any inline script or style that the CSP blocked would report a violation.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from schedule.models import Session
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

HOSTILE_TITLE = "<script>alert('title')</script><img src=x onerror=alert('img')>"
HOSTILE_ABSTRACT = (
    "Hello [click](javascript:alert('link')) <svg onload=alert('svg')></svg>\n\n"
    "<iframe src=\"javascript:alert('frame')\"></iframe> <b onmouseover=alert('b')>bold</b>"
)
HOSTILE_NAME = "\"><svg/onload=alert('name')>"


@pytest.fixture
def hostile(transactional_db, live_server):
    event = EventFactory(slug="evil", name="Evil <b>Con</b>", timezone="UTC",
                         start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 6))  # fmt: skip
    room = RoomFactory(event=event, name="<i>Room</i>")
    track = TrackFactory(event=event, name="<u>Track</u>", slug="t1")
    session = SessionFactory(
        event=event, title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT, room=room, track=track,
        status=Session.Status.PUBLISHED,
    )  # fmt: skip
    link = SessionSpeakerFactory(session=session)
    link.speaker.name = HOSTILE_NAME
    link.speaker.bio = HOSTILE_ABSTRACT
    link.speaker.save()
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password")
    return {"event": event, "session": session, "speaker": link.speaker, "url": live_server.url}


def _visit(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__csp")


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_hostile_content_runs_nothing_and_csp_holds(hostile, new_page, screenshot):
    page = new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base, slug = hostile["url"], hostile["event"].slug
    session, speaker = hostile["session"], hostile["speaker"]
    public = [
        f"/{slug}/",
        f"/{slug}/schedule/",
        f"/{slug}/schedule/grid/",
        f"/{slug}/sessions/{session.slug}/",
        f"/{slug}/speakers/",
        f"/{slug}/speakers/{speaker.slug}/",
        f"/{slug}/agenda/",
        "/api/docs/",
    ]
    violations = {}
    for path in public:
        found = _visit(page, base + path)
        if found:
            violations[path] = found
    # Star the session (htmx swaps the button in place), then see my agenda.
    page.goto(f"{base}/{slug}/schedule/")
    page.locator(".btn-star").first.click()
    page.wait_for_selector(".btn-star.is-starred")
    found = _visit(page, f"{base}/{slug}/agenda/")
    assert page.locator("h4.session-title").first.inner_text().startswith("<script>")
    screenshot(page, "agenda")

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    admin = [
        "/admin/",
        "/admin/schedule/session/",
        f"/admin/schedule/session/{session.pk}/change/",
        f"/admin/speakers/speaker/{speaker.pk}/change/",
        f"/admin/events/event/{hostile['event'].pk}/change/",
    ]
    for path in admin:
        found = _visit(page, base + path)
        if found:
            violations[path] = found
    # The speaker autocomplete (select2) builds its widgets in the page: still no violation.
    page.goto(f"{base}/admin/schedule/session/{session.pk}/change/")
    page.locator(".select2-selection").first.click()
    page.keyboard.type("s")
    page.wait_for_selector(".select2-results__option")
    found = page.evaluate("window.__csp")
    if found:
        violations["autocomplete"] = found
    screenshot(page, "admin")

    assert dialogs == [], f"script ran: {dialogs}"
    assert violations == {}, f"CSP violations: {violations}"
    assert page.log.page_errors == []
