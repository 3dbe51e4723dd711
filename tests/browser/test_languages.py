"""Lineup in German and French on a phone: the switcher on the schedule, then (remembered
by its cookie) a session page, my agenda and the organizers' board, each screenshot.

Screenshots: test-artifacts/screenshots/test_pages_in_the_visitors_language-phone-<lang>-*.png
(copies looked at are in docs/screenshots/).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import MembershipFactory

from .test_board import PASSWORD

# What each language must show: the switcher's button, then words of each page.
LANGUAGES = {
    "de": {
        "button": "Deutsch",
        "schedule": "Programm",
        "day": "Montag, 6. Mai",
        "time": "09:00 PDT",
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
        "time": "09:00 PDT",
        "star": "Retenir",
        "when": "Quand",
        "agenda": "Mon agenda",
        "board_zone": "Heures en",
        "tray": "Non planifiées",
        "seats": "capacité non indiquée",
    },
}


@pytest.fixture
def viewport():
    """Phones: 360 px wide."""
    return "phone"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_pages_in_the_visitors_language(conference, page, screenshot, lang):
    words = LANGUAGES[lang]
    MembershipFactory(event=conference.event, user__username="organizer")
    page.goto(conference.path("schedule/?day=all"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name=words["button"]).click()

    # The schedule, in the chosen language, on the same page.
    expect(page.locator("html")).to_have_attribute("lang", lang)
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
    page.fill("#id_username", "organizer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{conference.url}{reverse('schedule_board', args=[conference.event.pk])}")
    expect(page.locator("#board.is-ready")).to_be_visible()
    expect(page.locator(".board-zone")).to_contain_text(words["board_zone"])
    expect(page.locator("#board-tray-title")).to_contain_text(words["tray"])
    expect(page.locator(".board-room-cap").first).to_have_text(words["seats"])
    screenshot(page, f"{lang}-board")
    assert not page.log.page_errors and not page.log.console_errors
