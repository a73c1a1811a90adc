"""Milestone clocks computed from a ticket's timeline: when each clock starts, pauses, is met. Pure.

The rules that say which event starts and stops which milestone live here as data, so that the
same timeline always gives the same clocks (recomputing after a priority change, after a calendar
override, or after a killed worker gives the answer an uninterrupted run would have given).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from loopdesk.sla.calendars import CalendarGap


class Milestone(enum.StrEnum):
    ACKNOWLEDGE = "acknowledge"
    QUICK_ACK = "quick_ack"
    FIRST_RESPONSE = "first_response"
    ONSITE = "onsite"
    RESOLUTION = "resolution"
    RESULT_REPORT = "result_report"
    CALLBACK = "callback"
    PROGRESS = "progress"


MILESTONE_LABELS = {
    Milestone.ACKNOWLEDGE: _("Owner acknowledges (接收确认)"),
    Milestone.QUICK_ACK: _("Quick acknowledgement to the customer"),
    Milestone.FIRST_RESPONSE: _("First response to the customer"),
    Milestone.ONSITE: _("On-site arrival"),
    Milestone.RESOLUTION: _("Resolution"),
    Milestone.RESULT_REPORT: _("Result reported to the customer"),
    Milestone.CALLBACK: _("Callback (回访)"),
    Milestone.PROGRESS: _("Daily progress update"),
}


class State(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # the calendar has no confirmed data for the days the clock needs


@dataclass(frozen=True)
class Happening:
    """One timeline event, reduced to what the clocks look at."""

    at: dt.datetime
    kind: str
    to_status: str = ""
    is_public: bool = False


@dataclass
class Cycle:
    """One run of one milestone's clock: started, and perhaps met or cancelled."""

    milestone: Milestone
    number: int
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    outcome: State | None = None  # MET or CANCELLED once ended


# Which event kinds start, meet and cancel each milestone. `restart` milestones start a fresh
# cycle each time they are met (the daily progress update).
@dataclass(frozen=True)
class Rule:
    starts: frozenset[str]
    meets: frozenset[str]
    cancels: frozenset[str] = frozenset()
    public_meets: bool = False  # a public reply meets it
    restart: bool = False
    starts_at_receipt: bool = False
    restart_on_start: bool = False  # a new start event replaces a running cycle (re-assignment)


_DONE = frozenset({"closed"})
RULES: dict[Milestone, Rule] = {
    Milestone.ACKNOWLEDGE: Rule(
        starts=frozenset({"assigned"}),
        meets=frozenset({"accepted"}),
        cancels=frozenset({"resolved", "closed"}),
        restart_on_start=True,
    ),
    Milestone.QUICK_ACK: Rule(
        starts=frozenset(), meets=frozenset({"notified"}), cancels=_DONE, public_meets=True, starts_at_receipt=True
    ),
    Milestone.FIRST_RESPONSE: Rule(
        starts=frozenset(), meets=frozenset({"notified"}), cancels=_DONE, public_meets=True, starts_at_receipt=True
    ),
    Milestone.ONSITE: Rule(
        starts=frozenset(),
        meets=frozenset({"onsite_arrived"}),
        cancels=frozenset({"resolved", "closed"}),
        starts_at_receipt=True,
    ),
    Milestone.RESOLUTION: Rule(
        starts=frozenset({"reopened"}), meets=frozenset({"resolved"}), cancels=_DONE, starts_at_receipt=True
    ),
    Milestone.RESULT_REPORT: Rule(
        starts=frozenset({"resolved"}), meets=frozenset({"notified"}), cancels=frozenset({"reopened", "closed"})
    ),
    Milestone.CALLBACK: Rule(
        starts=frozenset({"resolved"}),
        meets=frozenset({"satisfaction_recorded"}),
        cancels=frozenset({"reopened", "closed"}),  # closed without an answer: "no response" or by an agent
    ),
    Milestone.PROGRESS: Rule(
        starts=frozenset({"accepted", "started", "reopened"}),
        meets=frozenset({"progress_updated"}),
        cancels=frozenset({"resolved", "closed"}),
        restart=True,
    ),
}


