"""What the database holds of a table's schema, for tests of code that drops and remakes indexes and keys."""

from __future__ import annotations

from django.db import connection


def index_definitions(*tables: str) -> list[tuple[str, str, str | None]]:
    """(table, index, the statement that makes it) for every index of these tables, constraints' own included (on
    SQLite those have no statement)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
                [list(tables)],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
                "ORDER BY 1, 2",
                list(tables),
            )
        return cursor.fetchall()


def foreign_key_definitions(*tables: str) -> list[tuple[str, str, str]]:
    """PostgreSQL: (table, constraint, definition) of these tables' foreign keys."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(tables)],
        )
        return cursor.fetchall()
