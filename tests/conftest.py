import pytest
from django.conf import settings
from django.core.cache import cache

# WhiteNoise warns (an error here) when STATIC_ROOT does not exist yet.
settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Every test writes media to its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
