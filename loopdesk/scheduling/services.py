"""Enqueue due periodic jobs exactly once per interval across workers; exclusive leases; job run records."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from loopdesk.scheduling.models import JobLease, PeriodicJob

logger = logging.getLogger("loopdesk.scheduling")


def periodic_jobs() -> dict[str, dict[str, Any]]:
    """The configured jobs: {"name": {"task": "dotted.path", "every": seconds}}."""
    return dict(getattr(settings, "LOOPDESK_PERIODIC_JOBS", {}))


def enqueue_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every configured job whose time has come; returns the names this process enqueued.

    Any number of schedulers may call this at once: each job is claimed by one conditional UPDATE,
    so it is enqueued once per interval. A job whose task cannot be imported or enqueued is logged,
    recorded on its row and skipped; database errors propagate (the claim is rolled back, the next
    tick tries again).
    """
    now = now or timezone.now()
    enqueued = []
    for name, config in periodic_jobs().items():
        try:
            if _claim_and_enqueue(name, config, now=now):
                enqueued.append(name)
        except DatabaseError:
            raise
        except Exception:  # a malformed entry ("every" missing, ...) must not stop the others
            logger.exception("periodic job %s is misconfigured", name)
    return enqueued


def _claim_and_enqueue(name: str, config: dict[str, Any], *, now: dt.datetime) -> bool:
    job, _ = PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    if not job.is_enabled or job.next_run_at > now:
        return False  # the common case costs one read and no write lock
    with transaction.atomic():
        claimed = PeriodicJob.objects.filter(name=name, is_enabled=True, next_run_at__lte=now).update(
            next_run_at=now + dt.timedelta(seconds=config["every"]), last_enqueued_at=now
        )
        if claimed != 1:
            return False  # another scheduler claimed this interval
        try:
            import_string(config["task"]).enqueue()
        except DatabaseError:
            raise  # roll the claim back: the next tick tries again
        except Exception as exc:  # a task that cannot be imported or enqueued: one error per interval, not per tick
            logger.exception("periodic job %s: task %s could not be enqueued", name, config["task"])
            PeriodicJob.objects.filter(name=name).update(last_error=_describe(exc))
            return False
    return True


def record_job_started(task_path: str, *, now: dt.datetime | None = None) -> int:
    """Note that the periodic jobs running `task_path` started; returns how many jobs that is."""
    names = _jobs_running(task_path)
    if not names:
        return 0
    return PeriodicJob.objects.filter(name__in=names).update(last_started_at=now or timezone.now())


def record_job_finished(task_path: str, *, error: str = "", now: dt.datetime | None = None) -> int:
    """Note that the periodic jobs running `task_path` finished, with the error if it failed ("" clears it)."""
    names = _jobs_running(task_path)
    if not names:
        return 0
    return PeriodicJob.objects.filter(name__in=names).update(
        last_finished_at=now or timezone.now(), last_error=error[:2000]
    )


def _jobs_running(task_path: str) -> list[str]:
    return [name for name, config in periodic_jobs().items() if config.get("task") == task_path]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


@contextlib.contextmanager
def job_lease(name: str, *, ttl_seconds: int, holder: str | None = None) -> Iterator[bool]:
    """Yield True if this process holds the lease `name` (no one else does until it is released or expires)."""
    holder = holder or default_holder()
    now = timezone.now()
    JobLease.objects.get_or_create(name=name, defaults={"held_until": now})
    got = (
        JobLease.objects.filter(name=name, held_until__lte=now).update(
            holder=holder, held_until=now + dt.timedelta(seconds=ttl_seconds)
        )
        == 1
    )
    try:
        yield got
    finally:
        if got:
            JobLease.objects.filter(name=name, holder=holder).update(held_until=timezone.now())


def default_holder() -> str:
    """host:pid:random, so an operator can tell which process holds a lease."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"[:64]
