"""`loopdesk worker`: the django-tasks database worker plus the periodic-job scheduler.

Run one or more on any number of machines against the same database: tasks are claimed with
row locks, and each periodic job is enqueued once per interval by whichever scheduler gets there first.
"""

from __future__ import annotations

import logging
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from loopdesk.scheduling.services import enqueue_due_jobs

logger = logging.getLogger("loopdesk.scheduling")


def run_scheduler(stop: threading.Event, tick: float) -> None:
    """Every `tick` seconds, enqueue the periodic jobs that are due (errors are logged, never fatal)."""
    while not stop.is_set():
        try:
            close_old_connections()
            enqueue_due_jobs()
        except Exception:  # the database may be locked or down: try again next tick
            logger.exception("scheduler tick failed")
        stop.wait(tick)
    connection.close()


class Command(BaseCommand):
    help = "Run background tasks and enqueue periodic jobs (SLA sweep, outbox delivery)."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="scheduler interval in seconds")
        parser.add_argument("--interval", type=float, default=1.0, help="task polling interval in seconds")
        parser.add_argument("--no-scheduler", action="store_true", help="only run tasks")

    def handle(self, *args, **options):
        stop = threading.Event()
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = threading.Thread(
                target=run_scheduler, args=(stop, options["tick"]), name="loopdesk-scheduler", daemon=True
            )
            scheduler.start()
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            if scheduler is not None:
                scheduler.join(timeout=10)
