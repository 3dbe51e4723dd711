"""Production settings, checked the way production runs them: in a separate process
with a production environment (DEBUG=0, a random SECRET_KEY, the host names), after
migrate and collectstatic, driven through Django's test client with the proxy's
X-Forwarded-Proto header. What a subprocess would add nothing to (the 500 page, hostile
Host headers) runs here, where pytest-django keeps DEBUG off as in production.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path
from django.utils import translation

from tests.factories import SessionFactory

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "schedule.example.org"
# Every variable config/settings.py reads: the production environment sets its own.
PROJECT_VARIABLES = {
    "ALLOWED_HOSTS", "API_ANON_RATE", "API_USER_RATE", "CONN_MAX_AGE",
    "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "DEBUG", "LOGIN_COOLOFF_MINUTES",
    "LOGIN_FAILURE_LIMIT", "LOG_LEVEL", "MEDIA_ROOT", "REDIS_URL", "SECRET_KEY",
    "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "STATIC_ROOT",
    "TRUSTED_PROXIES", "TRUST_X_FORWARDED_PROTO",
}  # fmt: skip


def plain_page(name: str) -> str:
    """An error page as a visitor without a language preference gets it."""
    with translation.override("en"):
        return render_to_string(name)


def production_env(folder: Path, **changes: str | None) -> dict[str, str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests for their run, never in production.
    leave_out = {*PROJECT_VARIABLES, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        TRUST_X_FORWARDED_PROTO="1",
        # A database, static and media folder of its own: never the developer's.
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        STATIC_ROOT=str(folder / "collected-static"),
        MEDIA_ROOT=str(folder / "media"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


# --- the process itself ------------------------------------------------------------------


def test_check_deploy_passes_with_the_production_environment(tmp_path):
    # Before collectstatic (STATIC_ROOT is empty), as in a deployment: migrate and check
    # load the URLconf, which must not need the static manifest yet.
    assert not (tmp_path / "collected-static").exists()
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_fails_on_a_weak_secret_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY="short")
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


@pytest.mark.parametrize(
    "secret",
    [None, "", "dev-only-insecure-key-do-not-use-in-production"],
    ids=["unset", "empty", "development-key"],
)
def test_without_a_secret_key_production_refuses_to_start(tmp_path, secret):
    done = run(["manage.py", "check"], production_env(tmp_path, SECRET_KEY=secret))
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY must be set" in done.stderr


# --- requests to a production process -------------------------------------------------

PRODUCTION_SCRIPT = r"""
import datetime as dt, json, re, sys, types

import django
django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import path

call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)

from events.models import Event, Room
from schedule.models import Session

event = Event.objects.create(slug="prodcon", name="Prod Con", is_published=True,
                             start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 7))
start = dt.datetime(2030, 5, 6, 10, tzinfo=dt.UTC)
Session.objects.create(event=event, title="A talk", slug="a-talk", status="published",
                       starts_at=start, ends_at=start + dt.timedelta(hours=1),
                       room=Room.objects.create(event=event, name="Hall"))
get_user_model().objects.create_user("ada", password="correct horse battery staple")

HOST = "schedule.example.org"
ORIGIN = "https://" + HOST


def browser(**extra):
    # What the TLS proxy passes on: the host and X-Forwarded-Proto.
    return Client(enforce_csrf_checks=True, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https",
                  **extra)


def describe(response):
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {
            name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                   "samesite": m["samesite"]}
            for name, m in response.cookies.items()
        },
        "body": response.content.decode("utf-8", "replace"),
    }


def token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


out = {"secret_key": settings.SECRET_KEY, "debug": settings.DEBUG}
client = browser()
schedule = client.get("/prodcon/schedule/")
out["schedule"] = describe(schedule)
# Public pages carry no CSRF token (they are shared by caches): a star is checked by its
# Origin instead.
out["star"] = describe(client.post("/prodcon/agenda/a-talk/add", {}, HTTP_ORIGIN=ORIGIN))
login_page = client.get("/accounts/login/")
out["login_page"] = describe(login_page)
out["login"] = describe(client.post(
    "/accounts/login/",
    {"username": "ada", "password": "correct horse battery staple",
     "csrfmiddlewaretoken": token(login_page)},
    HTTP_ORIGIN=ORIGIN,
))
out["admin_login"] = describe(browser().get("/admin/login/"))
out["not_found"] = describe(browser().get("/no-such-event/"))
out["healthz"] = describe(browser().get("/healthz"))
out["favicon"] = describe(browser().get("/favicon.ico"))
out["plain_http"] = describe(Client(HTTP_HOST=HOST).get("/prodcon/schedule/"))
out["bad_host"] = describe(Client(HTTP_HOST="evil.example", HTTP_X_FORWARDED_PROTO="https")
                           .get("/prodcon/schedule/"))


def boom(request):
    raise ValueError("kaboom-" + settings.SECRET_KEY)


urls = types.ModuleType("boom_urls")
urls.urlpatterns = [path("boom/", boom)]
sys.modules["boom_urls"] = urls
with override_settings(ROOT_URLCONF="boom_urls"):
    out["boom"] = describe(browser(raise_request_exception=False).get("/boom/"))

