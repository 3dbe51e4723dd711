"""The public speaker pages: the directory (with search) and one speaker."""

import datetime as dt
import zoneinfo

import pytest

from schedule.models import Session
from tests.factories import (
    SECRET_DOMAIN,
    EventFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SharedRows,
    SpeakerFactory,
    conference,
)
from tests.html import attr, dom, find, find_all, meta, text

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
BIO = (
    "Kelsey works on *Kubernetes* at [Google](https://google.com).\n\n"
    "<script>alert('bio')</script>\n\n"
    + "He has given many talks about clusters. " * 12
    + "\n\nThe last sentence of the bio."
)


@pytest.fixture(scope="module")
def _conf(django_db_setup, django_db_blocker):
    shared = SharedRows(django_db_blocker, _speaker_pages_conference)
    yield shared
    shared.close()


@pytest.fixture
def conf(request, _conf, db):
    """``_speaker_pages_conference``, built once per module (tests/factories.SharedRows)."""
    return _conf.for_test(request)


def _speaker_pages_conference():
    """The shared conference (tests/factories.conference, with its extras: another event
    and speakers in no public session), and what only the speaker pages read: Kelsey
    Hightower's bio (Markdown, a link, a script) and links, and three more sessions of
    his, made after the others though not last in time: a cancelled talk before the
    others, one without a time yet, and the draft (Gustav Draftson's) as a co-speaker."""
    c = conference(extras=True)
    kelsey = c.kelsey
    kelsey.bio = BIO
    kelsey.website = "https://kelsey.example"
    kelsey.mastodon = "@kelsey@hachyderm.io"
    kelsey.github = "kelseyhightower"
    kelsey.linkedin = "https://www.linkedin.com/in/kelsey"
    kelsey.save()
    start = dt.datetime.combine(c.day1, dt.time(9), tzinfo=LA)
    old = SessionFactory(
        event=c.event, title="Old talk", slug="old-talk", status=Session.Status.CANCELLED,
        room=c.room_401, starts_at=start, ends_at=start + dt.timedelta(minutes=40),
    )  # fmt: skip
    tba = SessionFactory(event=c.event, title="Office hours", slug="office-hours",
                         starts_at=None, ends_at=None, room=None)  # fmt: skip
    for session in (old, tba):
        SessionSpeakerFactory(session=session, speaker=kelsey)
    SessionSpeakerFactory(session=c.draft, speaker=kelsey, position=1)
    return c


def names(response) -> list[str]:
    return [text(a) for a in find_all(dom(response), "a", "speaker-name")]


# The directory ---------------------------------------------------------------


ALL = [
    "Brendan Burns", "Dan Kohn", "Dora Dormant", "Erin Evening", "Kelsey Hightower",
    "Sarah Novotny",
]  # fmt: skip


def entry(response, name: str):
    """The directory's entry of the speaker named ``name``."""
    entries = find_all(dom(response), "li", "speaker-entry")
    return next(e for e in entries if text(find(e, "a", "speaker-name")) == name)


def test_directory_lists_speakers_with_public_sessions(client, conf):
    assert conf.ghost.sessions.exists() and conf.nobody.pk  # they exist, but...
    response = client.get("/cnc16/speakers/")
    assert response.status_code == 200
    # ...only speakers of published or cancelled sessions are listed, by name (Dora
    # Dormant is in a cancelled session only), and only this event's.
    assert names(response) == ALL
    content = response.content.decode()
    for absent in ("Gustav", "Nora", "Bea Other", "Cid Hidden"):
        assert absent not in content
    assert text(find(dom(response), None, "match-count")) == "6 speakers"


def test_directory_entry(client, conf):
    kelsey = entry(client.get("/cnc16/speakers/"), "Kelsey Hightower")
    assert attr(find(kelsey, "a"), "href") == "/cnc16/speakers/kelsey-hightower/"
    assert text(find(kelsey, "span", "speaker-byline")) == "Developer Advocate, Google"
    assert text(find(kelsey, "span", "avatar-initials")) == "KH"


