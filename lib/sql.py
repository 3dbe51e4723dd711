"""Plain parameterised SQL for the few hot statements of a board move.

A move reads a handful of small rows; for those the ORM took several times longer to
build each statement than SQLite or PostgreSQL took to answer it. Each statement is one
literal string with ``%s`` parameters, and runs on both databases.
"""

from django.db import connection


def expand(query: str, params: list) -> tuple[str, list]:
    """``query`` and ``params`` with each list in ``params`` spread into its ``IN %s``
    (``IN (NULL)``, which matches nothing, for an empty list)."""
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
    return "".join(text), values


def rows(query: str, params: list, *, lock: bool = False) -> list[tuple]:
    """The rows of one SELECT (see ``expand``); ``lock`` adds FOR UPDATE where the
    database locks rows (SQLite locks the whole file for a write transaction instead)."""
    query, params = expand(query, params)
    if lock and connection.features.has_select_for_update:
        query += " " + connection.ops.for_update_sql()
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()
