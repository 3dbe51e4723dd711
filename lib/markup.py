"""Markdown for abstracts, bios and descriptions: rendered once on save, then sanitized.

Organizers paste links and lists; nothing they paste may run in a visitor's browser.
nh3 keeps an allow-list of tags, attributes and URL schemes, so ``javascript:``,
``data:`` and their obfuscated spellings never survive.

markdown-it-py (CommonMark) renders in time linear in the text: Python-Markdown took
40 s for 20,000 "[" (its link patterns rescan the rest of the text at each bracket),
so an abstract could stall a worker past its timeout.
"""

import html
import re
from functools import cache

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
BLOCK_TAG_RE = re.compile(r"<\s*/?\s*(?:p|br|li|ul|ol|h[1-6]|blockquote|pre|hr)\b[^>]*>", re.I)
TAG_RE = re.compile(r"<[^>]*>")
# The longest text formatted as Markdown (an abstract or a bio is rarely 5,000).
MAX_MARKDOWN_CHARS = 20_000


@cache
def _markdown():
    """CommonMark, raw HTML allowed through to nh3 (which keeps only the tags above).
    Links are judged by nh3 alone, one rule for Markdown and HTML links: every link
    becomes an <a>, as written (not percent-encoded, so an obfuscated scheme is still
    seen as one), and nh3 drops an href whose scheme it does not allow, keeping the text.

    Made on first use: text is rendered when it is saved, so a worker that only serves
    pages never loads the parser (some 4 MB)."""
    from markdown_it import MarkdownIt

    class AsWritten(MarkdownIt):
        def validateLink(self, url: str) -> bool:
            return True

        def normalizeLink(self, url: str) -> str:
            return url

    return AsWritten("commonmark")


def render_markdown(text: str) -> str:
    """Return safe HTML for a Markdown text (raw HTML in it is sanitized too).

    A text longer than MAX_MARKDOWN_CHARS is shown as plain paragraphs, unformatted: even
    linear, pure-Python Markdown takes seconds on hostile text of that size. Forms and
    the API refuse such texts, and say so; this is the bound for what comes otherwise.
    """
    if not text or not text.strip():
        return ""
    if len(text) > MAX_MARKDOWN_CHARS:
        paragraphs = (html.escape(part.strip()) for part in text.split("\n\n"))
        rendered = "".join(f"<p>{part}</p>" for part in paragraphs if part)
    else:
        rendered = _markdown().render(text).strip()
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def plain_text(rendered: str) -> str:
    """The words of HTML made by ``render_markdown``, for calendar descriptions and
    excerpts. Cheap (no Markdown parsing), so views can call it on every row."""
    if not rendered:
        return ""
    spaced = BLOCK_TAG_RE.sub(" ", rendered)
    return " ".join(html.unescape(TAG_RE.sub("", spaced)).split())
