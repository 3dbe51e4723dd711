"""The list of events and an event's home page."""

import datetime as dt
import zoneinfo

import pytest
from django.test.html import parse_html
from django.utils import timezone

from events.models import Event
from tests.factories import EventFactory
from tests.html import attr, find_all, text

pytestmark = pytest.mark.django_db


def today_in(tz_name: str) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def days(n: int, tz_name: str = "UTC") -> dt.date:
    return today_in(tz_name) + dt.timedelta(days=n)


def make(name, slug, start, end, *, tz="UTC", published=True, **kwargs) -> Event:
    return EventFactory(
        name=name, slug=slug, timezone=tz, start_date=start, end_date=end,
        is_published=published, **kwargs,
    )  # fmt: skip


# The list of events ----------------------------------------------------------


@pytest.fixture
def calendar(db):
    return {
        "later": make("Later Conf", "later", days(60), days(62)),
        "soon": make("Soon Conf", "soon", days(10), days(12)),
        "live": make("Live Conf", "live", days(-1), days(1)),
        "past": make("Past Conf", "past", days(-30), days(-28)),
        "old": make("Old Conf", "old", days(-400), days(-399)),
        "hidden": make("Hidden Conf", "hidden", days(5), days(6), published=False),
    }


def sections(response) -> dict[str, list[str]]:
    document = parse_html(response.content.decode())
    return {
        text(find_all(section, "h2")[0]): [text(h3) for h3 in find_all(section, "h3")]
        for section in find_all(document, "section")
    }


def test_event_list_current_first_then_past(client, calendar):
    response = client.get("/")
    assert response.status_code == 200
    assert sections(response) == {
        "Upcoming and happening now": ["Live Conf Happening now", "Soon Conf", "Later Conf"],
        "Past events": ["Past Conf", "Old Conf"],
    }


def test_event_list_leaves_out_unpublished_events(client, calendar):
    assert Event.objects.filter(slug="hidden", is_published=False).exists()
    content = client.get("/").content.decode()
    assert "Hidden Conf" not in content
    assert 'href="/hidden/"' not in content


def test_event_list_cards(client, calendar):
    calendar["soon"].tagline = "Soon, in a city near you"
    calendar["soon"].save()
    document = parse_html(client.get("/").content.decode())
    cards = {text(find_all(card, "a")[0]): card for card in find_all(document, "li", "card")}
    soon = cards["Soon Conf"]
    assert attr(find_all(soon, "a")[0], "href") == "/soon/"
    start, end = calendar["soon"].start_date, calendar["soon"].end_date
    assert f"{start:%B} {start.day}" in text(soon)
    assert f"{end:%B} {end.day}, {end.year} · Congress Hall" in text(soon)
    assert "Soon, in a city near you" in text(soon)
    assert "Happening now" not in text(soon)


def test_event_list_without_events(client, db):
    make("Hidden Conf", "hidden", days(5), days(6), published=False)
    response = client.get("/")
    assert "No conferences are published yet." in response.content.decode()
    assert sections(response) == {}


def test_event_list_only_upcoming(client, db):
    make("Soon Conf", "soon", days(10), days(12))
    assert sections(client.get("/")) == {"Upcoming and happening now": ["Soon Conf"]}


# An event's home page --------------------------------------------------------


@pytest.fixture
def cnc(db):
    return make(
        "CloudNativeCon 2016", "cnc16", dt.date(2016, 11, 8), dt.date(2016, 11, 9),
        tz="America/Los_Angeles", tagline="The cloud native community meets",
        venue_name="Sheraton Seattle", venue_address="1400 6th Ave, Seattle, WA",
        description=(
            "Two days of **talks** and [workshops](https://example.org/workshops).\n\n"
            "<script>alert('home')</script>\n\n"
            "[Click](javascript:alert('x')) <img src=x onerror=alert(1)>"
        ),
    )  # fmt: skip


def test_event_home_shows_the_event(client, cnc):
    response = client.get("/cnc16/")
    assert response.status_code == 200
    document = parse_html(response.content.decode())
    main = find_all(document, "main")[0]
    assert text(find_all(main, "h1")[0]) == "CloudNativeCon 2016"
    assert text(find_all(main, "p", "lead")[0]) == "The cloud native community meets"
    facts = text(find_all(main, "dl")[0])
    assert facts == (
        "When Tuesday, November 8 – Wednesday, November 9, 2016 (America/Los_Angeles) "
        "Where Sheraton Seattle 1400 6th Ave, Seattle, WA"
    )
    links = {attr(a, "href") for a in find_all(main, "a")}
    assert {"/cnc16/schedule/", "/cnc16/schedule/grid/", "/cnc16/speakers/"} <= links


def test_event_home_description_is_sanitized_markdown(client, cnc):
    content = client.get("/cnc16/").content.decode()
    assert "<strong>talks</strong>" in content
    assert 'href="https://example.org/workshops"' in content
    assert "alert(" not in content
    assert "javascript:" not in content
    assert "onerror" not in content


def test_event_home_single_day_and_no_venue(client, db):
    make("One Day", "one-day", dt.date(2030, 5, 6), dt.date(2030, 5, 6), venue_name="")
    document = parse_html(client.get("/one-day/").content.decode())
    assert text(find_all(document, "dl")[0]) == "When Monday, May 6, 2030 (UTC)"


def test_event_home_open_graph(client, cnc):
    document = parse_html(client.get("/cnc16/").content.decode())
    tags = {
        attr(m, "property") or attr(m, "name"): attr(m, "content")
        for m in find_all(document, "meta")
    }
    assert tags["og:title"] == "CloudNativeCon 2016"
    assert tags["og:description"] == "The cloud native community meets"
    assert tags["og:type"] == "website"


def banner(response) -> str:
    found = find_all(parse_html(response.content.decode()), "div", "event-banner")
    return text(found[0]) if found else ""


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (-1, 1, "Happening now: Phase Conf is on today."),
        (0, 0, "Happening now: Phase Conf is on today."),
        (-3, -1, "This event has ended. The schedule stays here for reference."),
        (1, 3, ""),
    ],
)
@pytest.mark.parametrize("tz", ["America/Los_Angeles", "Asia/Tokyo"])
def test_event_home_banner(client, db, start, end, expected, tz):
    make("Phase Conf", "phase", days(start, tz), days(end, tz), tz=tz)
    assert banner(client.get("/phase/")) == expected
    # The schedule says the same.
    assert banner(client.get("/phase/schedule/")) == expected


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_live_is_judged_in_the_events_own_zone(client, db, tz):
    """UTC+14 and UTC-11: at any moment their dates differ from each other by a day or
    two, and a one-day event on the local date is live whatever the UTC date is."""
    local_today = today_in(tz)
    make("Far Conf", "far", local_today, local_today, tz=tz)
    assert banner(client.get("/far/")) == "Happening now: Far Conf is on today."
    sections_now = sections(client.get("/"))
    assert sections_now == {"Upcoming and happening now": ["Far Conf Happening now"]}


def test_event_home_of_unpublished_or_unknown_event_is_404(client, cnc):
    assert client.get("/no-such-event/").status_code == 404
    cnc.is_published = False
    cnc.save()
    assert client.get("/cnc16/").status_code == 404