print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The responses of a production process, as data."""
    folder = tmp_path_factory.mktemp("production")
    done = run(["-c", PRODUCTION_SCRIPT], production_env(folder))
    assert done.returncode == 0, done.stderr[-5000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr
    return result


PAGES = ["schedule", "login_page", "admin_login", "not_found", "healthz", "boom"]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_production_runs_with_debug_off(production):
    assert production["debug"] is False
    assert len(production["secret_key"]) >= 50


@pytest.mark.parametrize("page", PAGES)
def test_security_headers(production, page):
    response = production[page]
    headers = response["headers"]
    # No "preload" unless SECURE_HSTS_PRELOAD=1 (tests/test_deploy_settings.py).
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = csp_directives(csp)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    for name in ("script-src", "style-src"):
        assert directives[name] == ["'self'"]


def test_pages_render_with_the_manifest_of_collectstatic(production):
    assert production["schedule"]["status"] == 200
    assert "A talk" in production["schedule"]["body"]
    assert production["login_page"]["status"] == 200
    assert production["admin_login"]["status"] == 200
    # The 404 page extends the base layout: hashed static names work there too.
    assert production["not_found"]["status"] == 404
    assert "Page not found" in production["not_found"]["body"]
    assert json.loads(production["healthz"]["body"])["status"] == "ok"


def test_the_favicon_redirects_to_its_hashed_name(production):
    response = production["favicon"]
    assert response["status"] == 301
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", response["headers"]["Location"])


def test_plain_http_is_redirected_to_https(production):
    response = production["plain_http"]
    assert response["status"] == 301
    assert response["headers"]["Location"] == f"https://{HOST}/prodcon/schedule/"


def test_cookies_are_secure(production):
    # A public page sets no cookie (caches share it); the sign-in form's token cookie is
    # HTTPS-only.
    assert production["schedule"]["cookies"] == {}
    csrf = production["login_page"]["cookies"]["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    # Starring (a POST from our own origin) sets the agenda key.
    star = production["star"]
    assert star["status"] == 302, star["body"][:500]
    [agenda] = [c for name, c in star["cookies"].items() if name.startswith("lineup_agenda_")]
    assert agenda == {"secure": True, "httponly": True, "samesite": "Lax"}
    login = production["login"]
    assert login["status"] == 302, login["body"][:500]
    assert login["cookies"]["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert login["cookies"]["csrftoken"]["secure"]  # rotated on sign-in


def test_a_bad_host_gets_the_plain_400_page(production):
    response = production["bad_host"]
    assert response["status"] == 400
    # Refused in CommonMiddleware, before the frame and CSP middleware see it; the
    # SecurityMiddleware headers are there all the same.
    assert response["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["headers"]["X-Content-Type-Options"] == "nosniff"
    assert response["body"] == plain_page("400.html")
    assert "evil.example" not in response["body"]


def test_an_error_gets_the_plain_500_page_without_details(production):
    response = production["boom"]
    assert response["status"] == 500
    assert response["body"] == plain_page("500.html")
    assert production["secret_key"] not in response["body"]
    # The error went to the log (stderr), with the request id of the response.
    request_id = response["headers"]["X-Request-ID"]
    assert (
        f"request_id={request_id} method=GET path=/boom/ unhandled ValueError"
        in (production["stderr"])
    )


# --- the same, in this process (pytest-django runs with DEBUG off) ----------------------


def boom(request):
    raise RuntimeError(f"kaboom {settings.SECRET_KEY} {settings.DATABASES}")


urlpatterns = [path("boom/", boom)]


def test_a_view_that_raises_gives_the_plain_500_page(settings):
    assert settings.DEBUG is False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert body == plain_page("500.html")
    for secret in ("kaboom", "Traceback", settings.SECRET_KEY, "DATABASES", "RuntimeError"):
        assert secret not in body
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        f"{HOST}.evil.example",
        f"evil.example#{HOST}",
        f"{HOST}@evil.example",
        "<script>alert(1)</script>",
        "x" * 300,
    ],
)
def test_a_bad_host_header_gives_the_plain_400_page(settings, host, db):
    settings.ALLOWED_HOSTS = [HOST]
    response = Client().get("/", HTTP_HOST=host)
    assert response.status_code == 400
    assert response.content.decode() == plain_page("400.html")
    assert Client().get("/", HTTP_HOST=HOST).status_code == 200


def test_the_agenda_cookie_is_https_only_whenever_the_session_cookie_is(settings, db):
    """Behind a proxy that does not send X-Forwarded-Proto (and SECURE_SSL_REDIRECT=0),
    Django sees plain HTTP: the agenda key is still only ever sent over HTTPS."""
    session = SessionFactory(event__slug="cookiecon", slug="a-talk")
    settings.SESSION_COOKIE_SECURE = True
    response = Client().post(f"/{session.event.slug}/agenda/a-talk/add")
    assert response.status_code == 302
    [cookie] = [c for name, c in response.cookies.items() if name.startswith("lineup_agenda_")]
    assert cookie["secure"] is True and cookie["httponly"] is True
