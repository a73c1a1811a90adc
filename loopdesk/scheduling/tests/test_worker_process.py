"""A real `loopdesk worker` process: its scheduler enqueues the periodic jobs, its worker runs them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.mark.slow
def test_the_worker_runs_the_periodic_jobs_and_stops_on_sigterm(tmp_path):
    # given a fresh file database
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"SQLITE_PATH": str(tmp_path / "worker.sqlite3"), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    run_manage(env, "migrate", "--noinput")
    # when a worker runs for a few seconds
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--tick", "0.5", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        done: set[str] = set()
        while time.monotonic() < deadline and done != {"sweep_sla_clocks", "deliver_outbox"}:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "worker.sqlite3") as db:
                rows = db.execute(
                    "SELECT task_path FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
                ).fetchall()
            done = {path.rsplit(".", 1)[1] for (path,) in rows}
        # then both periodic jobs were enqueued by its scheduler and run by its worker
        assert done == {"sweep_sla_clocks", "deliver_outbox"}
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=20)[0].decode()
    # and SIGTERM stops it cleanly
    assert worker.returncode == 0, output
