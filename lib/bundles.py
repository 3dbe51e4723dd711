"""Each public page's one stylesheet and one script, joined from their sources (issue 17:
on a phone 150 ms away, a page that waited for three stylesheets and four scripts spent
its first second on requests, not on the schedule).

The sources under static/css and static/js are the files to edit. The bundles are not
kept in git: ``BundleFinder`` (a staticfiles finder) writes them under BUNDLES_ROOT from
their sources, whenever a source has changed, and offers them as ``bundles/<name>``,
so ``collectstatic`` copies (and hashes and compresses) them with the other static files
and the development server serves them, with no build step of its own.
"""

import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.files.storage import FileSystemStorage

STATIC = Path(__file__).resolve().parents[1] / "static"
PREFIX = "bundles"

VISITOR_CSS = ["css/bootstrap-lineup.min.css", "css/lineup.css", "css/visitor.css"]
# Every page's stylesheet (templates/base.html); the embed adds its own rules.
# The script of event pages: local times, offline copies (only where the script tag
# names the service worker), stars, "now"/"next" and the agenda; it fetches htmx (the
# live filters) after the page has loaded.
BUNDLES = {
    "lineup.css": VISITOR_CSS,
    "lineup-embed.css": [*VISITOR_CSS, "css/embed.css"],
    "lineup.js": ["js/localtime.js", "js/offline.js", "js/lineup.js"],
}
COMMENT = re.compile(r"/\*(?!!).*?\*/", re.DOTALL)


def _css(name: str, text: str) -> str:
    if name.endswith(".min.css"):
        return text.strip()
    text = COMMENT.sub("", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def build() -> dict[str, str]:
    """Each bundle's text, by file name: plain concatenations (comments and indentation
    of Lineup's own CSS dropped)."""
    out = {}
    for name, sources in BUNDLES.items():
        parts = []
        for source in sources:
            text = (STATIC / source).read_text()
            if name.endswith(".css"):
                parts.append(_css(source, text))
            else:  # each file ends its own statements; ";" guards one that does not
                parts.append(text.strip() + "\n;")
        head = f"/* Built by lib/bundles.py from {', '.join(sources)}. */"
        out[name] = "\n".join([head, *parts]) + "\n"
    return out


def _signature() -> tuple:
    sources = sorted({s for names in BUNDLES.values() for s in names})
    return tuple((s, os.stat(STATIC / s).st_mtime_ns) for s in sources)


class BundleFinder(BaseFinder):
    """Finds ``bundles/<name>``, written from the sources when they have changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Path(settings.BUNDLES_ROOT)
        self.storage = FileSystemStorage(location=self.root)
        self._built: tuple | None = None

    def _write(self) -> None:
        signature = _signature()
        if signature == self._built:
            return
        target = self.root / PREFIX
        target.mkdir(parents=True, exist_ok=True)
        for name, text in build().items():
            path = target / name
            if path.exists() and path.read_text() == text:
                continue
            # Atomic: another process (a test worker, a second server) may read it now.
            handle, temporary = tempfile.mkstemp(dir=target, prefix=f".{name}.")
            with os.fdopen(handle, "w") as out:
                out.write(text)
            os.replace(temporary, path)
        self._built = signature

    def find(self, path, find_all=False, **kwargs):
        prefix, _, name = path.partition("/")
        if prefix != PREFIX or name not in BUNDLES:
            return []
        self._write()
        found = str(self.root / PREFIX / name)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        self._write()
        for name in BUNDLES:
            path = f"{PREFIX}/{name}"
            if not matches_patterns(path, ignore_patterns or []):
                yield path, self.storage
