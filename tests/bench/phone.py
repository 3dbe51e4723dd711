"""`make bench-phone`: the public pages as a phone on conference Wi-Fi gets them.

Serves the app with gunicorn (DEBUG off, hashed and pre-compressed static files) on a
generated 600-session event in a scratch SQLite database, then loads each page in
headless Chromium (Debian's, through Playwright) with Chrome DevTools network and CPU
emulation close to Lighthouse's "slow 4G" phone: 150 ms round trip, 1.6 Mbit/s down,
750 kbit/s up, the CPU slowed 4 times. Each page is a first visit (an empty browser
cache), after the server has the page in its own cache, as during a conference.

Prints a table of bytes on the wire (the page itself; its CSS and JS; everything),
first contentful paint and load time, and writes it to bench-phone-results.txt.
Timings live here only, never in tests: these machines are shared and noisy. The pages
are loaded in rounds (each page once per round), so that a slow spell of the host
slows one load of every page rather than all loads of one; the table ends with the
host check of ``make bench``, before and after.
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.bench.run import host_lines, reference_work_ms

ROOT = Path(__file__).resolve().parents[2]
SCRATCH = Path(tempfile.gettempdir()) / "lineup-bench-phone"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NETWORK = {
    "offline": False,
    "latency": 150,  # ms, round trip
    "downloadThroughput": 1_600_000 / 8,  # bytes per second
    "uploadThroughput": 750_000 / 8,
}
CPU_SLOWDOWN = 4
# Budgets from the issue: bytes on the wire, and load time on this machine.
BUDGET_PAGE_KB = {"list, 600 sessions": 100, "list, all days": 100, "list, one day": 30}
BUDGET_ASSETS_KB = 60
BUDGET_LOAD_S = {"list, 600 sessions": 1.5, "list, all days": 1.5}
DEFAULT_LOAD_S = 1.0
AGENDA_STARS = 20


def environment(port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-phone-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{SCRATCH / 'db.sqlite3'}",
        "REDIS_URL": "",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(SCRATCH / "static"),
        "MEDIA_ROOT": str(SCRATCH / "media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def prepare(env: dict[str, str]) -> list[str]:
    """Migrate, collect static files, generate the event and one visitor's agenda.
    Returns the agenda's cookie name, the event's second day and a session's slug."""
    code = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
from schedule.demo import generate_demo
from schedule import agenda as agendas
from schedule.models import Agenda, AgendaItem, Session
event = generate_demo(sessions=600, seed=1, slug="phone600", avatars_share=0.3)
agenda = Agenda.objects.create(event=event, key_hash=agendas.digest("{AGENDA_KEY}"))
for session in Session.objects.for_schedule(event).exclude(speakers=None)[:{AGENDA_STARS}]:
    item = AgendaItem(agenda=agenda, session=session)
    item.remember(session)
    item.save()
print(agendas.cookie_name(event), event.days[1],
      Session.objects.for_schedule(event).exclude(speakers=None).values_list("slug", flat=True)[0])
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return out.stdout.split()


