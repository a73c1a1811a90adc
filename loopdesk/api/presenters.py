"""Turn tickets and customers into API output, masking PII unless the caller may see it (audited)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit
from loopdesk.customers.presentation import customer_fields
from loopdesk.tickets.services import DETAIL_FIELDS

TICKET_FIELDS = (
    "number",
    "title",
    "description",
    "channel",
    "status",
    "status_label",
    *DETAIL_FIELDS,
    "received_at",
    "involves_staff",
    "is_major_complaint",
    "approval_role",
    "approved_at",
    "assigned_at",
    "accepted_at",
    "due_at",
    "root_cause",
    "solution",
    "result",
    "resolved_at",
    "notified_at",
    "closed_at",
    "is_archived",
    "reopen_count",
    "version",
    "created_at",
    "updated_at",
)


def may_reveal(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("customers.reveal_pii"))


def audit_reveal(request: HttpRequest, customers: list) -> None:
    """One audit entry per request that returned clear customer data."""
    if customers and may_reveal(request):
        ids = sorted({c.public_id for c in customers})
        record_audit(
            action=AuditEntry.Action.PII_REVEALED,
            actor=request.user,
            request=request,
            object_type="customer",
            object_id=ids[0] if len(ids) == 1 else f"{len(ids)} customers",
            field="name,phone,email,address",
            reason=("api " + " ".join(ids))[:500] if len(ids) > 1 else "api",
        )


def badge_out(badge) -> dict[str, Any] | None:
    if badge is None:
        return None
    return {
        "tone": badge.tone.value,
        "milestone": badge.milestone,
        "due_at": badge.due_at,
        "remaining_seconds": badge.remaining_seconds,
    }


def clock_out(view) -> dict[str, Any]:
    clock = view.clock
    return {
        "milestone": clock.milestone,
        "label": clock.label,
        "cycle": clock.cycle,
        "state": clock.state,
        "tone": view.badge.tone.value,
        "priority": clock.priority_code,
        "calendar": clock.calendar.code,
        "target_minutes": clock.target_minutes,
        "started_at": clock.started_at,
        "warn_at": clock.warn_at,
        "due_at": clock.due_at,
        "ended_at": clock.ended_at,
        "is_breached": clock.is_breached or view.badge.tone == "breached",
        "paused_seconds": clock.paused_seconds,
        "remaining_seconds": view.badge.remaining_seconds,
        "escalation_level": clock.escalation_level,
        "calendar_gap_from": clock.gap_date,
    }


def ticket_out(ticket, *, reveal: bool, badge=None, tags: list[str] | None = None) -> dict[str, Any]:
    """The ticket's fields; `tags` are names already known (else read through `ticket.tags`)."""
    data = {field: getattr(ticket, field) for field in TICKET_FIELDS}
    data["sla"] = badge_out(badge)
    data["customer"] = customer_fields(ticket.customer, reveal=reveal)
    data["category"] = ticket.category.code if ticket.category_id else None
    data["priority"] = ticket.priority.code if ticket.priority_id else None
    data["tags"] = [tag.name for tag in ticket.tags.all()] if tags is None else tags
    data["owner"] = ticket.owner.username if ticket.owner_id else None
    data["owner_department"] = ticket.owner_department.code if ticket.owner_department_id else None
    return data


def ticket_detail_out(
    ticket,
    events,
    satisfactions,
    *,
    reveal: bool,
    clocks=(),
    ticket_sla=None,
    tags: list[str] | None = None,
    watchers: list[str] | None = None,
) -> dict[str, Any]:
    """The ticket with its timeline and clocks; `tags` and `watchers` are names already known, else read."""
    open_clocks = [c for c in clocks if c.clock.is_open]
    data = ticket_out(ticket, reveal=reveal, badge=open_clocks[0].badge if open_clocks else None, tags=tags)
    data["watchers"] = sorted(u.username for u in ticket.watchers.all()) if watchers is None else sorted(watchers)
    data["sla_clocks"] = [clock_out(view) for view in clocks]
    data["sla_policy"] = (
        {
            "code": ticket_sla.revision.policy.code,
            "name": ticket_sla.revision.policy.name,
            "revision": ticket_sla.revision.number,
        }
        if ticket_sla
        else None
    )
    data["events"] = [
        {
            "kind": e.kind,
            "actor": e.actor.username if e.actor_id else None,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "body": e.body,
            "is_public": e.is_public,
            "data": e.data,
            "created_at": e.created_at,
        }
        for e in events
    ]
    data["satisfactions"] = [
        {
            "score": s.score,
            "timeliness": s.timeliness,
            "attitude": s.attitude,
            "effectiveness": s.effectiveness,
            "comment": s.comment,
            "recorded_by": s.recorded_by.username if s.recorded_by_id else None,
            "recorded_at": s.recorded_at,
        }
        for s in satisfactions
    ]
    return data
