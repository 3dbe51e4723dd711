"""Real gunicorn workers against PostgreSQL and Redis, reached over HTTP on 127.0.0.1.

The tests here (all marked ``services``) run the production set-up: ``DEBUG=0``, a
random secret key, hashed static files collected for WhiteNoise, several gunicorn
workers sharing one PostgreSQL database (pytest-django's test database, so the data a
test commits with ``transactional_db`` is what gunicorn serves) and one Redis cache.
``make test-services`` provides both servers (scripts/with-postgres.sh and
scripts/with-redis.sh); without them these tests skip, except the SQLite one.

Requests pass as if through a TLS-terminating proxy: every one carries
``X-Forwarded-Proto: https`` (the servers run with ``TRUST_X_FORWARDED_PROTO=1``), so
cookies are ``Secure`` and unsafe requests carry the ``Origin`` a browser would send.

Each request gets its own ``X-Request-ID``; gunicorn's access log records it with the
worker's process id, which tells which worker answered which request.
"""

import concurrent.futures
import contextlib
import functools
import http.client
import http.cookiejar
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GUNICORN = str(BIN / "gunicorn") if (BIN / "gunicorn").exists() else shutil.which("gunicorn")
SECRET_KEY = get_random_secret_key()
HOST = "127.0.0.1"
ACCESS_LOG_FORMAT = 'pid=%(p)s status=%(s)s rid=%({x-request-id}o)s "%(r)s" %(M)sms'
ACCESS_LINE = re.compile(r"pid=<(\d+)> status=(\d+) rid=(\S+) ")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_database_url = os.environ.get("DATABASE_URL", "")
SERVICES_READY = bool(os.environ.get("REDIS_URL")) and _database_url.startswith(
    ("postgres://", "postgresql://", "pgsql://")
)
SERVICES_REASON = (
    "needs PostgreSQL (DATABASE_URL=postgres://...) and Redis (REDIS_URL): run `make test-services`"
)
requires_services = pytest.mark.skipif(not SERVICES_READY, reason=SERVICES_REASON)


# HTTP client ---------------------------------------------------------------------------


@dataclass
class Response:
    status: int  # 0: no HTTP answer at all (refused, reset, timed out)
    headers: http.client.HTTPMessage | None
    body: bytes
    elapsed: float
    request_id: str
    started: float = 0.0
    error: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return (self.headers.get(name) if self.headers is not None else None) or ""

    def __repr__(self) -> str:  # short, for assertion messages
        return f"<{self.status} {self.request_id} {self.error}>"


class _BehindTls(http.cookiejar.DefaultCookiePolicy):
    """The site sees https (the proxy says so), so its cookies are Secure: send them."""

    def return_ok_secure(self, cookie, request):
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer to check, not to follow


_request_numbers = itertools.count(1)


class Client:
    """A browser-like client: cookies kept (thread-safe), redirects not followed."""

    def __init__(self, base_url: str, tag: str = "t"):
        self.base_url = base_url
        self.tag = re.sub(r"[^A-Za-z0-9]", "", tag)[:20] or "t"
        self.cookies = http.cookiejar.CookieJar(policy=_BehindTls())
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # 127.0.0.1 only, never through a proxy
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirect(),
        )

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(
        self,
        method: str,
        path: str,
        data: dict | None = None,
        headers: dict | None = None,
        timeout: float = 10,
        json_body: object = None,
    ) -> Response:
        request_id = f"{self.tag}-{next(_request_numbers):06d}-{secrets.token_hex(4)}"
        sent = {"X-Forwarded-Proto": "https", "X-Request-ID": request_id}
        if method not in ("GET", "HEAD"):
            sent["Origin"] = f"https://{urllib.parse.urlsplit(self.base_url).netloc}"
        sent.update(headers or {})
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base_url + path, body, sent, method=method)
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=timeout) as answer:
                status, got, content = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as exc:  # 3xx, 4xx, 5xx: answers all the same
            status, got, content = exc.code, exc.headers, exc.read()
            exc.close()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            return Response(
                0, None, b"", time.monotonic() - started, request_id, started, repr(exc)
            )
        return Response(status, got, content, time.monotonic() - started, request_id, started)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def csrf_from(self, path: str) -> str:
        """Open a page with a form and return its CSRF token (the cookie comes with it)."""
        page = self.get(path)
        assert page.status == 200, (path, page)
        match = CSRF_INPUT.search(page.text)
        assert match, f"no csrfmiddlewaretoken on {path}"
        assert self.cookie("csrftoken"), "no csrftoken cookie"
        return match[1]


