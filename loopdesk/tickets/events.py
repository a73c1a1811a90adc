"""Appending to a ticket's timeline; every write path goes through here so SLA clocks stay in step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.dispatch import Signal

from loopdesk.accounts.models import User
from loopdesk.sla.services import sync_ticket_clocks
from loopdesk.tickets.models import Ticket, TicketEvent

# Per ticket written in the running service call: the instance, the last event's time, and for a ticket the call
# created, all its events (None otherwise).
_pending: ContextVar[dict[int, tuple[Ticket, Any, list[TicketEvent] | None]] | None] = ContextVar(
    "pending_clock_sync", default=None
)


@contextmanager
def clocks_synced_once() -> Iterator[None]:
    """Within one service call, bring each touched ticket's SLA clocks in step once, at the end, not per event.

    The clocks are a function of the timeline, so one recomputation after the last event gives what one
    per event would have; a service call writes three to five events."""
    if _pending.get() is not None:  # nested: the outermost call syncs
        yield
        return
    token = _pending.set({})
    try:
        yield
        pending = _pending.get() or {}
    finally:
        _pending.reset(token)
    for ticket, moment, new_events in pending.values():
        sync_ticket_clocks(ticket, now=moment, new_events=new_events)
    if pending:
        tickets_written.send(sender=Ticket, ticket_ids=list(pending))


def current_service_call() -> object | None:
    """The clocks_synced_once call running now (the same object until it ends), or None outside one."""
    return _pending.get()


# Sent inside the writer's transaction after each event; receivers (customer email) write in that transaction.
event_recorded = Signal()
# Sent inside the writer's transaction once per service call with the ids of the tickets it wrote (the search
# index follows); outside clocks_synced_once, once per event.
tickets_written = Signal()


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
    pending = _pending.get()
    if pending is None:
        sync_ticket_clocks(ticket, now=event.created_at)
    else:
        _, _, new_events = pending.get(ticket.pk) or (None, None, [] if kind == TicketEvent.Kind.CREATED else None)
        if new_events is not None:
            new_events.append(event)
        pending[ticket.pk] = (ticket, event.created_at, new_events)
    event_recorded.send(sender=TicketEvent, event=event)
    if pending is None:
        tickets_written.send(sender=Ticket, ticket_ids=[ticket.pk])
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
