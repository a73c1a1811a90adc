"""Bulk loads: the loaded tables' secondary indexes (both databases) and foreign keys (PostgreSQL) dropped while
rows are copied in, made again after.

Kept, every copied row queues a deferred check per foreign key that looks up its target and share-locks it: for a
million tickets and four million events, millions of look-ups, and a row lock written to every ticket and to the
few categories, priorities and users over and over. Added back, each key is checked once, by one join over the
table. Likewise an index is built once from all the rows, sorted, faster than a million insertions in random
order into a tree larger than the buffer cache. Everything runs in one transaction, so a failure leaves the keys
and indexes as they were. SQLite checks its keys without locks, and the tables keep them there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction


@contextmanager
def _ddl_allowed(cursor) -> Iterator[None]:
    """PostgreSQL refuses DDL on a table with deferred checks pending: run them first, defer again after (Django's
    default). SQLite has no deferred checks to run."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def foreign_keys_dropped(*tables: type[models.Model]) -> Iterator[None]:
    """Within one transaction: drop the tables' own foreign keys, run the body, add them back (checked)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        again = []
        with _ddl_allowed(cursor):
            for model in tables:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    again.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        yield
        with _ddl_allowed(cursor):
            for sql in again:
                cursor.execute(sql)


# Memory for building an index on PostgreSQL (its default is 64 MB). A GIN index of a million documents took as
# long with 1 GB as with 256 MB (214 s and 222 s): building is bound by the processor, not by memory.
INDEX_BUILD_MEMORY = "256MB"


def _droppable_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, the statement that makes it) of each index of `table` that backs no constraint."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            [table],
        )
    else:  # an index SQLite made for a UNIQUE or PRIMARY KEY constraint has no SQL
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
            "ORDER BY name",
            [table],
        )
    return cursor.fetchall()


@contextmanager
def indexes_dropped(*tables: type[models.Model]) -> Iterator[None]:
    """Within one transaction: drop the tables' indexes that back no constraint, run the body, make them again.

    On both databases: SQLite, too, builds an index from sorted rows faster than it inserts row by row."""
    with transaction.atomic(), connection.cursor() as cursor:
        again = []
        with _ddl_allowed(cursor):
            for model in tables:
                for name, definition in _droppable_indexes(cursor, model._meta.db_table):
                    cursor.execute(f'DROP INDEX "{name}"')
                    again.append(definition)
        yield
        with _ddl_allowed(cursor):
            if connection.vendor == "postgresql":  # lasts to the end of the outermost transaction
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
            for sql in again:
                cursor.execute(sql)