def fan_out(client: Client, path: str, count: int = 20, threads: int = 4, **kwargs):
    """``count`` GETs of ``path``, ``threads`` at a time: enough to keep every worker busy."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda _: client.get(path, **kwargs), range(count)))


def on_every_worker(server, client: Client, path: str, count: int = 20, **kwargs):
    """At least ``count`` GETs of ``path``, more (a bounded number) until every worker of
    ``server`` has answered some: which worker takes a connection is up to the kernel."""
    responses = []
    for _ in range(6):
        responses += fan_out(client, path, count, **kwargs)
        if set(server.served_by(responses).values()) >= server.worker_pids():
            return responses
    pytest.fail(f"{len(responses)} requests to {path} did not reach every worker")


# gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``, from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry))
    return found


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    workers: int
    log_path: Path
    _log: object = field(repr=False, default=None)

    def client(self, tag: str = "t") -> Client:
        return Client(self.url, tag)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def worker_pids(self) -> set[int]:
        return children_of(self.proc.pid)

    def served_by(self, responses, timeout: float = 5) -> dict[str, int]:
        """Which worker pid answered each response, from the access log (written just
        after the response is sent, hence the short wait)."""
        wanted = {r.request_id for r in responses}
        deadline = time.monotonic() + timeout
        while True:
            seen = {
                m[3]: int(m[1]) for m in map(ACCESS_LINE.search, self.log_text().splitlines()) if m
            }
            if wanted <= seen.keys() or time.monotonic() > deadline:
                missing = wanted - seen.keys()
                assert not missing, f"not in the access log: {sorted(missing)[:5]}"
                return {rid: seen[rid] for rid in wanted}
            time.sleep(0.05)

    def wait_ready(self, timeout: float = 40, host: str | None = None) -> None:
        client = self.client("ready")
        headers = {"Host": host} if host else {}
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            if client.get("/healthz", timeout=2, headers=headers).status == 200 and (
                len(self.worker_pids()) >= self.workers
            ):
                return
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn not ready after {timeout}s:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


def server_env(static_root: Path, media_root: Path, **extra: str) -> dict[str, str]:
    """Production settings, as an operator would set them."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        TRUST_X_FORWARDED_PROTO="1",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@functools.cache
def _gunicorn_options() -> tuple[str, ...]:
    """Newer gunicorns open a control socket in ~/.gunicorn: not wanted here."""
    usage = subprocess.run([GUNICORN, "--help"], capture_output=True, text=True, timeout=30)
    return ("--no-control-socket",) if "--no-control-socket" in usage.stdout else ()


def start_gunicorn(
    env: dict[str, str], *, workers: int, log_path: Path, ready_host: str | None = None
) -> Server:
    """gunicorn on a free port of 127.0.0.1, once /healthz answers (asked for with the
    ``Host`` ``ready_host``, when ALLOWED_HOSTS does not hold 127.0.0.1)."""
    assert GUNICORN, "gunicorn is not installed"
    log = log_path.open("ab")
    port = free_port()
    proc = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            *_gunicorn_options(),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C in the terminal is for pytest, not for it
    )
    server = Server(proc, f"http://{HOST}:{port}", workers, log_path, log)
    server.wait_ready(host=ready_host)
    return server


