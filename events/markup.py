"""Markdown for abstracts, bios and descriptions: rendered once on save, then sanitized.

Organizers paste links and lists; nothing they paste may run in a visitor's browser.
nh3 keeps an allow-list of tags, attributes and URL schemes, so ``javascript:``,
``data:`` and their obfuscated spellings never survive.
"""

import html

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr",
    "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Return safe HTML for a Markdown text (raw HTML in it is sanitized too)."""
    if not text or not text.strip():
        return ""
    rendered = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def plain_text(text: str) -> str:
    """Markdown reduced to its words, for calendar descriptions and excerpts."""
    if not text:
        return ""
    rendered = markdown.markdown(text, output_format="html")
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())
