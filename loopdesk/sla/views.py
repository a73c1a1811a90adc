"""SLA pages for supervisors: what is about to breach."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from loopdesk.accounts.http import AuthedRequest
from loopdesk.sla import selectors

DEFAULT_HOURS, MAX_HOURS = 4, 720


@login_required
@permission_required("tickets.assign_ticket", raise_exception=True)
@require_GET
def at_risk(request: AuthedRequest) -> HttpResponse:
    """Breached, warned and soon-due clocks of the tickets the supervisor can see, soonest first."""
    raw = request.GET.get("hours", "")
    hours = int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_HOURS else DEFAULT_HOURS
    context = {
        "hours": hours,
        "clocks": selectors.clocks_at_risk(request.user, within=dt.timedelta(hours=hours)),
        "calendar_warnings": selectors.calendar_warnings(),
    }
    return render(request, "sla/at_risk.html", context)
