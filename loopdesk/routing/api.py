"""API v1 routing endpoints: dry-run, decline, escalate, approve and the department workload."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from loopdesk.accounts.http import AuthedRequest
from loopdesk.accounts.models import Department
from loopdesk.api.schemas import (
    ApproveIn,
    DeclineIn,
    ErrorOut,
    EscalateIn,
    RoutingDraftIn,
    RoutingDryRunOut,
    TicketDetailOut,
    WorkloadOut,
)
from loopdesk.core.errors import NotFound, PermissionDenied
from loopdesk.routing import selectors, services
from loopdesk.tickets import selectors as ticket_selectors
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.api import detail_response

router = Router(tags=["routing"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _require_assigner(request: AuthedRequest) -> None:
    if not request.user.has_perm("tickets.assign_ticket"):
        raise PermissionDenied(_("You may not see routing decisions."))


@router.post("/routing/dry-run", response={200: RoutingDryRunOut, **ERRORS})
def dry_run(request: AuthedRequest, payload: RoutingDraftIn):
    """Which rule a draft ticket would match, why, and what it would do; nothing is written."""
    _require_assigner(request)
    draft = payload.model_dump()
    include_inactive = draft.pop("include_inactive")
    result = selectors.dry_run(draft, include_inactive=include_inactive)
    acts = result.decision.actions
    return {
        "matches": [
            {"rule_id": m.rule.id, "name": m.rule.name, "reasons": [str(r) for r in m.reasons]}
            for m in result.decision.matches
        ],
        "default_queue": result.decision.is_default,
        "explanation": result.explanation,
        "department": result.department.code if result.department else None,
        "strategy": result.strategy,
        "member_role": acts.member_role,
        "would_assign_to": result.would_assign_to.username if result.would_assign_to else None,
        "assignment_reason": result.assignment_reason,
        "priority": acts.priority or None,
        "tags": list(acts.tags),
        "watchers": list(acts.watchers) + list(acts.watcher_roles),
        "approver_role": acts.approver_role,
    }


@router.post("/tickets/{number}/decline", response={200: TicketDetailOut, **ERRORS})
def decline(request: AuthedRequest, number: str, payload: DeclineIn):
    """The new owner hands the ticket back with a reason; it goes to the next member or the queue."""
    ticket = ticket_selectors.get_ticket_for(request.user, number)
    services.decline_ticket(ticket, reason=payload.reason, actor=request.user)
    return detail_response(request, ticket)


@router.post("/tickets/{number}/escalate", response={200: TicketDetailOut, **ERRORS})
def escalate(request: AuthedRequest, number: str, payload: EscalateIn):
    """Hand the ticket up to a senior agent, tech lead, after-sales manager or the service director."""
    ticket = ticket_selectors.get_ticket_for(request.user, number)
    services.escalate_ticket(
        ticket, to_role=payload.to_role, reason=payload.reason, actor=request.user, cause=payload.cause
    )
    return detail_response(request, ticket)


@router.post("/tickets/{number}/approve", response={200: TicketDetailOut, **ERRORS})
def approve(request: AuthedRequest, number: str, payload: ApproveIn):
    """The second approver a routing rule required signs the handling off."""
    ticket = ticket_selectors.get_ticket_for(request.user, number)
    ticket_services.approve_ticket(ticket, actor=request.user, note=payload.note)
    return detail_response(request, ticket)


@router.get("/routing/workload/{department}", response={200: WorkloadOut, **ERRORS})
def workload(request: AuthedRequest, department: str):
    """Members of a department: on duty or not, open work by priority, cap, oldest waiting."""
    _require_assigner(request)
    dept = Department.objects.filter(code=department).first()
    if dept is None:
        raise NotFound(_("No such department."))
    rows = selectors.workload(dept)
    return {
        "department": dept.code,
        "strategy": selectors.routing_of(dept).strategy,
        "queue": len(selectors.department_queue(dept)),
        "members": [
            {
                "username": r.user.username,
                "display_name": str(r.user),
                "on_duty": r.on_duty,
                "is_away": r.is_away,
                "cap": r.cap,
                "open_count": r.open_count,
                "by_priority": r.by_priority,
                "oldest_waiting": r.oldest_waiting,
            }
            for r in rows
        ],
    }