def cycles_from(happenings: Sequence[Happening], *, received_at: dt.datetime, milestone: Milestone) -> list[Cycle]:
    """Every cycle of `milestone` on this timeline, in order; the last may still be running."""
    rule = RULES[milestone]
    cycles: list[Cycle] = []
    current: Cycle | None = None

    def begin(at: dt.datetime) -> Cycle:
        cycle = Cycle(milestone, len(cycles) + 1, at)
        cycles.append(cycle)
        return cycle

    def end(cycle: Cycle, at: dt.datetime, outcome: State) -> None:
        cycle.ended_at, cycle.outcome = at, outcome

    if rule.starts_at_receipt:
        current = begin(received_at)
    for h in happenings:
        if current is not None and (
            h.kind in rule.meets or (rule.public_meets and h.is_public and h.kind == "replied")
        ):
            end(current, h.at, State.MET)
            current = begin(h.at) if rule.restart else None
        elif current is not None and h.kind in rule.cancels:
            end(current, h.at, State.CANCELLED)
            current = None
        elif h.kind in rule.starts and (current is None or rule.restart_on_start):
            if current is not None:
                end(current, h.at, State.CANCELLED)
            current = begin(h.at)
    return cycles


def pauses_from(
    happenings: Iterable[Happening], pausing: Collection[str]
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Intervals the ticket spent in a pausing status; the last may still be open (None)."""
    intervals: list[tuple[dt.datetime, dt.datetime | None]] = []
    opened: dt.datetime | None = None
    for h in happenings:
        if not h.to_status:
            continue
        if h.to_status in pausing and opened is None:
            opened = h.at
        elif h.to_status not in pausing and opened is not None:
            intervals.append((opened, h.at))
            opened = None
    if opened is not None:
        intervals.append((opened, None))
    return intervals


class BusinessClock(Protocol):
    def add(self, start: dt.datetime, seconds: int) -> dt.datetime: ...

    def between(self, a: dt.datetime, b: dt.datetime) -> int: ...


@dataclass(frozen=True)
class Schedule:
    """Where a clock's target falls once pauses are taken out."""

    due_at: dt.datetime | None  # None while paused
    paused_seconds: int  # business seconds spent paused before the due time (or until now)
    remaining_when_paused: int | None  # business seconds left, frozen while paused


def schedule(
    calendar: BusinessClock,
    start: dt.datetime,
    seconds: int,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]],
    *,
    until: dt.datetime | None = None,
) -> Schedule:
    """The due time of `seconds` of business time from `start`, skipping the pause intervals.

    Pauses ending before `start` and starting after `until` (the cycle's end) are ignored; a
    pause still open freezes the clock with the business time left.
    """
    remaining, cursor, paused = seconds, start, 0
    for pause_start, pause_end in pauses:
        if pause_end is not None and pause_end <= cursor:
            continue
        if until is not None and pause_start >= until:
            break
        pause_start = max(pause_start, cursor)
        work = calendar.between(cursor, pause_start)
        if work >= remaining:
            return Schedule(calendar.add(cursor, remaining), paused, None)
        remaining -= work
        if pause_end is None:
            return Schedule(None, paused, remaining)
        paused += calendar.between(pause_start, pause_end)
        cursor = pause_end
    return Schedule(calendar.add(cursor, remaining), paused, None)


def is_breached(due_at: dt.datetime | None, *, ended_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Met late, or still open past the due time."""
    if due_at is None:
        return False
    return (ended_at or now) > due_at


def warn_seconds(target_seconds: int, warn_percent: int) -> int:
    """Business seconds after which the owner is warned (e.g. 75% of the target)."""
    return target_seconds * warn_percent // 100


def clock_facts(
    cycle: Cycle,
    target: dict[str, int],
    calendar: BusinessClock,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]],
    *,
    now: dt.datetime,
) -> dict[str, Any]:
    """What is stored of one cycle: due and warning times, state, pauses; UNKNOWN past the calendar data."""
    seconds = target["minutes"] * 60
    base: dict[str, Any] = {
        "target_minutes": target["minutes"],
        "warn_percent": target["warn_percent"],
        "calendar_id": target["calendar"],
        "started_at": cycle.started_at,
        "ended_at": cycle.ended_at,
    }
    try:
        due = schedule(calendar, cycle.started_at, seconds, pauses, until=cycle.ended_at)
        warn = schedule(
            calendar, cycle.started_at, warn_seconds(seconds, target["warn_percent"]), pauses, until=cycle.ended_at
        )
    except CalendarGap as gap:
        return base | {
            "state": cycle.outcome or State.UNKNOWN,
            "gap_date": gap.day,
            "due_at": None,
            "warn_at": None,
            "is_breached": False,
            "paused_seconds": 0,
            "remaining_seconds": None,
        }
    return base | {
        "state": cycle.outcome or (State.PAUSED if due.due_at is None else State.RUNNING),
        "gap_date": None,
        "due_at": due.due_at,
        "warn_at": warn.due_at,
        "is_breached": is_breached(due.due_at, ended_at=cycle.ended_at, now=now),
        "paused_seconds": due.paused_seconds,
        "remaining_seconds": due.remaining_when_paused,
    }
