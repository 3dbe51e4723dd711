"""Django templates in the one layout, templates/jinja2/base.jinja.

``templates/base.html`` is ``{% layout %}`` followed by empty blocks: a page that
extends it overrides some of them; ``layout`` renders those with Django and hands them
to the layout (templates/jinja2/django_page.jinja), which keeps its own for the rest.
What follows ``{% layout %}`` outside blocks is not shown, as in a template that extends.
"""

from django import template
from django.template.base import Node, NodeList
from django.template.loader import get_template
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What the layout reads of a Django page's context besides its blocks.
CHROME = ("event", "section", "draft_preview")


class LayoutNode(Node):
    def __init__(self, nodelist: NodeList):
        self.nodelist = nodelist
        self.slots = nodelist.get_nodes_by_type(BlockNode)

    def render(self, context) -> SafeString:
        pages = context.render_context.get(BLOCK_CONTEXT_KEY)
        blocks = {
            slot.name: slot.render(context)
            for slot in self.slots
            if pages is not None and pages.get_block(slot.name) is not slot
        }
        chrome = {name: context.get(name) for name in CHROME}
        layout = get_template("django_page.jinja", using="jinja2")
        return mark_safe(layout.render({**chrome, "blocks": blocks}))  # noqa: S308 - Jinja2 escaped it


@register.tag
def layout(parser, token) -> LayoutNode:
    return LayoutNode(parser.parse())  # the rest of the template


@register.simple_tag(takes_context=True)
def time_switch(context, reserve=False) -> SafeString:
    return _part("includes/time_switch.jinja", event=context["event"], reserve=reserve)


@register.simple_tag
def language_switch() -> SafeString:
    return _part("includes/language_switch.jinja")


def _part(name: str, **context) -> SafeString:
    """A part of the layout (templates/jinja2/includes/) where a Django template puts it."""
    return mark_safe(get_template(name, using="jinja2").render(context))  # noqa: S308 - Jinja2 escaped it
