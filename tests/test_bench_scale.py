"""The scale benchmark keeps working: a run at N=300 on SQLite with a real gunicorn and the real load client."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "") != "", reason="the smoke run uses its own SQLite file")
def test_a_small_scale_run_measures_every_workload(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    database = tmp_path / "scale.sqlite3"
    args = [
        "--tickets",
        "300",
        "--seconds",
        "0.25",
        "--port",
        "8799",
        "--out",
        str(tmp_path),
        "--sqlite-path",
        str(database),
    ]
    subprocess.run([sys.executable, str(ROOT / "bench" / "bench_scale.py"), *args], env=env, check=True, timeout=120)  # noqa: S603

    result = json.loads((tmp_path / "scale-sqlite-300.json").read_text())
    assert result["tickets"] == 300
    assert result["events"] >= 300 * 2 + 20 * 48  # created + assigned per ticket, and the 50-event timelines
    by_name = {w["name"]: w for w in result["workloads"]}
    for name in ["hello c=32", "W1 create ticket c=8", "W2 inbox page 1 c=1", "W2 inbox page 50 (offset) c=8",
                 "W4 ticket API (50 events) c=1", "W4 ticket page HTML (50 events) c=8",
                 "W5 weekly categories, year c=1", "W1 floor: token, customer, number, ticket row c=32"]:  # fmt: skip
        assert by_name[name]["ok"] > 0, by_name[name]
        assert by_name[name]["ok"] == by_name[name]["requests"], by_name[name]
        assert by_name[name]["connections_opened"] <= by_name[name]["concurrency"]  # keep-alive held
    # the floor under W1 was measured (after a warm-up), and its rows are gone again
    floor = by_name["W1 floor: token, customer, number, ticket row c=32"]
    assert result["floor_rows_deleted"] >= floor["ok"] > 0 and result["w1_of_floor"] > 0
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM tickets_ticket WHERE title LIKE '[bench floor]%'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0] > 300
    assert set(result["memory_kib"]) >= {"gunicorn master", "gunicorn worker 1", "db worker (loopdesk worker)"}
    assert result["database_bytes"]["sqlite file"] > 0
    assert "| workload |" in (tmp_path / "scale-sqlite-300.md").read_text()
