"""Who may change what, and who may see what.

- Every state change needs a POST with a valid CSRF token.
- Sign-in is rate limited per (user name, client address), in the database, with an
  address that a forged X-Forwarded-For cannot change.
- Unpublished events and draft sessions never reach a page, an export, a feed, the
  API or the page cache, whoever asks.
- The agenda feed gives nothing away about its tokens.
"""

import datetime as dt
import hashlib
import re
import secrets
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from events.models import Event
from schedule import agenda as agendas
from schedule.models import Agenda, AgendaItem, Session, SessionSpeaker
from tests.factories import (
    PASSWORD,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
    make_cast,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _settings(settings):
    reset()
    yield
    reset()


def at(hour: int, minute: int = 0, day: int = 6) -> dt.datetime:
    return dt.datetime(2030, 5, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def site(db):
    """A published event with a public, a cancelled and a draft session, and an
    unpublished event. Every secret carries a word that must never be served."""
    event = EventFactory(slug="opencon", name="Open Con")
    hall = RoomFactory(event=event, name="Main Hall", slug="main-hall")
    open_talk = SessionFactory(
        event=event, title="Open talk", slug="open-talk", room=hall,
        starts_at=at(10), ends_at=at(11),
    )  # fmt: skip
    cancelled = SessionFactory(
        event=event, title="Cancelled talk", slug="cancelled-talk", room=hall,
        starts_at=at(11), ends_at=at(12), status=Session.Status.CANCELLED,
    )  # fmt: skip
    side_room = RoomFactory(event=event, name="Side Room", slug="side-room")
    draft = SessionFactory(
        event=event, title="Zanzibar draft talk", slug="zanzibar-draft-talk",
        abstract="The zanzibar plan.", room=side_room, starts_at=at(14), ends_at=at(15),
        status=Session.Status.DRAFT,
    )  # fmt: skip
    speaker = SpeakerFactory(event=event, name="Open Speaker", slug="open-speaker")
    hidden = SpeakerFactory(event=event, name="Zanzibar Hidden", slug="zanzibar-hidden")
    SessionSpeaker.objects.create(session=open_talk, speaker=speaker)
    SessionSpeaker.objects.create(session=draft, speaker=speaker, position=1)
    SessionSpeaker.objects.create(session=draft, speaker=hidden)

    stealth = EventFactory(slug="stealthcon", name="Zanzibar Stealth Con", is_published=False)
    stealth_talk = SessionFactory(event=stealth, title="Zanzibar stealth talk", slug="stealth-talk")
    stealth_speaker = SpeakerFactory(event=stealth, name="Zanzibar Stealth", slug="stealth-speaker")
    SessionSpeaker.objects.create(session=stealth_talk, speaker=stealth_speaker)
    return SimpleNamespace(
        event=event, open_talk=open_talk, cancelled=cancelled, draft=draft, speaker=speaker,
        hidden=hidden, stealth=stealth, stealth_talk=stealth_talk,
    )  # fmt: skip


def csrf_token(client: Client) -> str:
    """The token a browser holds: the CSRF cookie set by a page with a form. (Public
    pages set none: their star forms are checked by Origin, lib/origin.py.)"""
    for page in ("/accounts/login/", "/opencon/agenda/"):  # signed in: the sign-out form
        client.get(page)
        if "csrftoken" in client.cookies:
            return client.cookies["csrftoken"].value
    raise AssertionError("no page set a CSRF cookie")


ATTACKER = {"Origin": "https://evil.example"}  # a form on another site posts here
OWN_PAGE = {"Origin": "http://testserver"}


def snapshot() -> dict[str, list]:
    """Every row of every table: "changes nothing" means this stays equal."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def changed_tables(before: dict, after: dict) -> set[str]:
    return {
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    }


# --- 1. state changes need a POST and a CSRF token ---------------------------------------


def with_agenda(client: Client, site) -> Agenda:
    """This browser has an agenda (its cookie) with one starred session."""
    key = secrets.token_urlsafe(32)
    agenda = Agenda.objects.create(event=site.event, key_hash=agendas.digest(key))
    agendas.star(agenda, site.open_talk)
    agendas.feed_token(agenda)
    client.cookies[agendas.cookie_name(site.event)] = key
    return agenda


def with_changed_agenda(client: Client, site) -> Agenda:
    """An agenda whose starred session moved since: "seen" has something to record."""
    agenda = with_agenda(client, site)
    Session.objects.filter(pk=site.open_talk.pk).update(starts_at=at(16), ends_at=at(17))
    return agenda


def logged_in(client: Client, site, *, superuser=False):
    user = make_cast(site.event).owner
    if superuser:
        user.is_superuser = True
        user.save()
    client.force_login(user)
    return user


# name: (prepare(client, site), url, POST data). A GET with the same data either gives
# 405 or changes nothing; a POST without the token gives 403; with it, it works.
def _nothing(client, site):
    return None


STATE_CHANGES = {
    "agenda-add": (_nothing, "/opencon/agenda/cancelled-talk/add", {}),
    "agenda-remove": (with_agenda, "/opencon/agenda/open-talk/remove", {}),
    "agenda-clear": (with_agenda, "/opencon/agenda/clear", {}),
    "agenda-seen": (with_changed_agenda, "/opencon/agenda/seen", {}),
    "agenda-feed-reset": (with_agenda, "/opencon/agenda/feed/reset", {}),
    "signup": (
        _nothing,
        "/accounts/signup/",
        {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD},
    ),
    "login": (
        lambda c, s: UserFactory(username="ada"),
        "/accounts/login/",
        {"username": "ada", "password": PASSWORD},
    ),
    "logout": (logged_in, "/accounts/logout/", {}),
    "admin-action": (
        logged_in,
        "/admin/schedule/session/",
        {"action": "unpublish", "index": "0", "_selected_action": "__open_talk__"},
    ),
    "admin-delete": (logged_in, "/admin/schedule/session/__open_talk__/delete/", {"post": "yes"}),
    "admin-logout": (logged_in, "/admin/logout/", {}),
}


def resolve(value, site):
    return value.replace("__open_talk__", str(site.open_talk.pk))


def statechange(name, site):
    prepare, url, data = STATE_CHANGES[name]
    return prepare, resolve(url, site), {k: resolve(v, site) for k, v in data.items()}


@pytest.mark.parametrize("name", STATE_CHANGES)
def test_a_get_changes_nothing(site, name):
    prepare, url, data = statechange(name, site)
    client = Client(enforce_csrf_checks=True)
    prepare(client, site)
    before = snapshot()
    response = client.get(url, data)
    assert response.status_code in (200, 302, 405)
    if name.startswith("agenda") or name.endswith("logout"):
        assert response.status_code == 405
    assert changed_tables(before, snapshot()) == set()


@pytest.mark.parametrize("name", STATE_CHANGES)
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(site, name):
    prepare, url, data = statechange(name, site)
    client = Client(enforce_csrf_checks=True)
    prepare(client, site)
    csrf_token(client)  # the browser has a CSRF cookie; the attacker's form has no token
    before = snapshot()
    response = client.post(url, data, headers=ATTACKER)
    assert response.status_code == 403
    assert changed_tables(before, snapshot()) == set()
    # A wrong token is no better than none.
    response = client.post(url, {**data, "csrfmiddlewaretoken": "x" * 64}, headers=ATTACKER)
    assert response.status_code == 403
    assert changed_tables(before, snapshot()) == set()


@pytest.mark.parametrize("name", STATE_CHANGES)
def test_the_same_post_with_the_token_does_change_something(site, name):
    prepare, url, data = statechange(name, site)
    client = Client(enforce_csrf_checks=True)
    prepare(client, site)
    token = csrf_token(client)
    before = snapshot()
    response = client.post(url, {**data, "csrfmiddlewaretoken": token}, headers=OWN_PAGE)
    assert response.status_code in (200, 302)
    assert changed_tables(before, snapshot()), f"{name}: nothing changed"


def test_the_api_does_not_take_writes_on_a_session_cookie(site):
    """The API authenticates by token only: a signed-in browser cannot be made to write."""
    client = Client(enforce_csrf_checks=True)
    logged_in(client, site, superuser=True)
    before = snapshot()
    for method, url in [
        ("post", "/api/v1/events/opencon/rooms/"),
        ("patch", "/api/v1/events/opencon/sessions/open-talk/"),
        ("delete", "/api/v1/events/opencon/sessions/open-talk/"),
    ]:
        response = getattr(client, method)(
            url, {"name": "Evil room", "title": "Defaced"}, content_type="application/json"
        )
        assert response.status_code == 401, (method, url)
    assert changed_tables(before, snapshot()) == set()


# --- 2. sign-in rate limiting -----------------------------------------------------------

LIMIT = 5
LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", is_staff=True)


def sign_in(client: Client, page: str, password: str, ip: str = "192.0.2.10", **headers):
    return client.post(page, {"username": "ada", "password": password}, REMOTE_ADDR=ip, **headers)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, page, times, **kwargs):
    for _ in range(times):
        response = sign_in(client, page, "wrong password", **kwargs)
        assert response.status_code in (200, 429)
        assert not signed_in(client)


def assert_locked_out(response):
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins" in body
    assert "ada" not in body  # the page does not confirm the user name


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_after_the_limit_even_the_right_password_is_refused(ada, settings, page):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    client = Client()
    for _ in range(LIMIT - 1):
        response = sign_in(client, page, "wrong password")
        assert response.status_code == 200  # the form again, with its error
    fail(client, page, 1)
    response = sign_in(client, page, PASSWORD)
    assert_locked_out(response)
    assert not signed_in(client)
    # Another browser from the same address (another tab, a script) fares no better.
    other = Client()
    assert_locked_out(sign_in(other, page, PASSWORD))
    assert not signed_in(other)


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_a_forged_x_forwarded_for_does_not_get_around_it(ada, page):
    client = Client()
    for i in range(LIMIT):
        sign_in(client, page, "wrong password", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    response = sign_in(client, page, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert_locked_out(response)
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("ada", "192.0.2.10")
    ]


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_the_same_user_from_another_address_can_still_sign_in(ada, page):
    fail(Client(), page, LIMIT + 3, ip="192.0.2.66")
    elsewhere = Client()
    response = sign_in(elsewhere, page, PASSWORD, ip="192.0.2.77")
    assert response.status_code == 302
    assert signed_in(elsewhere)


def test_other_users_from_the_attackers_address_are_not_locked_out(ada):
    fail(Client(), "/accounts/login/", LIMIT + 1, ip="192.0.2.66")
    UserFactory(username="bob")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": PASSWORD}, REMOTE_ADDR="192.0.2.66"
    )
    assert response.status_code == 302
    assert signed_in(client)


def test_behind_a_trusted_proxy_the_client_is_the_last_forwarded_address(ada, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    page = "/accounts/login/"
    client = Client()
    for i in range(LIMIT):
        # The client wrote the left-hand entries; our proxy appended the real address.
        sign_in(client, page, "wrong password", ip=proxy,
                HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 10.9.9.{i}, 203.0.113.5")  # fmt: skip
    locked = sign_in(client, page, PASSWORD, ip=proxy,
                     HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.5")  # fmt: skip
    assert_locked_out(locked)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]
    # Another visitor behind the same proxy is not affected.
    other = Client()
    response = sign_in(other, page, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 302
    assert signed_in(other)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy trusted: X-Forwarded-For is ignored
        (1, "", "10.0.0.2"),  # the header is missing: the peer's address
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),
        (1, " 198.51.100.1 ,203.0.113.5 ", "203.0.113.5"),
        (2, "198.51.100.1, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.2"),  # fewer entries than proxies: not believed
    ],
)
def test_client_address(settings, rf, proxies, forwarded, expected):
    from lib.limits import client_ip

    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_attempts_are_counted_in_the_database_across_workers(ada, settings):
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    # Each attempt from a new client: as if every request reached another worker.
    for _ in range(LIMIT - 1):
        sign_in(Client(), "/accounts/login/", "wrong password")
    attempt = AccessAttempt.objects.get(username="ada", ip_address="192.0.2.10")
    assert attempt.failures_since_start == LIMIT - 1
    cache.clear()  # nothing of it lives in the cache
    sign_in(Client(), "/admin/login/", "wrong password")  # both pages count together
    assert_locked_out(sign_in(Client(), "/accounts/login/", PASSWORD))


def test_the_lock_ends_after_the_cool_off(ada, settings):
    fail(Client(), "/accounts/login/", LIMIT)
    assert_locked_out(sign_in(Client(), "/accounts/login/", PASSWORD))
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(UTC) - settings.AXES_COOLOFF_TIME)
    client = Client()
    assert sign_in(client, "/accounts/login/", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_resets_the_count(ada):
    fail(Client(), "/accounts/login/", LIMIT - 1)
    assert sign_in(Client(), "/accounts/login/", PASSWORD).status_code == 302
    fail(Client(), "/accounts/login/", LIMIT - 1)
    assert sign_in(Client(), "/accounts/login/", PASSWORD).status_code == 302


def test_users_are_unchanged_by_failed_sign_ins(ada):
    before = get_user_model().objects.values().get(pk=ada.pk)
    fail(Client(), "/accounts/login/", LIMIT + 2)
    assert get_user_model().objects.values().get(pk=ada.pk) == before


# --- 3. unpublished data never leaks ---------------------------------------------------

# Rooms are not secret (the filters and the API list them all); sessions and speakers are.
SECRET_WORDS = ("zanzibar", "Zanzibar")

PUBLIC_URLS = [
    "/",
    "/opencon/",
    "/opencon/schedule/",
    "/opencon/schedule/?q=draft",
    "/opencon/schedule/?day=2030-05-06",
    "/opencon/schedule/grid/",
    "/opencon/sessions/open-talk/",
    "/opencon/sessions/open-talk.ics",
    "/opencon/speakers/",
    "/opencon/speakers/?q=hidden",
    "/opencon/speakers/open-speaker/",
    "/opencon/schedule.ics",
    "/opencon/schedule.xml",
    "/opencon/schedule.json",
    "/opencon/theme.css",
    "/api/v1/events/",
    "/api/v1/events/opencon/",
    "/api/v1/events/opencon/sessions/",
    "/api/v1/events/opencon/sessions/?q=draft",
    "/api/v1/events/opencon/sessions/?q=plan",
    "/api/v1/events/opencon/sessions/open-talk/",
    "/api/v1/events/opencon/speakers/",
    "/api/v1/events/opencon/speakers/?page_size=500",
    "/api/v1/events/opencon/speakers/open-speaker/",
]

HIDDEN_URLS = [
    "/opencon/sessions/zanzibar-draft-talk/",
    "/opencon/sessions/zanzibar-draft-talk.ics",
    "/opencon/speakers/zanzibar-hidden/",
    "/stealthcon/",
    "/stealthcon/schedule/",
    "/stealthcon/schedule/grid/",
    "/stealthcon/sessions/stealth-talk/",
    "/stealthcon/sessions/stealth-talk.ics",
    "/stealthcon/speakers/",
    "/stealthcon/speakers/stealth-speaker/",
    "/stealthcon/schedule.ics",
    "/stealthcon/schedule.xml",
    "/stealthcon/schedule.json",
    "/stealthcon/agenda/",
    "/stealthcon/theme.css",
    "/api/v1/events/stealthcon/",
    "/api/v1/events/stealthcon/sessions/",
    "/api/v1/events/stealthcon/speakers/",
    "/api/v1/events/stealthcon/rooms/",
    "/api/v1/events/opencon/sessions/zanzibar-draft-talk/",
    "/api/v1/events/opencon/speakers/zanzibar-hidden/",
]


def assert_no_secret(url: str, response) -> None:
    assert response.status_code in (200, 400), (url, response.status_code)
    body = response.content.decode()
    for word in SECRET_WORDS:
        assert word not in body, (url, word)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_exports_and_api_leave_drafts_out(client, site, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_no_secret(url, response)
    if "open-talk" in url or url.endswith(("schedule/", "schedule.json", "/sessions/")):
        assert "Open talk" in response.content.decode()


@pytest.mark.parametrize("url", HIDDEN_URLS)
def test_hidden_things_are_not_found(client, site, url):
    response = client.get(url)
    assert response.status_code == 404
    assert_no_secret(url, SimpleNamespace(status_code=200, content=response.content))


def test_drafts_cannot_be_starred_and_feeds_leave_them_out(site):
    client = Client()
    assert client.post("/opencon/agenda/zanzibar-draft-talk/add").status_code == 404
    assert client.post("/stealthcon/agenda/stealth-talk/add").status_code == 404
    assert client.post("/opencon/agenda/open-talk/add").status_code == 302
    agenda = Agenda.objects.get()
    # A session starred while public that goes back to draft leaves the feed too.
    agendas.star(agenda, site.cancelled)
    AgendaItem.objects.create(agenda=agenda, session=site.draft)  # as if starred before
    feed = f"/opencon/agenda/{agendas.feed_token(agenda)}.ics"
    body = client.get(feed).content.decode()
    assert "Open talk" in body and "Cancelled talk" in body
    assert "zanzibar" not in body.lower()
    page = client.get("/opencon/agenda/").content.decode()
    assert "Open talk" in page and "zanzibar" not in page.lower()


# url: what shows the open talk there. Once it is a draft, its speaker has no public
# session left and is unannounced again.
CACHED_URLS = {
    "/opencon/schedule/": "Open talk",
    "/opencon/schedule/grid/": "Open talk",
    "/opencon/sessions/open-talk/": "Open talk",
    "/opencon/sessions/open-talk.ics": "Open talk",
    "/opencon/speakers/": "Open Speaker",
    "/opencon/speakers/open-speaker/": "Open talk",
    "/opencon/schedule.ics": "Open talk",
    "/opencon/schedule.xml": "Open talk",
    "/opencon/schedule.json": "Open talk",
    "/api/v1/events/opencon/sessions/": "Open talk",
    "/api/v1/events/opencon/speakers/": "Open Speaker",
}
GONE_WITH_THE_TALK = ("open-talk/", "open-talk.ics", "open-speaker/")


def unpublish_by_saving(site, client):
    site.open_talk.status = Session.Status.DRAFT
    site.open_talk.save()


def unpublish_in_the_admin(site, client):
    user = make_cast(site.event).owner
    admin = Client()
    admin.force_login(user)
    response = admin.post(
        "/admin/schedule/session/",
        {"action": "unpublish", "index": "0", "_selected_action": [site.open_talk.pk]},
    )
    assert response.status_code == 302


def unpublish_through_the_api(site, client):
    user = make_cast(site.event).owner
    token = Token.objects.create(user=user)
    response = Client().patch(
        "/api/v1/events/opencon/sessions/open-talk/", {"status": "draft"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}",
    )  # fmt: skip
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("change", [unpublish_by_saving, unpublish_in_the_admin,
                                    unpublish_through_the_api])  # fmt: skip
def test_a_session_made_draft_leaves_every_cached_page_at_once(site, change):
    client = Client()
    client.get("/opencon/schedule/")  # the CSRF cookie is part of the ETag: get it first
    etags = {}
    for url, marker in CACHED_URLS.items():
        first = client.get(url)
        assert first.status_code == 200 and marker in first.content.decode(), url
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304, url
        etags[url] = first["ETag"]
    change(site, client)
    for url, marker in CACHED_URLS.items():
        again = client.get(url, HTTP_IF_NONE_MATCH=etags[url])
        if url.endswith(GONE_WITH_THE_TALK):
            assert again.status_code == 404, url
            continue
        assert again.status_code == 200, url  # not 304: the copy the client holds is stale
        assert marker not in again.content.decode(), url


def test_an_event_unpublished_disappears_from_every_cached_page_at_once(site):
    client = Client()
    for url in CACHED_URLS:
        assert client.get(url).status_code == 200
    assert "Open Con" in client.get("/").content.decode()
    site.event.is_published = False
    site.event.save()
    for url in CACHED_URLS:
        assert client.get(url).status_code == 404, url
    assert "Open Con" not in client.get("/").content.decode()


def normalized(response) -> str:
    """The body without what differs per visitor or per second by design."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", text)
    return re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP", text)


@pytest.mark.parametrize("who", ["member", "superuser"])
@pytest.mark.parametrize("url", [u for u in PUBLIC_URLS if not u.startswith("/api/")])
def test_organizers_see_exactly_what_the_public_sees(site, url, who):
    organizer = Client()
    logged_in(organizer, site, superuser=who == "superuser")
    as_organizer = organizer.get(url)  # rendered for the organizer, then cached
    assert_no_secret(url, as_organizer)
    cache.clear()
    as_public = Client().get(url)  # rendered for the public
    assert normalized(as_organizer) == normalized(as_public)
    # And the organizer's copy is what the cache now serves to the public.
    cache.clear()
    organizer.get(url)
    assert normalized(Client().get(url)) == normalized(as_public)


def test_organizers_with_an_api_token_read_what_the_public_reads(site):
    user = make_cast(site.event).owner
    token = Token.objects.create(user=user)
    for url in [u for u in PUBLIC_URLS if u.startswith("/api/")]:
        as_organizer = Client().get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
        assert_no_secret(url, as_organizer)
        assert as_organizer.content == Client().get(url).content, url


# --- 4. the agenda feed gives nothing away --------------------------------------------


@pytest.fixture
def subscribed(site):
    client = Client()
    agenda = with_agenda(client, site)
    return SimpleNamespace(client=client, agenda=agenda, token=agendas.feed_token(agenda))


def test_the_feed_is_private_and_sends_no_referrer(subscribed):
    response = subscribed.client.get(f"/opencon/agenda/{subscribed.token}.ics")
    assert response.status_code == 200
    assert "Open talk" in response.content.decode()
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Referrer-Policy"] == "no-referrer"
    page = subscribed.client.get("/opencon/agenda/")
    assert subscribed.token in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"  # its own forms need their Origin
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_every_bad_token_gets_the_same_404(subscribed, site):
    old = subscribed.token
    agendas.rotate_feed(subscribed.agenda)
    new = agendas.feed_token(subscribed.agenda)
    other_event = EventFactory(slug="othercon")
    elsewhere = Agenda.objects.create(event=other_event, key_hash="f" * 64)
    bad = [
        secrets.token_urlsafe(32),  # unknown
        old,  # revoked
        old.upper() if old.upper() != old else old.lower(),  # almost right
        new[:-1],
        new + "A",
        agendas.feed_token(elsewhere),  # valid, for another event
        hashlib.sha256(new.encode()).hexdigest(),  # what the database holds
        "x" * 101,
        "x" * 5000,
        "",
        "a b",
        "<script>alert(1)</script>",
        "%00",
        "tok%0Aen",
        "..%2F..%2Fetc%2Fpasswd",
        "..%5C..%5Cwindows",
        "ünïcödé",
        new + ".ics",
        "' OR 1=1 --",
    ]
    client = Client()
    reference = client.get(f"/opencon/agenda/{bad[0]}.ics")
    assert reference.status_code == 404
    for token in bad:
        response = client.get(f"/opencon/agenda/{token}.ics")
        assert response.status_code == 404, token
        assert response.content == reference.content, token
        assert response["Content-Type"] == reference["Content-Type"], token
    # Paths that do not even reach the view look the same.
    for path in ["/opencon/agenda/../../etc/passwd.ics", "/opencon/agenda/a/b.ics",
                 f"/opencon/agenda/{new}.ics/", f"/opencon/agenda/{new}"]:  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content == reference.content, path
    assert client.get(f"/opencon/agenda/{new}.ics").status_code == 200
    # And nothing was written: a wrong guess does not touch the agenda.
    assert Agenda.objects.filter(feed_token_hash=agendas.digest(new)).count() == 1


def test_the_feed_of_an_unpublished_event_is_not_found(subscribed, site):
    Event.objects.filter(pk=site.event.pk).update(is_published=False)
    response = Client().get(f"/opencon/agenda/{subscribed.token}.ics")
    assert response.status_code == 404
