from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ..agenda import star_button

register = template.Library()


@register.simple_tag(takes_context=True)
def star(context, slug: str, title: str) -> str:
    """An unstarred star button; views personalize it per visitor after caching."""
    return star_button(context["event"].slug, slug, title, False)


@register.simple_tag
def star_form() -> SafeString:
    """The one form that a page's star buttons submit; put once, at the end of the page
    (templates/jinja2/schedule/star_form.jinja, which the Jinja2 pages include)."""
    return mark_safe(render_to_string("schedule/star_form.jinja", using="jinja2"))  # noqa: S308
