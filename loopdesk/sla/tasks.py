"""Thin task adapters for the SLA engine: ids in, one service call."""

from __future__ import annotations

from django_tasks import task

from loopdesk.sla import services


@task()
def sweep_sla_clocks() -> int:
    """The periodic sweep (every minute): warnings, breaches and escalations that are due."""
    return services.sweep_sla_clocks()


@task()
def recompute_calendar_clocks(calendar_id: int) -> int:
    """After a calendar changed: move the due times of the open clocks that count in it."""
    return services.recompute_open_clocks(calendar_id=calendar_id)
