"""Reactions to ticket events: the survey invitation when the result is reported, the callback task when
the SLA callback milestone starts. Both write in the writer's transaction, once per ticket cycle."""

from __future__ import annotations

from loopdesk.sla.clocks import RULES, Milestone
from loopdesk.tickets.models import TicketEvent

CALLBACK_STARTS = RULES[Milestone.CALLBACK].starts


def on_event_recorded(sender, event: TicketEvent, **kwargs) -> None:
    if event.kind == TicketEvent.Kind.NOTIFIED:
        from loopdesk.surveys.services import invite_to_survey

        invite_to_survey(event.ticket, now=event.created_at)
    if event.kind in CALLBACK_STARTS:
        from loopdesk.surveys.callbacks import open_callback_task

        open_callback_task(event.ticket, started_at=event.created_at)
