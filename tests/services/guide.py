"""What docs/deploy.md and README.md say, read by the tests that check them.

The guide uses a few fixed placeholder names (its §1 lists them); the tests replace those
and nothing else, and fail when a placeholder they replace is gone, so a changed guide
is read as changed rather than silently tested in its old form.
"""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
GUIDE = BASE_DIR / "docs" / "deploy.md"
README = BASE_DIR / "README.md"
SERVER_NAME = "schedule.example.org"


def code_blocks(text: str, language: str = "") -> list[str]:
    """The fenced code blocks of Markdown text (indented ones too, unindented), in order."""
    pattern = re.compile(r"^( *)```" + re.escape(language) + r"\n(.*?)^\1```", re.M | re.S)
    blocks = []
    for indent, body in pattern.findall(text):
        lines = [line.removeprefix(indent) for line in body.split("\n")]
        blocks.append("\n".join(lines))
    return blocks


def section(text: str, heading: str) -> str:
    """One section of Markdown text: from ``heading`` to the next heading of its level."""
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n")
    found = re.compile(rf"^{level} ", re.M).search(text, start + len(heading))
    return text[start : found.start() if found else len(text)]


def replace(text: str, old: str, new: str) -> str:
    """``text`` with every ``old`` replaced; ``old`` must be there."""
    assert old in text, f"the guide no longer contains {old!r}: update the test with it"
    return text.replace(old, new)


def nginx_site() -> str:
    """The guide's nginx site file (§7), as written."""
    [site] = [b for b in code_blocks(GUIDE.read_text(), "nginx") if "sites-available/lineup" in b]
    return site


def environment_file() -> dict[str, str]:
    """The variables of the guide's /etc/lineup/env (§4), as written."""
    text = GUIDE.read_text()
    match = re.search(r"sudo tee /etc/lineup/env >/dev/null <<EOF\n(.*?)\nEOF\n", text, re.S)
    assert match, "no /etc/lineup/env in docs/deploy.md"
    variables = {}
    for line in match[1].splitlines():
        name, value = line.split("=", 1)
        variables[name] = value
    return variables
