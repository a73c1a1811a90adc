"""Appending to a ticket's timeline; every write path goes through here so SLA clocks stay in step."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from loopdesk.accounts.models import User
from loopdesk.sla.services import sync_ticket_clocks
from loopdesk.tickets.models import Ticket, TicketEvent

# Sent inside the writer's transaction after each event; receivers (customer email) write in that transaction.
event_recorded = Signal()


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    body: str = "",
    is_public: bool = False,
    from_status: str = "",
    to_status: str = "",
    **data: Any,
) -> TicketEvent:
    """Append one event to the ticket's timeline and bring its SLA clocks in step with it."""
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        body=body,
        is_public=is_public,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )
    sync_ticket_clocks(ticket, now=event.created_at)
    event_recorded.send(sender=TicketEvent, event=event)
    return event


def save_and_record(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    to_status: str = "",
    body: str = "",
    is_public: bool = False,
    **data: Any,
) -> TicketEvent:
    """Save a changed ticket (its version moves on, and its status when `to_status` is given) and append the event."""
    from_status = ticket.status if to_status else ""
    if to_status:
        ticket.status = to_status
    ticket.version += 1
    ticket.save()
    return record_event(
        ticket, kind, actor=actor, body=body, is_public=is_public, from_status=from_status, to_status=to_status, **data
    )
