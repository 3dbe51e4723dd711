"""Plain parameterised SQL, and querysets compiled to it: the one way hot reads run SQL.

- ``rows(query, params)``: a literal statement with ``%s`` parameters (a list spreads
  into its ``IN %s``), on both databases: the board's few small rows, the people of
  the schedule's sessions. For those the ORM took several times longer to build the
  statement than SQLite or PostgreSQL took to answer it.
- ``columns(queryset)``: a queryset's rows column by column, the ORM's converters
  (dates, UUIDs, JSON, booleans) applied once per distinct value: a start time or a
  room repeats hundreds of times in a schedule.
- ``Statement``: a queryset compiled once per connection with marker values, then run
  with the request's values (a page's event, one session, one speaker); rows as the
  queryset would return them.

All three run their SQL through one cursor call (``_fetch``); ``columns`` and
``Statement`` convert with ``converted``.
"""

import weakref
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Func, QuerySet


def expand(query: str, params: list, *, lock: bool | str = False) -> tuple[str, list]:
    """``query`` and ``params`` with each list in ``params`` spread into its ``IN %s``
    (``IN (NULL)``, which matches nothing, for an empty list). ``lock`` adds FOR UPDATE
    (``OF`` that table alias, when a string) where the database locks rows: SQLite locks
    the whole file for a write transaction instead."""
    pieces = query.split("%s")
    if len(pieces) != len(params) + 1:
        raise ValueError("one parameter per %s")
    text = [pieces[0]]
    values: list = []
    for value, piece in zip(params, pieces[1:], strict=True):
        if isinstance(value, list | tuple | set):
            text.append(f"({', '.join(['%s'] * len(value)) or 'NULL'})")
            values.extend(value)
        else:
            text.append("%s")
            values.append(value)
        text.append(piece)
    if lock and connection.features.has_select_for_update:
        of = (lock,) if isinstance(lock, str) else ()
        text.append(" " + connection.ops.for_update_sql(of=of))
    return "".join(text), values


def rows(query: str, params: list, *, lock: bool | str = False) -> list[tuple]:
    """The rows of one SELECT (see ``expand``), as the database driver gives them."""
    return _fetch(*expand(query, params, lock=lock))


def _fetch(query: str, args: list, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(query, args)
        return cursor.fetchall()


def converted(found: list, converters: dict, using) -> list[list]:
    """The rows ``found`` column by column, each column's converters (from
    ``compiler.get_converters``) applied once per distinct value."""
    if not found:
        return []
    read = [list(column) for column in zip(*found, strict=True)]
    db = connections[using]
    for at, (functions, expression) in converters.items():

        def convert(value, functions=functions, expression=expression):
            for function in functions:
                value = function(value, expression, db)
            return value

        column = read[at]
        try:
            made = {value: convert(value) for value in set(column)}
        except TypeError:  # a value that cannot be a key: convert them all
            read[at] = [convert(value) for value in column]
        else:
            read[at] = [made[value] for value in column]
    return read


class AsStored(Func):
    """A column as the database holds it, to be converted by ``columns`` once per
    distinct value: SQLite's driver otherwise parses every row's date and time (by the
    column's declared type, which an expression does not have). PostgreSQL's driver
    makes its own, in C: there the column is read as it is."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(%(expressions)s || '')"
        return super().as_sql(compiler, connection, template=template, **extra_context)


def _converters(compiler) -> dict:
    return compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])


def columns(queryset: QuerySet) -> list[list]:
    """The values of a ``values_list`` queryset, column by column (converted)."""
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        query, params = compiler.as_sql()
    except EmptyResultSet:  # a filter that matches nothing (``pk__in=[]``): no query
        return [[] for _ in range(compiler.col_count)]
    found = _fetch(query, list(params), queryset.db)
    return converted(found, _converters(compiler), queryset.db) or [
        [] for _ in range(compiler.col_count)
    ]


# A marker per argument, of the argument's type, that no real value equals.
_MARKERS: dict[type, Callable[[int], object]] = {
    str: lambda n: f"\x00marker{n}",  # no text column holds a NUL (PostgreSQL refuses it)
    int: lambda n: -8_000_000_000 - n,  # ids are positive
}


class Statement:
    """``Statement(build, str, int)``: ``build(a_str, an_int)`` returns the queryset;
    ``statement.rows("slug", 7)`` its rows for those values, as tuples.

    Turning a queryset into SQL is the ORM's most expensive step: for the one-row reads
    of a public page it took three to five times what the database takes to answer.
    Their shape never changes, only a slug or an id does. Only for querysets whose SQL
    depends on nothing but the values given (no ``now()``, no settings read while
    building it).
    """

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self.build = build
        self.kinds = kinds
        # Per connection (each thread has its own): SQL, where each value goes, converters.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, db) -> tuple:
        markers = [_MARKERS[kind](n) for n, kind in enumerate(self.kinds)]
        compiler = self.build(*markers).query.get_compiler(connection=db)
        query, params = compiler.as_sql()
        slots = [markers.index(p) if p in markers else None for p in params]
        return query, list(params), slots, _converters(compiler)

    def _run(self, values) -> tuple[list, dict]:
        db = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(db)
        if compiled is None:
            compiled = self._compiled[db] = self._compile(db)
        query, params, slots, converters = compiled
        args = [p if slot is None else values[slot] for p, slot in zip(params, slots, strict=True)]
        return _fetch(query, args), converters

    def rows(self, *values) -> list[tuple]:
        found, converters = self._run(values)
        if not converters:
            return [tuple(row) for row in found]
        return list(zip(*converted(found, converters, DEFAULT_DB_ALIAS), strict=True))

    def columns(self, *values) -> list[list]:
        """Its rows for those values column by column, converted as ``columns`` does
        (no rows: an empty list)."""
        found, converters = self._run(values)
        return converted(found, converters, DEFAULT_DB_ALIAS)
