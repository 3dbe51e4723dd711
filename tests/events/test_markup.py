"""Markdown to safe HTML (lib/markup.py), checked by parsing the output."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.markup import ALLOWED_TAGS, plain_text, render_markdown

SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}
# What a browser ignores in a URL before looking for its scheme.
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


class Collector(HTMLParser):
    """Every start tag with its attributes (entities already decoded by the parser)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in this URL, or None for a relative URL."""
    cleaned = _IGNORED_IN_URL.sub("", value).lstrip("".join(map(chr, range(0x21))))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def unsafe_parts(html: str) -> list[str]:
    """Everything in the HTML that could run script or load something hostile."""
    found = parse(html)
    problems = [f"tag <{tag}>" for tag in found.tags if tag not in ALLOWED_TAGS]
    for tag, name, value in found.attributes:
        if name.startswith("on"):
            problems.append(f"handler {name} on <{tag}>")
        if name in {"style", "srcdoc", "formaction"}:
            problems.append(f"attribute {name} on <{tag}>")
        if name in URL_ATTRIBUTES:
            scheme = url_scheme(value)
            if scheme is not None and scheme not in SAFE_SCHEMES:
                problems.append(f"{scheme}: URL in {name} of <{tag}>")
    return problems


def hrefs(html: str) -> list[str]:
    return [value for _, name, value in parse(html).attributes if name == "href"]


# --- what organizers paste survives -------------------------------------------------


def test_links_and_lists_survive():
    html = render_markdown(
        'Read [the docs](https://example.org/docs "Docs") or '
        "[mail us](mailto:team@example.org).\n\n"
        "- first\n- second\n\n1. one\n2. two\n\n"
        "**bold** *italic* `code`\n\n> quoted"
    )
    found = parse(html)
    assert {"a", "ul", "ol", "li", "strong", "em", "code", "blockquote", "p"} <= set(found.tags)
    assert hrefs(html) == ["https://example.org/docs", "mailto:team@example.org"]
    assert ("a", "title", "Docs") in found.attributes
    assert found.tags.count("li") == 4
    assert unsafe_parts(html) == []


def test_links_get_a_safe_rel():
    html = render_markdown("<https://example.org>")
    rels = [value for tag, name, value in parse(html).attributes if name == "rel"]
    assert rels and set(rels[0].split()) >= {"nofollow", "noopener", "noreferrer"}


def test_relative_and_http_links_are_kept():
    html = render_markdown("[talks](/conf/schedule/) and [old](http://example.org)")
    assert hrefs(html) == ["/conf/schedule/", "http://example.org"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n", None])
def test_empty_text_renders_as_nothing(text):
    assert render_markdown(text) == ""


# --- nothing that runs survives ---------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//>",
    '<a href="https://example.org" onclick="alert(1)">click</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#9;ascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![img](javascript:alert(1))",
    '![img](https://example.org/a.png" onerror="alert(1))',
    "<javascript:alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>body{background:red}</style>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<a href="https://example.org" style="color:red" target="_top">x</a>',
    '"><script>alert(1)</script>',
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_neutralized(text):
    html = render_markdown(text)
    assert unsafe_parts(html) == [], html
    for href in hrefs(html):
        assert url_scheme(href) in SAFE_SCHEMES | {None}, href
        assert "script" not in _IGNORED_IN_URL.sub("", href).lower()


def test_obfuscated_javascript_links_keep_their_text_but_lose_the_href():
    for text in ["[x](javascript:alert(1))", '<a href="jav&#x09;ascript:alert(1)">x</a>']:
        html = render_markdown(text)
        assert parse(html).tags == ["p", "a"]
        assert hrefs(html) == []
        assert "".join(parse(html).text) == "x"


def test_code_blocks_show_markup_as_text():
    for text in ["`<script>alert(1)</script>`", "Code:\n\n    <script>alert(1)</script>"]:
        found = parse(render_markdown(text))
        assert "script" not in found.tags
        assert "code" in found.tags
        # The parser decodes the escaped text: the visitor reads the markup, it does not run.
        assert "<script>alert(1)</script>" in "".join(found.text)


def test_the_url_scheme_helper_sees_what_a_browser_sees():
    assert url_scheme("java\tscript:alert(1)") == "javascript"
    assert url_scheme("  JAVASCRIPT:alert(1)") == "javascript"
    assert url_scheme("https://example.org") == "https"
    assert url_scheme("/relative:path") is None
    assert set(unsafe_parts('<a href="java&#x09;script:x" onclick="y">a</a><script></script>')) == {
        "tag <script>",
        "handler onclick on <a>",
        "javascript: URL in href of <a>",
    }


def test_plain_text_drops_markup_and_keeps_words():
    source = "**Hello** <script>alert(1)</script> [there](https://x.org) &amp; you"
    assert plain_text(render_markdown(source)) in {
        "Hello there & you",
        "Hello alert(1) there & you",
    }
    assert "<" not in plain_text(render_markdown("<b>bold</b> and <i>italic</i>"))
    assert plain_text(render_markdown("One.\n\nTwo *three*.")) == "One. Two three."


# --- property: whatever the text, the output is safe ----------------------------------

FRAGMENTS = [
    *HOSTILE,
    "<", ">", '"', "'", "=", "&", "&#", "&#x", ";", ":", "(", ")", "[", "]", "!", "`", "*",
    "\n", "\n\n", "\t", " ", "\x00", "\x0b", "\x0c", "\u2028", "\ufeff",
    "javascript", "JaVaScRiPt", "data", "vbscript", "&colon;", "&#58;", "&#x3a;", "&Tab;",
    "&NewLine;", "on", "onerror", "onclick=", "href=", "src=", "<a ", "<img ", "<svg ",
    "</a>", "<p>", "</p>", "<!--", "-->", "<![CDATA[", "]]>", "- ", "1. ", "> ", "    ",
    "https://example.org", "mailto:x@example.org", "[x](", "](", "<http:", "<javascript:",
]  # fmt: skip


hostile_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(max_size=12),
        st.text(alphabet="<>\"'=&#;:/ ()[]!`-*\\abcdefijlnoprstvx0123456789", max_size=20),
    ),
    max_size=25,
).map("".join)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(hostile_text)
def test_property_no_hostile_markup_ever_survives(text):
    html = render_markdown(text)
    assert unsafe_parts(html) == [], (text, html)
    for _tag, name, value in parse(html).attributes:
        assert not name.startswith("on")
        if name == "href":
            assert url_scheme(value) in SAFE_SCHEMES | {None}, (text, html)
