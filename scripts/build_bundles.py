"""Write static/bundles/: each public page's one stylesheet and one script, joined from
their sources (issue 17: on a phone 150 ms away, a page that waited for three
stylesheets and four scripts spent its first second on requests, not on the schedule).

The sources stay where they are and are the files to edit; the bundles are plain
concatenations (comments and indentation of Lineup's own CSS dropped), committed, so
that no build step runs at install or at request time. Run it after editing a source;
tests/test_static.py fails while a bundle is stale.

    python scripts/build_bundles.py
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
TARGET = STATIC / "bundles"

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
    """Each bundle's text, by file name."""
    out = {}
    for name, sources in BUNDLES.items():
        parts = []
        for source in sources:
            text = (STATIC / source).read_text()
            if name.endswith(".css"):
                parts.append(_css(source, text))
            else:  # each file ends its own statements; ";" guards one that does not
                parts.append(text.strip() + "\n;")
        head = f"/* Built by scripts/build_bundles.py from {', '.join(sources)}. */"
        out[name] = "\n".join([head, *parts]) + "\n"
    return out


if __name__ == "__main__":
    TARGET.mkdir(exist_ok=True)
    for name, text in build().items():
        (TARGET / name).write_text(text)
        print(f"static/bundles/{name}: {len(text.encode()):,} bytes", file=sys.stderr)
