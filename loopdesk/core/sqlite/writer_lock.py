"""One write transaction at a time across processes, with waiters woken by the kernel, not by polling.

SQLite lets one connection write at a time. A connection that finds the write lock taken sleeps in its busy
handler and tries again: 1, 2, 5, 10, … then every 100 ms. Under load the lock is idle while the waiters sleep,
and a newcomer takes it ahead of a connection that has waited for seconds. With 32 clients creating tickets
the rate fell to a quarter of one client's, and p99 to 12 s (docs/benchmarks.md).

Before BEGIN IMMEDIATE each connection takes an exclusive `flock` on a file beside the database. A waiter
blocks in the kernel and is woken when the holder commits or rolls back, so the lock passes at once. The
wait keeps SQLite's own time limit (the `timeout` option): a helper thread does the blocking call, and a
caller that gives up gets "database is locked" as from SQLite. The lock the helper obtains after that is
let go at once, on its own open file, so it can never be mistaken for the caller's next lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
from sqlite3 import OperationalError


class WriterLock:
    """An exclusive lock on `path` for one connection (each connection opens the file itself)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = self._open()
        self._pid = os.getpid()
        self.held = False

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def acquire(self, timeout: float) -> None:
        if self._pid != os.getpid():  # a forked child: the open file is shared with the parent
            self._fd, self._pid, self.held = self._open(), os.getpid(), False
        if self.held:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait(timeout)
        self.held = True

    def _wait(self, timeout: float) -> None:
        fd, got, guard = self._fd, threading.Event(), threading.Lock()
        abandoned = False

        def block() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                if abandoned:  # the caller gave up and uses another open file now: this one is ours to close
                    os.close(fd)
                else:
                    got.set()

        threading.Thread(target=block, name="sqlite-writer-lock", daemon=True).start()
        if got.wait(timeout):
            return
        with guard:
            if got.is_set():
                return
            abandoned = True
            self._fd = self._open()
        raise OperationalError("database is locked")

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        os.close(self._fd)
