"""Accessibility of every public page: axe-core (WCAG 2.2 AA and best practice) finds
nothing at a phone's and a desktop's width, and the page's actions work by keyboard.

axe-core comes from the npm registry, vendored for tests only (vendor/axe-core/, its
version in vendor/README.md). It is injected as an init script: the pages' strict CSP
refuses inline scripts, and the test must not loosen it.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def violations(page) -> list[str]:
    found = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        + (f" and {len(v['nodes']) - 3} more" if len(v["nodes"]) > 3 else "")
        for v in found
    ]


def test_every_public_page_passes_axe_and_works_by_keyboard(conference, new_page, viewport):
    page = new_page()
    page.context.add_init_script(path=str(AXE))
    found = {}

    def check(path: str) -> None:
        response = page.goto(conference.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        problems = violations(page)
        if problems:
            found[path] = problems

    e = conference.event.slug
    # By keyboard: open the Filter control, star a session, and reach both.
    check(f"/{e}/schedule/")
    page.locator("summary.filter-toggle").focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.filter-panel")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Search", exact=True)).to_be_focused()
    star = page.get_by_role("button", name=f"Star “{conference.titles['k101']}”")
    star.focus()
    page.keyboard.press("Enter")
    starred = page.get_by_role("button", name=f"Starred “{conference.titles['k101']}”")
    expect(starred).to_have_attribute("aria-pressed", "true")
    # The cancelled session has no star, its row says so instead.
    cancelled = page.locator("article.session-cancelled")
    expect(cancelled.locator(".btn-star")).to_have_count(0)
    expect(cancelled.locator(".badge")).to_have_text("Cancelled")
    found.update({f"{k} (filter open, starred)": v for k, v in [("list", violations(page))] if v})

    for path in (
        "/",
        f"/{e}/",
        f"/{e}/schedule/grid/",
        f"/{e}/sessions/{conference.event.sessions.get(title=conference.titles['panel_session']).slug}/",
        f"/{e}/speakers/",
        f"/{e}/speakers/dan-kohn/",
        f"/{e}/agenda/",
        f"/{e}/embed/",
        f"/{e}/embed/grid/",
        f"/{e}/changes/",
        "/accounts/login/",
        "/accounts/signup/",
    ):
        check(path)
    assert found == {}