def test_directory_shows_avatars(client, conf):
    conf.sarah.avatar = "avatars/1/sarah.jpg"
    conf.sarah.avatar_thumb = "avatars/1/sarah-thumb.jpg"
    conf.sarah.save()
    sarah = entry(client.get("/cnc16/speakers/"), "Sarah Novotny")
    assert attr(find(sarah, "img"), "src") == "/media/avatars/1/sarah-thumb.jpg"
    assert find_all(sarah, "span", "avatar-initials") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("kelsey", ["Kelsey Hightower"]),
        ("HIGHTOWER", ["Kelsey Hightower"]),  # case-insensitive
        ("microsoft", ["Brendan Burns"]),  # company
        ("community", ["Sarah Novotny"]),  # job title
        ("google advocate", ["Kelsey Hightower"]),  # every word (Sarah is at Google too)
        ("google microsoft", []),
        ("  ", ALL),
        ("gustav", []),  # not announced yet
        (SECRET_DOMAIN, []),  # e-mail addresses are never searched
        ("bea", []),  # another event's
    ],
)
def test_directory_search(client, conf, q, expected):
    response = client.get("/cnc16/speakers/", {"q": q})
    assert response.status_code == 200
    assert names(response) == expected
    if q.strip():
        summary = text(find(dom(response), None, "match-count"))
        assert f"matching “{q.strip()}”" in summary
        assert find_all(dom(response), "a", href="/cnc16/speakers/")  # show all


def test_directory_search_keeps_the_text_in_the_box(client, conf):
    box = find(dom(client.get("/cnc16/speakers/?q=google")), "input", id="s-q")
    assert attr(box, "value") == "google"


def test_directory_search_too_long_is_400(client, conf):
    assert client.get("/cnc16/speakers/", {"q": "k" * 200}).status_code == 200
    response = client.get("/cnc16/speakers/", {"q": "k" * 201})
    assert response.status_code == 400
    alert = find(dom(response), "div", role="alert")
    assert "q:" in text(alert) and "too long" in text(alert)
    assert text(find(dom(response), "h1")) == "Speakers"


def test_directory_search_with_a_nul_character_is_400(client, conf):
    response = client.get("/cnc16/speakers/", {"q": "kel\x00sey"})
    assert response.status_code == 400
    assert "q:" in text(find(dom(response), "div", role="alert"))


def test_directory_of_unknown_or_unpublished_event_is_404(client, conf):
    assert client.get("/nope/speakers/").status_code == 404
    conf.event.is_published = False
    conf.event.save()
    assert client.get("/cnc16/speakers/").status_code == 404


# One speaker -------------------------------------------------------------------


def test_speaker_page_shows_the_full_bio_sanitized(client, conf):
    response = client.get("/cnc16/speakers/kelsey-hightower/")
    assert response.status_code == 200
    document = dom(response)
    assert text(find(document, "h1")) == "Kelsey Hightower"
    assert text(find(document, "p", "lead")) == "Developer Advocate, Google"
    bio = find(document, "div", "prose")
    assert "The last sentence of the bio." in text(bio)
    assert find_all(bio, "em")[0].children == ["Kubernetes"]
    assert attr(find(bio, "a"), "href") == "https://google.com"
    content = response.content.decode()
    assert "alert(" not in content
    assert conf.kelsey.email.endswith(SECRET_DOMAIN)
    assert SECRET_DOMAIN not in content  # an e-mail address is never public
    assert text(find(document, "span", "avatar-initials")) == "KH"


def test_speaker_page_links(client, conf):
    links = find(dom(client.get("/cnc16/speakers/kelsey-hightower/")), "ul", "speaker-links")
    assert {text(a): attr(a, "href") for a in find_all(links, "a")} == {
        "Website": "https://kelsey.example",
        "Mastodon": "https://hachyderm.io/@kelsey",
        "GitHub": "https://github.com/kelseyhightower",
        "LinkedIn": "https://www.linkedin.com/in/kelsey",
    }


