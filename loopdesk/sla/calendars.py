"""Business-time arithmetic on working calendars with holidays and make-up workdays (调休). Pure.

A calendar is compiled once into sorted working intervals in epoch microseconds with a running total
of working time, so adding business time or measuring it between two instants is two binary
searches, whatever the span (a Spring Festival week costs the same as a lunch break).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000  # the compiled arrays count microseconds, so sub-second instants stay exact
ONE_US = dt.timedelta(microseconds=1)
MINUTES_PER_DAY = 24 * 60
WEEKDAYS = 7

# (start_minute, end_minute) within a local day; end may be 1440 (midnight at the end of the day).
Range = tuple[int, int]


class CalendarGap(Exception):
    """The calendar has no confirmed holiday data for `day`; counting it by the weekly pattern needs an admin."""

    def __init__(self, day: dt.date):
        super().__init__(f"no confirmed calendar data for {day.isoformat()}")
        self.day = day


class CalendarConfigError(ValueError):
    """A calendar's configuration is invalid; the message says what to fix."""


@dataclass(frozen=True)
class CalendarSpec:
    """Everything a calendar is, as plain values.

    `holidays` are days off and `workdays` are make-up working days (both override the weekly
    pattern). Days after `known_until` have no holiday data: arithmetic reaching them raises
    CalendarGap. `None` means the calendar needs no such data (a plain weekly pattern).
    """

    timezone: str = "Asia/Shanghai"
    weekly: tuple[tuple[Range, ...], ...] = ((),) * WEEKDAYS
    is_24x7: bool = False
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)
    makeup_weekday: int = 0
    known_until: dt.date | None = None
    known_from: dt.date = dt.date(2004, 1, 1)


