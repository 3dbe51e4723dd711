#!/usr/bin/env python3
"""A bounded load on a running Lineup, from loopback only, then a table of figures.

    python scripts/loadtest.py --base-url http://127.0.0.1:8123 --event loadcon \
        --users 20 --duration 30

Standard library only (threads and http.client). Each thread is one simulated visitor
with a cookie jar and a browser-like cache of ETags (revisiting a page sends
If-None-Match, so some answers are 304), who loops over a weighted mix of:

    list      /<event>/schedule/
    filtered  /<event>/schedule/?day=…&track=…   and   ?q=…
    grid      /<event>/schedule/grid/ (half of the time for one day)
    session   /<event>/sessions/<slug>/
    speaker   /<event>/speakers/<slug>/
    star      GET a session page for its CSRF token (counted as "session"),
              then POST /<event>/agenda/<slug>/add (302)
    agenda    /<event>/agenda/, read for the subscription URL (<token>.ics)
    feed      /<event>/agenda/<token>.ics, the visitor's own agenda
    api       /api/v1/events/<event>/sessions/ (a page, sometimes filtered by track)

No think time: the visitors are a closed loop, so the figures say how much the server
answers with that many requests in flight. Nothing new starts after --duration; a
request in flight then has --timeout seconds to finish.

Exit status: 0 when every request got an expected answer; 1 when any failed (5xx,
connection error, time-out) or got an unexpected status (a 403 from the CSRF check,
a 404, a 429 from throttling…); 2 when the set-up could not be read from the site.
"""

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
USER_AGENT = "lineup-loadtest/1 (python http.client)"

# The mix of what a visitor does next, by weight.
ACTIONS = {
    "list": 14,
    "filtered": 16,
    "grid": 8,
    "session": 20,
    "speaker": 14,
    "star": 10,
    "feed": 10,
    "api": 8,
}
# What each kind of request may answer; anything else is counted as unexpected.
EXPECTED = {
    "list": {200, 304},
    "filtered": {200, 304},
    "grid": {200, 304},
    "session": {200, 304},
    "speaker": {200, 304},
    "star": {302},
    "agenda": {200},
    "feed": {200},
    "api": {200, 304},
}
KINDS = list(EXPECTED)

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SetupError(Exception):
    pass


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection error or time-out)
    seconds: float
    path: str
    error: str = ""


@dataclass
class Site:
    """What the visitors pick from, read from the API before the clock starts."""

    event: str
    days: list[str]
    tracks: list[str]
    sessions: list[str]
    starrable: list[str]
    speakers: list[str]
    words: list[str]
    api_pages: int


