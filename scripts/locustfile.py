"""Visitors of one Lineup event, for Locust (headless, bounded, loopback only).

    make load      # scripts/load.sh: gunicorn, PostgreSQL, Redis, a demo event, then
                   # locust --headless -f scripts/locustfile.py --host http://127.0.0.1:PORT

Each user is one browser with its own cookies, a cache of ETags (a page seen before is
asked for with If-None-Match, so some answers are 304) and an agenda, looping without
think time over a weighted mix: the list, the list filtered (a day and a track, or
words), the grid (half of the time one day), a session page, a speaker page, a star
(POST from this site's origin), the visitor's own agenda feed (which must hold exactly
what it starred; the agenda page is read for its URL) and a page of the API's sessions.
What to pick from is read from the API once, before the users start. Any answer other
than the expected ones is a failure (Locust then exits 1).
"""

import logging
import os
import random
import re
from urllib.parse import urlencode, urlsplit

import requests
from locust import HttpUser, constant, events, task

EVENT = os.environ.get("LOAD_EVENT", "loadcon")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIMEOUT = 30
WORD = re.compile(r"[A-Za-z]{5,}")  # words to search for, from the titles
SITE: dict = {}  # what the users pick from (discover)


@events.test_start.add_listener
def discover(environment, **kwargs) -> None:
    """Refuse any host but this machine, then read the event from the API."""
    url = urlsplit(environment.host or "")
    if url.scheme != "http" or url.hostname not in LOOPBACK or not url.port:
        raise SystemExit("--host must be http://127.0.0.1:PORT: this load stays on loopback")
    base = f"{environment.host}/api/v1/events/{EVENT}"

    def every(path: str) -> list[dict]:
        rows, page = [], f"{base}/{path}?page_size=500"
        while page:
            data = requests.get(page, timeout=TIMEOUT).json()
            rows, page = rows + data["results"], data.get("next")
        return rows

    info = requests.get(f"{base}/", timeout=TIMEOUT).json()
    breaks = {row["slug"] for row in every("types/") if row["is_break"]}
    sessions = every("sessions/")
    SITE.update(
        days=info["days"],
        tracks=[row["slug"] for row in every("tracks/")],
        sessions=[row["slug"] for row in sessions],
        starrable=[
            row["slug"]
            for row in sessions
            if row["status"] != "cancelled" and not (row["type"] and row["type"]["slug"] in breaks)
        ],
        speakers=[row["slug"] for row in every("speakers/")],
        words=sorted({w.lower() for row in sessions for w in WORD.findall(row["title"])}),
        api_pages=max(1, -(-len(sessions) // 100)),  # the API's default page size
    )  # fmt: skip
    empty = [name for name, values in SITE.items() if not values]
    if empty:
        raise SystemExit(f"the event {EVENT!r} has no {', '.join(empty)} to pick from")


@events.quitting.add_listener
def nothing_sent(environment, **kwargs) -> None:
    """A run that sent nothing (the set-up outlasted the run time) proves nothing."""
    if environment.stats.total.num_requests == 0:
        logging.error("no request was sent: give the run more time (LOAD_DURATION)")
        environment.process_exit_code = 1


class Visitor(HttpUser):
    wait_time = constant(0)  # a closed loop: how much the server answers, so many in flight

    def on_start(self) -> None:
        self.etags: dict[str, str] = {}
        self.starred: set[str] = set()
        self.feed: str | None = None
        self.random = random.Random()  # picks pages, not secrets

    def fetch(self, name: str, path: str, expected=(200, 304), **kwargs):
        """One request, checked against the answers ``name`` may give; the response, or
        None when it failed."""
        headers = {"If-None-Match": self.etags[path]} if path in self.etags else {}
        with self.client.get(
            path, name=name, headers=headers, catch_response=True, timeout=TIMEOUT, **kwargs
        ) as response:
            if response.status_code not in expected:
                response.failure(f"{response.status_code} for {path}")
                return None
            if response.status_code == 200 and response.headers.get("ETag"):
                self.etags[path] = response.headers["ETag"]
            return response

    @task(14)
    def schedule_list(self) -> None:
        self.fetch("list", f"/{EVENT}/schedule/")

    @task(16)
    def filtered(self) -> None:
        if self.random.random() < 0.65:
            query = {
                "day": self.random.choice(SITE["days"]),
                "track": self.random.choice(SITE["tracks"]),
            }
        else:
            query = {"q": self.random.choice(SITE["words"])}
        self.fetch("filtered", f"/{EVENT}/schedule/?{urlencode(query)}")  # fmt: skip

    @task(8)
    def grid(self) -> None:
        path = f"/{EVENT}/schedule/grid/"
        if self.random.random() < 0.5:
            path += f"?day={self.random.choice(SITE['days'])}"
        self.fetch("grid", path)

    @task(20)
    def session(self) -> None:
        self.fetch("session", f"/{EVENT}/sessions/{self.random.choice(SITE['sessions'])}/")

    @task(14)
    def speaker(self) -> None:
        self.fetch("speaker", f"/{EVENT}/speakers/{self.random.choice(SITE['speakers'])}/")

    @task(10)
    def star(self) -> None:
        slug = self.random.choice(SITE["starrable"])
        if slug in self.starred:  # its button says "remove" now; a visitor stars another
            return
        page = f"{self.host}/{EVENT}/sessions/{slug}/"
        # No token: star posts are checked by their Origin (lib/origin.py), as a
        # browser's form post from the page sends it.
        with self.client.post(
            f"/{EVENT}/agenda/{slug}/add", name="star", data={"next": page},
            headers={"Origin": self.host}, allow_redirects=False, catch_response=True,
            timeout=TIMEOUT,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"{response.status_code} for a star")
                return
        # The agenda cookie is HTTPS-only; browsers keep it for http://127.0.0.1 too
        # (loopback counts as secure), requests does not: keep it as they do.
        for cookie in response.cookies:
            self.client.cookies.set(cookie.name, cookie.value)
        self.starred.add(slug)

    @task(10)
    def feed(self) -> None:
        if not self.starred:
            self.star()
            if not self.starred:
                return
        # A calendar app polls the URL it was given; now and then the visitor looks at
        # the agenda page again (it shows the same URL).
        if self.feed is None or self.random.random() < 0.25:
            with self.client.get(
                f"/{EVENT}/agenda/", name="agenda", catch_response=True, timeout=TIMEOUT
            ) as page:
                found = re.search(rf"/{re.escape(EVENT)}/agenda/[\w-]+\.ics", page.text)
                if page.status_code != 200 or found is None:
                    page.failure(f"{page.status_code}, and no feed URL on the agenda page")
                    return
            self.feed = found.group(0)
        with self.client.get(self.feed, name="feed", catch_response=True, timeout=TIMEOUT) as got:
            # The feed holds exactly what this visitor starred, whichever worker answers.
            events_ = got.text.count("BEGIN:VEVENT") if got.status_code == 200 else None
            if events_ != len(self.starred):
                got.failure(f"{got.status_code}: {events_} events, {len(self.starred)} starred")

    @task(8)
    def api(self) -> None:
        query = {"page": self.random.randint(1, SITE["api_pages"])}
        if self.random.random() < 0.3:
            query = {"track": self.random.choice(SITE["tracks"])}
        self.fetch("api", f"/api/v1/events/{EVENT}/sessions/?{urlencode(query)}")
