"""Several gunicorn workers behind one address: one cache, one session store, one truth."""

import re

import pytest
from rest_framework.authtoken.models import Token

from schedule.models import Agenda
from tests.factories import MembershipFactory, UserFactory

from .conftest import fan_out, on_every_worker, requires_services

pytestmark = [pytest.mark.services, requires_services]

ONE_YEAR = 365 * 24 * 60 * 60


def test_a_change_shows_at_once_on_every_worker(server, redis_server, conference):
    url = f"/{conference.event.slug}/schedule/"
    session = conference.sessions[0]
    old_title, new_title = session.title, "Renamed while the pages were cached"
    client = server.client("invalidate")
    first = client.get(url)
    assert first.status == 200
    assert not client.cookie("csrftoken")  # everyone's page: no cookie comes with it

    before = on_every_worker(server, client, url)
    assert {r.status for r in before} == {200}
    assert all(old_title in r.text for r in before)
    old_etags = {r.header("ETag") for r in before}
    assert len(old_etags) == 1, old_etags
    assert redis_server.keys("*:page:*"), "the page was not cached in Redis"

    session.title = new_title
    session.save()  # the signal bumps Event.changed_at

    following = [client.get(url)] + on_every_worker(server, client, url)
    for response in following:
        assert response.status == 200, response
        assert new_title in response.text, f"stale page from {response.request_id}"
        assert old_title not in response.text, f"stale page from {response.request_id}"
    new_etags = {r.header("ETag") for r in following}
    assert len(new_etags) == 1, new_etags
    assert new_etags.isdisjoint(old_etags)

    # A browser holding the old copy gets the new one; one holding the new one, a 304.
    (old_etag,), (new_etag,) = old_etags, new_etags
    for response in fan_out(client, url, count=6, headers={"If-None-Match": old_etag}):
        assert response.status == 200 and new_title in response.text, response
    for response in fan_out(client, url, count=6, headers={"If-None-Match": new_etag}):
        assert response.status == 304, response

    # The same when an organizer changes it through the API, on whichever worker.
    organizer = MembershipFactory(event=conference.event).user
    token = Token.objects.create(user=organizer)
    api_title = "Renamed through the API"
    patched = client.request(
        "PATCH",
        f"/api/v1/events/{conference.event.slug}/sessions/{session.slug}/",
        json_body={"title": api_title},
        headers={"Authorization": f"Token {token.key}"},
    )
    assert patched.status == 200, (patched, patched.text[:500])
    for response in [client.get(url)] + on_every_worker(server, client, url):
        assert response.status == 200, response
        assert api_title in response.text and new_title not in response.text, response
        assert response.header("ETag") != new_etag


def test_agendas_and_sign_in_hold_across_workers(server, conference):
    slug = conference.event.slug
    starred, other = conference.sessions[1], conference.sessions[2]
    client = server.client("agenda")

    # The star form of the shared page has no token: the post's Origin is this site's.
    response = client.post(f"/{slug}/agenda/{starred.slug}/add", {"next": f"/{slug}/schedule/"})
    assert response.status == 302, (response, response.text[:500])
    assert response.header("Location") == f"/{slug}/schedule/"
    assert client.cookie(f"lineup_agenda_{conference.event.pk}")

    agenda_pages = on_every_worker(server, client, f"/{slug}/agenda/")
    for page in agenda_pages:
        assert page.status == 200, page
        assert starred.title in page.text, f"agenda lost on {page.request_id}"
        assert other.title not in page.text
        assert "1 session</strong>" in page.text

    # The shared, cached schedule page shows this visitor's star on every worker.
    # (each star is a button of the page's one star form, posting to its formaction)
    star_on = re.compile(
        rf'formaction="/{slug}/agenda/{starred.slug}/remove"[^>]*aria-pressed="true"'
    )
    schedule_pages = on_every_worker(server, client, f"/{slug}/schedule/", count=12)
    for page in schedule_pages:
        assert page.status == 200, page
        assert star_on.search(page.text), f"star missing on {page.request_id}"
    assert 'aria-pressed="true"' not in server.client("stranger").get(f"/{slug}/schedule/").text

    # Sign in (a session in the database): the account takes the browser's agenda along.
    user = UserFactory(username="attendee")
    token = client.csrf_from("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": token,
            "username": "attendee",
            "password": "correct horse battery staple",
            "next": f"/{slug}/agenda/",
        },
    )
    assert response.status == 302, (response, response.text[:1000])
    assert response.header("Location") == f"/{slug}/agenda/"
    assert client.cookie("sessionid")
    assert list(Agenda.objects.get(user=user).sessions.all()) == [starred]

    signed_in = on_every_worker(server, client, f"/{slug}/agenda/")
    for page in signed_in:
        assert page.status == 200, page
        assert "Signed in as attendee" in page.text, f"signed out on {page.request_id}"
        assert starred.title in page.text

    # And a star added now, on whichever worker, is on the account's agenda everywhere.
    assert client.post(f"/{slug}/agenda/{other.slug}/add", {}).status == 302
    for page in fan_out(client, f"/{slug}/agenda/", count=10):
        assert starred.title in page.text and other.title in page.text, page
    assert set(Agenda.objects.get(user=user).sessions.all()) == {starred, other}


