"""The agent's search page: the same ranked, permission-checked search as GET /api/v1/search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from loopdesk.accounts.http import AuthedRequest
from loopdesk.core.errors import DomainError
from loopdesk.core.forms import add_domain_error
from loopdesk.customers.presentation import customer_fields
from loopdesk.search import selectors
from loopdesk.search.forms import SearchForm

PAGE_SIZE = 20


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        filters = selectors.SearchFilters(
            status=data["status"],
            category=data["category"],
            priority=data["priority"],
            department=data["department"],
            received_from=data["received_from"],
            received_to=data["received_to"],
        )
        try:
            page = selectors.search(
                request.user, data["q"], filters, cursor=request.GET.get("cursor", ""), limit=PAGE_SIZE
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            for hit in page.hits:
                hit.customer_name = customer_fields(hit.ticket.customer, reveal=False)["name"]  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "search/_results.html" if request.htmx else "search/search.html"
    return render(request, template, context)
