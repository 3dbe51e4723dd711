"""Jinja2 renders every page's chrome (templates/jinja2/base.jinja) and the hot parts
(hundreds of schedule rows, a session's or speaker's page): several times faster than
Django's engine for the same markup. The pages' own bodies are mostly Django templates.

Their words go through Django's own gettext (the i18n extension with Django's
callables), written as ``{{ _("Text") }}`` or ``{{ _("%(day)s ...")|format(day=...) }}``:
``makemessages`` (Django's template reader) finds only that form, so a word with a
context or a plural is handed in from Python (``MAIN_NAVIGATION``) or stays in a Django
template (the draft preview's banner, through ``django()``).
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
from jinja2 import Environment, StrictUndefined


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


@lru_cache(maxsize=64)
def _static(path: str, base: str, debug: bool) -> str:
    return static_url(path)


def static(path: str) -> str:
    """A static file's URL (its hashed name without DEBUG): looked up once per process."""
    return _static(path, settings.STATIC_URL, settings.DEBUG)


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
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext,
        translation.ngettext,
        newstyle=False,  # {{ _("%(x)s")|format(x=...) }}: makemessages reads only _("...")
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )

    def chrome(name: str):
        """A macro of includes/chrome.jinja, callable from templates and Python."""
        return lambda *args: getattr(env.get_template("includes/chrome.jinja").module, name)(*args)

    env.globals.update(
        static=static,
        url=url,
        django=django,
        get_language=translation.get_language,
        # Each language named in its own tongue (the switch in the footer).
        LANGUAGES=[
            (code, capfirst(translation.get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
        ],
        MAIN_NAVIGATION=translation.pgettext_lazy("navigation", "Main"),
        time_switch=chrome("time_switch"),
        language_switch=chrome("language_switch"),
    )
    env.filters["stamp"] = stamp
    return env
