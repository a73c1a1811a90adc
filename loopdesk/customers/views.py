"""Agent UI for customers: the live look-up used while taking a call, and the customer page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from loopdesk.accounts.http import AuthedRequest
from loopdesk.core.errors import DomainError, NotFound
from loopdesk.customers.presentation import customer_fields
from loopdesk.customers.selectors import customers_matching, get_customer
from loopdesk.tickets.selectors import customer_history


@login_required
@require_GET
def lookup(request: AuthedRequest) -> HttpResponse:
    """Customers matching a phone, order no., member no. or serial no., with their recent tickets."""
    query = request.GET.get("q", "").strip()
    results, error = [], None
    if query:
        try:
            results = [
                {"customer": customer_fields(c, reveal=False), "tickets": customer_history(request.user, c)[:5]}
                for c in customers_matching(query)
            ]
        except DomainError as exc:
            error = exc.message
    template = "customers/_lookup_results.html" if request.htmx else "customers/lookup.html"
    return render(
        request, template, {"query": query, "results": results, "error": error, "pick": request.GET.get("pick") == "1"}
    )


@login_required
@require_GET
def detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        customer = get_customer(public_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "masked": customer_fields(customer, reveal=False),
            "tickets": customer_history(request.user, customer)[:100],
        },
    )
