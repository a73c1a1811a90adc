"""`loopdesk worker`: the django-tasks database worker plus the periodic-job scheduler.

Run one or more on any number of machines against the same database: tasks are claimed with
row locks, and each periodic job is enqueued once per interval by whichever scheduler gets there first.
"""

from __future__ import annotations

import logging
import os
import socket
import time

from django.core.management.base import BaseCommand
from django.db import OperationalError, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker, valid_interval

from loopdesk.scheduling.scheduler import Scheduler

logger = logging.getLogger("loopdesk.scheduling")

RESUME_AFTER_SECONDS = 2.0


class Command(BaseCommand):
    help = "Run background tasks and enqueue periodic jobs (SLA sweep, outbox delivery)."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=valid_interval, default=5.0, help="scheduler interval in seconds (5)")
        parser.add_argument("--interval", type=valid_interval, default=1.0, help="task polling interval in seconds (1)")
        parser.add_argument("--no-scheduler", action="store_true", help="only run tasks, enqueue no periodic jobs")

    def handle(self, *args, **options):
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}",
            excluded_queue_names=[],
        )
        # SIGINT/SIGTERM: the worker finishes its current task, then leaves run() (or exits at once when idle).
        worker.configure_signals()
        scheduler = None if options["no_scheduler"] else Scheduler(tick=options["tick"])
        if scheduler is not None:
            scheduler.start()
        logger.info("worker %s started (scheduler: %s)", worker.worker_id, "off" if scheduler is None else "on")
        try:
            run_until_stopped(worker)
        finally:
            if scheduler is not None:
                scheduler.stop()
            logger.info("worker %s stopped", worker.worker_id)


def run_until_stopped(worker: Worker) -> None:
    """Run the worker until a signal stops it, riding out a locked (SQLite) or unreachable database."""
    while True:
        try:
            worker.run()
            return  # run() returns only once a signal asked the worker to stop
        except OperationalError as exc:
            if not worker.running:
                raise
            logger.warning("worker paused: %s; resuming in %.0f s", exc, RESUME_AFTER_SECONDS)
            connection.close()
            time.sleep(RESUME_AFTER_SECONDS)
