"""Jinja2 renders the few hot templates (hundreds of schedule rows): several times
faster than Django's engine for the same markup. Everything else stays Django."""

from jinja2 import Environment, StrictUndefined


def environment(**options) -> Environment:
    options["undefined"] = StrictUndefined
    return Environment(**options)
