"""What each ticket event adds to the daily counters; pure (plain values in, plain values out).

The incremental path and the rebuild count the same things: `opened` on the local day of receipt, and
per event on the local day it happened: resolutions (with seconds since receipt), closes (by outcome),
reopens, SLA breaches and satisfaction answers. Every counter is filed under the ticket's current
category and department."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

METRICS = (
    "opened",
    "resolved",
    "resolution_seconds",
    "closed",
    "closed_confirmed",
    "closed_no_response",
    "reopened",
    "breached",
    "satisfaction_count",
    "satisfaction_sum",
    "dissatisfied",
)
COUNTED_KINDS = frozenset({"resolved", "closed", "reopened", "sla_breached", "satisfaction_recorded"})
DISSATISFIED_AT_MOST = 2  # 1-2 on the five-point scale: 不满意 / 非常不满意


@dataclass(frozen=True)
class Dimensions:
    """Where a ticket's counters are filed: its receipt time and category/department keys (0 = none)."""

    received_at: dt.datetime
    category: int
    department: int


Row = tuple[dt.date, int, int]  # day, category, department


def local_day(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date()


def whole_seconds(moment: dt.datetime) -> int:
    """Seconds since the epoch, fraction dropped: what both databases compute in the rebuild."""
    return int(moment.timestamp() // 1)


def event_counts(kind: str, data: Mapping[str, Any], created_at: dt.datetime, received_at: dt.datetime) -> Counter[str]:
    """The counters one event adds (empty for events no report counts)."""
    counts: Counter[str] = Counter()
    if kind == "resolved":
        counts["resolved"] = 1
        counts["resolution_seconds"] = whole_seconds(created_at) - whole_seconds(received_at)
    elif kind == "closed":
        counts["closed"] = 1
        outcome = data.get("outcome")
        if outcome == "confirmed":
            counts["closed_confirmed"] = 1
        elif outcome == "no_response":
            counts["closed_no_response"] = 1
    elif kind == "reopened":
        counts["reopened"] = 1
    elif kind == "sla_breached":
        counts["breached"] = 1
    elif kind == "satisfaction_recorded" and isinstance(data.get("score"), int):
        counts["satisfaction_count"] = 1
        counts["satisfaction_sum"] = data["score"]
        counts["dissatisfied"] = int(data["score"] <= DISSATISFIED_AT_MOST)
    return counts


def ticket_counts(
    dims: Dimensions, events: Iterable[tuple[str, Mapping[str, Any], dt.datetime]], zone: ZoneInfo
) -> dict[Row, Counter[str]]:
    """Everything one ticket contributes: `opened` on its day of receipt plus each counted event."""
    rows = defaultdict(Counter, events_counts(dims, events, zone))
    rows[row_of(dims, dims.received_at, zone)]["opened"] += 1
    return dict(rows)


def events_counts(
    dims: Dimensions, events: Iterable[tuple[str, Mapping[str, Any], dt.datetime]], zone: ZoneInfo
) -> dict[Row, Counter[str]]:
    """What the given events add to a ticket filed under `dims`, per row (rows they leave alone are absent)."""
    rows: dict[Row, Counter[str]] = defaultdict(Counter)
    for kind, data, created_at in events:
        counts = event_counts(kind, data, created_at, dims.received_at)
        if counts:
            rows[row_of(dims, created_at, zone)].update(counts)
    return dict(rows)


def row_of(dims: Dimensions, moment: dt.datetime, zone: ZoneInfo) -> Row:
    return (local_day(moment, zone), dims.category, dims.department)


def difference(new: Mapping[Row, Counter[str]], old: Mapping[Row, Counter[str]]) -> dict[Row, dict[str, int]]:
    """Per row, new minus old, without rows or counters that do not change."""
    out: dict[Row, dict[str, int]] = {}
    for row in set(new) | set(old):
        delta = {m: new.get(row, Counter())[m] - old.get(row, Counter())[m] for m in METRICS}
        delta = {m: n for m, n in delta.items() if n}
        if delta:
            out[row] = delta
    return out


def merged(parts: Iterable[Mapping[Row, Mapping[str, int]]]) -> dict[Row, dict[str, int]]:
    """The sum of several per-row changes, without rows or counters that end at zero."""
    total: dict[Row, Counter[str]] = defaultdict(Counter)
    for part in parts:
        for row, counts in part.items():
            total[row].update(counts)
    out = {row: {m: n for m, n in counts.items() if n} for row, counts in total.items()}
    return {row: counts for row, counts in out.items() if counts}