class Visitor:
    """One simulated browser: its own cookies, ETags and agenda."""

    def __init__(self, host: str, port: int, timeout: float, origin: str):
        self.host, self.port, self.timeout, self.origin = host, port, timeout, origin
        self.cookies: dict[str, str] = {}
        self.etags: dict[str, str] = {}
        self.samples: list[Sample] = []
        self.starred: set[str] = set()
        self.feed_path: str | None = None

    def request(self, kind: str, method: str, path: str, form: dict | None = None):
        """Send one request, record it, and return (status, headers, text) or None."""
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "GET" and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin  # as a browser sends with a form post
        # gunicorn's sync workers close every connection after one answer, as a browser
        # would then see: one connection per request, its set-up included in the time.
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            elapsed = time.perf_counter() - start
            self.samples.append(Sample(kind, 0, elapsed, path, f"{type(exc).__name__}: {exc}"))
            return None
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        status = response.status
        error = ""
        if status not in EXPECTED[kind]:
            error = f"{status} {response.reason} " + data[:200].decode("utf-8", "replace")
        self.samples.append(Sample(kind, status, elapsed, path, error))
        for raw in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        etag = response.getheader("ETag")
        if method == "GET" and etag and status == 200:
            self.etags[path] = etag
        return status, response.headers, data.decode("utf-8", "replace")

    # --- what a visitor does --------------------------------------------------------

    def run(self, site: Site, rng: random.Random, deadline: float) -> None:
        actions, weights = zip(*ACTIONS.items(), strict=True)
        while time.perf_counter() < deadline:
            action = rng.choices(actions, weights)[0]
            getattr(self, f"do_{action}")(site, rng, deadline)

    def do_list(self, site, rng, deadline):
        self.request("list", "GET", f"/{site.event}/schedule/")

    def do_filtered(self, site, rng, deadline):
        if rng.random() < 0.65:
            query = {"day": rng.choice(site.days), "track": rng.choice(site.tracks)}
        else:
            query = {"q": rng.choice(site.words)}
        self.request("filtered", "GET", f"/{site.event}/schedule/?{urllib.parse.urlencode(query)}")

    def do_grid(self, site, rng, deadline):
        path = f"/{site.event}/schedule/grid/"
        if rng.random() < 0.5:
            path += f"?day={rng.choice(site.days)}"
        self.request("grid", "GET", path)

    def do_session(self, site, rng, deadline):
        self.request("session", "GET", f"/{site.event}/sessions/{rng.choice(site.sessions)}/")

    def do_speaker(self, site, rng, deadline):
        self.request("speaker", "GET", f"/{site.event}/speakers/{rng.choice(site.speakers)}/")

    def do_star(self, site, rng, deadline):
        slug = rng.choice(site.starrable)
        if slug in self.starred:  # its page shows "remove" now; a visitor stars another
            return
        page = f"/{site.event}/sessions/{slug}/"
        # A fresh GET (no If-None-Match): a 304 would carry no form to read the token from.
        self.etags.pop(page, None)
        answer = self.request("session", "GET", page)
        if answer is None or answer[0] != 200 or time.perf_counter() >= deadline:
            return
        found = CSRF_RE.search(answer[2])
        action = f"/{site.event}/agenda/{slug}/add"
        if found is None or action not in answer[2]:
            self.samples.append(Sample("star", -1, 0.0, page, "no star form on the page"))
            return
        done = self.request(
            "star", "POST", action, form={"csrfmiddlewaretoken": found.group(1), "next": page}
        )
        if done is not None and done[0] == 302:
            self.starred.add(slug)

    def do_feed(self, site, rng, deadline):
        if not self.starred:
            self.do_star(site, rng, deadline)
            if not self.starred or time.perf_counter() >= deadline:
                return
        # A calendar app polls the feed URL it was given; now and then the visitor looks
        # at the agenda page again (it shows the same URL).
        if self.feed_path is None or rng.random() < 0.25:
            answer = self.request("agenda", "GET", f"/{site.event}/agenda/")
            if answer is None or answer[0] != 200:
                return
            found = re.search(rf"/{re.escape(site.event)}/agenda/([A-Za-z0-9_-]+)\.ics", answer[2])
            if found is None:
                self.samples.append(Sample("agenda", -1, 0.0, "", "no feed URL on the page"))
                return
            self.feed_path = found.group(0)
            if time.perf_counter() >= deadline:
                return
        answer = self.request("feed", "GET", self.feed_path)
        # The feed must hold exactly what this visitor starred, whichever worker answers.
        if answer is not None and answer[0] == 200:
            events = answer[2].count("BEGIN:VEVENT")
            if events != len(self.starred):
                problem = f"the feed has {events} events, {len(self.starred)} were starred"
                self.samples.append(Sample("feed", -1, 0.0, self.feed_path, problem))

    def do_api(self, site, rng, deadline):
        query = {"page": rng.randint(1, site.api_pages)}
        if rng.random() < 0.3:
            query = {"track": rng.choice(site.tracks)}
        path = f"/api/v1/events/{site.event}/sessions/?{urllib.parse.urlencode(query)}"
        self.request("api", "GET", path)


# --- set-up -------------------------------------------------------------------------


def get_json(host: str, port: int, path: str, timeout: float):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise SetupError(f"GET {path}: {response.status} {data[:300]!r}")
    return json.loads(data)


def get_all(host: str, port: int, path: str, timeout: float) -> list[dict]:
    rows, page = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        data = get_json(host, port, f"{path}{sep}page_size=500&page={page}", timeout)
        rows += data["results"]
        if not data.get("next"):
            return rows
        page += 1


