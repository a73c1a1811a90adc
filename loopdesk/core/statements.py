"""Statements built once per process and run with one value put in: for hot reads whose SQL Django takes longer
to build than the database takes to run (the search index's read of one ticket, the ticket page's sections).

Build the queryset with PLACEHOLDER where the value goes, keep `queryset.query.sql_with_params()` (e.g. under
functools.cache, keyed by the database vendor), then `run` it with the value."""

from __future__ import annotations

from typing import Any

from django.db import connection

PLACEHOLDER = -7_300_000_001  # an id no row has; it stands for the value the statement is run with


def run(statement: tuple[str, tuple], value: Any) -> list[tuple]:
    """The rows of a built statement with `value` wherever the PLACEHOLDER parameter was."""
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if p == PLACEHOLDER else p for p in params])
        return cursor.fetchall()
