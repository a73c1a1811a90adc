"""Report reads, computed only from the daily table: the weekly category statistics (问题分类统计表)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from loopdesk.accounts.models import Department
from loopdesk.core.errors import PermissionDenied, ValidationFailed
from loopdesk.reports.metrics import METRICS
from loopdesk.reports.models import NONE, DailyStat
from loopdesk.tickets.models import Category

MAX_DAYS = 731  # two years, a leap day included
PERMISSION = "reports.view_reports"


@dataclass
class Cell:
    """The counters of one category (or a total) over some days, with the rates the review meeting reads."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))

    def add(self, values: Mapping[str, Any]) -> None:
        for metric in METRICS:
            self.counts[metric] += values.get(metric) or 0

    def as_dict(self, total_opened: int) -> dict:
        c = self.counts
        return {
            **{m: c[m] for m in METRICS if m != "resolution_seconds"},
            "share": round(c["opened"] / total_opened, 4) if total_opened else 0.0,
            "avg_resolution_hours": round(c["resolution_seconds"] / c["resolved"] / 3600, 2) if c["resolved"] else None,
            "avg_satisfaction": round(c["satisfaction_sum"] / c["satisfaction_count"], 2)
            if c["satisfaction_count"]
            else None,
        }


def may_see_reports(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def parse_period(raw_from: str | None, raw_to: str | None) -> tuple[dt.date, dt.date]:
    """Two ISO dates, from <= to, at most two years apart; ValidationFailed (400) with the field otherwise."""
    days = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        try:
            days[name] = dt.date.fromisoformat((raw or "").strip())
        except ValueError:
            raise ValidationFailed(_("Invalid date."), fields={name: _("Use a date such as 2026-01-31.")}) from None
    start, end = days["from"], days["to"]
    if start > end:
        raise ValidationFailed(
            _("The start date is after the end date."), fields={"from": _("Must not be after the end date.")}
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            _("The period is longer than two years."), fields={"to": _("At most two years after the start.")}
        )
    return start, end


def weekly_category_stats(user, start: dt.date, end: dt.date, department: str | None = None) -> dict:
    """Per ISO week and category, the tickets received, resolved, closed, reopened, breaches and satisfaction.

    Reads one GROUP BY (day, category) over the daily rows of the range: at most days × categories rows."""
    if not may_see_reports(user):
        raise PermissionDenied(_("You may not see reports."))
    rows = DailyStat.objects.filter(day__gte=start, day__lte=end)
    chosen = None
    if department:
        chosen = Department.objects.filter(code=department).first()
        if chosen is None:
            raise ValidationFailed(_("Unknown department."), fields={"department": _("Unknown department.")})
        rows = rows.filter(department_key=chosen.pk)
    grouped = rows.values("day", "category_key").annotate(**{m: Sum(m) for m in METRICS}).order_by()
    weeks: dict[tuple[int, int], dict[int, Cell]] = defaultdict(lambda: defaultdict(Cell))
    for values in grouped:
        iso = values["day"].isocalendar()
        weeks[(iso.year, iso.week)][values["category_key"]].add(values)  # type: ignore[arg-type]
    return _shape(weeks, start, end, chosen)


def _shape(weeks: dict, start: dt.date, end: dt.date, department: Department | None) -> dict:
    seen = {key for cells in weeks.values() for key in cells}
    categories = [c for c in Category.objects.all() if c.is_active or c.pk in seen]
    columns = [{"key": c.pk, "code": c.code, "label": c.label} for c in categories]
    if NONE in seen:
        columns.append({"key": NONE, "code": "", "label": _("Not classified")})
    overall: dict[int, Cell] = defaultdict(Cell)
    out_weeks = []
    for year, number in _iso_weeks(start, end):
        cells = weeks.get((year, number), {})
        for key, cell in cells.items():
            overall[key].add(cell.counts)
        monday = dt.date.fromisocalendar(year, number, 1)
        out_weeks.append(
            {
                "week": f"{year}-W{number:02d}",
                "start": max(monday, start),
                "end": min(monday + dt.timedelta(days=6), end),
                **_row(columns, cells),
            }
        )
    return {
        "from": start,
        "to": end,
        "department": department.code if department else None,
        "categories": [{"code": c["code"], "label": c["label"]} for c in columns],
        "weeks": out_weeks,
        **_row(columns, overall),
    }


def _row(columns: list[dict], cells: dict[int, Cell]) -> dict:
    total = Cell()
    for cell in cells.values():
        total.add(cell.counts)
    opened = total.counts["opened"]
    return {
        "cells": [
            {"category": c["code"], "label": c["label"], **cells.get(c["key"], Cell()).as_dict(opened)} for c in columns
        ],
        "total": total.as_dict(opened),
    }


def _iso_weeks(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    monday = start - dt.timedelta(days=start.weekday())
    out = []
    while monday <= end:
        iso = monday.isocalendar()
        out.append((iso.year, iso.week))
        monday += dt.timedelta(days=7)
    return out
