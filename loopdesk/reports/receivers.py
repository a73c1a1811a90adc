"""The daily statistics follow every new ticket event, in the transaction that wrote it."""

from __future__ import annotations

from loopdesk.tickets.models import TicketEvent


def on_event_saved(sender, instance: TicketEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from loopdesk.reports.services import count_event

        count_event(instance)
