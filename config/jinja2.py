"""Jinja2 renders every page's chrome (templates/jinja2/base.jinja) and the hot parts
(hundreds of schedule rows, a session's or speaker's page): several times faster than
Django's engine for the same markup. The pages' own bodies are mostly Django templates.

Their words go through Django's own gettext (the i18n extension with Django's
callables), written as ``{{ _("Text") }}`` or ``{{ _("%(day)s ...")|format(day=...) }}``:
``makemessages`` (Django's template reader) finds only that form: a word with a
context is marked here as well (``MARKED_HERE``), a plural stays in a Django template
(the draft preview's banner, through ``django()``).

Each render looks up the active language's catalogue once (``Page``): through Django's
``gettext`` a word cost some thirty calls, and a session's page has forty words.
"""

import datetime as dt
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static as static_url
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import trans_real
from jinja2 import Environment, StrictUndefined, Template


class KeysFirst(Environment):
    """``row.title`` on a dict reads the key first, as Django's templates do.

    Jinja tries the attribute first, and on a dict that fails with an AttributeError
    before the key is read: at several thousand lookups per page of rows (dicts built
    by schedule/display.py), that failing was a third of the rendering time.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class Page(Template):
    """A template whose every render reads its words from the catalogue of the language
    active when it starts (a Django request's, LocaleMiddleware's choice)."""

    def new_context(self, vars=None, shared=False, locals=None):
        if vars is None or "gettext" not in vars:  # not an include's: it has its page's
            catalogue = trans_real.catalog()
            vars = {
                "_": catalogue.gettext,  # not through the i18n extension's alias
                "gettext": catalogue.gettext,
                "ngettext": catalogue.ngettext,
                "pgettext": catalogue.pgettext,
                "LANGUAGE_CODE": translation.get_language(),
                **(vars or {}),
            }
        return super().new_context(vars, shared, locals)


# Words that base.jinja asks for with a context (pgettext), which makemessages does not
# read in a Jinja2 template.
MARKED_HERE = (translation.pgettext_lazy("navigation", "Main"),)


@lru_cache(maxsize=64)
def static(path: str) -> str:
    """A static file's URL (its hashed name without DEBUG): looked up once per process,
    whose files and their manifest do not change while it runs."""
    return static_url(path)


@lru_cache(maxsize=64)
def _url(name: str, prefix: str) -> str:
    return reverse(name)


def url(name: str) -> str:
    """The URL of a route without arguments, reversed once per process."""
    return _url(name, get_script_prefix())


def stamp(moment: dt.datetime) -> str:
    """Seconds and microseconds of a moment, as Django's ``date:"U.u"`` writes them."""
    return f"{int(moment.timestamp())}.{moment.microsecond:06d}"


def django(template: str, **context) -> SafeString:
    """A Django template's output, for the rare part kept in Django (plurals, contexts)."""
    return mark_safe(render_to_string(template, context))  # noqa: S308 - Django escaped it


def environment(**options) -> Environment:
    options["undefined"] = StrictUndefined
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.i18n"]
    env = KeysFirst(autoescape=options.pop("autoescape", True), **options)
    env.template_class = Page
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext,
        translation.ngettext,
        newstyle=False,  # {{ _("%(x)s")|format(x=...) }}: makemessages reads only _("...")
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )

    env.globals.update(
        static=static,
        url=url,
        django=django,
        # Each language named in its own tongue (the switch in the footer).
        LANGUAGES=[
            (code, capfirst(translation.get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
        ],
    )
    env.filters["stamp"] = stamp
    return env
