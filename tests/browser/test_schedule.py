"""The public schedule in a real browser, at a phone and a desktop viewport."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def count_text(n: int) -> str:
    return f"{n} session{'' if n == 1 else 's'}"


def no_horizontal_overflow(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page is {width}px wide in a {inner}px window"


def open_filters(page) -> None:
    """Open the "Filter" control (a <details>) unless it is open already."""
    panel = page.locator("details.filter-panel")
    if panel.get_attribute("open") is None:
        panel.locator("summary.filter-toggle").click()
    expect(panel).to_have_attribute("open", "")


def open_group(page, label: str) -> None:
    """Open a filter group (a <details>) unless it is open already."""
    open_filters(page)
    group = page.locator("details.filter-group", has=page.locator("summary", has_text=label))
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    expect(group).to_have_attribute("open", "")


def test_list_shows_days_and_sessions(conference, page, viewport, screenshot):
    response = page.goto(conference.path("schedule/"))
    assert response.status == 200

    expect(page.locator("h1")).to_have_text("Schedule")
    expect(page.locator("h2.day-heading")).to_have_text(["Monday, May 6", "Tuesday, May 7"])
    expect(page.locator(".match-count")).to_have_text(count_text(conference.public_count))
    expect(page.locator("article.session")).to_have_count(conference.public_count)
    # Times are the event's (Pacific) whatever the browser's zone.
    expect(page.locator(".slot-time").first).to_have_text("8:00am PDT")
    for title in conference.titles.values():
        if title != conference.draft_title:
            expect(page.locator(".session-title", has_text=title)).to_be_visible()
    expect(page.get_by_text(conference.draft_title)).to_have_count(0)
    expect(page.get_by_text(conference.draft_speaker)).to_have_count(0)

    cancelled = page.locator("article.session-cancelled")
    expect(cancelled).to_have_count(1)
    expect(cancelled.locator(".badge")).to_have_text("Cancelled")
    expect(cancelled).to_contain_text(conference.titles["mesh"])
    expect(page.locator("article.session-break")).to_have_count(1)
    expect(page.locator(".session-moderators")).to_have_text("Moderated by Dan Kohn")

    # The header lines up with the page and nothing touches the window's edge.
    brand, heading = page.locator(".site-brand"), page.locator("h1")
    assert abs(brand.bounding_box()["x"] - heading.bounding_box()["x"]) <= 1
    assert brand.bounding_box()["x"] >= 8

    screenshot(page)
    no_horizontal_overflow(page)


def test_track_filter_updates_results_in_place(conference, page, viewport, screenshot):
    page.goto(conference.path("schedule/"))
    count = page.locator(".match-count")
    expect(count).to_have_text(count_text(conference.public_count))
    page.evaluate("window.__marker = 1")

    open_group(page, "Track")
    page.get_by_label("Development", exact=True).check()

    page.wait_for_url(re.compile(r"[?&]track=dev(&|$)"))
    expect(count).to_have_text(count_text(conference.track_counts["dev"]))
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of updated"
    expect(page.locator("article.session")).to_have_count(conference.track_counts["dev"])
    expect(page.get_by_text(conference.titles["k101"])).to_have_count(0)
    expect(page.locator(".filter-chip")).to_have_text(re.compile(r"track: Development"))
    screenshot(page, "filtered")
    no_horizontal_overflow(page)

    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(re.compile(r"/schedule/$"))
    expect(count).to_have_text(count_text(conference.public_count))
    expect(page.locator("article.session")).to_have_count(conference.public_count)
    expect(page.get_by_label("Development", exact=True)).not_to_be_checked()


def test_search_narrows_the_list(conference, page, viewport):
    page.goto(conference.path("schedule/"))
    count = page.locator(".match-count")
    expect(count).to_have_text(count_text(conference.public_count))
    page.evaluate("window.__marker = 1")

    open_filters(page)
    page.get_by_label("Search", exact=True).press_sequentially("service", delay=40)

    expect(count).to_have_text(count_text(2))
    expect(page.locator("article.session")).to_have_count(2)
    expect(page.get_by_role("link", name=conference.titles["k101"])).to_be_visible()
    expect(page.get_by_role("link", name=conference.titles["mesh"])).to_be_visible()
    assert re.search(r"[?&]q=service(&|$)", page.url), page.url
    assert page.evaluate("window.__marker") == 1

    # A speaker's name matches too, and every word must match.
    page.get_by_label("Search", exact=True).fill("novotny containers")
    expect(count).to_have_text(count_text(1))
    expect(page.get_by_role("link", name=conference.titles["panel_session"])).to_be_visible()


def test_bad_filter_value_gives_400_with_a_message(conference, page, viewport, screenshot):
    response = page.goto(conference.path("schedule/?day=2030-13-45"))

    assert response.status == 400
    expect(page.locator("h1")).to_have_text("Schedule")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("2030-13-45")
    expect(alert).to_contain_text("day")
    expect(page.locator("article.session")).to_have_count(0)
    screenshot(page)
    no_horizontal_overflow(page)

    alert.get_by_role("link", name="Clear filters").click()
    expect(page.locator(".match-count")).to_have_text(count_text(conference.public_count))


def test_grid_has_room_columns_and_a_sticky_time_column(conference, page, viewport, screenshot):
    page.goto(conference.path("schedule/"))
    page.get_by_role("link", name="Show as grid by room").click()
    page.wait_for_url(re.compile(r"/schedule/grid/"))

    expect(page.locator("h1")).to_have_text("Schedule by room")
    first_day = page.locator(".grid-day").first
    expect(first_day.locator("thead th")).to_have_text(
        ["PDT", "Ballroom A", "Ballroom B", "Room 401"]
    )
    expect(page.locator(".grid-day")).to_have_count(2)
    expect(first_day.get_by_role("link", name=conference.titles["helm"])).to_be_visible()
    screenshot(page)
    no_horizontal_overflow(page)

    scroller = first_day.locator(".grid-scroll")
    scroll_width, client_width = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
    if viewport == "phone":
        assert scroll_width > client_width, "three rooms should not fit in 360px"
    if scroll_width > client_width:
        scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        assert scroller.evaluate("el => el.scrollLeft") > 0
        frame = scroller.bounding_box()
        window_width = page.viewport_size["width"]
        for cell in (
            first_day.locator("thead .grid-time"),
            first_day.locator("tbody .grid-time").first,
        ):
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= window_width, box
            assert abs(box["x"] - frame["x"]) <= 2, (box, frame)  # stuck to the left edge
        expect(first_day.locator("tbody .grid-time").first).to_have_text("8:00am")
        screenshot(page, "scrolled")


def test_session_and_speaker_pages(conference, page, viewport, screenshot):
    page.goto(conference.path("schedule/"))
    title = conference.titles["panel_session"]
    page.get_by_role("link", name=title).click()

    expect(page.locator("h1")).to_have_text(title)
    expect(page).to_have_title(re.compile(re.escape(title)))
    expect(page.locator("#speakers-heading")).to_have_text("Speakers")
    speakers = page.locator("section[aria-labelledby=speakers-heading]")
    expect(speakers.locator("h3")).to_have_text(
        ["Sarah Novotny (panelist)", "Brendan Burns (panelist)"]
    )
    expect(page.locator("#moderators-heading")).to_have_text("Moderator")
    expect(page.locator(".session-facts")).to_contain_text("Monday May 6, 2030 2:00pm")
    ics = page.get_by_role("link", name="Add to calendar (.ics)")
    expect(ics).to_be_visible()
    ics_response = page.request.get(conference.url + ics.get_attribute("href"))
    assert ics_response.status == 200
    assert ics_response.headers["content-type"].startswith("text/calendar")
    assert title in ics_response.text()
    screenshot(page, "session")
    no_horizontal_overflow(page)

    speakers.get_by_role("link", name="Brendan Burns").click()
    expect(page.locator("h1")).to_have_text("Brendan Burns")
    sessions = page.locator("section[aria-labelledby=sessions-heading]")
    expect(sessions.get_by_role("link")).to_have_text([conference.titles["helm"], title])
    screenshot(page, "speaker")
    no_horizontal_overflow(page)


def test_skip_link_comes_first_and_shows_on_focus(conference, page, viewport, screenshot):
    page.goto(conference.path("schedule/"))
    skip = page.get_by_role("link", name="Skip to content")
    hidden = skip.bounding_box()
    assert hidden is None or hidden["width"] <= 1 or hidden["height"] <= 1, hidden

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["width"] > 20 and box["height"] > 10, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box
    assert 0 <= box["y"] < page.viewport_size["height"], box
    centre = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).textContent", centre)
    assert on_top == "Skip to content", "the skip link is covered by something else"
    screenshot(page, "focused")

    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    assert page.url.endswith("#main")


def test_filter_form_works_without_javascript(conference, new_page, viewport, screenshot):
    page = new_page(java_script_enabled=False)
    page.goto(conference.path("schedule/"))
    count = page.locator(".match-count")
    expect(count).to_have_text(count_text(conference.public_count))

    open_group(page, "Track")
    page.get_by_label("Operations", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()

    assert re.search(r"[?&]track=ops(&|$)", page.url), page.url
    expect(count).to_have_text(count_text(conference.track_counts["ops"]))
    expect(page.get_by_label("Operations", exact=True)).to_be_checked()

    open_filters(page)  # folded again on the new page: its chips say what is chosen
    page.get_by_label("Search", exact=True).fill("kelsey")  # the speaker of both
    with page.expect_navigation():
        page.get_by_label("Search", exact=True).press("Enter")
    assert re.search(r"[?&]q=kelsey(&|$)", page.url), page.url
    assert "track=ops" in page.url
    expect(count).to_have_text(count_text(2))
    screenshot(page)


def test_no_console_errors_or_failed_static_files(conference, page, viewport):
    page.goto(conference.path("schedule/"))
    page.wait_for_load_state("networkidle")

    # The stylesheets and scripts arrived and were applied.
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    panel_bg = page.locator(".filter-panel").evaluate("el => getComputedStyle(el).backgroundColor")
    assert panel_bg == "rgb(248, 249, 250)", "lineup.css did not load"
    assert page.locator(".skip-link").evaluate("el => getComputedStyle(el).position") == (
        "absolute"
    )
    track_colour = page.locator("article.track-dev").first.evaluate(
        "el => getComputedStyle(el).getPropertyValue('--track-color').trim()"
    )
    assert track_colour == "#445566", "the event's theme.css did not load"

    # An htmx round trip raises nothing either.
    open_filters(page)
    page.get_by_label("Search", exact=True).fill("keynote")
    expect(page.locator(".match-count")).to_have_text(count_text(1))
    page.wait_for_load_state("networkidle")

    log = page.log
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.failed_requests == []
    assert log.bad_responses == []
