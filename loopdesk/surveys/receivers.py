"""Reactions to ticket events, in the writer's transaction, once per ticket cycle: the survey invitation when
the result is reported, the callback task when the SLA callback milestone starts, and both finished when the
cycle is answered (on any path, the agent's satisfaction form included) or the ticket reopens or closes."""

from __future__ import annotations

from loopdesk.sla.clocks import RULES, Milestone
from loopdesk.tickets.models import TicketEvent

CALLBACK_STARTS = RULES[Milestone.CALLBACK].starts
ENDS_CALLBACKS = {TicketEvent.Kind.REOPENED, TicketEvent.Kind.CLOSED}


def on_event_recorded(sender, event: TicketEvent, **kwargs) -> None:
    from loopdesk.surveys import services

    if event.kind == TicketEvent.Kind.NOTIFIED:
        services.invite_to_survey(event.ticket, now=event.created_at)
    elif event.kind in CALLBACK_STARTS:
        from loopdesk.surveys.callbacks import open_callback_task

        open_callback_task(event.ticket, started_at=event.created_at)
    elif event.kind == TicketEvent.Kind.SATISFACTION_RECORDED:
        services.finish_cycle(event.ticket)
    elif event.kind in ENDS_CALLBACKS:
        services.cancel_open_callbacks(event.ticket)
