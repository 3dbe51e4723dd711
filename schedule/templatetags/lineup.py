from django import template

from ..agenda import star_button

register = template.Library()


@register.simple_tag(takes_context=True)
def star(context, slug: str, title: str) -> str:
    """An unstarred star button; views personalize it per visitor after caching."""
    return star_button(context["event"].slug, slug, title, False)


@register.inclusion_tag("schedule/includes/star_form.html")
def star_form() -> dict:
    """The one form that a page's star buttons submit; put once, at the end of the page."""
    return {}
