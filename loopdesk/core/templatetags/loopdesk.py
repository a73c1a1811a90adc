"""Template filters: masking for lists, and labels of statuses and event kinds."""

from django import template

from loopdesk.core.masking import mask_name, mask_phone

register = template.Library()
register.filter("mask_name", mask_name)
register.filter("mask_phone", mask_phone)


@register.filter
def status_label(value: str) -> str:
    from loopdesk.tickets.workflow import STATUS_LABELS, Status

    try:
        return str(STATUS_LABELS[Status(value)])
    except ValueError:
        return value
