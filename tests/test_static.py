"""Static files that are built from others stay in step with their sources."""

import os
import time
from pathlib import Path

from django.contrib.staticfiles import finders

from lib import bundles
from scripts.trim_bootstrap import TARGET, build


def test_trimmed_bootstrap_is_current():
    """A Bootstrap class new in a template needs `python scripts/trim_bootstrap.py`."""
    assert TARGET.read_text() == build()


def test_bundles_are_built_from_their_sources_not_kept():
    """static/bundles/ is not in git: the finder writes each bundle from its sources
    (so collectstatic and the development server have them), afresh after an edit."""
    assert not (bundles.STATIC / "bundles").exists()
    built = bundles.build()
    assert sorted(built) == ["lineup-embed.css", "lineup.css", "lineup.js"]
    for name, text in built.items():
        found = finders.find(f"bundles/{name}")
        assert found and Path(found).read_text() == text, name
    assert ".btn-star" in built["lineup.css"] and ".time-switch" in built["lineup.css"]
    assert "serviceWorker" in built["lineup.js"] and "Intl.DateTimeFormat" in built["lineup.js"]
    listed = [path for finder in finders.get_finders() for path, _ in finder.list([])]
    assert sorted(p for p in listed if p.startswith("bundles/")) == [
        "bundles/lineup-embed.css", "bundles/lineup.css", "bundles/lineup.js",
    ]  # fmt: skip
    assert finders.find("bundles/no-such.css") is None


def test_a_bundle_follows_an_edit_of_its_source(tmp_path, settings, monkeypatch):
    sources = tmp_path / "static"
    for name in {source for names in bundles.BUNDLES.values() for source in names}:
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        (sources / name).write_text((bundles.STATIC / name).read_text())
    monkeypatch.setattr(bundles, "STATIC", sources)
    settings.BUNDLES_ROOT = str(tmp_path / "built")
    finder = bundles.BundleFinder()
    path = Path(finder.find("bundles/lineup.css"))
    assert path.parent == tmp_path / "built" / "bundles"
    assert ".edited-rule" not in path.read_text()
    visitor = sources / "css" / "visitor.css"
    visitor.write_text(visitor.read_text() + "\n.edited-rule { color: red; }\n")
    os.utime(visitor, ns=(time.time_ns() + 10**9,) * 2)  # a later mtime, however coarse
    assert ".edited-rule { color: red; }" in Path(finder.find("bundles/lineup.css")).read_text()
    assert finder.find("bundles/lineup.css", find_all=True) == [str(path)]
    assert finder.find("css/lineup.css") == []  # the sources are the other finders'