def test_speaker_page_without_links_or_bio(client, conf):
    conf.erin.bio = ""
    conf.erin.save()
    assert not (conf.erin.website or conf.erin.mastodon or conf.erin.github or conf.erin.linkedin)
    document = dom(client.get("/cnc16/speakers/erin-evening/"))
    assert find_all(document, "ul", "speaker-links") == []
    assert find_all(document, "div", "prose") == []


def test_speaker_page_lists_public_sessions_in_time_order(client, conf):
    section = find(dom(client.get("/cnc16/speakers/kelsey-hightower/")), "section")
    assert text(find(section, "h2")) == "Sessions"
    items = find_all(section, "li")
    assert [text(find_all(li, "a")[0]) for li in items] == [
        "Old talk", "Kubernetes 101", "Prometheus at scale", "Office hours",
    ]  # fmt: skip
    old, k101, prom, tba = (text(li) for li in items)
    assert "Cancelled" in old and "Cancelled" not in k101
    assert "Tuesday November 8, 2016 11:00am – 11:40am PST · Ballroom A" in k101
    assert "Wednesday November 9, 2016 10:00am – 10:30am PST" in prom
    assert "Time to be announced" in tba
    assert attr(find_all(items[1], "a")[0], "href") == "/cnc16/sessions/kubernetes-101/"
    assert "Secret roadmap" not in text(section)


def test_moderator_page_lists_the_moderated_session(client, conf):
    section = find(dom(client.get("/cnc16/speakers/dan-kohn/")), "section")
    assert [text(find_all(li, "a")[0]) for li in find_all(section, "li")] == [
        "Opening keynote", "The future of containers",
    ]  # fmt: skip


def test_speaker_page_open_graph(client, conf):
    tags = meta(dom(client.get("/cnc16/speakers/kelsey-hightower/")))
    assert tags["og:type"] == "profile"
    assert tags["og:title"] == "Kelsey Hightower – Developer Advocate, Google"
    assert tags["og:description"].startswith("Kelsey works on Kubernetes at Google.")
    assert len(tags["og:description"]) <= 200
    assert "alert" not in tags["og:description"]
    assert tags["og:url"] == "http://testserver/cnc16/speakers/kelsey-hightower/"
    assert "og:image" not in tags


def test_speaker_page_og_image_with_an_avatar(client, conf):
    conf.kelsey.avatar = "avatars/1/kelsey.jpg"
    conf.kelsey.avatar_thumb = "avatars/1/kelsey-thumb.jpg"
    conf.kelsey.save()
    document = dom(client.get("/cnc16/speakers/kelsey-hightower/"))
    assert meta(document)["og:image"] == "http://testserver/media/avatars/1/kelsey.jpg"
    assert attr(find(find(document, "div", "speaker-head"), "img"), "src") == (
        "/media/avatars/1/kelsey.jpg"
    )


def test_speaker_with_only_cancelled_sessions_is_public(client, conf):
    response = client.get("/cnc16/speakers/dora-dormant/")
    assert response.status_code == 200
    assert "Service mesh" in response.content.decode()


@pytest.mark.parametrize(
    "slug", ["gustav-draftson", "nora-nobody", "no-such-speaker", "bea-other", "cid-hidden"]
)
def test_speakers_not_announced_are_not_found(client, conf, slug):
    response = client.get(f"/cnc16/speakers/{slug}/")
    assert response.status_code == 404
    assert b"Draftson" not in response.content


def test_publishing_the_draft_announces_its_speaker(client, conf):
    assert client.get("/cnc16/speakers/gustav-draftson/").status_code == 404
    Session.objects.filter(slug="secret-roadmap").set_status("published")
    assert client.get("/cnc16/speakers/gustav-draftson/").status_code == 200
    assert "Gustav Draftson" in names(client.get("/cnc16/speakers/"))


