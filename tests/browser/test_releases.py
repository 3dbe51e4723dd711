"""Schedule releases in Chromium (issue 15): an organizer drafts two moves on the board,
cancels a session there, previews the public pages with the draft applied, publishes
them with a note; a visitor with an agenda then sees them in the
banner, the changelog and the agenda's marks. Nothing of the draft is public before."""

import re

import pytest
from playwright.sync_api import expect

from schedule.models import Release

from .test_board import board, card, open_board, reload, wait_saved  # noqa: F401 (fixture)

MOVED = "moved from Mon 10:00am, Cedar to Mon 10:30am, Oak"


@pytest.fixture
def viewport():
    return "desktop"


def keyboard_move(page, title, downs, rights):
    card(page, title).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#board-editor")).to_be_visible()
    for _ in range(downs):
        page.keyboard.press("ArrowDown")
    for _ in range(rights):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    wait_saved(page)


def test_draft_two_moves_preview_publish_and_follow_them(new_page, board, screenshot):  # noqa: F811
    organizer, visitor = new_page(), new_page()
    open_board(organizer, board)
    organizer.click("text=Work in a draft")
    expect(organizer.locator(".board-draft.is-on")).to_be_visible()
    expect(organizer.locator("#board.is-ready")).to_be_visible()

    # A visitor stars the second talk: their visits are counted from now on.
    schedule = f"{board.url}/{board.event.slug}/schedule/"
    visitor.goto(schedule)
    add = f"/{board.event.slug}/agenda/{board.talk_b.slug}/add"
    visitor.locator(f'button[formaction="{add}"]').click()
    expect(visitor.locator(f'button[formaction$="/{board.talk_b.slug}/remove"]')).to_be_visible()
    visitor.goto(schedule)
    expect(visitor.locator("#changes-banner")).to_be_empty()

    # Two moves in the draft, by keyboard: the talk half an hour later into Oak, the
    # coffee into Cedar (free in the draft only after the first move).
    keyboard_move(organizer, "Second talk", downs=2, rights=1)
    keyboard_move(organizer, "Coffee", downs=0, rights=1)
    expect(organizer.locator(".board-card.is-drafted")).to_have_count(2)
    assert reload(board.talk_b).room == board.cedar  # public rows untouched
    visitor.goto(f"{board.url}/{board.event.slug}/changes/")
    expect(visitor.locator("main")).not_to_contain_text("Second talk")

    # A cancellation in the draft too, from the editor's button, by keyboard.
    card(organizer, "Keynote").focus()
    organizer.keyboard.press("Enter")
    organizer.locator("[data-action=cancel-session]").focus()
    organizer.keyboard.press("Enter")
    expect(organizer.locator("#board-status")).to_have_text("“Keynote” is cancelled in the draft.")
    expect(organizer.locator(".board-card.is-drafted")).to_have_count(3)
    assert reload(board.keynote).status == "published"

    organizer.reload()
    expect(organizer.locator(".board-draft-state")).to_contain_text("3 sessions changed")
    # The preview: the public pages as attendees will see them, marked as a preview.
    organizer.click("text=Preview")
    banner = organizer.locator(".draft-preview-banner")
    expect(banner).to_contain_text("Preview of the draft")
    expect(banner).to_contain_text("3 changes attendees will read in the changelog")
    banner.locator("summary").click()
    expect(banner).to_contain_text(MOVED)
    expect(banner).to_contain_text("Keynote: cancelled")
    expect(banner).to_contain_text("moved from Mon 11:00am, Hall to Mon 11:00am, Cedar")
    expect(organizer.locator("main")).to_contain_text("Second talk")
    screenshot(organizer, "preview")
    banner.get_by_role("link", name="Second talk").click()
    expect(organizer.locator("main")).to_contain_text("10:30am")
    expect(organizer.locator("main")).to_contain_text("Oak")
    expect(organizer.locator(".draft-preview-banner")).to_be_visible()
    organizer.locator(".draft-preview-banner").get_by_role("link", name="Grid").click()
    expect(organizer.locator(".draft-preview-banner")).to_be_visible()
    assert "/draft/preview/grid/" in organizer.url
    organizer.get_by_role("link", name="Back to the board").click()
    expect(organizer.locator("#board.is-ready")).to_be_visible()
    organizer.fill("input[name=note]", "Room swap after the keynote")
    organizer.click("button:has-text('Publish')")
    expect(organizer.locator(".messagelist")).to_contain_text("3 public changes")
    assert reload(board.talk_b).room == board.oak
    assert Release.objects.get(number=2).user == board.owner

    visitor.goto(schedule)
    banner = visitor.locator(".changes-banner")
    expect(banner).to_contain_text("3 changes since your last visit — 1 in your agenda")
    expect(banner).to_contain_text(MOVED)
    visitor.click("text=All changes")
    expect(visitor.locator("h1")).to_have_text("Schedule changes")
    release = visitor.locator("#release-2")
    expect(release).to_contain_text("Room swap after the keynote")
    expect(release).to_contain_text(MOVED)
    expect(release).to_contain_text("Keynote: cancelled")
    screenshot(visitor, "changelog")
    visitor.goto(f"{board.url}/{board.event.slug}/agenda/")
    expect(visitor.locator(".change-note")).to_contain_text(re.compile("time and room"))
    for page in (organizer, visitor):
        assert not page.log.page_errors
    assert organizer.evaluate("window.__csp") == []
