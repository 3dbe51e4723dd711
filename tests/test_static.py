"""Static files that are built from others stay in step with their sources."""

from scripts import build_bundles as bundles
from scripts.trim_bootstrap import TARGET, build


def test_trimmed_bootstrap_is_current():
    """A Bootstrap class new in a template needs `python scripts/trim_bootstrap.py`."""
    assert TARGET.read_text() == build()


def test_bundles_are_current():
    """An edit to a stylesheet or script under static/ needs `python scripts/build_bundles.py`."""
    built = bundles.build()
    assert sorted(built) == sorted(p.name for p in bundles.TARGET.iterdir())
    for name, text in built.items():
        assert (bundles.TARGET / name).read_text() == text, name
