"""Business-time arithmetic on real Chinese dates, table-driven, plus properties (hypothesis)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loopdesk.sla.calendar_data import official_china
from loopdesk.sla.calendars import (
    CalendarConfigError,
    CalendarGap,
    CalendarSpec,
    compile_calendar,
    validate_ranges,
    validate_spec,
)

SH = ZoneInfo("Asia/Shanghai")
WEEK = tuple(((9 * 60, 12 * 60), (13 * 60, 18 * 60)) if d < 5 else () for d in range(7))
HOLIDAYS, WORKDAYS, LAST = official_china()
CN = compile_calendar(
    CalendarSpec(weekly=WEEK, holidays=HOLIDAYS, workdays=WORKDAYS, known_until=LAST), horizon_until=LAST
)
H = 3600


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # a normal Tuesday, across the lunch break
        (at(2025, 3, 4, 10, 0), 3, at(2025, 3, 4, 14, 0)),
        # exactly at the end of the morning: due at 12:00, not 13:00
        (at(2025, 3, 4, 9, 0), 3, at(2025, 3, 4, 12, 0)),
        # received during lunch: counting starts at 13:00
        (at(2025, 3, 4, 12, 30), 1, at(2025, 3, 4, 14, 0)),
        # received at night: counting starts next morning
        (at(2025, 3, 4, 22, 15), 2, at(2025, 3, 5, 11, 0)),
        # Friday evening to Monday
        (at(2025, 3, 7, 17, 0), 2, at(2025, 3, 10, 10, 0)),
        # Spring Festival 2025: holiday Jan 28 - Feb 4; Sunday Jan 26 and Saturday Feb 8 are make-up workdays
        (at(2025, 1, 24, 17, 0), 2, at(2025, 1, 26, 10, 0)),
        (at(2025, 1, 27, 17, 0), 2, at(2025, 2, 5, 10, 0)),
        (at(2025, 2, 7, 17, 30), 1, at(2025, 2, 8, 9, 30)),
        # received on a holiday: nothing counts until the first working day
        (at(2025, 1, 30, 10, 0), 8, at(2025, 2, 5, 18, 0)),
        # National Day 2025: Oct 1-8 off; Sunday Sep 28 and Saturday Oct 11 are workdays
        (at(2025, 9, 26, 17, 0), 2, at(2025, 9, 28, 10, 0)),
        (at(2025, 9, 30, 17, 0), 2, at(2025, 10, 9, 10, 0)),
        (at(2025, 10, 10, 18, 0), 8, at(2025, 10, 11, 18, 0)),
        # Spring Festival 2026: Feb 15-23 off; Saturdays Feb 14 and Feb 28 are workdays
        (at(2026, 2, 13, 17, 0), 4, at(2026, 2, 14, 12, 0)),
        (at(2026, 2, 14, 17, 0), 2, at(2026, 2, 24, 10, 0)),
        (at(2026, 2, 27, 18, 0), 1, at(2026, 2, 28, 10, 0)),
        # National Day 2026: Oct 1-7 off; Sunday Sep 20 and Saturday Oct 10 are workdays
        (at(2026, 9, 19, 10, 0), 1, at(2026, 9, 20, 10, 0)),
        (at(2026, 9, 30, 17, 40), 2, at(2026, 10, 8, 10, 40)),
        (at(2026, 10, 9, 17, 0), 2, at(2026, 10, 10, 10, 0)),
        # 72 working hours = nine working days
        (at(2025, 3, 3, 9, 0), 72, at(2025, 3, 13, 18, 0)),
    ],
)
def test_adding_business_hours_on_real_dates(start, hours, due):
    assert CN.add(start, hours * H) == due


def test_time_zone_edges_count_in_the_calendar_zone():
    # given a start expressed in UTC (01:00 UTC is 09:00 in Shanghai)
    start = dt.datetime(2025, 3, 4, 1, 0, tzinfo=dt.UTC)
    # then the local working day applies
    assert CN.add(start, 1 * H) == at(2025, 3, 4, 10, 0)
    # and a start at 23:30 UTC on Monday is already 07:30 Tuesday in Shanghai
    assert CN.add(dt.datetime(2025, 3, 3, 23, 30, tzinfo=dt.UTC), 1 * H) == at(2025, 3, 4, 10, 0)


def test_a_calendar_in_another_zone_with_daylight_saving():
    week = tuple(((9 * 60, 17 * 60),) if d < 5 else () for d in range(7))
    berlin = compile_calendar(CalendarSpec(timezone="Europe/Berlin", weekly=week), horizon_until=dt.date(2026, 12, 31))
    zone = ZoneInfo("Europe/Berlin")
    # Friday 16:00 before the spring change (last Sunday of March 2025) + 2 h = Monday 10:00 local
    assert berlin.add(dt.datetime(2025, 3, 28, 16, tzinfo=zone), 2 * H) == dt.datetime(2025, 3, 31, 10, tzinfo=zone)


def test_business_seconds_between_skip_nights_lunch_and_holidays():
    assert CN.between(at(2025, 3, 4, 11, 0), at(2025, 3, 4, 14, 0)) == 2 * H
    assert CN.between(at(2025, 9, 30, 17, 0), at(2025, 10, 9, 10, 0)) == 2 * H
    assert CN.between(at(2025, 10, 9, 10, 0), at(2025, 9, 30, 17, 0)) == -2 * H


def test_is_working():
    assert CN.is_working(at(2026, 2, 14, 10, 0))  # make-up Saturday
    assert not CN.is_working(at(2026, 2, 16, 10, 0))  # Spring Festival Monday
    assert not CN.is_working(at(2026, 3, 3, 12, 30))  # lunch


def test_days_past_the_data_raise_a_gap_instead_of_guessing():
    with pytest.raises(CalendarGap) as gap:
        CN.add(at(2026, 12, 31, 17, 0), 2 * H)
    assert gap.value.day == dt.date(2027, 1, 1)
    with pytest.raises(CalendarGap):
        CN.between(at(2026, 12, 1, 9, 0), at(2027, 1, 5, 9, 0))


def test_confirmed_year_counts_by_the_weekly_pattern_plus_overrides():
    # given the admin entered 2027's New Year holiday and confirmed the year
    holidays = dict(HOLIDAYS) | {dt.date(2027, 1, 1): "元旦"}
    spec = CalendarSpec(weekly=WEEK, holidays=holidays, workdays=WORKDAYS, known_until=dt.date(2027, 12, 31))
    confirmed = compile_calendar(spec, horizon_until=dt.date(2027, 12, 31))
    # then Thursday Dec 31 17:00 + 2 h skips Friday Jan 1 and the weekend
    assert confirmed.add(at(2026, 12, 31, 17, 0), 2 * H) == at(2027, 1, 4, 10, 0)


def test_round_the_clock_counts_every_minute():
    always = compile_calendar(CalendarSpec(is_24x7=True), horizon_until=LAST)
    assert always.add(at(2026, 10, 1, 23, 0), 2 * H) == at(2026, 10, 2, 1, 0)
    assert always.between(at(2026, 10, 1, 0, 0), at(2026, 10, 2, 0, 0)) == 24 * H


@pytest.mark.parametrize(
    ("ranges", "problem"),
    [
        ([(540, 720), (700, 800)], "overlaps"),
        ([(720, 540)], "ends before it starts"),
        ([(540, 1500)], "outside the day"),
    ],
)
def test_invalid_ranges_are_named(ranges, problem):
    assert problem in validate_ranges(ranges)[0]


def test_invalid_calendars_are_rejected_with_clear_messages():
    with pytest.raises(CalendarConfigError, match="unknown time zone"):
        validate_spec(CalendarSpec(timezone="Mars/Olympus", weekly=WEEK))
    with pytest.raises(CalendarConfigError, match="at least one weekday"):
        validate_spec(CalendarSpec(weekly=((),) * 7))
    with pytest.raises(CalendarConfigError, match="overlaps"):
        validate_spec(CalendarSpec(weekly=(((540, 720), (600, 660)),) + ((),) * 6))


def test_negative_business_time_is_refused():
    with pytest.raises(ValueError, match="negative"):
        CN.add(at(2025, 3, 4, 10, 0), -60)


# --- properties -------------------------------------------------------------------------------------

# Starts leave room for 400 business hours before the end of the official data (2026-12-31).
instants = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 6, 30), timezones=st.just(SH))
durations = st.integers(min_value=0, max_value=200 * H)


@settings(max_examples=300, deadline=None)
@given(start=instants, seconds=durations)
def test_due_minus_start_in_business_time_equals_the_target(start, seconds):
    due = CN.add(start, seconds)
    assert due >= start
    assert CN.between(start, due) == seconds


@settings(max_examples=300, deadline=None)
@given(start=instants, a=durations, b=durations)
def test_adding_business_time_is_monotonic(start, a, b):
    small, large = sorted((a, b))
    assert CN.add(start, small) <= CN.add(start, large)


@settings(max_examples=300, deadline=None)
@given(start=instants, later=st.integers(min_value=0, max_value=30 * 24 * H), seconds=durations)
def test_a_later_start_is_never_due_earlier(start, later, seconds):
    assert CN.add(start, seconds) <= CN.add(start + dt.timedelta(seconds=later), seconds)


@settings(max_examples=200, deadline=None)
@given(start=instants, a=durations, b=durations)
def test_adding_in_two_steps_equals_adding_once(start, a, b):
    if a == 0:
        return
    assert CN.add(CN.add(start, a), b) == CN.add(start, a + b)
