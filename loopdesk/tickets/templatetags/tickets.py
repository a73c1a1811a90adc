"""Template filters for tickets: translated status and event labels."""

from django import template

from loopdesk.tickets.models import TicketEvent
from loopdesk.tickets.workflow import STATUS_LABELS, Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    try:
        return str(STATUS_LABELS[Status(value)])
    except ValueError:
        return value


@register.filter
def event_label(value: str) -> str:
    """An event kind's label; `get_kind_display` would rebuild the whole choices dict for every timeline row."""
    try:
        return str(TicketEvent.Kind(value).label)
    except ValueError:
        return value


@register.filter
def milestone_label(value: str) -> str:
    from loopdesk.sla.clocks import MILESTONE_LABELS, Milestone

    try:
        return str(MILESTONE_LABELS[Milestone(value)])
    except ValueError:
        return value
