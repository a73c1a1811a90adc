"""Enqueue due periodic jobs exactly once per interval across workers, and exclusive leases."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from loopdesk.scheduling.models import JobLease, PeriodicJob

logger = logging.getLogger("loopdesk.scheduling")


def enqueue_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every configured job whose time has come; returns the names this process enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, config in getattr(settings, "LOOPDESK_PERIODIC_JOBS", {}).items():
        PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
        claimed = PeriodicJob.objects.filter(name=name, is_enabled=True, next_run_at__lte=now).update(
            next_run_at=now + dt.timedelta(seconds=int(config["every"])), last_enqueued_at=now
        )
        if claimed != 1:
            continue
        try:
            import_string(config["task"]).enqueue()
        except Exception as exc:  # one broken job must not stop the others
            logger.exception("periodic job %s could not be enqueued", name)
            PeriodicJob.objects.filter(name=name).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
            continue
        enqueued.append(name)
    return enqueued


@contextlib.contextmanager
def job_lease(name: str, *, ttl_seconds: int, holder: str | None = None) -> Iterator[bool]:
    """Yield True if this process holds the lease `name` now (no one else does until it ends or expires)."""
    holder = holder or uuid.uuid4().hex
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
