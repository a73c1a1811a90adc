"""GET /api/v1/search: ranked, highlighted full-text search over the tickets the caller may see."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Router

from loopdesk.accounts.http import AuthedRequest
from loopdesk.api.presenters import audit_reveal, may_reveal
from loopdesk.api.schemas import ErrorOut, Out
from loopdesk.core.errors import ValidationFailed
from loopdesk.customers.presentation import customer_fields
from loopdesk.search import selectors

router = Router(tags=["search"])
PARAMS = {"q", "status", "category", "priority", "department", "from", "to", "open_only", "cursor", "limit"}


class SearchItemOut(Out):
    number: str
    title: str
    title_html: str
    snippet_html: str
    status: str
    category: str | None
    priority: str | None
    owner_department: str | None
    owner: str | None
    received_at: datetime
    customer: dict
    match: str


class SearchPageOut(Out):
    q: str
    count: int
    count_is_estimate: bool
    next_cursor: str | None
    items: list[SearchItemOut]


MATCH = {0: "identifier", 1: "title", 2: "text"}


def _date(params, name: str) -> date | None:
    raw = params.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("Invalid date."), fields={name: _("Use a date such as 2026-01-31.")}) from None


@router.get("/search", response={200: SearchPageOut, 400: ErrorOut, 401: ErrorOut})
def search(request: AuthedRequest):
    params = request.GET
    unknown = sorted(set(params) - PARAMS)
    if unknown:
        raise ValidationFailed(_("Unknown query parameters."), fields={k: _("Not a filter.") for k in unknown})
    raw_limit = params.get("limit", "20")
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= selectors.MAX_LIMIT:
        raise ValidationFailed(
            _("Invalid number."), fields={"limit": _("Between %(low)d and %(high)d.") % {"low": 1, "high": 100}}
        )
    filters = selectors.SearchFilters(
        status=params.get("status", ""),
        category=params.get("category", ""),
        priority=params.get("priority", ""),
        department=params.get("department", ""),
        received_from=_date(params, "from"),
        received_to=_date(params, "to"),
        open_only=params.get("open_only", "").lower() in {"1", "true"},
    )
    text = params.get("q", "")
    page = selectors.search(request.user, text, filters, cursor=params.get("cursor", ""), limit=int(raw_limit))
    reveal = may_reveal(request)
    audit_reveal(request, [hit.ticket.customer for hit in page.hits])
    return {
        "q": text,
        "count": page.count,
        "count_is_estimate": page.count_is_estimate,
        "next_cursor": page.next_cursor or None,
        "items": [
            {
                "number": hit.ticket.number,
                "title": hit.ticket.title,
                "title_html": hit.title_html,
                "snippet_html": hit.snippet_html,
                "status": hit.ticket.status,
                "category": hit.ticket.category.code if hit.ticket.category else None,
                "priority": hit.ticket.priority.code if hit.ticket.priority else None,
                "owner_department": hit.ticket.owner_department.code if hit.ticket.owner_department else None,
                "owner": hit.ticket.owner.username if hit.ticket.owner else None,
                "received_at": hit.ticket.received_at,
                "customer": customer_fields(hit.ticket.customer, reveal=reveal),
                "match": MATCH[hit.tier],
            }
            for hit in page.hits
        ],
    }
