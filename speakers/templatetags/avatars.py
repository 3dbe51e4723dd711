"""A speaker's picture, or their initials: a tag, not an include, because the directory
shows sixty at once and an include cost more than the rest of each entry."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def avatar(speaker, size: str = "md") -> str:
    """The thumbnail (64 px) or, with ``size="lg"``, the full picture (160 px)."""
    if not speaker.avatar_thumb:
        return format_html(
            '<span class="avatar avatar-initials avatar-{}" aria-hidden="true">{}</span>',
            size,
            speaker.initials,
        )
    picture, width = (speaker.avatar, 160) if size == "lg" else (speaker.avatar_thumb, 64)
    return format_html(
        '<img class="avatar avatar-{}" src="{}" alt="" width="{}" height="{}" loading="lazy">',
        size,
        picture.url,
        width,
        width,
    )