def discover(host: str, port: int, event: str, timeout: float) -> Site:
    base = f"/api/v1/events/{event}"
    info = get_json(host, port, f"{base}/", timeout)
    tracks = [row["slug"] for row in get_all(host, port, f"{base}/tracks/", timeout)]
    breaks = {
        row["slug"] for row in get_all(host, port, f"{base}/types/", timeout) if row["is_break"]
    }
    sessions = get_all(host, port, f"{base}/sessions/", timeout)
    speakers = [row["slug"] for row in get_all(host, port, f"{base}/speakers/", timeout)]
    words = sorted(
        {word.lower() for row in sessions for word in re.findall(r"[A-Za-z]{5,}", row["title"])}
    )
    site = Site(
        event=event,
        days=list(info["days"]),
        tracks=tracks,
        sessions=[row["slug"] for row in sessions],
        starrable=[
            row["slug"]
            for row in sessions
            if not (row["type"] and row["type"]["slug"] in breaks) and row["status"] != "cancelled"
        ],
        speakers=speakers,
        words=words,
        api_pages=max(1, -(-len(sessions) // 100)),  # the API's default page size
    )
    for name in ("days", "tracks", "starrable", "speakers", "words"):
        if not getattr(site, name):
            raise SetupError(f"the event {event!r} has no {name} to pick from")
    return site


# --- figures ------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


@dataclass
class Row:
    samples: list[Sample] = field(default_factory=list)

    def line(self, name: str, seconds: float) -> str:
        sent = [s for s in self.samples if s.status >= 0]  # -1: a check, not a request
        times = sorted(s.seconds * 1000 for s in sent if s.status > 0)
        statuses = Counter(s.status for s in sent if s.status > 0)
        failed = sum(1 for s in sent if s.status == 0 or s.status >= 500)
        odd = sum(1 for s in self.samples if s.error) - failed
        codes = " ".join(f"{code}:{n}" for code, n in sorted(statuses.items()))
        return (
            f"| {name} | {len(sent)} | {len(sent) / seconds:.1f} | "
            f"{percentile(times, 0.50):.0f} | {percentile(times, 0.90):.0f} | "
            f"{percentile(times, 0.99):.0f} | {max(times, default=float('nan')):.0f} | "
            f"{failed} | {odd} | {codes} |"
        )


def report(visitors: list[Visitor], seconds: float, args) -> int:
    by_kind: dict[str, Row] = defaultdict(Row)
    everything = Row()
    for visitor in visitors:
        for sample in visitor.samples:
            by_kind[sample.kind].samples.append(sample)
            everything.samples.append(sample)
    print()
    sent = sum(1 for s in everything.samples if s.status >= 0)
    print(
        f"{args.users} users, {seconds:.1f} s, {sent} requests, "
        f"{sent / seconds:.1f} requests/s (latency in ms)"
    )
    print()
    print("| kind | requests | req/s | p50 | p90 | p99 | max | errors | unexpected | statuses |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for kind in KINDS:
        if kind in by_kind:
            print(by_kind[kind].line(kind, seconds))
    print(everything.line("**all**", seconds))
    print()
    bad = [s for s in everything.samples if s.error]
    failed = [s for s in bad if s.status == 0 or s.status >= 500]
    # The same failure many times over is one line, with its count and one example path.
    grouped = Counter((s.kind, s.error[:160]) for s in bad)
    examples = {(s.kind, s.error[:160]): s.path for s in bad}
    for (kind, error), count in grouped.most_common(20):
        print(f"  {count} × {kind} (e.g. {examples[kind, error]}): {error}", file=sys.stderr)
    if len(grouped) > 20:
        print(f"  … and {len(grouped) - 20} other kinds of failure", file=sys.stderr)
    print(
        f"errors (5xx, connection, time-out): {len(failed)}; unexpected answers: "
        f"{len(bad) - len(failed)}"
    )
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--event", default="loadcon", help="event slug (loadcon)")
    parser.add_argument("--users", type=int, default=20, help="simulated visitors (20)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (30)")
    parser.add_argument("--timeout", type=float, default=30, help="per request, seconds (30)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.base_url)
    if url.scheme != "http" or url.hostname not in LOOPBACK or not url.port:
        parser.error("--base-url must be http://127.0.0.1:PORT (this load stays on loopback)")
    if not (1 <= args.users <= 200 and 1 <= args.duration <= 600):
        parser.error("--users must be 1–200 and --duration 1–600 seconds")
    host, port = url.hostname, url.port
    origin = f"http://{url.netloc}"

    try:
        site = discover(host, port, args.event, args.timeout)
    except (SetupError, OSError, http.client.HTTPException, KeyError, ValueError) as exc:
        print(f"loadtest: cannot read the event from {args.base_url}: {exc}", file=sys.stderr)
        return 2
    print(
        f"loadtest: {args.base_url}/{site.event}/: {len(site.sessions)} public sessions, "
        f"{len(site.speakers)} speakers, {len(site.days)} days, {len(site.tracks)} tracks; "
        f"{args.users} users for {args.duration:g} s"
    )

    visitors = [Visitor(host, port, args.timeout, origin) for _ in range(args.users)]
    started = time.perf_counter()
    deadline = started + args.duration
    threads = [
        threading.Thread(
            target=visitor.run,
            args=(site, random.Random(args.seed * 1000 + i), deadline),
            name=f"visitor-{i}",
            daemon=True,
        )
        for i, visitor in enumerate(visitors)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join(args.duration + args.timeout + 30)
    except KeyboardInterrupt:
        print("loadtest: interrupted", file=sys.stderr)
        return 130
    seconds = time.perf_counter() - started
    if any(thread.is_alive() for thread in threads):
        print("loadtest: some visitors did not stop in time", file=sys.stderr)
        report(visitors, seconds, args)
        return 1
    return report(visitors, seconds, args)


if __name__ == "__main__":
    sys.exit(main())
