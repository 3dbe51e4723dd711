"""A queryset compiled to SQL once, then run with other values.

Turning a queryset into SQL is the ORM's most expensive step: for the one-row reads of
a public page (its event, one session with its people, one speaker with their
sessions) it took three to five times what the database takes to answer. Their shape
never changes, only a slug or an id does; so each is compiled once per database
connection, with marker values where the request's values go, and each request runs
that SQL with its own values. The rows come back as the queryset would return them
(the ORM's converters applied: dates, JSON, booleans).

Only for querysets whose SQL depends on nothing but the values given (no
``now()``, no settings read while building it).
"""

import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# A marker per argument, of the argument's type, that no real value equals.
_MARKERS: dict[type, Callable[[int], object]] = {
    str: lambda n: f"\x00marker{n}",  # no text column holds a NUL (PostgreSQL refuses it)
    int: lambda n: -8_000_000_000 - n,  # ids are positive
}


class Statement:
    """``Statement(build, str, int)``: ``build(a_str, an_int)`` returns the queryset;
    ``statement.rows("slug", 7)`` its rows for those values, as tuples."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self.build = build
        self.kinds = kinds
        # Per connection (each thread has its own): SQL, where each value goes, compiler.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection) -> tuple:
        markers = [_MARKERS[kind](n) for n, kind in enumerate(self.kinds)]
        compiler = self.build(*markers).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [markers.index(p) if p in markers else None for p in params]
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        return sql, list(params), slots, compiler, converters

    def rows(self, *values) -> list[tuple]:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        sql, params, slots, compiler, converters = compiled
        args = [p if slot is None else values[slot] for p, slot in zip(params, slots, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            found = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in found]
        return [tuple(row) for row in compiler.apply_converters(map(list, found), converters)]
