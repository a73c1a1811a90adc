"""Bulk loads on PostgreSQL: the loaded tables' foreign keys dropped while rows are copied in, added back after.

Kept, every copied row queues a deferred check per foreign key that looks up its target and share-locks it: for a
million tickets and four million events, millions of look-ups, and a row lock written to every ticket and to the
few categories, priorities and users over and over. Added back, each key is checked once, by one join over the
table. Everything runs in one transaction, so a failure leaves the keys as they were. SQLite checks its keys
without locks, and the tables keep them there."""

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
