"""API v1 report endpoints: the weekly category statistics, read from the daily table."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router

from loopdesk.accounts.http import AuthedRequest
from loopdesk.api.schemas import ErrorOut, Out
from loopdesk.core.errors import PermissionDenied, ValidationFailed
from loopdesk.reports import selectors

router = Router(tags=["reports"])
PARAMS = {"from", "to", "department"}


class CategoryOut(Out):
    code: str
    label: str


class CellOut(Out):
    category: str | None = None
    label: str | None = None
    opened: int
    share: float
    resolved: int
    avg_resolution_hours: float | None
    closed: int
    closed_confirmed: int
    closed_no_response: int
    reopened: int
    breached: int
    satisfaction_count: int
    satisfaction_sum: int
    avg_satisfaction: float | None
    dissatisfied: int


class WeekOut(Out):
    week: str
    start: dt.date
    end: dt.date
    cells: list[CellOut]
    total: CellOut


class WeeklyCategoriesOut(Out):
    from_: dt.date = Field(alias="from")
    to: dt.date
    department: str | None
    categories: list[CategoryOut]
    weeks: list[WeekOut]
    cells: list[CellOut]
    total: CellOut


@router.get(
    "/reports/weekly-categories",
    response={200: WeeklyCategoriesOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    by_alias=True,
)
def weekly_categories(request: AuthedRequest):
    """Per ISO week × category: received (with share), resolved, closed, reopened, SLA breaches, satisfaction.

    `from` and `to` are local dates (YYYY-MM-DD, inclusive, at most two years); `department` a department code."""
    params = request.GET
    unknown = sorted(set(params) - PARAMS)
    if unknown:
        raise ValidationFailed(_("Unknown query parameters."), fields={k: _("Not a filter.") for k in unknown})
    if not selectors.may_see_reports(request.user):
        raise PermissionDenied(_("You may not see reports."))
    start, end = selectors.parse_period(params.get("from"), params.get("to"))
    return selectors.weekly_category_stats(request.user, start, end, department=params.get("department") or None)