def database_url(settings_dict: dict) -> str:
    """A postgres:// URL for the database Django is connected to (the test database)."""
    user = urllib.parse.quote(settings_dict.get("USER") or "", safe="")
    password = urllib.parse.quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = urllib.parse.quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    name = urllib.parse.quote(settings_dict["NAME"], safe="")
    return f"postgres://{auth}{host}{port}/{name}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test here shows the end of its gunicorn's log."""
    report = yield
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, Server):
                report.sections.append((f"gunicorn log {value.log_path}", value.log_tail()))
    return report


# Fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """Static files collected as for production: hashed names, compressed copies."""
    root = tmp_path_factory.mktemp("static")
    scratch = tmp_path_factory.mktemp("collectstatic")
    env = server_env(
        root, scratch / "media", DATABASE_URL=f"sqlite:///{scratch / 'unused.sqlite3'}"
    )
    manage(env, "collectstatic", "--noinput", timeout=600)  # minutes on a busy machine
    assert (root / "staticfiles.json").exists()
    return root


@pytest.fixture(scope="session")
def server(django_db_setup, static_root, tmp_path_factory) -> Server:
    """Two gunicorn workers on pytest-django's PostgreSQL test database and on Redis."""
    if not SERVICES_READY:
        pytest.skip(SERVICES_REASON)
    from django.db import connection

    assert connection.vendor == "postgresql", connection.vendor
    env = server_env(
        static_root,
        tmp_path_factory.mktemp("media"),
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=os.environ["REDIS_URL"],
    )
    running = start_gunicorn(
        env, workers=2, log_path=tmp_path_factory.mktemp("gunicorn") / "postgres.log"
    )
    yield running
    running.stop()  # before pytest-django drops the test database it is connected to


@pytest.fixture
def conference(transactional_db):
    """The shared sized conference (tests/factories.py): six published sessions in
    UTC, committed so gunicorn sees it."""
    from tests.factories import sized_conference

    return sized_conference("services-conf", 6, timezone="UTC", cancel_every=0)


# Redis and PostgreSQL under the tests' control ------------------------------------------


class RedisControl:
    """The private Redis of scripts/with-redis.sh: stop it, start it, look inside."""

    def __init__(self, folder: str):
        self.dir = Path(folder)
        self.socket = self.dir / "redis.sock"
        self.pidfile = self.dir / "redis.pid"
        self.conf = self.dir / "redis.conf"

    def _client(self):
        import redis

        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1)

    def running(self) -> bool:
        import redis

        try:
            return bool(self._client().ping())
        except (redis.RedisError, OSError):
            return False

    def keys(self, pattern: str = "*") -> list[str]:
        return sorted(k.decode() for k in self._client().keys(pattern))

    def configuration(self, *names: str) -> dict[str, str]:
        client = self._client()
        return {name: client.config_get(name)[name] for name in names}

    def configure(self, **settings: str) -> None:
        for name, value in settings.items():
            self._client().config_set(name, value)

    def signal(self, signum: int) -> int:
        pid = int(self.pidfile.read_text())
        os.kill(pid, signum)
        return pid

    def stop(self) -> None:
        pid = self.signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _alive(pid) or self.socket.exists():
            assert time.monotonic() < deadline, "Redis did not stop"
            time.sleep(0.05)

    def start(self) -> None:
        subprocess.run(
            [shutil.which("redis-server") or "redis-server", str(self.conf)],
            check=True,
            timeout=10,
            capture_output=True,
        )
        deadline = time.monotonic() + 10
        while not self.running():
            assert time.monotonic() < deadline, "Redis did not come back"
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def redis_server(server):
    """Control of the Redis the server uses; whatever a test does, it runs again after."""
    control = RedisControl(os.environ["LINEUP_REDIS_DIR"])
    assert control.running()
    limits = control.configuration("maxmemory", "maxmemory-policy")
    yield control
    if not control.running():
        with contextlib.suppress(OSError, ValueError):  # gone, not paused
            control.signal(signal.SIGCONT)  # a test may have paused it
        time.sleep(0.2)
    if not control.running():
        control.start()
    control.configure(**limits)
