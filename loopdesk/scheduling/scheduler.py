"""The scheduler thread of `loopdesk worker`: every tick, enqueue the periodic jobs that are due."""

from __future__ import annotations

import logging
import threading

from django.db import OperationalError, close_old_connections, connection
from django_tasks_db.utils import is_locked_database_exception

from loopdesk.scheduling.services import enqueue_due_jobs

logger = logging.getLogger("loopdesk.scheduling")


class Scheduler(threading.Thread):
    """Calls `enqueue_due_jobs` every `tick` seconds until stopped; errors are logged, never fatal."""

    def __init__(self, *, tick: float) -> None:
        super().__init__(name="loopdesk-scheduler", daemon=True)
        self.tick = tick
        self.stopping = threading.Event()
        self.ticks = 0

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.run_once()
                self.stopping.wait(self.tick)
        finally:
            connection.close()  # this thread's own connection

    def stop(self, *, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.join(timeout)

    def run_once(self) -> list[str]:
        """One tick; returns the jobs this tick enqueued ([] after an error, which is logged)."""
        self.ticks += 1
        try:
            close_old_connections()
            names = enqueue_due_jobs()
        except OperationalError as exc:  # locked (SQLite), down or restarting: expected now and then
            if is_locked_database_exception(exc):
                logger.warning("scheduler tick skipped: the database is locked; trying again next tick")
            else:
                logger.warning("scheduler tick skipped: %s; trying again next tick", exc)
            connection.close()  # a fresh connection next tick
            return []
        except Exception:
            logger.exception("scheduler tick failed; trying again next tick")
            connection.close()
            return []
        if names:
            logger.info("enqueued periodic jobs: %s", ", ".join(names))
        return names
