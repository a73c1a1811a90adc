"""Bulk loads on PostgreSQL: the loaded tables' foreign keys and secondary indexes dropped while rows are copied
in, made again after.

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
def foreign_keys_dropped(*tables: type[models.Model]) -> Iterator[None]:
    """Within one transaction: drop the tables' own foreign keys, run the body, add them back (checked)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no DDL on a table with checks still pending
        again = []
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
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default, for the body
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in again:
            cursor.execute(sql)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# Memory for building an index: a GIN index of a million documents collects its entries in memory and writes them
# out each time this fills; at 256 MB that took 257 s (search_document, 1,000,000 tickets).
INDEX_BUILD_MEMORY = "1GB"


@contextmanager
def indexes_dropped(*tables: type[models.Model]) -> Iterator[None]:
    """Within one transaction: drop the tables' indexes that back no constraint, run the body, make them again."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as above: no DDL with checks pending
        again = []
        for model in tables:
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                again.append(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        for sql in again:
            cursor.execute(sql)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
