"""API v1 customer look-up: the hotline agent's first move."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from loopdesk.api.presenters import audit_reveal, may_reveal
from loopdesk.api.schemas import ErrorOut, LookupItemOut
from loopdesk.customers.presentation import customer_fields
from loopdesk.customers.selectors import customers_matching
from loopdesk.tickets.selectors import customer_history

router = Router(tags=["customers"])


@router.get("/customers/lookup", response={200: list[LookupItemOut], 400: ErrorOut, 401: ErrorOut})
def lookup(request: HttpRequest, q: str):
    """Customers whose phone, order/contract no., member no. or serial no. equals `q`, with their tickets."""
    customers = list(customers_matching(q))
    reveal = may_reveal(request)
    audit_reveal(request, customers)
    return [
        {
            "customer": customer_fields(c, reveal=reveal),
            "tickets": list(customer_history(request.user, c).values("number", "title", "status", "received_at")[:20]),
        }
        for c in customers
    ]