AGENDA_KEY = secrets.token_urlsafe(32)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def warm(url: str) -> None:
    """Let the server cache the page (each encoding has its own entry)."""
    for coding in ("br", "gzip, deflate, br", "gzip"):
        request = urllib.request.Request(url, headers={"Accept-Encoding": coding})
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def load(browser, url: str, cookies: list[dict]) -> dict:
    """One first visit under emulation: bytes per kind, FCP and load time (ms)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.add_cookies(cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    kinds: dict[str, str] = {}
    wire = {"document": 0, "css+js": 0, "other": 0}
    requests = [0]

    def sent(event):
        kind = event.get("type", "Other")
        kinds[event["requestId"]] = (
            "document" if kind == "Document" else "css+js" if kind in ("Stylesheet", "Script")
            else "other"
        )  # fmt: skip

    def finished(event):
        kind = kinds.get(event["requestId"], "other")
        wire[kind] += int(event["encodedDataLength"])
        requests[0] += 1

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load", timeout=120_000)
    timing = page.evaluate(
        # A slow machine may paint first after the load event: wait for the entry (up
        # to 3 s) rather than read none.
        """async () => {
            const nav = performance.getEntriesByType("navigation")[0];
            const fcp = await new Promise((resolve) => {
                const seen = (list) => list.getEntriesByName("first-contentful-paint")[0];
                new PerformanceObserver((list) => seen(list) && resolve(seen(list).startTime))
                    .observe({type: "paint", buffered: true});
                setTimeout(() => resolve(null), 3000);
            });
            return {fcp, load: nav.loadEventEnd, encoding: nav.contentEncoding || null};
        }"""
    )
    page.wait_for_timeout(300)  # late loadingFinished events
    context.close()
    return {**timing, **wire, "requests": requests[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="loads per page (median)")
    parser.add_argument("--output", default=str(ROOT / "bench-phone-results.txt"))
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    subprocess.run(["rm", "-rf", str(SCRATCH)], check=True)
    SCRATCH.mkdir(parents=True)
    port = free_port()
    env = environment(port)
    cookie_name, day, session = prepare(env)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    pages = [
        ("list, 600 sessions", "/phone600/schedule/"),
        ("list, all days", "/phone600/schedule/?day=all"),
        ("list, one day", f"/phone600/schedule/?day={day}"),
        ("grid, 600 sessions", "/phone600/schedule/grid/"),
        ("grid, one day", f"/phone600/schedule/grid/?day={day}"),
        ("session page", f"/phone600/sessions/{session}/"),
        ("my agenda (20 stars)", "/phone600/agenda/"),
    ]
    cookie = {"name": cookie_name, "value": AGENDA_KEY, "domain": "127.0.0.1", "path": "/"}
    runs: dict[str, list[dict]] = {name: [] for name, _ in pages}
    try:
        wait_for(f"{base}/healthz")
        for _, path in pages:
            warm(base + path)
        before = reference_work_ms()
        with sync_playwright() as play:
            browser = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.repeat):
                for name, path in pages:
                    cookies = [cookie] if "agenda" in path else []
                    runs[name].append(load(browser, base + path, cookies))
            browser.close()
        after = reference_work_ms()
    finally:
        server.terminate()
        server.wait(timeout=30)

    header = (
        f"{'page':<22} {'page KB':>8} {'CSS+JS KB':>10} {'all KB':>7} {'reqs':>5} "
        f"{'FCP ms':>7} {'load ms':>8}  budget"
    )
    lines = [header, "-" * len(header)]
    for name, loads in runs.items():
        doc = statistics.median(r["document"] for r in loads) / 1024
        assets = statistics.median(r["css+js"] for r in loads) / 1024
        total = statistics.median(r["document"] + r["css+js"] + r["other"] for r in loads) / 1024
        painted = [r["fcp"] for r in loads if r["fcp"] is not None]
        fcp = f"{statistics.median(painted):.0f}" if painted else "-"
        loaded = statistics.median(r["load"] for r in loads)
        verdicts = []
        if name in BUDGET_PAGE_KB:
            ok = doc <= BUDGET_PAGE_KB[name]
            verdicts.append(f"page ≤ {BUDGET_PAGE_KB[name]} KB {'ok' if ok else 'MISSED'}")
        ok = assets <= BUDGET_ASSETS_KB
        verdicts.append(f"CSS+JS ≤ {BUDGET_ASSETS_KB} KB {'ok' if ok else 'MISSED'}")
        limit = BUDGET_LOAD_S.get(name, DEFAULT_LOAD_S)
        verdicts.append(f"load ≤ {limit} s {'ok' if loaded <= limit * 1000 else 'MISSED'}")
        lines.append(
            f"{name:<22} {doc:>8.1f} {assets:>10.1f} {total:>7.1f} {loads[0]['requests']:>5} "
            f"{fcp:>7} {loaded:>8.0f}  {'; '.join(verdicts)}"
        )
    table = "\n".join(
        [
            "Headless Chromium, first visit, 360×740 phone viewport; 150 ms RTT, 1.6 Mbit/s "
            f"down, 750 kbit/s up, CPU slowed {CPU_SLOWDOWN}×; gunicorn, DEBUG off; median of "
            f"{args.repeat} rounds. KB = 1024 bytes on the wire (headers included).",
            *lines,
            *host_lines(before, after),
        ]
    )
    print(table)
    Path(args.output).write_text(table + "\n")
    print(f"\n(written to {args.output})")
    subprocess.run(["rm", "-rf", str(SCRATCH)], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
