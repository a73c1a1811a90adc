"""Thin task adapter for surveys: the periodic reminders, no-response closes and archiving."""

from __future__ import annotations

from django_tasks import task

from loopdesk.scheduling.services import job_lease
from loopdesk.surveys import services

LEASE_SECONDS = 300


@task()
def sweep_surveys() -> int:
    """Every few minutes: due survey reminders, no-response closes, and archiving after the delay."""
    with job_lease("surveys.sweep", ttl_seconds=LEASE_SECONDS) as got:
        if not got:
            return 0
        return sum(services.sweep_surveys().values())
