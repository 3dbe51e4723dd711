from django import template

from ..agenda import STAR_FORM, star_button

register = template.Library()


@register.simple_tag(takes_context=True)
def star(context, slug: str, title: str) -> str:
    """An unstarred star button; views personalize it per visitor after caching."""
    return star_button(context["event"].slug, slug, title, False)


@register.simple_tag
def star_form() -> str:
    """The one form that a page's star buttons submit; put once, at the end of the page."""
    return STAR_FORM
