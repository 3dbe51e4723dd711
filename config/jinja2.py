"""Jinja2 renders the few hot templates (hundreds of schedule rows): several times
faster than Django's engine for the same markup. Everything else stays Django.

Their words go through Django's own gettext (the i18n extension with Django's
callables), written as ``{{ _("Text") }}`` or ``{{ _("%(day)s ...")|format(day=...) }}``:
``makemessages`` (Django's template reader) finds only that form.
"""

from django.utils import translation
from jinja2 import Environment, StrictUndefined


def environment(**options) -> Environment:
    options["undefined"] = StrictUndefined
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.i18n"]
    env = Environment(autoescape=options.pop("autoescape", True), **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext,
        translation.ngettext,
        newstyle=False,  # {{ _("%(x)s")|format(x=...) }}: makemessages reads only _("...")
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    return env