def validate_timezone(name: str) -> zoneinfo.ZoneInfo:
    """The zone named `name`, or CalendarConfigError."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarConfigError(f"unknown time zone: {name!r}") from exc


def validate_ranges(ranges: Sequence[Range]) -> list[str]:
    """Problems with one day's working ranges: empty or reversed ranges, overlaps, out-of-day times."""
    problems = []
    for start, end in ranges:
        if not (0 <= start < MINUTES_PER_DAY and 0 < end <= MINUTES_PER_DAY):
            problems.append(f"{_hhmm(start)}–{_hhmm(end)} is outside the day")
        elif start >= end:
            problems.append(f"{_hhmm(start)}–{_hhmm(end)} ends before it starts")
    ordered = sorted(ranges)
    for (s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
        if s2 < e1:
            problems.append(f"{_hhmm(s1)}–{_hhmm(e1)} overlaps {_hhmm(s2)}–{_hhmm(e2)}")
    return problems


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def validate_spec(spec: CalendarSpec) -> None:
    """Raise CalendarConfigError naming the first problem, or return."""
    validate_timezone(spec.timezone)
    if spec.is_24x7:
        return
    if len(spec.weekly) != WEEKDAYS:
        raise CalendarConfigError("a week has 7 days")
    for weekday, ranges in enumerate(spec.weekly):
        problems = validate_ranges(ranges)
        if problems:
            raise CalendarConfigError(f"weekday {weekday + 1}: {problems[0]}")
    if not any(spec.weekly):
        raise CalendarConfigError("a calendar needs working hours on at least one weekday")
    if not 0 <= spec.makeup_weekday < WEEKDAYS:
        raise CalendarConfigError("the make-up workday pattern must be a weekday 0-6")


def working_ranges(spec: CalendarSpec, day: dt.date) -> tuple[Range, ...]:
    """The working ranges of `day`: none on a holiday, the make-up pattern on a make-up workday."""
    if day in spec.holidays:
        return ()
    own = spec.weekly[day.weekday()]
    if day in spec.workdays:
        return own or spec.weekly[spec.makeup_weekday]
    return own


class CompiledCalendar:
    """Working intervals of a calendar between two dates, ready for O(log n) arithmetic."""

    def __init__(self, spec: CalendarSpec, *, last_day: dt.date):
        validate_spec(spec)
        self.spec = spec
        self.zone = validate_timezone(spec.timezone)
        self.is_24x7 = spec.is_24x7
        first = spec.known_from
        self.first_day, self.last_day = first, last_day
        self.range_start = _local_ts(first, 0, self.zone)
        self.range_end = _local_ts(last_day + dt.timedelta(days=1), 0, self.zone)
        starts: list[int] = []
        ends: list[int] = []
        day = first
        while day <= last_day:
            for start, end in working_ranges(spec, day):
                s, e = _local_ts(day, start, self.zone), _local_ts(day, end, self.zone)
                if starts and ends[-1] == s:  # 23:00-24:00 followed by 00:00-...: one interval
                    ends[-1] = e
                else:
                    starts.append(s)
                    ends.append(e)
            day += dt.timedelta(days=1)
        self.starts, self.ends = starts, ends
        self.cum_start: list[int] = []
        self.cum_end: list[int] = []
        total = 0
        for s, e in zip(starts, ends, strict=True):
            self.cum_start.append(total)
            total += e - s
            self.cum_end.append(total)

    # --- primitives in epoch microseconds -------------------------------------------------------

    def _gap_at(self, ts: int) -> CalendarGap:
        day = (EPOCH + ts * ONE_US).astimezone(self.zone).date()
        if ts < self.range_start:
            return CalendarGap(day)
        return CalendarGap(max(day, self.last_day + dt.timedelta(days=1)))

    def offset(self, ts: int) -> int:
        """Working microseconds from the start of the compiled range up to `ts`."""
        if self.is_24x7:
            return ts
        if not self.range_start <= ts <= self.range_end:
            raise self._gap_at(ts)
        i = bisect_right(self.ends, ts)
        if i == len(self.ends):
            return self.cum_end[-1] if self.ends else 0
        return self.cum_start[i] + max(0, ts - self.starts[i])

    def add_us(self, ts: int, amount: int) -> int:
        """The earliest instant at which `amount` microseconds of working time have passed since `ts`."""
        if amount < 0:
            raise ValueError("business time to add must not be negative")
        if self.is_24x7 or amount == 0:
            if not self.is_24x7:
                self.offset(ts)  # raise CalendarGap for an instant outside the data
            return ts + amount
        target = self.offset(ts) + amount
        i = bisect_right(self.ends, ts)
        j = bisect_left(self.cum_end, target, lo=i)
        if j == len(self.cum_end):
            raise self._gap_at(self.range_end)
        return self.ends[j] - (self.cum_end[j] - target)

    # --- the same on aware datetimes, in whole seconds of business time ---------------------------

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """`start` plus `seconds` of working time."""
        return EPOCH + self.add_us(_ts(start), seconds * US) * ONE_US

    def between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Whole seconds of working time in [a, b); negative when b is before a."""
        diff = self.offset(_ts(b)) - self.offset(_ts(a))
        return diff // US if diff >= 0 else -(-diff // US)

    def is_working(self, at: dt.datetime) -> bool:
        if self.is_24x7:
            return True
        ts = _ts(at)
        i = bisect_right(self.ends, ts)
        return i < len(self.starts) and self.starts[i] <= ts


def _ts(value: dt.datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("business-time arithmetic needs aware datetimes")
    return (value - EPOCH) // ONE_US


def _local_ts(day: dt.date, minute: int, zone: zoneinfo.ZoneInfo) -> int:
    if minute >= MINUTES_PER_DAY:
        day, minute = day + dt.timedelta(days=1), minute - MINUTES_PER_DAY
    local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return int(local.timestamp()) * US


def compile_calendar(spec: CalendarSpec, *, horizon_until: dt.date) -> CompiledCalendar:
    """Compile `spec` up to its known data, or up to `horizon_until` when it needs no holiday data."""
    last = spec.known_until if spec.known_until is not None else horizon_until
    return CompiledCalendar(spec, last_day=last)
