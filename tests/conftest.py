import os

import pytest
from django.conf import settings
from django.core.cache import cache

# WhiteNoise warns (an error here) when STATIC_ROOT does not exist yet.
settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The fixtures through which a test reaches the database (pytest-django's).
DATABASE_FIXTURES = {
    "db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
    "live_server",
}  # fmt: skip


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="leave out the tests that never touch the database (make test-postgres)",
    )


def pytest_collection_modifyitems(config, items):
    """``--database-tests-only``: the PostgreSQL suite leaves out the tests that never
    touch the database (settings, static files, translations, pure functions). The SQLite
    suite runs them, and a second database has nothing to add: some 130 tests and a minute
    of CPU in ``make test``, which runs both suites side by side on two cores."""
    if not config.getoption("--database-tests-only"):
        return
    kept, left = [], []
    for item in items:
        uses = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames)
        (kept if uses else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path, request):
    """Every test writes media to its own folder and starts with an empty cache.

    Also: an existing STATIC_ROOT (WhiteNoise warns, an error here, when it is missing)
    and fast password hashing (many tests create and sign in users) — except for the
    services tests, whose gunicorn workers check passwords with the real settings.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    if request.node.get_closest_marker("services") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _limits_clock(monkeypatch):
    """The request limits count in fixed windows (lib.limits): a test's requests that
    straddled a window's end began a new count and failed at random. Their clock stands
    still, 30 s into a minute, so every test counts within one window."""
    import types

    from lib import limits

    monkeypatch.setattr(limits, "time", types.SimpleNamespace(time=lambda: 1_900_000_030.0))


@pytest.fixture
def cast(conf):
    """The fixed permission cast (tests/factories.py) of the folder's ``conf.event``: its
    owner and editor, an organizer of another event (``conf.other`` where the folder's
    conference has one) and a signed-in visitor."""
    from tests.factories import make_cast

    return make_cast(conf.event, getattr(conf, "other", None))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (browser tests in any folder share it).

    Playwright's sync API keeps an asyncio loop registered as running in this thread
    from ``start()`` to ``stop()``, and Django's ORM refuses to run where a loop is
    running. Everything here is synchronous, so Django's async-safety check is relaxed
    for exactly that stretch (which, the fixture being session-scoped, lasts until the
    end of the run: tests collected after these ones need it too).
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
