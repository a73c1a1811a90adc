"""Thin task adapters for the outbox."""

from __future__ import annotations

from django_tasks import task

from loopdesk.notifications import services


@task()
def deliver_outbox() -> int:
    """Periodic: deliver every due message (catches up after a worker was down)."""
    services.settle_stalled_sends()
    return services.deliver_due_messages()


@task()
def deliver_message(message_id: int) -> bool:
    return services.deliver_message(message_id)
