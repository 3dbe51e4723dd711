"""Plain parameterised SQL for the few hot statements of a board move.

A move reads a handful of small rows; for those the ORM took several times longer to
build each statement than SQLite or PostgreSQL took to answer it. Each statement is one
literal string with ``%s`` parameters, and runs on both databases.
"""

from django.db import connection


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
    """The rows of one SELECT (see ``expand``)."""
    with connection.cursor() as cursor:
        cursor.execute(*expand(query, params, lock=lock))
        return cursor.fetchall()
