"""The daily statistics follow every new ticket event, in the transaction that wrote it, once per service call."""

from __future__ import annotations

from loopdesk.tickets.models import TicketEvent


def on_event_saved(sender, instance: TicketEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from loopdesk.reports.counting import note_event

        note_event(instance)


def on_tickets_written(sender, ticket_ids: list[int], **kwargs) -> None:
    from loopdesk.reports.counting import count_noted_events

    count_noted_events()
