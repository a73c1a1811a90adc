"""A real `loopdesk worker` process on a file database: the scheduler enqueues, the worker runs, signals stop it."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
OUTBOX_TASK = "loopdesk.notifications.tasks.deliver_outbox"

SEED_OUTBOX = """
from loopdesk.accounts.models import User
from loopdesk.notifications.models import OutboxMessage
user = User.objects.create_user("worker-test")
OutboxMessage.objects.create(kind="test", recipient=user, subject="from the worker", body="")
"""
ENQUEUE_OUTBOX_TASK = f"from {OUTBOX_TASK.rsplit('.', 1)[0]} import deliver_outbox; deliver_outbox.enqueue()"

pytestmark = pytest.mark.slow


def environment(database: Path, settings: str = "config.settings.base") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {
        "DJANGO_SETTINGS_MODULE": settings,
        "SQLITE_PATH": str(database),
        "LOOPDESK_DATA_DIR": str(database.parent),
    }


def manage(database: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment(database), check=True, capture_output=True
    )


def query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute(sql).fetchall()


def wait_for(condition, *, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated file database, copied for each test."""
    database = tmp_path_factory.mktemp("template") / "loopdesk.sqlite3"
    manage(database, "migrate", "--noinput")
    return database


@pytest.fixture
def database(migrated, tmp_path) -> Path:
    copy = tmp_path / "worker.sqlite3"
    shutil.copy(migrated, copy)
    return copy


def start_worker(database: Path, *args: str, settings: str = "config.settings.base") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2", *args],
        cwd=ROOT,
        env=environment(database, settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(worker: subprocess.Popen, signum: int) -> str:
    worker.send_signal(signum)
    try:
        return (worker.communicate(timeout=20)[0] or b"").decode()
    finally:
        if worker.poll() is None:  # pragma: no cover - only when it failed to stop
            worker.kill()
            worker.communicate()


def test_the_worker_runs_the_periodic_jobs_and_stops_on_sigterm(database):
    # given a pending outbox message whose delivery task was never queued
    manage(database, "shell", "-c", SEED_OUTBOX)
    # when a worker with its scheduler runs for a few seconds
    worker = start_worker(database, "--tick", "0.5")
    try:
        delivered = wait_for(lambda: query(database, "SELECT count(*) FROM notifications_notification") == [(1,)])
        finished = wait_for(
            lambda: (
                query(
                    database,
                    "SELECT count(*) FROM scheduling_periodicjob"
                    " WHERE name = 'notifications.deliver' AND last_finished_at IS NOT NULL AND last_error = ''",
                )
                == [(1,)]
            )
        )
    finally:
        output = stop(worker, signal.SIGTERM)
    # then its scheduler enqueued every periodic job, and its worker ran the outbox delivery
    assert delivered and finished, output
    enqueued = query(database, "SELECT name FROM scheduling_periodicjob WHERE last_enqueued_at IS NOT NULL")
    assert {name for (name,) in enqueued} == set(settings.LOOPDESK_PERIODIC_JOBS), output
    done = query(database, f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = '{OUTBOX_TASK}'")
    assert done[0][0] >= 1
    # and SIGTERM stopped it cleanly
    assert worker.returncode == 0, output


def test_a_worker_without_scheduler_runs_tasks_only_and_stops_on_sigint(database):
    # given a task queued by hand
    manage(database, "shell", "-c", ENQUEUE_OUTBOX_TASK)
    # when a worker without scheduler runs
    worker = start_worker(database, "--no-scheduler")
    try:
        ran = wait_for(
            lambda: query(database, "SELECT status FROM django_tasks_database_dbtaskresult") == [("SUCCESSFUL",)]
        )
        time.sleep(1)
    finally:
        output = stop(worker, signal.SIGINT)
    # then it ran the task, enqueued no periodic job, and Ctrl-C stopped it cleanly
    assert ran, output
    assert query(database, "SELECT count(*) FROM scheduling_periodicjob") == [(0,)]
    assert worker.returncode == 0, output


def test_a_locked_database_is_waited_out(database):
    # given another process holding the write lock of the database when the worker starts
    # (these settings make SQLite give up after 1 s instead of 20 s)
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    worker = start_worker(database, "--tick", "0.5", settings="loopdesk.scheduling.tests.short_lock_settings")
    try:
        time.sleep(6)
        # then the worker is still running
        assert worker.poll() is None
        # when the lock is released, the periodic jobs run
        lock.execute("COMMIT")
        ran = wait_for(
            lambda: (
                query(database, "SELECT count(*) FROM scheduling_periodicjob WHERE last_finished_at IS NOT NULL")
                == [(len(settings.LOOPDESK_PERIODIC_JOBS),)]
            )
        )
    finally:
        lock.close()
        output = stop(worker, signal.SIGTERM)
    # and the scheduler and the worker said they waited for the lock
    assert ran, output
    assert "scheduler tick skipped: the database is locked" in output
    assert "worker paused: database is locked" in output
    assert worker.returncode == 0, output


def test_an_unreachable_database_pauses_the_worker_until_it_is_stopped(tmp_path):
    # given a worker whose PostgreSQL cannot be reached (nothing listens on port 1)
    env = environment(tmp_path / "unused.sqlite3") | {"DATABASE_URL": "postgres://loopdesk@127.0.0.1:1/loopdesk"}
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--tick", "0.5", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        # then it keeps running, saying why it waits (however slowly a busy machine starts Python)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            text = log.read_text(errors="replace")
            if "worker paused" in text and "scheduler tick skipped" in text:
                break
            time.sleep(0.2)
        time.sleep(1)
        alive = worker.poll() is None
    finally:
        stop(worker, signal.SIGTERM)
        output = log.read_text(errors="replace")
    assert alive, output
    assert "worker paused" in output and "scheduler tick skipped" in output
    assert worker.returncode == 0, output
