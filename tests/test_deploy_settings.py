"""Safe production defaults that the deploy guide relies on, checked in a separate
process with a production environment (tests/hardening/test_settings.py builds it)."""

import json

import pytest

from tests.hardening.test_settings import production_env, run

HEADERS_SCRIPT = r"""
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0], HTTP_X_FORWARDED_PROTO="https").get(
    "/healthz"
)
print(json.dumps({
    "status": response.status_code,
    "hsts": response.headers.get("Strict-Transport-Security"),
    "preload": settings.SECURE_HSTS_PRELOAD,
    "silenced": settings.SILENCED_SYSTEM_CHECKS,
    "cache_options": settings.CACHES["default"].get("OPTIONS", {}),
}))
"""


def production_facts(tmp_path, **changes) -> dict:
    done = run(["-c", HEADERS_SCRIPT], production_env(tmp_path, **changes))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("database_url", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_database_url(tmp_path, database_url):
    """Not a silent db.sqlite3 next to the code: the environment file was not loaded."""
    done = run(["manage.py", "migrate"], production_env(tmp_path, DATABASE_URL=database_url))
    assert done.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL must be set when DEBUG is off" in done.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def test_development_keeps_its_sqlite_default(tmp_path):
    env = production_env(tmp_path, DEBUG="1", DATABASE_URL=None)
    done = run(["manage.py", "check"], env)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("preload", [None, "", "0"], ids=["unset", "empty", "off"])
def test_hsts_preload_is_off_unless_asked_for(tmp_path, preload):
    facts = production_facts(tmp_path, SECURE_HSTS_PRELOAD=preload)
    assert facts["status"] == 200
    assert facts["preload"] is False
    assert facts["hsts"] == "max-age=31536000; includeSubDomains"
    # Off by choice: Django's warning about it (W021) is the only one silenced.
    assert facts["silenced"] == ["security.W021"]


def test_hsts_preload_on_request(tmp_path):
    facts = production_facts(tmp_path, SECURE_HSTS_PRELOAD="1")
    assert facts["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert facts["silenced"] == []


@pytest.mark.parametrize("preload", ["0", "1"])
def test_check_deploy_passes_with_preload_on_or_off(tmp_path, preload):
    """What the guide says to run, with what the guide's environment file holds."""
    env = production_env(tmp_path, SECURE_HSTS_PRELOAD=preload)
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_other_deploy_warnings_are_not_silenced(tmp_path):
    env = production_env(tmp_path, SECURE_HSTS_PRELOAD="0", SECURE_HSTS_SECONDS="0")
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode != 0
    assert "security.W004" in done.stdout + done.stderr


def test_redis_calls_give_up_quickly(tmp_path):
    """A hung Redis costs each cache call at most half a second (docs/deploy.md §3)."""
    facts = production_facts(tmp_path, REDIS_URL="redis://127.0.0.1:9/0")
    options = facts["cache_options"]
    assert 0 < options["socket_connect_timeout"] <= 0.5
    assert 0 < options["socket_timeout"] <= 0.5
