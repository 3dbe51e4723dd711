"""A speaker's picture, or their initials: a tag, not an include, because the directory
shows sixty at once and an include cost more than the rest of each entry."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def avatar(speaker, size: str = "md") -> SafeString:
    """The thumbnail (64 px) or, with ``size="lg"``, the full picture (160 px).
    (``html.escape``: the bytes ``format_html`` wrote, without its lazy-string checks,
    a third of this tag's time on the directory's sixty entries.)"""
    size = escape(size)
    if not speaker.avatar_thumb:
        initials = escape(speaker.initials)
        return mark_safe(  # noqa: S308 - both parts escaped
            f'<span class="avatar avatar-initials avatar-{size}" aria-hidden="true">'
            f"{initials}</span>"
        )
    picture, width = (speaker.avatar, 160) if size == "lg" else (speaker.avatar_thumb, 64)
    url = escape(picture.url)
    return mark_safe(  # noqa: S308 - the size and URL escaped, the width a number
        f'<img class="avatar avatar-{size}" src="{url}" alt="" width="{width}" '
        f'height="{width}" loading="lazy">'
    )