def test_after_an_edit_fifty_requests_at_once_render_the_page_once(server, conference):
    """Single flight: the first worker to miss renders, the others wait for its copy."""
    url = f"/{conference.event.slug}/schedule/"
    client = server.client("crowd")
    assert client.get(url).status == 200
    session = conference.sessions[3]
    session.title = "Renamed before the crowd came"
    session.save()

    crowd = fan_out(client, url, count=50, threads=50)
    assert {r.status for r in crowd} == {200}, crowd
    assert all(session.title in r.text for r in crowd)
    assert len({r.header("ETag") for r in crowd}) == 1
    assert cache_control(crowd[0]) == {"public": "", "max-age": "0", "s-maxage": "60"}
    ids = {r.request_id for r in crowd}
    server.served_by(crowd)  # waits until every answer is in the log
    lines = [
        line
        for line in server.log_text().splitlines()
        if "lineup.request" in line and re.search(r"request_id=(\S+)", line)[1] in ids
    ]
    assert len(lines) == 50, server.log_tail()
    renders = [line for line in lines if "cache=render" in line]
    assert len(renders) == 1, renders
    assert all(re.search(r" cache=(render|hit)$", line) for line in lines), lines[:3]


def cache_control(response) -> dict[str, str]:
    directives = {}
    for part in response.header("Cache-Control").split(","):
        name, _, value = part.strip().partition("=")
        directives[name.lower()] = value
    return directives


def test_static_files_have_hashed_names_and_are_cached_forever(server, conference):
    client = server.client("static")
    page = client.get(f"/{conference.event.slug}/schedule/")
    assert page.status == 200
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    css = [link for link in links if "/lineup." in link and link.endswith(".css")]
    assert css and re.fullmatch(r"/static/bundles/lineup\.[0-9a-f]{12}\.css", css[0]), links
    # One stylesheet and one script (issue 17), besides the icon; the other stylesheet
    # is for a browser without JavaScript only (in <noscript>).
    loaded = re.findall(
        r'(?:href|src)="(/static/[^"]+)"', re.sub(r"<noscript>.*?</noscript>", "", page.text)
    )
    assert sorted(link.rsplit(".", 1)[1] for link in loaded) == ["css", "js", "svg"], links
    assert len(links) == len(loaded) + 1, links

    for link in links:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", link), f"{link} has no content hash"
        response = client.get(link, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200, (link, response)
        directives = cache_control(response)
        assert int(directives.get("max-age", "0")) >= ONE_YEAR, (link, directives)
        assert "immutable" in directives, (link, directives)
        assert "public" in directives, (link, directives)
        assert response.header("Content-Encoding") == "gzip", link  # the precompressed copy

    stylesheet = client.get(css[0])
    assert stylesheet.header("Content-Type").startswith("text/css")
    # The pages' own CSS and JS have a Brotli copy too (lib/compression.py: small files).
    brotli = client.get(css[0], headers={"Accept-Encoding": "br"})
    assert brotli.header("Content-Encoding") == "br"
    assert b".btn-star" in stylesheet.body

    # The unhashed name still answers, but may change: no long-lived caching for it.
    plain = client.get("/static/bundles/lineup.css")
    assert plain.status == 200
    assert plain.body == stylesheet.body
    assert int(cache_control(plain).get("max-age", "0")) < ONE_YEAR
    assert "immutable" not in cache_control(plain)
    assert client.get("/static/css/no-such-file.css").status == 404
