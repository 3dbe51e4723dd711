"""Faults under the workers: Redis going away, PostgreSQL restarting, SQLite under load."""

import concurrent.futures
import json
import os
import shlex
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connections

from schedule.models import Session

from .conftest import (
    Client,
    fan_out,
    manage,
    on_every_worker,
    requires_services,
    server_env,
    start_gunicorn,
)

pytestmark = pytest.mark.services


def public_urls(conference) -> list[str]:
    slug = conference.event.slug
    return [
        f"/{slug}/schedule/",
        f"/{slug}/sessions/{conference.sessions[0].slug}/",
        f"/api/v1/events/{slug}/sessions/",
        f"/{slug}/schedule.ics",
        "/healthz",
    ]


def health(client: Client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response.header("Content-Type") == "application/json", response
    return response.status, json.loads(response.body)


# Redis -----------------------------------------------------------------------------------


@requires_services
def test_without_redis_pages_are_served_uncached(server, redis_server, conference):
    client = server.client("redis")
    urls = public_urls(conference)
    for url in urls:
        assert client.get(url).status == 200, url
    assert redis_server.keys("*:page:*")

    redis_server.stop()

    for url in urls:
        for response in fan_out(client, url, count=4, threads=2):
            assert response.status == 200, (url, response, response.text[:300])
            assert response.elapsed < 2, (url, response.elapsed)
    # It still serves everything: a load balancer must keep it in rotation (200).
    status, body = health(client)
    assert (status, body["status"], body["database"]) == (200, "degraded", "ok"), body
    assert body["cache"].startswith("error"), body

    # Nothing is cached, so a change made now shows at once, on every worker.
    session = conference.sessions[0]
    session.title = "Changed while Redis was away"
    session.save()
    for url in urls[:4]:  # the page, the session, the API, the calendar
        response = client.get(url)
        assert response.status == 200 and session.title in response.text, (url, response)
    for response in on_every_worker(server, client, urls[0], count=8):
        assert response.status == 200, response
        assert session.title in response.text, response

    redis_server.start()

    # The workers' pooled connections died with the old server: at most the first use
    # of each fails (and is tolerated); caching resumes within a few requests.
    deadline = time.monotonic() + 10
    while not redis_server.keys("*:page:*"):
        assert time.monotonic() < deadline, "pages are not cached again"
        for response in fan_out(client, urls[0], count=4, threads=2):
            assert response.status == 200, response
            assert session.title in response.text
    deadline = time.monotonic() + 10
    while health(client) != (200, {"status": "ok", "database": "ok", "cache": "ok"}):
        assert time.monotonic() < deadline, health(client)
        time.sleep(0.1)
    for response in on_every_worker(server, client, urls[0], count=8):
        assert response.status == 200 and session.title in response.text, response


@requires_services
def test_a_hung_redis_slows_pages_but_never_serves_stale_ones(server, redis_server, conference):
    """A Redis that stops answering (not gone: paused, as in a network partition) costs
    each cache call its short timeout, and what it held before cannot be served after
    a change: cache keys carry the event's change time."""
    client = server.client("hung")
    url = f"/{conference.event.slug}/schedule/"
    old_title = conference.sessions[0].title
    assert old_title in client.get(url).text
    assert redis_server.keys("*:page:*")

    redis_server.signal(signal.SIGSTOP)
    try:
        session = conference.sessions[0]
        session.title = "Changed while Redis hung"
        session.save()
        for response in fan_out(client, url, count=4, threads=2):
            assert response.status == 200, response
            assert session.title in response.text
            assert response.elapsed < 5, response.elapsed  # two cache calls, 0.5 s each
        status, body = health(client)
        assert (status, body["status"], body["database"]) == (200, "degraded", "ok"), body
    finally:
        redis_server.signal(signal.SIGCONT)

    # The old page is still in Redis, but nothing asks for it any more.
    for response in on_every_worker(server, client, url, count=8):
        assert response.status == 200, response
        assert session.title in response.text and old_title not in response.text


@requires_services
def test_a_full_redis_is_no_cache_rather_than_errors(server, redis_server, conference):
    """Redis at its memory limit with no eviction refuses every write (OOM): pages are
    then rendered without caching them, as when it is away."""
    client = server.client("full")
    redis_server.configure(maxmemory="1", **{"maxmemory-policy": "noeviction"})
    for url in public_urls(conference):
        for response in fan_out(client, url, count=4, threads=2):
            assert response.status == 200, (url, response, response.text[:300])
    assert redis_server.keys("*:page:*") == []
    status, body = health(client)
    assert (status, body["status"], body["database"]) == (200, "degraded", "ok"), body


# PostgreSQL ------------------------------------------------------------------------------


def restart_postgres(log: Path) -> None:
    data = Path(os.environ["LINEUP_PG_DATA"])
    command = [
        *shlex.split(os.environ["LINEUP_PG_CTL"]),
        *("-D", str(data), "-m", "fast", "-w", "-t", "60"),
        # The server's own log, as scripts/with-postgres.sh started it: its output must
        # not go to a pipe of ours, which it would hold open for ever.
        *("-l", str(data.parent / "server.log")),
        "restart",
    ]
    with log.open("wb") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=90)
    assert done.returncode == 0, log.read_text()


