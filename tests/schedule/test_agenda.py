"""The personal agenda (issue 4): starring without an account, the agenda page with
clashes and changes, accounts that merge agendas, and the subscription feed.

Secrets never rest in the database in the clear: the browser holds the agenda key,
the calendar app the feed token; the database holds their SHA-256 only.
"""

import base64
import datetime as dt
import hashlib
import re
import secrets
import zoneinfo
from types import SimpleNamespace

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from schedule.models import Agenda, AgendaItem, Session, SessionSpeaker
from tests.factories import (
    PASSWORD,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def fest(db):
    """Two days in Europe/Paris. Alpha and Beta overlap; Epsilon will be cancelled."""
    d1, d2 = dt.date(2030, 6, 10), dt.date(2030, 6, 11)
    event = EventFactory(
        slug="fest30", name="Fest 2030", timezone="Europe/Paris", start_date=d1, end_date=d2
    )
    room_a = RoomFactory(event=event, name="Room A", position=0)
    room_b = RoomFactory(event=event, name="Room B", position=1)

    def session(title, start, minutes, room, **kwargs):
        return SessionFactory(
            event=event,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            room=room,
            **kwargs,
        )

    hidden_event = EventFactory(slug="hidden30", is_published=False)
    return SimpleNamespace(
        event=event,
        room_a=room_a,
        room_b=room_b,
        alpha=session("Alpha talk", at(d1, 10), 60, room_a),
        beta=session("Beta talk", at(d1, 10, 30), 60, room_b),
        gamma=session("Gamma talk", at(d1, 14), 45, room_a),
        delta=session("Delta talk", at(d2, 9), 60, room_b),
        epsilon=session("Epsilon talk", at(d2, 11), 60, room_a),
        draft=session("Draft talk", at(d2, 15), 30, room_a, status=Session.Status.DRAFT),
        hidden=SessionFactory(event=hidden_event, title="Hidden talk"),
    )


# Helpers -------------------------------------------------------------------------


def browser() -> Client:
    """A browser: CSRF checks enforced, and posts carry the page's Origin."""
    return Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})


def csrf_token(client: Client, path: str = "/fest30/schedule/") -> str:
    """The token a browser would submit: the hidden input of a form on the page, or ""
    on the shared public pages, whose star form has none (lib/origin.py)."""
    response = client.get(path)
    assert response.status_code == 200
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    if match:
        return match.group(1)
    assert "csrftoken" not in response.cookies
    return ""


def star(client, token, session, action="add", **kwargs):
    url = f"/{session.event.slug}/agenda/{session.slug}/{action}"
    return client.post(url, {"csrfmiddlewaretoken": token}, **kwargs)


def post(client, token, path, **data):
    return client.post(path, {"csrfmiddlewaretoken": token, **data})


def stars(response) -> dict[str, bool]:
    """The star buttons of a page: session slug -> pressed."""
    doc = lxml.html.fromstring(response.content)
    found = {}
    buttons = doc.find_class("btn-star")
    if buttons and doc.tag == "html":  # a whole page, not an htmx fragment
        # Each button submits the page's one star form to its URL; the form has no
        # token (the page is everyone's; the star views check the Origin).
        form = doc.get_element_by_id("star-form")
        assert form.find(".//input") is None
    for button in buttons:
        # by naming the form, or inside it (the grid's tables are)
        inside = any(up.get("id") == "star-form" for up in button.iterancestors())
        assert button.get("form") == "star-form" or inside
        action = button.get("formaction")
        assert button.get("type") is None  # a submit button, but not one htmx sets up
        slug = action.split("/")[-2]
        pressed = button.get("aria-pressed")
        assert pressed in ("true", "false")
        assert action.endswith("/remove" if pressed == "true" else "/add")
        found[slug] = pressed == "true"
    return found


