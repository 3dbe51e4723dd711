"""A live 25-room event on a phone and a laptop: the grid keeps rooms and times in view
and marks "now", the list shows a session on the first screen, and prints name the event.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event
from schedule.models import SessionSpeaker
from tests.factories import EventFactory, RoomFactory, SessionFactory, SpeakerFactory

pytestmark = pytest.mark.browser

ROOMS = 25


@pytest.fixture
def live_event(live_server, transactional_db) -> Event:
    """Today (UTC), 25 rooms, a one-hour session in each from midnight on, one a panel
    with a moderator, and a closing session that ends at midnight: a grid of 24 hours."""
    today = timezone.now().date()
    event = EventFactory(
        slug="bigday", name="Big Day Conf", timezone="UTC", start_date=today, end_date=today
    )
    midnight = dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC)
    rooms = [RoomFactory(event=event, name=f"Room {n:02d}", position=n) for n in range(ROOMS)]
    moderator = SpeakerFactory(event=event, name="Mona Moderator")
    for n, room in enumerate(rooms):
        session = SessionFactory(
            event=event,
            title=f"Talk in room {n:02d}",
            room=room,
            starts_at=midnight + dt.timedelta(hours=n % 23),
            ends_at=midnight + dt.timedelta(hours=n % 23 + 1),
        )
        if n == 1:
            SessionSpeaker.objects.create(
                session=session, speaker=moderator, role=SessionSpeaker.Role.MODERATOR
            )
    SessionFactory(
        event=event, title="Closing", room=rooms[0],
        starts_at=midnight + dt.timedelta(hours=23), ends_at=midnight + dt.timedelta(hours=24),
    )  # fmt: skip
    assert event.phase() == "live"
    return event


def test_live_grid_list_and_print(live_event, live_server, page, viewport, screenshot):
    height = page.viewport_size["height"]
    width = page.viewport_size["width"]

    # The phone list: a session on the first screen, the day tabs stay when scrolling.
    page.goto(f"{live_server.url}/bigday/schedule/")
    first = page.locator("article.session").first.bounding_box()
    assert first["y"] + 40 < height, f"the first session starts at y={first['y']}"
    page.mouse.wheel(0, 1500)
    expect(page.locator(".day-picker")).to_be_in_viewport()
    assert page.locator(".day-picker").bounding_box()["y"] <= 1

    # Printed, the list names the event and its dates; no site header, no "Schedule by".
    page.emulate_media(media="print")
    head = page.locator(".print-head")
    expect(head).to_be_visible()
    expect(head).to_contain_text("Big Day Conf")
    expect(head).to_contain_text(str(live_event.start_date.year))
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).not_to_contain_text("Schedule by", use_inner_text=True)
    page.emulate_media(media="screen")

    # The grid: 25 room columns in a box no higher than the window, so its sideways
    # scrollbar is on screen; headers stay at the top, times at the left.
    page.goto(f"{live_server.url}/bigday/schedule/grid/")
    box = page.locator(".grid-scroll").first
    expect(box.locator("thead th")).to_have_count(ROOMS + 1)
    box.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    frame = box.bounding_box()
    assert frame["height"] <= height and frame["y"] + frame["height"] <= height + 1, frame
    expect(box.locator("td", has_text="Moderated by Mona Moderator")).to_have_count(1)

    # "Now": one row carries the line, and the button brings it into view.
    now_row = box.locator("tr.is-now")
    expect(now_row).to_have_count(1)
    page.get_by_role("button", name="Jump to now").click()
    expect(now_row.locator("th")).to_be_in_viewport()
    page.wait_for_function("() => new Promise(done => setTimeout(() => done(true), 700))")
    screenshot(page, "now")

    # Sideways to the last room (instantly: the page scrolls smoothly otherwise), then
    # measure the box, a room header and the now row's time at one moment.
    frame, header, time = box.evaluate(
        """el => {
            document.documentElement.style.scrollBehavior = el.style.scrollBehavior = "auto";
            el.scrollLeft = el.scrollWidth;
            const box = r => {
                const b = r.getBoundingClientRect();
                return {x: b.x, y: b.y, w: b.width};
            };
            const time = el.querySelector("tr.is-now th");
            return [box(el), box(el.querySelector("thead th")), box(time)];
        }"""
    )
    room = box.locator("thead th", has_text=f"Room {ROOMS - 1:02d}")
    expect(room).to_be_in_viewport()
    assert abs(header["y"] - frame["y"]) <= 2, "the room headers scrolled away"
    assert abs(time["x"] - frame["x"]) <= 2, "the time column scrolled away"
    assert time["x"] + time["w"] <= width
    screenshot(page, "scrolled")