def postmaster_start_time():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        return cursor.fetchone()[0]


@requires_services
def test_a_postgres_restart_under_load_is_a_short_burst_of_errors(server, conference, tmp_path):
    workers = server.worker_pids()
    urls = [f"/{conference.event.slug}/schedule/", "/healthz"]
    client = server.client("load")
    results = []
    stop = threading.Event()

    def load(rate: float = 10, duration: float = 12) -> None:
        started = time.monotonic()
        for n in range(int(rate * duration)):
            if stop.is_set():
                return
            results.append(client.get(urls[n % 2], timeout=5))
            time.sleep(max(0, started + (n + 1) / rate - time.monotonic()))

    booted = postmaster_start_time()
    connections.close_all()  # ours dies with the server too: reconnect afterwards
    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    try:
        time.sleep(3)
        began = time.monotonic()
        restart_postgres(tmp_path / "pg_ctl.log")
        ended = time.monotonic()
        thread.join(timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
        connections.close_all()
    assert not thread.is_alive()
    assert postmaster_start_time() > booted, "PostgreSQL did not restart"

    recovery = 2.0  # each worker's first request after the restart reconnects
    failed = [r for r in results if r.status == 0 or r.status >= 500]
    late = [r for r in failed if not began - 0.5 <= r.started <= ended + recovery]
    assert not late, f"errors outside the restart ({ended - began:.1f}s): {late}"
    assert len(failed) <= 15, failed
    after = [r for r in results if r.started > ended + recovery]
    assert len(after) >= 20, f"too few requests after the restart: {len(after)}"
    assert {r.status for r in after} == {200}, after
    assert all(r.status == 200 for r in results if r.started < began - 0.5)

    # The same gunicorn and the same workers: they reconnected, nobody restarted them.
    assert server.proc.poll() is None
    assert server.worker_pids() == workers
    for response in on_every_worker(server, client, urls[0], count=8):
        assert response.status == 200, response
    assert health(client) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    assert Session.objects.count() == len(conference.sessions)  # and so did we


# SQLite ----------------------------------------------------------------------------------

SQLITE_DATA = """
import datetime as dt
from events.models import Event, Room
from schedule.models import Session

event = Event.objects.create(
    slug="sqlite-conf", name="SQLite Conference", timezone="UTC", is_published=True,
    start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 7),
)
room = Room.objects.create(event=event, name="Only room")
start = dt.datetime(2030, 5, 6, 9, tzinfo=dt.UTC)
for n in range({count}):
    Session.objects.create(
        event=event, room=room, title=f"Session {{n}}", status="published",
        starts_at=start + dt.timedelta(minutes=30 * n),
        ends_at=start + dt.timedelta(minutes=30 * n + 25),
    )
"""
VISITORS, STARS = 8, 15


@pytest.fixture
def sqlite_server(tmp_path, static_root):
    """Four workers on one SQLite file (no PostgreSQL or Redis needed), with data."""
    env = server_env(
        static_root,
        tmp_path / "media",
        DATABASE_URL=f"sqlite:///{tmp_path / 'lineup.sqlite3'}",
        REDIS_URL="",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SQLITE_DATA.format(count=STARS))
    running = start_gunicorn(env, workers=4, log_path=tmp_path / "sqlite.log")
    yield running
    running.stop()


def test_sqlite_takes_concurrent_writes_from_several_workers(sqlite_server, tmp_path):
    server = sqlite_server
    database = tmp_path / "lineup.sqlite3"
    with sqlite3.connect(database) as db:
        slugs = [row[0] for row in db.execute("SELECT slug FROM schedule_session")]
    assert len(slugs) == STARS

    def visitor(n: int) -> tuple[list, object]:
        """One browser: open the schedule, star every session, look at the agenda."""
        client = server.client(f"visitor{n}")
        assert client.get("/sqlite-conf/schedule/").status == 200
        stars = [client.post(f"/sqlite-conf/agenda/{slug}/add", {}) for slug in slugs]
        return stars, client.get("/sqlite-conf/agenda/")

    with concurrent.futures.ThreadPoolExecutor(max_workers=VISITORS) as pool:
        visits = list(pool.map(visitor, range(VISITORS)))

    stars = [star for batch, _ in visits for star in batch]
    assert [s for s in stars if s.status != 302] == []  # no 5xx, no connection failures
    for _, page in visits:
        assert page.status == 200, page
        assert f"{STARS} sessions</strong>" in page.text
    assert len(set(server.served_by(stars).values())) > 1, "only one worker wrote"

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT COUNT(*), COUNT(DISTINCT agenda_id) FROM schedule_agendaitem")
        assert rows.fetchone() == (VISITORS * STARS, VISITORS)
    log = server.log_text()
    assert "database is locked" not in log.lower()
    assert "status=5" not in log
