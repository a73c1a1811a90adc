"""Django's SQLite backend with two changes.

- `flush` lifts and restores the append-only DELETE triggers. `manage.py flush` (and test teardown) deletes
  every row; PostgreSQL does that with TRUNCATE, which row triggers do not see, while SQLite issues DELETE,
  which the append-only triggers refuse. Flushing the whole database is the one sanctioned exception.
- A database in a file takes a cross-process writer lock (`writer_lock`) before each transaction begins and
  lets it go when the transaction ends, so waiting writers are woken in turn instead of polling.
"""

from django.db.backends.sqlite3 import base, operations

from loopdesk.core.append_only import sqlite_delete_trigger
from loopdesk.core.sqlite.writer_lock import WriterLock

DEFAULT_TIMEOUT = 5.0  # seconds, as Python's sqlite3 module


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
    writer_lock: WriterLock | None = None

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if self.writer_lock is None and not self.is_in_memory_db():
            self.writer_lock = WriterLock(f"{self.settings_dict['NAME']}-writers")
        return conn

    def _start_transaction_under_autocommit(self):
        lock = self.writer_lock
        if lock is not None:
            with self.wrap_database_errors:  # a wait past the time limit is "database is locked", as from SQLite
                lock.acquire(float(self.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT)))
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self.writer_lock is not None:
            self.writer_lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self.writer_lock is not None:
                self.writer_lock.close()
                self.writer_lock = None
