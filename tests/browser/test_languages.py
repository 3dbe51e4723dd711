"""Lineup in German and French on a phone: the switcher on the schedule, then (remembered
by its cookie) a session page, my agenda and the organizers' board, each screenshot. The
site's header fits the phone's width in every shipped language (none of it cut at the edge).

Screenshots: test-artifacts/screenshots/test_pages_in_the_visitors_language-phone-<lang>-*.png
(copies looked at are in docs/screenshots/).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import make_cast

from .test_board import PASSWORD

# What each language must show: the switcher's button, then words of each page.
LANGUAGES = {
    "de": {
        "button": "Deutsch",
        "schedule": "Programm",
        "day": "Montag, 6. Mai",
        "time": "08:00 PDT",
        "star": "Merken",
        "when": "Wann",
        "agenda": "Meine Agenda",
        "board_zone": "Zeiten in",
        "tray": "Nicht eingeplant",
        "seats": "keine Kapazität angegeben",
    },
    "fr": {
        "button": "Français",
        "schedule": "Programme",
        "day": "lundi 6 mai",
        "time": "08:00 PDT",
        "star": "Retenir",
        "when": "Quand",
        "agenda": "Mon agenda",
        "board_zone": "Heures en",
        "tray": "Non planifiées",
        "seats": "capacité non indiquée",
    },
}


# The header's elements that reach past the viewport's edges (their words would be cut).
BEYOND_THE_EDGE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll(".site-header *")]
    .filter(el => { const box = el.getBoundingClientRect();
                    return box.width && (box.left < -0.5 || box.right > width + 0.5); })
    .map(el => el.textContent.trim());
}"""


@pytest.fixture
def viewport():
    """Phones: 360 px wide."""
    return "phone"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pages_in_the_visitors_language(conference, page, screenshot, lang):
    words = LANGUAGES[lang]
    owner = make_cast(conference.event).owner
    page.goto(conference.path("schedule/?day=all"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.evaluate(BEYOND_THE_EDGE) == []
    expect(page.locator("[data-time-switch]")).to_be_visible()  # (see below)
    with page.expect_navigation():  # (the answer may take a while on a busy machine)
        page.get_by_role("button", name=words["button"]).click()

    # The schedule, in the chosen language, on the same page.
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.evaluate(BEYOND_THE_EDGE) == []
    expect(page.get_by_role("heading", level=1)).to_have_text(words["schedule"])
    expect(page.locator(".day-heading").first).to_have_text(words["day"])
    expect(page.locator(".slot-time").first).to_have_text(words["time"])
    screenshot(page, f"{lang}-schedule")

    # Star the opening keynote, then its page: the cookie keeps the language.
    row = page.locator("article.session", has_text=conference.titles["opening"])
    expect(row.locator(".btn-star")).to_contain_text(words["star"])
    row.locator(".btn-star").click()
    expect(row.locator(".btn-star.is-starred")).to_be_visible()
    row.get_by_role("link", name=conference.titles["opening"]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(".session-facts dt").first).to_have_text(words["when"])
    screenshot(page, f"{lang}-session")

    page.goto(conference.path("agenda/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words["agenda"])
    expect(page.get_by_role("link", name=conference.titles["opening"])).to_be_visible()
    screenshot(page, f"{lang}-agenda")

    # The board: the template's words and those board.js writes (Django's JS catalogue).
    page.goto(f"{conference.url}{reverse('admin:login')}")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{conference.url}{reverse('schedule_board', args=[conference.event.pk])}")
    expect(page.locator("#board.is-ready")).to_be_visible()
    expect(page.locator(".board-zone")).to_contain_text(words["board_zone"])
    expect(page.locator("#board-tray-title")).to_contain_text(words["tray"])
    expect(page.locator(".board-room-cap").first).to_have_text(words["seats"])
    screenshot(page, f"{lang}-board")
    if lang == "fr":  # the fourth language's header, once
        page.goto(conference.path("schedule/"))
        # The time switch is built just after load and pushes the footer down: wait for
        # it, or the click may land where the button was (failed once in CI).
        expect(page.locator("[data-time-switch]")).to_be_visible()
        with page.expect_navigation():
            page.get_by_role("button", name="Español").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        assert page.evaluate(BEYOND_THE_EDGE) == []
    assert not page.log.page_errors and not page.log.console_errors
