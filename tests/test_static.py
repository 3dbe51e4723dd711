"""Static files that are built from others stay in step with their sources."""

from scripts.trim_bootstrap import TARGET, build


def test_trimmed_bootstrap_is_current():
    """A Bootstrap class new in a template needs `python scripts/trim_bootstrap.py`."""
    assert TARGET.read_text() == build()
