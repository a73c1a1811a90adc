"""Agent pages of reports: the weekly category statistics for a chosen period."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from loopdesk.accounts.http import AuthedRequest
from loopdesk.accounts.models import Department
from loopdesk.core.errors import DomainError
from loopdesk.reports import selectors

DEFAULT_WEEKS = 8


@login_required
@require_GET
def weekly(request: AuthedRequest) -> HttpResponse:
    """Weeks × categories for `from`..`to` (default: the last eight weeks); htmx requests get only the table."""
    if not selectors.may_see_reports(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    default_from = today - dt.timedelta(days=today.weekday() + 7 * (DEFAULT_WEEKS - 1))
    raw_from = request.GET.get("from") or default_from.isoformat()
    raw_to = request.GET.get("to") or today.isoformat()
    department = request.GET.get("department", "")
    context: dict = {
        "raw_from": raw_from,
        "raw_to": raw_to,
        "department": department,
        "departments": Department.objects.all(),
    }
    status = 200
    try:
        start, end = selectors.parse_period(raw_from, raw_to)
        context["stats"] = selectors.weekly_category_stats(request.user, start, end, department=department or None)
    except DomainError as exc:
        context["error"], context["error_fields"], status = exc.message, exc.fields, exc.status
    template = "reports/_weekly_table.html" if request.htmx else "reports/weekly.html"
    return render(request, template, context, status=status)
