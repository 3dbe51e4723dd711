"""Write static/css/bootstrap-lineup.min.css: vendored Bootstrap without the rules that
no Lineup page can match (issue 17: a first visit on a phone waited for 23 KB of CSS,
most of it for components Lineup never shows).

A rule is kept when one of its selectors names only classes that appear somewhere in
the public pages' sources (templates, their JavaScript, the Python that writes markup,
crispy-bootstrap5's form templates): over-keeping is harmless, dropping a used rule is
not. Classes inside ``:not(...)`` do not count (such a rule matches without them), and
dark-theme rules go (no page sets ``data-bs-theme``). Run it after adding a Bootstrap
class to a template; tests/test_static.py fails while the file is stale.

    python scripts/trim_bootstrap.py
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.min.css"
TARGET = ROOT / "static" / "css" / "bootstrap-lineup.min.css"
SOURCES = [
    ("templates", ("*.html", "*.jinja")),
    ("static/js", ("*.js",)),
    *((app, ("*.py",)) for app in ("config", "events", "lib", "schedule", "speakers")),
]
NESTING = ("@media", "@supports", "@container", "@layer")
CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
NOT = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")


def used_words() -> set[str]:
    words: set[str] = set()
    folders = [ROOT / folder for folder, _ in SOURCES]
    try:
        import crispy_bootstrap5

        folders.append(Path(crispy_bootstrap5.__file__).parent / "templates")
    except ImportError:  # pragma: no cover - a dependency of the project
        pass
    patterns = {ROOT / folder: globs for folder, globs in SOURCES}
    for folder in folders:
        for pattern in patterns.get(folder, ("*.html",)):
            for path in folder.rglob(pattern):
                if "vendor" not in path.parts and "migrations" not in path.parts:
                    words.update(re.findall(r"[\w-]+", path.read_text(errors="replace")))
    return words


def _split(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside brackets and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote and text[i - 1] != "\\" else quote
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _block(css: str, i: int) -> int:
    """The index just after the ``}`` that closes the block opened before ``i``."""
    depth, quote = 1, ""
    while depth:
        c = css[i]
        if quote:
            quote = "" if c == quote and css[i - 1] != "\\" else quote
        elif c in "\"'":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    return i


def trim(css: str, words: set[str]) -> str:
    out, i = [], 0
    while i < len(css):
        if css.startswith("/*", i):
            end = css.index("*/", i) + 2
            if css.startswith("/*!", i):
                out.append(css[i:end])  # the licence
            i = end
            continue
        brace = css.find("{", i)
        semi = css.find(";", i)
        if brace == -1:
            break
        if css[i] == "@" and semi != -1 and semi < brace:  # @charset, @import
            out.append(css[i : semi + 1])
            i = semi + 1
            continue
        head = css[i:brace].strip()
        end = _block(css, brace + 1)
        body = css[brace + 1 : end - 1]
        if head.startswith(NESTING):
            inner = trim(body, words)
            if inner:
                out.append(f"{head}{{{inner}}}")
        elif head.startswith("@"):
            out.append(f"{head}{{{body}}}")  # keyframes, font faces: filtered below
        else:
            kept = [s for s in _split(head, ",") if _matchable(s, words)]
            if kept:
                out.append(f"{','.join(kept)}{{{body}}}")
        i = end
    return "".join(out)


def _matchable(selector: str, words: set[str]) -> bool:
    if "data-bs-theme" in selector:
        return False
    return all(name in words for name in CLASS.findall(NOT.sub("", selector)))


def unused_keyframes(css: str) -> str:
    """Drop @keyframes that no kept rule names."""
    rest = re.sub(r"@keyframes [\w-]+\{(?:[^{}]|\{[^{}]*\})*\}", "", css)
    return re.sub(
        r"@keyframes ([\w-]+)\{(?:[^{}]|\{[^{}]*\})*\}",
        lambda m: m.group(0) if m.group(1) in rest else "",
        css,
    )


def build() -> str:
    source = SOURCE.read_text()
    trimmed = unused_keyframes(trim(source, used_words()))
    return trimmed.replace("/*!", "/*! Trimmed for Lineup by scripts/trim_bootstrap.py.", 1) + "\n"


if __name__ == "__main__":
    TARGET.write_text(build())
    before, after = len(SOURCE.read_bytes()), len(TARGET.read_bytes())
    print(f"{TARGET.relative_to(ROOT)}: {after:,} bytes (from {before:,})", file=sys.stderr)
