"""Jinja2 renders the few hot templates (hundreds of schedule rows): several times
faster than Django's engine for the same markup. Everything else stays Django.

Their words go through Django's own gettext (the i18n extension with Django's
callables), written as ``{{ _("Text") }}`` or ``{{ _("%(day)s ...")|format(day=...) }}``:
``makemessages`` (Django's template reader) finds only that form.
"""

from typing import Any

from django.utils import translation
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
    return env
