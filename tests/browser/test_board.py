"""The schedule board in Chromium: drag from the tray, move, resize, a refused drop, undo,
a keyboard-only move, and two organizers at once."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    board_conference,
    make_cast,
)

from .conftest import LA

DAY = dt.date(2030, 5, 6)
PPM = 2  # the board's pixels per minute


@pytest.fixture
def viewport():
    """The board is an organizer's desktop tool: 1280 px wide."""
    return "desktop"


def at(hour, minute=0):
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=LA)


@pytest.fixture
def board(live_server, transactional_db):
    """The board's conference (tests/factories.board_conference), the loose talk in its
    track, and the shared permission cast."""
    conf = board_conference()
    conf.loose.track = conf.track
    conf.loose.save()
    cast = make_cast(conf.event)
    return SimpleNamespace(**vars(conf), owner=cast.owner, editor=cast.editor, url=live_server.url)


CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def open_board(page, board, username="owner"):
    page.add_init_script(CSP_WATCH)
    page.goto(f"{board.url}{reverse('admin:login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{board.url}{reverse('schedule_board', args=[board.event.pk])}")
    expect(page.locator("#board.is-ready")).to_be_visible()
    expect(page.locator(".board-col")).to_have_count(3)


def card(page, title):
    return page.locator(".board-card", has_text=title).first


def column(page, room):
    return page.locator(f'.board-col[data-room="{room.pk}"]')


def day_start(page) -> int:
    """Minutes after midnight at the top of the grid (the first time label)."""
    first = page.locator(".board-time").first.inner_text()
    hours, minutes = first.split(":")
    return int(hours) * 60 + int(minutes)


def drag_to(page, source, target_col, minutes, grab=(12, 8)):
    """Drag ``source`` by its top-left corner + ``grab`` so that its top lands at
    ``minutes`` after midnight in ``target_col``."""
    box = source.bounding_box()
    col = target_col.bounding_box()
    x0, y0 = box["x"] + grab[0], box["y"] + grab[1]
    x1 = col["x"] + col["width"] / 2
    y1 = col["y"] + (minutes - day_start(page)) * PPM + grab[1] + 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 8, y0 + 8, steps=3)
    page.mouse.move(x1, y1, steps=12)
    page.mouse.up()


def drag_onto(page, source, target):
    """Drag ``source`` onto the middle of ``target`` (the tray)."""
    box, goal = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + 12, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + 20, box["y"] + 16, steps=3)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=12)
    page.mouse.up()


def wait_saved(page):
    """Wait for the answer, and for the board's follow-up read to be drawn."""
    expect(page.locator("#board-status")).to_have_text(re.compile(r"^(Saved|Undone)"))
    expect(page.locator("#board")).not_to_have_attribute("aria-busy", "true")


def reload(session):
    session.refresh_from_db()
    return session


def test_drag_move_resize_refuse_undo_and_keyboard(new_page, board, screenshot):
    page = new_page()
    open_board(page, board)
    expect(page.locator("#board-tray-list .board-card")).to_have_count(1)

    # From the tray onto Oak at 10:30: placed for the default 30 minutes.
    drag_to(page, card(page, "Loose talk"), column(page, board.oak), 10 * 60 + 30)
    wait_saved(page)
    loose = reload(board.loose)
    assert (loose.room, loose.starts_at, loose.ends_at) == (board.oak, at(10, 30), at(11))
    expect(page.locator("#board-tray-list .board-card")).to_have_count(0)
    expect(column(page, board.oak).locator(".board-card")).to_have_text(re.compile("Loose talk"))

    # Moved to Cedar at 11:00.
    drag_to(page, card(page, "Loose talk"), column(page, board.cedar), 11 * 60)
    wait_saved(page)
    loose = reload(loose)
    assert (loose.room, loose.starts_at) == (board.cedar, at(11))

    # Made 30 minutes longer by its lower edge.
    grip = card(page, "Loose talk").locator(".board-resize")
    box = grip.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 3 + 30 * PPM, steps=10)
    page.mouse.up()
    wait_saved(page)
    assert reload(loose).ends_at == at(12)

    # Dropped on the keynote's room and time: refused, back in place, message beside it.
    drag_to(page, card(page, "Second talk"), column(page, board.hall), 9 * 60 + 30)
    refusal = page.locator(".board-refusal")
    expect(refusal).to_contain_text("Hall is already taken at that time by “Keynote”")
    expect(page.locator("#board")).not_to_have_attribute("aria-busy", "true")
    expect(column(page, board.cedar).locator(".board-card", has_text="Second talk"))
    second = reload(board.talk_b)
    assert (second.room, second.starts_at) == (board.cedar, at(10))
    screenshot(page, "refused")

    # Undo the last saved move (the resize).
    page.click("#board-undo")
    wait_saved(page)
    assert reload(loose).ends_at == at(11, 30)

    # By keyboard only: the coffee break 30 minutes later and one room to the right.
    coffee = card(page, "Coffee")
    coffee.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#board-editor")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".board-preview")).to_have_text("11:30–12:00")
    page.keyboard.press("Enter")
    wait_saved(page)
    coffee_row = reload(board.pause)
    assert (coffee_row.room, coffee_row.starts_at) == (board.cedar, at(11, 30))

    # Escape cancels a pick-up: nothing moves.
    card(page, "Keynote").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator("#board-editor")).to_be_hidden()
    assert reload(board.keynote).starts_at == at(9)
    # Back to the tray by dragging onto it.
    drag_onto(page, card(page, "Loose talk"), page.locator("#board-tray"))
    wait_saved(page)
    assert reload(loose).starts_at is None
    assert not page.log.page_errors
    assert page.evaluate("window.__csp") == []  # the strict CSP holds: no inline script/style
    # The one refused drop is the only answer that was not a success.
    assert [r.split("/admin/")[0][:3] for r in page.log.bad_responses] == ["400"]


def test_a_stale_move_from_a_second_board_is_refused(new_page, board, screenshot):
    first, second = new_page(), new_page()
    open_board(first, board, "owner")
    open_board(second, board, "editor")
    drag_to(first, card(first, "Coffee"), column(first, board.oak), 11 * 60)
    wait_saved(first)
    # The second board still shows the coffee in Hall: its move is based on that version.
    drag_to(second, card(second, "Coffee"), column(second, board.cedar), 11 * 60)
    expect(second.locator(".board-refusal")).to_contain_text("was changed by someone else")
    expect(second.locator("#board")).not_to_have_attribute("aria-busy", "true")
    coffee = reload(board.pause)
    assert coffee.room == board.oak
    # The refused card shows the current state at once.
    expect(column(second, board.oak).locator(".board-card", has_text="Coffee"))
    screenshot(second, "stale")
    # Without a reload, the second board picks up the first one's next change.
    drag_to(first, card(first, "Keynote"), column(first, board.cedar), 8 * 60)
    wait_saved(first)
    expect(column(second, board.cedar).locator(".board-card", has_text="Keynote")).to_be_visible(
        timeout=8000
    )
