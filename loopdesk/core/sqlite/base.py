"""SQLite backend whose `flush` lifts and restores the append-only DELETE triggers.

`manage.py flush` (and test teardown) deletes every row; PostgreSQL does that with TRUNCATE, which row
triggers do not see, while SQLite issues DELETE, which the append-only triggers refuse. Flushing the
whole database is the one sanctioned exception on both engines.
"""

from django.db.backends.sqlite3 import base, operations

from loopdesk.core.append_only import sqlite_delete_trigger


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type='trigger' AND name LIKE '%\\_no\\_delete' ESCAPE '\\'"
            )
            guarded = [row[0] for row in cursor.fetchall() if row[0] in tables]
        drops = [f"DROP TRIGGER IF EXISTS {table}_no_delete" for table in guarded]
        return drops + statements + [sqlite_delete_trigger(table) for table in guarded]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
