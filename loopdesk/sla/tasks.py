"""Thin task adapters for the SLA engine: ids in, one service call."""

from __future__ import annotations

from django_tasks import task

from loopdesk.scheduling.services import job_lease
from loopdesk.sla import services

SWEEP_LEASE_SECONDS = 120  # a killed sweep blocks the next ones for at most this long


@task()
def sweep_sla_clocks() -> int:
    """The periodic sweep (every minute): warnings, breaches and escalations that are due.

    One sweep at a time across all workers; a crashed sweep's lease expires, and the next sweep
    catches up from the clocks' next-check times, so nothing is lost.
    """
    with job_lease("sla.sweep", ttl_seconds=SWEEP_LEASE_SECONDS) as got:
        return services.sweep_sla_clocks() if got else 0


@task()
def recompute_calendar_clocks(calendar_id: int) -> int:
    """After a calendar changed: move the due times of the open clocks that count in it."""
    return services.recompute_open_clocks(calendar_id=calendar_id)
