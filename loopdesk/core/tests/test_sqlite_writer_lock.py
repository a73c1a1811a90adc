"""The SQLite writer lock: a transaction holds it from BEGIN to COMMIT/ROLLBACK, waiters get it in turn, and a
wait past the time limit fails like SQLite's own "database is locked" without leaving the lock taken."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connections, transaction

from loopdesk.core.sqlite.base import DatabaseWrapper


@pytest.fixture
def database(tmp_path, django_db_blocker):
    path = tmp_path / "lock.sqlite3"
    with django_db_blocker.unblock():
        yield path


def _settings(path, timeout: float) -> dict:
    return dict(
        connections["default"].settings_dict,
        ENGINE="loopdesk.core.sqlite",
        NAME=str(path),
        OPTIONS={"timeout": timeout, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
    )


@contextmanager
def open_connection(path, *, timeout: float = 20, alias: str = "lock_test"):
    """A connection of our backend under its own alias, for this thread."""
    connections[alias] = DatabaseWrapper(_settings(path, timeout), alias=alias)
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS counter (n INTEGER)")
        yield connections[alias]
    finally:
        connections[alias].close()


def lock_is_free(path) -> bool:
    fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing lets go of a lock taken here
    return True


def test_a_transaction_holds_the_lock_until_it_commits_or_rolls_back(database):
    with open_connection(database) as conn:
        assert lock_is_free(database)
        with transaction.atomic(using="lock_test"), conn.cursor() as cursor:
            cursor.execute("INSERT INTO counter VALUES (1)")
            assert not lock_is_free(database)
        assert lock_is_free(database)
        with pytest.raises(ZeroDivisionError), transaction.atomic(using="lock_test"):
            assert not lock_is_free(database)
            1 / 0  # noqa: B018
        assert lock_is_free(database)
        with conn.cursor() as cursor:  # reads and single statements outside a transaction take no lock
            cursor.execute("SELECT count(*) FROM counter")
            assert cursor.fetchone() == (1,)


def test_a_waiting_writer_begins_after_the_holder_commits(database):
    order: list[str] = []
    holding, failures = threading.Event(), []

    def first() -> None:
        with (
            open_connection(database, alias="first") as conn,
            transaction.atomic(using="first"),
            conn.cursor() as cursor,
        ):
            holding.set()
            time.sleep(0.3)
            cursor.execute("INSERT INTO counter VALUES (1)")
            order.append("first commits")

    def second() -> None:
        holding.wait()
        with (
            open_connection(database, alias="second") as conn,
            transaction.atomic(using="second"),
            conn.cursor() as cursor,
        ):
            order.append("second begins")
            cursor.execute("SELECT count(*) FROM counter")
            if cursor.fetchone() != (1,):
                failures.append("the second transaction did not see the first one's row")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert order == ["first commits", "second begins"]
    assert failures == []


def test_many_writers_in_turn_lose_no_update(database):
    errors: list[BaseException] = []

    def add(name: str) -> None:
        try:
            with open_connection(database, alias=name) as conn:
                for _ in range(25):
                    with transaction.atomic(using=name), conn.cursor() as cursor:
                        cursor.execute("SELECT count(*) FROM counter")
                        (n,) = cursor.fetchone()
                        cursor.execute("INSERT INTO counter VALUES (%s)", [n + 1])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(f"writer{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_connection(database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT n), max(n) FROM counter")
        assert cursor.fetchone() == (200, 200, 200)  # every read-modify-write saw the one before it
    assert lock_is_free(database)


def test_a_wait_past_the_limit_is_database_is_locked_and_leaves_nothing_taken(database):
    with open_connection(database, timeout=0.2) as conn:
        fd = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)  # another process's transaction, as far as the lock can tell
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic(using="lock_test"):
            pass
        assert time.monotonic() - started >= 0.2
        assert conn.in_atomic_block is False
        os.close(fd)  # the other transaction ends
        deadline = time.monotonic() + 5
        while not lock_is_free(database):  # the given-up wait obtains the lock, then lets it go at once
            assert time.monotonic() < deadline, "the abandoned wait kept the lock"
            time.sleep(0.01)
        with transaction.atomic(using="lock_test"), conn.cursor() as cursor:  # the connection goes on
            cursor.execute("INSERT INTO counter VALUES (1)")
            assert not lock_is_free(database)
        assert lock_is_free(database)


def test_an_in_memory_database_takes_no_lock(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        conn = DatabaseWrapper(_settings(":memory:", 1), alias="memory")
        conn.ensure_connection()
        assert conn.writer_lock is None
        conn.close()
    assert not (tmp_path / ":memory:-writers").exists()
