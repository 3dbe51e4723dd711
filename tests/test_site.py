"""Cheap checks over the whole public site: migrations, page structure, links, health."""

import io
import json
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection

from tests.factories import conference


class Outline(HTMLParser):
    """What the site-wide checks need to know about one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = Counter()
        self.html_lang = None
        self.ids = Counter()
        self.links = []
        self.assets = []
        self.images_without_alt = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.tags[tag] += 1
        if tag == "html":
            self.html_lang = values.get("lang")
        if values.get("id"):
            self.ids[values["id"]] += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag == "link" and values.get("href"):
            self.assets.append(values["href"])
        if tag == "script" and values.get("src"):
            self.assets.append(values["src"])
        if tag == "img" and "alt" not in values:
            self.images_without_alt += 1
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def outline(response) -> Outline:
    parser = Outline()
    parser.feed(response.content.decode())
    parser.close()
    return parser


@pytest.fixture
def site(db):
    """The shared conference (CloudNativeCon 2016, an event in the past)."""
    return conference().event


# (url, status, what the <title> must name besides the event)
EVENT_PAGES = [
    ("/cnc16/", 200, ""),
    ("/cnc16/schedule/", 200, "Schedule"),
    ("/cnc16/schedule/?track=ops&q=kubernetes", 200, "Schedule"),
    ("/cnc16/schedule/?track=nope", 400, "Schedule"),
    ("/cnc16/schedule/grid/", 200, "Grid"),
    ("/cnc16/schedule/grid/?day=tomorrow", 400, "Grid"),
    ("/cnc16/sessions/kubernetes-101/", 200, "Kubernetes 101"),
    ("/cnc16/sessions/service-mesh/", 200, "Service mesh deep dive"),  # cancelled
    ("/cnc16/speakers/", 200, "Speakers"),
    ("/cnc16/speakers/?q=" + "x" * 201, 400, "Speakers"),
    ("/cnc16/speakers/kelsey-hightower/", 200, "Kelsey Hightower"),
    ("/cnc16/agenda/", 200, "My agenda"),
]
PAGES = [("/", 200, "Conferences"), *EVENT_PAGES]


def test_no_pending_migrations(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


@pytest.mark.parametrize(("url", "status", "_"), PAGES)
def test_page_structure(client, site, url, status, _):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = outline(response)
    assert page.tags["h1"] == 1, f"{url}: {page.tags['h1']} <h1>"
    assert page.tags["main"] == 1
    assert page.tags["title"] == 1
    assert page.html_lang == "en"
    duplicated = [name for name, n in page.ids.items() if n > 1]
    assert duplicated == [], f"{url}: duplicated ids {duplicated}"
    assert page.images_without_alt == 0


@pytest.mark.parametrize(("url", "status", "name"), PAGES)
def test_title_names_the_page_and_the_event(client, site, url, status, name):
    title = " ".join(outline(client.get(url)).title.split())
    if url.startswith("/cnc16/"):
        assert "CloudNativeCon 2016" in title
        assert title.startswith(name)
    else:
        assert title == "Conferences · Lineup"


@pytest.mark.parametrize(("url", "status", "_"), PAGES)
def test_stylesheets_and_scripts_exist(client, site, url, status, _):
    for asset in outline(client.get(url)).assets:
        path = urlsplit(asset).path
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), f"{url}: missing {asset}"
        else:
            assert client.get(asset).status_code == 200, f"{url}: broken {asset}"


def test_no_broken_links(client, site):
    """Follow every link of the public site (GET only), from the list of events and
    from a filtered schedule (its chips and day links keep or drop filters)."""
    seen, queue, checked = set(), ["/", "/cnc16/schedule/?track=ops&q=kubernetes"], 0
    while queue and checked < 400:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        checked += 1
        assert response.status_code == 200, f"{url} answers {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            continue
        for href in outline(response).links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # another site, mailto:, …
            if parts.path.startswith(("/admin/", "/accounts/", "/static/", "/media/")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert queue == [] or checked == 400
    # (A session's .ics is not linked once its event is over, as this one is.)
    for page in ("/cnc16/", "/cnc16/schedule/", "/cnc16/schedule/grid/", "/cnc16/speakers/",
                 "/cnc16/sessions/kubernetes-101/",
                 "/cnc16/speakers/kelsey-hightower/", "/cnc16/speakers/dan-kohn/"):  # fmt: skip
        assert page in seen, f"nothing links to {page}"


def test_theme_css(client, site):
    response = client.get("/cnc16/theme.css")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert ".track-ops{--track-color:#2a6f97}" in response.content.decode()
    assert "immutable" not in response["Cache-Control"]
    # Pages link it by version (when the event changed, the language): kept for good.
    page = client.get("/cnc16/schedule/").content.decode()
    link = re.search(r'href="(/cnc16/theme\.css\?v=[0-9.]+en)"', page)
    assert link, "no versioned theme link"
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["status"] == "ok"


def test_sqlite_connections_set_their_pragmas(db):
    """Every SQLite connection gets the settings' pragmas: NORMAL syncs (with WAL) and a
    page cache that holds a large event's tables (config/settings.py)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own settings")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA cache_size").fetchone() == (-32000,)
        assert cursor.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/cnc16/schedule/", "Schedule"),
        ("/cnc16/sessions/kubernetes-101/", "Schedule"),
        ("/cnc16/schedule/grid/", "Grid"),
        ("/cnc16/speakers/", "Speakers"),
        ("/cnc16/speakers/kelsey-hightower/", "Speakers"),
        ("/cnc16/", None),
    ],
)
def test_navigation_marks_the_current_section(client, site, url, current):
    class Nav(HTMLParser):
        def __init__(self):
            super().__init__()
            self.current, self._open = [], False

        def handle_starttag(self, tag, attrs):
            self._open = tag == "a" and ("aria-current", "page") in attrs

        def handle_data(self, data):
            if self._open and data.strip():
                self.current.append(data.strip())
                self._open = False

    nav = Nav()
    nav.feed(client.get(url).content.decode())
    assert nav.current == ([current] if current else [])
