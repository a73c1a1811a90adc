"""API v1 SLA endpoints: the due-time preview for admins and integrators."""

from __future__ import annotations

from ninja import Router

from loopdesk.accounts.http import AuthedRequest
from loopdesk.api.schemas import ErrorOut, SlaPreviewIn, SlaPreviewOut
from loopdesk.sla import selectors

router = Router(tags=["sla"])


@router.post("/sla/preview", response={200: SlaPreviewOut, 400: ErrorOut, 401: ErrorOut})
def preview(request: AuthedRequest, payload: SlaPreviewIn):
    """Every milestone's due time for a draft ticket under the current policy and calendars."""
    policy, rows = selectors.preview_due_times(
        priority=payload.priority,
        received_at=payload.received_at,
        category=payload.category,
        channel=payload.channel,
        customer_tier=payload.customer_tier,
        pauses=list(payload.pauses),
    )
    assert policy.current_revision is not None
    return {
        "policy": {"code": policy.code, "name": policy.name, "revision": policy.current_revision.number},
        "milestones": [
            {
                "milestone": r.milestone,
                "label": r.label,
                "starts_on": r.starts_on,
                "target_minutes": r.target_minutes,
                "calendar": r.calendar,
                "warn_at": r.warn_at,
                "due_at": r.due_at,
                "calendar_gap_from": r.gap_date,
            }
            for r in rows
        ],
    }
