"""Reading pages in tests through Django's own test HTML parser (it also rejects end tags
that close nothing, so every parsed page is at least well nested)."""

import re

from django.test.html import Element, RootElement, parse_html


def dom(response) -> Element:
    document = parse_html(response.content.decode())
    if not isinstance(document, RootElement):  # a fragment of one element
        root = RootElement()
        root.append(document)
        document = root
    return document


def attr(element: Element, name: str) -> str | None:
    return dict(element.attributes).get(name)


def find_all(node: Element, tag: str | None = None, cls: str | None = None, **attrs):
    """Elements under ``node`` (depth first) by tag, one CSS class, attribute values
    (``data_x="1"`` matches ``data-x="1"``)."""
    found = []
    for child in node.children:
        if isinstance(child, str):
            continue
        values = dict(child.attributes)
        if (
            (tag is None or child.name == tag)
            and (cls is None or cls in (values.get("class") or "").split())
            and all(values.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ):
            found.append(child)
        found.extend(find_all(child, tag, cls, **attrs))
    return found


def find(node: Element, tag: str | None = None, cls: str | None = None, **attrs):
    found = find_all(node, tag, cls, **attrs)
    assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
    return found[0]


def text(node) -> str:
    if isinstance(node, str):
        return node
    joined = " ".join(" ".join(text(child) for child in node.children).split())
    return re.sub(r" ([,.;:])", r"\1", joined)  # "<time>May 6</time>, 2030"


def meta(node: Element) -> dict[str, str]:
    """<meta property|name=… content=…> as a dict."""
    return {
        attr(m, "property") or attr(m, "name"): attr(m, "content")
        for m in find_all(node, "meta")
        if attr(m, "property") or attr(m, "name")
    }
