"""Template filters for tickets: translated status labels."""

from django import template

from loopdesk.tickets.workflow import STATUS_LABELS, Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    try:
        return str(STATUS_LABELS[Status(value)])
    except ValueError:
        return value


@register.filter
def milestone_label(value: str) -> str:
    from loopdesk.sla.clocks import MILESTONE_LABELS, Milestone

    try:
        return str(MILESTONE_LABELS[Milestone(value)])
    except ValueError:
        return value
