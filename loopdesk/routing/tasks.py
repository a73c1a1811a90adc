"""Thin task adapters for routing: the periodic acknowledgement and queue sweeps."""

from __future__ import annotations

from django_tasks import task

from loopdesk.routing import services
from loopdesk.scheduling.services import job_lease

LEASE_SECONDS = 120


@task()
def sweep_routing() -> int:
    """Every minute: reassign or escalate unacknowledged tickets, then hand queued tickets to members on duty."""
    with job_lease("routing.sweep", ttl_seconds=LEASE_SECONDS) as got:
        if not got:
            return 0
        return services.handle_acknowledgement_lapses() + services.assign_queued_tickets()
