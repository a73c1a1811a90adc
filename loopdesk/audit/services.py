"""Record audit entries; the only writer of AuditEntry."""

from __future__ import annotations

from django.http import HttpRequest

from loopdesk.audit.models import AuditEntry
from loopdesk.core.client_ip import client_ip
from loopdesk.core.request_context import current_request_id


def record_audit(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_id: str = "",
    field: str = "",
    reason: str = "",
    actor_name: str = "",
) -> AuditEntry:
    """Append one audit entry with the request's address, user agent and id."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor_name or (actor.get_username() if actor is not None and actor.is_authenticated else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        field=field,
        reason=reason[:500],
        ip=client_ip(request) if request is not None else None,
        user_agent=(request.headers.get("User-Agent", "")[:300] if request is not None else ""),
        request_id=current_request_id() or "",
    )
