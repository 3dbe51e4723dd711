import pytest
from django.conf import settings
from django.core.cache import cache

# WhiteNoise warns (an error here) when STATIC_ROOT does not exist yet.
settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


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
