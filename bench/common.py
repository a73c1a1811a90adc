"""What every benchmark script shares: a fresh database, the machine's description, a statement counter.

Import it after `django.setup()`; the scripts run with bench/ first on sys.path."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection


def fresh_database() -> None:
    """Migrate an empty database; on PostgreSQL only one whose name contains "bench" is wiped."""
    if connection.vendor == "postgresql":
        name = settings.DATABASES["default"]["NAME"]
        if "bench" not in name:
            sys.exit(f"refusing to drop the schema of {name!r}: use a database whose name contains 'bench'")
        with connection.cursor() as cursor:  # a clean schema for a repeatable run
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def machine(**extra: str) -> dict[str, Any]:
    """CPU, memory, Python, Django, database and the load average (other work skews the figures)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            server = "PostgreSQL " + cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            server = "SQLite " + cursor.fetchone()[0] + " (WAL, synchronous=NORMAL)"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": server,
        **extra,
        "load_average_at_start": load_average(),
    }


class QueryCounter:
    """Counts statements and commits and the time spent in them (the database and the round trip).

    Works without DEBUG's query log: an execute wrapper for the statements (savepoints included) and
    a wrapper around the connection's commit. The rest of the elapsed time is Python (ORM, services).
    """

    def __init__(self, *, by_statement: bool = False) -> None:
        self.count = 0
        self.commits = 0
        self.seconds = 0.0
        self.by_statement: dict[str, tuple[int, float]] | None = {} if by_statement else None

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.seconds += spent
            if self.by_statement is not None:
                key = sql[:160]
                n, s = self.by_statement.get(key, (0, 0.0))
                self.by_statement[key] = (n + 1, s + spent)

    def top(self, k: int = 30) -> list[tuple[str, int, float]]:
        """The statements run most often (their first 160 characters), with their count and seconds."""
        rows = sorted((self.by_statement or {}).items(), key=lambda kv: -kv[1][0])[:k]
        return [(sql, n, s) for sql, (n, s) in rows]

    def _commit(self) -> None:
        self.commits += 1
        start = time.perf_counter()
        try:
            self._real_commit()
        finally:
            self.seconds += time.perf_counter() - start

    def __enter__(self) -> QueryCounter:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        self._real_commit = connection._commit
        connection._commit = self._commit
        return self

    def __exit__(self, *exc) -> None:
        del connection._commit  # back to the class's method
        self._wrapper.__exit__(*exc)