def cookie_name(event) -> str:
    return f"lineup_agenda_{event.pk}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stored_anywhere(secret: str) -> list[str]:
    """Tables with a row in which ``secret`` appears, in any column."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                if any(value is not None and secret in str(value) for value in row):
                    hits.append(table)
    return hits


def agenda_slugs(agenda: Agenda) -> set[str]:
    return set(agenda.items.values_list("session__slug", flat=True))


# Starring -------------------------------------------------------------------------


def test_first_star_creates_an_agenda_and_a_private_cookie(fest):
    client = browser()
    token = csrf_token(client)
    assert Agenda.objects.count() == 0

    response = star(client, token, fest.alpha)
    assert response.status_code == 302
    agenda = Agenda.objects.get()
    assert agenda.event == fest.event and agenda.user is None
    assert agenda_slugs(agenda) == {"alpha-talk"}

    morsel = response.cookies[cookie_name(fest.event)]
    key = morsel.value
    assert len(key) >= 43  # 32 random bytes, base64url
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) >= 365 * 24 * 60 * 60
    assert response["Cache-Control"] == "no-store"

    # Only the SHA-256 of the key is stored, and the key itself nowhere.
    assert agenda.key_hash == sha256(key)
    assert stored_anywhere(key) == []


def test_cookie_is_secure_over_https(fest):
    client = Client()
    response = client.post(f"/fest30/agenda/{fest.alpha.slug}/add", secure=True)
    assert response.status_code == 302
    assert response.cookies[cookie_name(fest.event)]["secure"] is True


def test_starring_twice_is_idempotent_and_unstar_removes(fest):
    client = browser()
    token = csrf_token(client)
    star(client, token, fest.alpha)
    again = star(client, token, fest.alpha)
    assert again.status_code == 302
    assert cookie_name(fest.event) not in again.cookies  # the same agenda, no new key
    assert Agenda.objects.count() == 1
    assert AgendaItem.objects.count() == 1

    star(client, token, fest.beta)
    assert agenda_slugs(Agenda.objects.get()) == {"alpha-talk", "beta-talk"}
    assert star(client, token, fest.alpha, "remove").status_code == 302
    assert agenda_slugs(Agenda.objects.get()) == {"beta-talk"}
    assert star(client, token, fest.alpha, "remove").status_code == 302  # again: no error
    assert agenda_slugs(Agenda.objects.get()) == {"beta-talk"}


def test_htmx_star_returns_the_toggled_button(fest):
    client = browser()
    token = csrf_token(client)
    response = star(client, token, fest.alpha, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert stars(response) == {"alpha-talk": True}
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert 'formaction="/fest30/agenda/alpha-talk/remove"' in html
    assert "csrfmiddlewaretoken" not in html

    # The returned button works: it unstars, with the token of the page's star form.
    response = star(client, token, fest.alpha, "remove", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert stars(response) == {"alpha-talk": False}
    assert 'formaction="/fest30/agenda/alpha-talk/add"' in response.content.decode()
    assert AgendaItem.objects.count() == 0


def test_without_javascript_the_post_returns_to_the_referring_page(fest):
    client = browser()
    token = csrf_token(client)
    back = "http://testserver/fest30/schedule/?day=2030-06-10#t20300610-1000"
    response = star(client, token, fest.alpha, headers={"Referer": back})
    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/fest30/schedule/",
        "//evil.example/fest30/schedule/",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_foreign_referer_falls_back_to_the_session_page(fest, referer):
    client = browser()
    token = csrf_token(client)
    response = star(client, token, fest.alpha, headers={"Referer": referer})
    assert response.status_code == 302
    assert response["Location"] == "/fest30/sessions/alpha-talk/"


def test_a_foreign_next_falls_back_to_the_session_page(fest):
    client = browser()
    token = csrf_token(client)
    response = client.post(
        "/fest30/agenda/alpha-talk/add",
        {"csrfmiddlewaretoken": token, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/fest30/sessions/alpha-talk/"


@pytest.mark.parametrize("action", ["add", "remove"])
def test_get_on_add_and_remove_is_not_allowed(fest, action):
    response = Client().get(f"/fest30/agenda/alpha-talk/{action}")
    assert response.status_code == 405
    assert Agenda.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "https://testserver"},  # another scheme is another origin
        {"Referer": "https://evil.example/fest30/schedule/"},
        {},  # neither Origin nor Referer: refused too
    ],
)
def test_a_star_posted_from_another_site_is_refused(fest, headers):
    client = Client(enforce_csrf_checks=True)
    csrf_token(client)  # the visitor has seen the page (and holds no cookie from it)
    response = client.post("/fest30/agenda/alpha-talk/add", headers=headers)
    assert response.status_code == 403
    assert "not sent from this site" in response.content.decode()
    assert cookie_name(fest.event) not in response.cookies
    assert Agenda.objects.count() == 0


def test_a_star_posted_from_this_site_without_origin_is_judged_by_its_referer(fest):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/fest30/agenda/alpha-talk/add", headers={"Referer": "http://testserver/fest30/"}
    )
    assert response.status_code == 302
    assert Agenda.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/fest30/agenda/draft-talk/add",
        "/fest30/agenda/draft-talk/remove",
        "/fest30/agenda/no-such-talk/add",
        "/hidden30/agenda/hidden-talk/add",
        "/no-such-event/agenda/alpha-talk/add",
    ],
)
def test_drafts_and_unpublished_events_cannot_be_starred(fest, path):
    client = browser()
    token = csrf_token(client)
    response = client.post(path, {"csrfmiddlewaretoken": token})
    assert response.status_code == 404
    assert Agenda.objects.count() == 0


def test_a_session_of_another_event_cannot_be_starred_through_this_one(fest):
    other = EventFactory(slug="other30")
    SessionFactory(event=other, title="Foreign talk")
    client = browser()
    response = client.post(
        "/fest30/agenda/foreign-talk/add", {"csrfmiddlewaretoken": csrf_token(client)}
    )
    assert response.status_code == 404


# Stars on shared, cached pages ---------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/fest30/schedule/", "/fest30/schedule/grid/", "/fest30/schedule/?room=room-b"]
)
def test_cached_pages_show_this_visitors_stars_only(fest, path):
    alice = browser()
    star(alice, csrf_token(alice), fest.alpha)
    star(alice, csrf_token(alice), fest.beta)
    bob = browser()

    first = stars(alice.get(path))
    second = stars(bob.get(path))  # same URL, now from the cache
    again = stars(alice.get(path))
    expected = {"alpha-talk", "beta-talk", "gamma-talk", "delta-talk", "epsilon-talk"}
    if "room-b" in path:
        expected = {"beta-talk", "delta-talk"}
    assert set(first) == set(second) == expected
    assert first == again == {slug: slug in ("alpha-talk", "beta-talk") for slug in expected}
    assert not any(second.values())


def test_session_page_shows_the_star_state(fest):
    alice = browser()
    star(alice, csrf_token(alice), fest.alpha)
    assert stars(alice.get("/fest30/sessions/alpha-talk/")) == {"alpha-talk": True}
    assert stars(alice.get("/fest30/sessions/beta-talk/")) == {"beta-talk": False}
    assert stars(browser().get("/fest30/sessions/alpha-talk/")) == {"alpha-talk": False}


def test_stars_light_up_for_titles_with_markup_characters(fest):
    odd = SessionFactory(
        event=fest.event, title='Rock & "roll" <live> – l\'été', slug="rock-and-roll"
    )
    alice = browser()
    star(alice, csrf_token(alice), odd)
    assert stars(alice.get("/fest30/schedule/"))["rock-and-roll"] is True
    assert stars(alice.get("/fest30/sessions/rock-and-roll/")) == {"rock-and-roll": True}


def test_the_cached_page_is_shared_and_etags_are_personal(fest):
    alice, bob = browser(), browser()
    star(alice, csrf_token(alice), fest.alpha)
    csrf_token(bob)  # Bob has been here before (and holds no cookie from it)
    cache.clear()

    with CaptureQueriesContext(connection) as fresh_render:
        alice_page = alice.get("/fest30/schedule/")
    with CaptureQueriesContext(connection) as from_cache:
        bob_page = bob.get("/fest30/schedule/")
    cache.clear()
    with CaptureQueriesContext(connection) as bob_fresh:
        bob.get("/fest30/schedule/")
    assert len(from_cache) < len(bob_fresh) <= len(fresh_render)

    assert stars(alice_page)["alpha-talk"] is True
    assert stars(bob_page)["alpha-talk"] is False
    assert alice_page["ETag"] != bob_page["ETag"]
    # Alice's copy is hers; Bob's is everybody's, and any shared cache may keep it.
    assert "private" in alice_page["Cache-Control"]
    assert bob_page["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert not bob_page.cookies

    # Bob stars from the shared copy: the post needs no token, only this site's Origin.
    assert star(bob, "", fest.gamma).status_code == 302


def test_starring_changes_the_etag(fest):
    alice = browser()
    token = csrf_token(alice)
    star(alice, token, fest.alpha)
    page = alice.get("/fest30/schedule/")
    etag = page["ETag"]
    assert alice.get("/fest30/schedule/", headers={"If-None-Match": etag}).status_code == 304
    star(alice, token, fest.beta)
    fresh = alice.get("/fest30/schedule/", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert stars(fresh)["beta-talk"] is True


# The agenda page -------------------------------------------------------------------


def agenda_rows(response) -> list[dict]:
    doc = lxml.html.fromstring(response.content)
    rows = []
    for article in doc.xpath("//article[contains(@class, 'session')]"):
        notes = {
            kind: " ".join(" ".join(p.text_content() for p in article.find_class(kind)).split())
            for kind in ("clash-note", "change-note")
        }
        rows.append(
            {
                "title": article.xpath(".//h4//a")[0].text_content(),
                "text": " ".join(article.text_content().split()),
                "clash": notes["clash-note"],
                "change": notes["change-note"],
                "classes": article.get("class").split(),
            }
        )
    return rows


@pytest.fixture
def starred(fest):
    """A browser that starred Alpha to Epsilon, with the CSRF token of its agenda page."""
    client = browser()
    for session in (fest.epsilon, fest.delta, fest.gamma, fest.beta, fest.alpha):
        assert star(client, csrf_token(client), session).status_code == 302
    return SimpleNamespace(client=client, token=csrf_token(client, "/fest30/agenda/"))


def test_agenda_lists_sessions_by_day_and_time_with_clashes(fest, starred):
    response = starred.client.get("/fest30/agenda/")
    assert response.status_code == 200
    rows = agenda_rows(response)
    assert [r["title"] for r in rows] == [
        "Alpha talk",
        "Beta talk",
        "Gamma talk",
        "Delta talk",
        "Epsilon talk",
    ]
    doc = lxml.html.fromstring(response.content)
    days = [h.text_content().strip() for h in doc.find_class("day-heading")]
    assert len(days) == 2 and "June 10" in days[0] and "June 11" in days[1]

    by_title = {r["title"]: r for r in rows}
    assert by_title["Alpha talk"]["clash"] == "Clash: overlaps “Beta talk”"
    assert by_title["Beta talk"]["clash"] == "Clash: overlaps “Alpha talk”"
    assert "session-clash" in by_title["Alpha talk"]["classes"]
    for title in ("Gamma talk", "Delta talk", "Epsilon talk"):
        assert by_title[title]["clash"] == "" and "session-clash" not in by_title[title]["classes"]
        assert by_title[title]["change"] == ""
    summary = doc.find_class("agenda-summary")[0].text_content()
    assert "5 sessions" in summary and "1 clash" in summary and "clashes" not in summary


def test_agenda_escapes_its_rows_and_clash_notes(fest, starred):
    Session.objects.filter(pk=fest.beta.pk).update(title='Beta <x1> & "co"')
    content = starred.client.get("/fest30/agenda/").content.decode()
    assert "<x1>" not in content
    assert "overlaps “Beta &lt;x1&gt; &amp; &#34;co&#34;”</p>" in content
    assert ">Beta &lt;x1&gt; &amp; &#34;co&#34;</a>" in content


def test_agenda_flags_changes_and_cancellations_until_seen(fest, starred):
    fest.gamma.starts_at += dt.timedelta(hours=1)
    fest.gamma.ends_at += dt.timedelta(hours=1)
    fest.gamma.save()
    fest.delta.room = fest.room_a
    fest.delta.save()
    Session.objects.filter(pk=fest.epsilon.pk).set_status(Session.Status.CANCELLED)

    response = starred.client.get("/fest30/agenda/")
    by_title = {r["title"]: r for r in agenda_rows(response)}
    assert by_title["Gamma talk"]["change"] == "Changed since you starred it: time."
    assert by_title["Delta talk"]["change"] == "Changed since you starred it: room."
    assert by_title["Epsilon talk"]["change"] == "Cancelled since you starred it."
    assert "Cancelled" in by_title["Epsilon talk"]["text"]
    assert by_title["Alpha talk"]["change"] == by_title["Beta talk"]["change"] == ""
    assert "Mark changes as seen" in response.content.decode()

    seen = post(starred.client, starred.token, "/fest30/agenda/seen")
    assert seen.status_code == 302 and seen["Location"] == "/fest30/agenda/"
    response = starred.client.get("/fest30/agenda/")
    rows = agenda_rows(response)
    assert [r["change"] for r in rows] == [""] * 5
    assert "Mark changes as seen" not in response.content.decode()
    by_title = {r["title"]: r for r in rows}
    assert "Cancelled" in by_title["Epsilon talk"]["text"]  # still marked as cancelled
    assert by_title["Alpha talk"]["clash"]  # clashes are not changes: still there


def test_agenda_changes_to_both_time_and_room(fest, starred):
    fest.alpha.room = fest.room_b
    fest.alpha.starts_at -= dt.timedelta(minutes=30)
    fest.alpha.save()
    by_title = {r["title"]: r for r in agenda_rows(starred.client.get("/fest30/agenda/"))}
    assert by_title["Alpha talk"]["change"] == "Changed since you starred it: time and room."


def test_a_session_back_to_draft_leaves_the_agenda_page(fest, starred):
    Session.objects.filter(pk=fest.gamma.pk).set_status(Session.Status.DRAFT)
    titles = [r["title"] for r in agenda_rows(starred.client.get("/fest30/agenda/"))]
    assert "Gamma talk" not in titles and len(titles) == 4


def test_remove_on_the_agenda_page_returns_to_it(fest, starred):
    response = starred.client.post(
        "/fest30/agenda/gamma-talk/remove",
        {"csrfmiddlewaretoken": starred.token, "next": "/fest30/agenda/"},
    )
    assert response.status_code == 302 and response["Location"] == "/fest30/agenda/"
    titles = [r["title"] for r in agenda_rows(starred.client.get("/fest30/agenda/"))]
    assert titles == ["Alpha talk", "Beta talk", "Delta talk", "Epsilon talk"]


def test_clear_empties_the_agenda(fest, starred):
    response = post(starred.client, starred.token, "/fest30/agenda/clear")
    assert response.status_code == 302
    assert AgendaItem.objects.count() == 0
    page = starred.client.get("/fest30/agenda/")
    assert "You have not starred any sessions yet." in page.content.decode()
    assert "5 sessions removed" in page.content.decode()
    assert not any(stars(starred.client.get("/fest30/schedule/")).values())


def test_agenda_page_is_private_and_sends_no_referrer_elsewhere(fest, starred):
    for client in (starred.client, browser()):
        response = client.get("/fest30/agenda/")
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "same-origin"


def test_agenda_page_without_agenda_creates_nothing(fest):
    response = browser().get("/fest30/agenda/")
    assert "You have not starred any sessions yet." in response.content.decode()
    assert Agenda.objects.count() == 0


@pytest.mark.parametrize("action", ["seen", "clear", "feed/reset"])
def test_agenda_actions_need_a_post_and_an_agenda(fest, action):
    client = browser()
    token = csrf_token(client, "/accounts/login/")  # a page whose forms carry a token
    assert client.get(f"/fest30/agenda/{action}").status_code == 405
    assert post(client, token, f"/fest30/agenda/{action}").status_code == 404
    assert client.post(f"/fest30/agenda/{action}").status_code == 403


def test_agenda_of_an_unpublished_event_is_not_found(fest):
    assert browser().get("/hidden30/agenda/").status_code == 404


# Accounts ----------------------------------------------------------------------------


def assert_cookie_deleted(response, event):
    morsel = response.cookies[cookie_name(event)]
    assert morsel.value == ""
    assert int(morsel["max-age"]) == 0


def test_signup_keeps_the_agenda_of_this_browser(fest):
    other = EventFactory(slug="other30", name="Other 2030")
    elsewhere = SessionFactory(event=other, title="Elsewhere talk")
    client = browser()
    token = csrf_token(client)
    star(client, token, fest.alpha)
    star(client, token, fest.beta)
    star(client, token, elsewhere)
    assert Agenda.objects.filter(user=None).count() == 2

    token = csrf_token(client, "/accounts/signup/?next=/fest30/agenda/")
    response = client.post(
        "/accounts/signup/",
        {
            "csrfmiddlewaretoken": token,
            "username": "newbie",
            "email": "",
            "password1": "a long and unusual passphrase 42",
            "password2": "a long and unusual passphrase 42",
            "next": "/fest30/agenda/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/fest30/agenda/"
    user = get_user_model().objects.get(username="newbie")
    assert Agenda.objects.filter(user=None).count() == 0
    assert agenda_slugs(Agenda.objects.get(user=user, event=fest.event)) == {
        "alpha-talk",
        "beta-talk",
    }
    assert agenda_slugs(Agenda.objects.get(user=user, event=other)) == {"elsewhere-talk"}
    assert_cookie_deleted(response, fest.event)
    assert_cookie_deleted(response, other)

    titles = [r["title"] for r in agenda_rows(client.get("/fest30/agenda/"))]
    assert titles == ["Alpha talk", "Beta talk"]
    # Signed in on another device, the agenda is there.
    laptop = browser()
    laptop.force_login(user)
    assert [r["title"] for r in agenda_rows(laptop.get("/fest30/agenda/"))] == titles
    assert stars(laptop.get("/fest30/schedule/"))["alpha-talk"] is True


def test_signup_with_a_bad_form_merges_nothing(fest):
    client = browser()
    star(client, csrf_token(client), fest.alpha)
    token = csrf_token(client, "/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {"csrfmiddlewaretoken": token, "username": "x", "password1": "a", "password2": "b"},
    )
    assert response.status_code == 200
    assert cookie_name(fest.event) not in response.cookies
    assert Agenda.objects.filter(user=None).count() == 1


def login(client, user, next_url="/fest30/agenda/"):
    token = csrf_token(client, "/accounts/login/")
    return client.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": token,
            "username": user.username,
            "password": PASSWORD,
            "next": next_url,
        },
    )


def test_login_merges_into_an_existing_agenda_losing_nothing(fest):
    user = UserFactory()
    phone = browser()
    phone.force_login(user)
    phone_token = csrf_token(phone)
    star(phone, phone_token, fest.beta)
    star(phone, phone_token, fest.gamma)
    own = Agenda.objects.get(user=user)
    assert own.key_hash is None

    laptop = browser()
    token = csrf_token(laptop)
    star(laptop, token, fest.alpha)
    star(laptop, token, fest.beta)  # on both
    anonymous = Agenda.objects.get(user=None)

    response = login(laptop, user)
    assert response.status_code == 302 and response["Location"] == "/fest30/agenda/"
    assert_cookie_deleted(response, fest.event)
    assert Agenda.objects.filter(user=user).count() == 1
    assert not Agenda.objects.filter(pk=anonymous.pk).exists()
    assert agenda_slugs(Agenda.objects.get(user=user)) == {"alpha-talk", "beta-talk", "gamma-talk"}
    assert AgendaItem.objects.count() == 3

    expected = ["Alpha talk", "Beta talk", "Gamma talk"]
    assert [r["title"] for r in agenda_rows(laptop.get("/fest30/agenda/"))] == expected
    assert [r["title"] for r in agenda_rows(phone.get("/fest30/agenda/"))] == expected


def test_login_adopts_the_anonymous_agenda_when_the_user_has_none(fest):
    user = UserFactory()
    client = browser()
    star(client, csrf_token(client), fest.delta)
    anonymous = Agenda.objects.get()
    response = login(client, user)
    assert response.status_code == 302
    assert_cookie_deleted(response, fest.event)
    adopted = Agenda.objects.get()
    assert adopted.pk == anonymous.pk and adopted.user == user and adopted.key_hash is None
    assert agenda_slugs(adopted) == {"delta-talk"}


def test_failed_login_keeps_the_anonymous_agenda(fest):
    user = UserFactory()
    client = browser()
    star(client, csrf_token(client), fest.delta)
    token = csrf_token(client, "/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": user.username, "password": "wrong"},
    )
    assert response.status_code == 200
    assert cookie_name(fest.event) not in response.cookies
    assert Agenda.objects.get().user is None


def test_login_refuses_a_foreign_next(fest):
    user = UserFactory()
    response = login(browser(), user, next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"


# The subscription feed ---------------------------------------------------------------


def feed_links(client) -> dict[str, str]:
    response = client.get("/fest30/agenda/", secure=True)
    doc = lxml.html.fromstring(response.content)
    return {
        "https": doc.get_element_by_id("feed-https").get("value"),
        "webcal": doc.get_element_by_id("feed-webcal").get("value"),
        "download": doc.xpath("//a[@download]")[0].get("href"),
    }


def token_of(url: str) -> str:
    match = re.fullmatch(r"(?:https|webcal)://testserver/fest30/agenda/([^/]+)\.ics", url)
    assert match, url
    return match.group(1)


def path_of(url: str) -> str:
    return url.split("://testserver", 1)[1]


def reset_feed(client):
    return client.post(
        "/fest30/agenda/feed/reset",
        secure=True,
        headers={"Referer": "https://testserver/fest30/agenda/"},
    )


@pytest.fixture
def subscribed(fest):
    client = Client()
    for session in (fest.alpha, fest.delta):
        client.post(f"/fest30/agenda/{session.slug}/add", secure=True)
    return client


def test_feed_links_on_the_agenda_page(fest, subscribed):
    links = feed_links(subscribed)
    assert links["https"].startswith("https://testserver/fest30/agenda/")
    assert links["webcal"] == "webcal://" + links["https"].removeprefix("https://")
    assert links["download"] == links["https"] + "?download=1"
    token = token_of(links["https"])
    assert token == token_of(links["webcal"])
    assert len(token) >= 22 and len(token) == 43
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(base64.urlsafe_b64decode(token + "=")) * 8 >= 128
    # The link stays the same from one visit to the next (calendar apps keep it).
    assert feed_links(subscribed)["https"] == links["https"]


def test_feed_token_is_stored_only_as_a_hash(fest, subscribed):
    token = token_of(feed_links(subscribed)["https"])
    agenda = Agenda.objects.get()
    assert agenda.feed_token_hash == sha256(token)
    assert stored_anywhere(token) == []


def test_feed_serves_the_calendar(fest, subscribed):
    links = feed_links(subscribed)
    app = Client()  # a calendar app: no cookies, only the URL
    response = app.get(path_of(links["https"]), secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("inline")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:Alpha talk" in body and "SUMMARY:Delta talk" in body
    assert "Beta talk" not in body

    download = app.get(path_of(links["download"]), secure=True)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="fest30-agenda.ics"'


def test_a_new_subscription_link_revokes_the_old_one(fest, subscribed):
    old = feed_links(subscribed)["https"]
    response = reset_feed(subscribed)
    assert response.status_code == 302
    new = feed_links(subscribed)["https"]
    assert new != old
    app = Client()
    assert app.get(path_of(old)).status_code == 404
    assert app.get(path_of(new)).status_code == 200
    assert Agenda.objects.get().feed_token_hash == sha256(token_of(new))


def test_unknown_token_looks_exactly_like_a_revoked_one(fest, subscribed):
    old = feed_links(subscribed)["https"]
    reset_feed(subscribed)
    app = Client()
    revoked = app.get(path_of(old))
    guessed = app.get(f"/fest30/agenda/{secrets.token_urlsafe(32)}.ics")
    empty_hash = app.get(f"/fest30/agenda/{sha256('')}.ics")
    for response in (revoked, guessed, empty_hash):
        assert response.status_code == 404
        assert response.content == revoked.content
        assert response["Content-Type"] == revoked["Content-Type"]


def test_feed_token_of_one_event_is_not_valid_in_another(fest, subscribed):
    EventFactory(slug="other30")
    token = token_of(feed_links(subscribed)["https"])
    assert Client().get(f"/other30/agenda/{token}.ics").status_code == 404


def test_agenda_names_the_moderators(fest):
    moderator = SpeakerFactory(event=fest.event, name="Mo Derator")
    SessionSpeaker.objects.create(
        session=fest.gamma, speaker=moderator, role=SessionSpeaker.Role.MODERATOR
    )
    client = browser()
    star(client, csrf_token(client), fest.gamma)
    page = client.get("/fest30/agenda/").content.decode()
    assert "Moderated by Mo Derator" in page
