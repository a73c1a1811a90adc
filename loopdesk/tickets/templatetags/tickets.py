"""Template filters for tickets: translated status and event labels."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

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


@register.simple_tag
def timeline_item(event: TicketEvent) -> str:
    """One timeline row as HTML. Built here rather than in the template: the ticket page shows every event, and the
    template engine's dozen lookups a row made the timeline of 50 events 40 % of the page's rendering."""
    data = event.data if isinstance(event.data, dict) else {}
    internal = event.kind == TicketEvent.Kind.NOTE_ADDED
    classes = f"event event-{event.kind}" + (" internal" if internal else "") + (" public" if event.is_public else "")
    meta = [format_html("<strong>{}</strong>", event_label(event.kind))]
    if event.from_status:
        meta.append(
            format_html(
                '<span class="muted">{} → {}</span>', status_label(event.from_status), status_label(event.to_status)
            )
        )
    actor = str(event.actor) if event.actor_id else _("System")
    meta.append(format_html(" · {} · {}", actor, localtime(event.created_at).strftime("%Y-%m-%d %H:%M")))
    if internal:
        meta.append(format_html('<span class="tag">{}</span>', _("Internal")))
    elif event.is_public:
        meta.append(format_html('<span class="tag public">{}</span>', _("To customer")))
    if data.get("plan"):
        meta.append(format_html('<span class="tag">{}</span>', _("Plan to confirm")))
    rows = [format_html('<div class="meta">{}</div>', mark_safe("\n".join(meta)))]  # noqa: S308 - each part escaped
    if event.body:
        rows.append(format_html('<div class="body prewrap">{}</div>', event.body))
    if data.get("owner"):
        rows.append(format_html('<div class="muted">{}: {}</div>', _("Owner"), data["owner"]))
    if data.get("score"):
        rows.append(format_html('<div class="muted">{}: {}/5</div>', _("Score"), data["score"]))
    if data.get("milestone"):
        notified = data.get("notified")
        tail = format_html(" · {}: {}", _("Notified"), ", ".join(map(str, notified))) if notified else ""
        rows.append(
            format_html('<div class="muted">{}: {}{}</div>', _("Milestone"), milestone_label(data["milestone"]), tail)
        )
    priority = data.get("priority")
    if isinstance(priority, dict) and priority.get("to"):
        rows.append(
            format_html('<div class="muted">{}: {} → {}</div>', _("Priority"), priority.get("from", ""), priority["to"])
        )
    return format_html('<li class="{}">{}</li>', classes, mark_safe("\n".join(rows)))  # noqa: S308