def test_speaker_page_gives_the_role_per_session(client, conf):
    def roles(slug):
        section = find(dom(client.get(f"/cnc16/speakers/{slug}/")), "section")
        return [text(find(li, "span", "session-role")) for li in find_all(section, "li")]

    assert roles("dan-kohn") == ["Speaker", "Moderator"]
    assert roles("sarah-novotny") == ["Panelist", "Speaker"]
    assert roles("kelsey-hightower") == ["Speaker"] * 4


def test_speaker_page_stars_sessions_to_come_and_none_once_over(client, conf):
    kelsey = "/cnc16/speakers/kelsey-hightower/"
    assert find_all(dom(client.get(kelsey)), "button", "btn-star") == []  # 2016: over
    conf.event.start_date, conf.event.end_date = dt.date(2099, 11, 8), dt.date(2099, 11, 9)
    conf.event.save()
    page = dom(client.get(kelsey))
    stars = find_all(page, "button", "btn-star")
    # Kubernetes 101 and Prometheus; not the cancelled talk, nor the one without a time.
    assert [attr(b, "formaction") for b in stars] == [
        "/cnc16/agenda/kubernetes-101/add", "/cnc16/agenda/prometheus-at-scale/add",
    ]  # fmt: skip
    # Its name holds its visible word (WCAG "label in name").
    assert attr(stars[0], "aria-label") == "Star “Kubernetes 101”"
    assert text(stars[0]) == "☆ Star"  # the ☆ is text, not read: the name is the label
    assert find_all(page, "form", id="star-form")


@pytest.fixture(scope="module")
def _crowd(django_db_setup, django_db_blocker):
    shared = SharedRows(django_db_blocker, _crowd_event)
    yield shared
    shared.close()


@pytest.fixture
def crowd(request, _crowd, db):
    """``_crowd_event``, built once per module (tests/factories.SharedRows)."""
    return _crowd.for_test(request)


def _crowd_event():
    """130 speakers with a public session: A… to Z… and one "Émile" and one "42"."""
    event = EventFactory(slug="crowd", start_date=dt.date(2099, 1, 5), end_date=dt.date(2099, 1, 5))
    session = SessionFactory(event=event, status=Session.Status.PUBLISHED)
    names = [f"{chr(65 + n % 26)}name {n:03d}" for n in range(128)] + ["Émile Zola", "42 Crew"]
    for name in names:
        SessionSpeakerFactory(session=session, speaker=SpeakerFactory(event=event, name=name))
    return event


def test_directory_pages_and_a_to_z(client, crowd, django_assert_num_queries):
    with django_assert_num_queries(2):  # the event, its speakers
        first = dom(client.get("/crowd/speakers/"))
    assert text(find(first, None, "match-count")) == "130 speakers · page 1 of 3"
    assert len(find_all(first, "li", "speaker-entry")) == 60
    letters = {text(a): attr(a, "href") for a in find_all(find(first, "nav", "az-links"), "a")}
    assert letters["A"] == "?page=1#letter-A"
    assert letters["E"] == "?page=1#letter-E"  # Émile files under E
    assert letters["Z"].endswith("#letter-Z") and "?page=3#letter-other" in letters.values()
    third = dom(client.get("/crowd/speakers/?page=3"))
    assert [text(h) for h in find_all(third, "h2", "az-letter")][-2:] == ["Z", "#"]  # others last
    pager = find(third, "nav", "pager")
    assert attr(find(pager, "a"), "href") == "?page=2"
    searched = dom(client.get("/crowd/speakers/?q=name+00"))
    count = text(find(searched, None, "match-count"))
    assert count.startswith("11 speakers matching")  # 000 to 009, and 100
    assert find_all(searched, "nav", "pager") == []


@pytest.mark.parametrize(("page", "status"), [("x", 400), ("0", 404), ("4", 404), ("-1", 400)])
def test_directory_refuses_a_bad_page(client, crowd, page, status):
    response = client.get(f"/crowd/speakers/?page={page}")
    assert response.status_code == status
    if status == 400:
        assert "is not a page number" in response.content.decode()
