"""Business calendars from the database and the official China data, compiled once per revision."""

from __future__ import annotations

import datetime as dt
import threading
from functools import lru_cache

from django.utils import timezone

from loopdesk.sla.calendars import CalendarSpec, CompiledCalendar, compile_calendar
from loopdesk.sla.models import BusinessCalendar, CalendarDate

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
HORIZON_YEARS = 10


@lru_cache(maxsize=1)
def official_china() -> tuple[dict[dt.date, str], dict[dt.date, str], dt.date]:
    """(holidays, make-up workdays, last covered date) from the chinesecalendar package."""
    from chinese_calendar import constants

    holidays = {d: HOLIDAY_NAMES_ZH.get(str(v), str(v)) for d, v in constants.holidays.items()}
    workdays = {d: HOLIDAY_NAMES_ZH.get(str(v), str(v)) + "调休" for d, v in constants.workdays.items()}
    last_year = max(d.year for d in holidays)
    return holidays, workdays, dt.date(last_year, 12, 31)


def official_last_day() -> dt.date:
    return official_china()[2]


def known_until(calendar: BusinessCalendar, confirmed_years: set[int]) -> dt.date | None:
    """The last day this calendar has holiday data for: the official data, then consecutive confirmed years."""
    if calendar.is_24x7 or calendar.holiday_source != BusinessCalendar.HolidaySource.CHINA:
        return None
    last = official_last_day()
    while last.year + 1 in confirmed_years:
        last = dt.date(last.year + 1, 12, 31)
    return last


def spec_of(calendar: BusinessCalendar) -> CalendarSpec:
    """The plain-value description of a calendar: weekly hours, official dates, then overrides."""
    weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for period in calendar.periods.all():
        weekly[period.weekday].append(period.minutes)
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    if calendar.holiday_source == BusinessCalendar.HolidaySource.CHINA and not calendar.is_24x7:
        official_holidays, official_workdays, _ = official_china()
        holidays.update(official_holidays)
        workdays.update(official_workdays)
    for override in calendar.dates.all():
        target, other = (holidays, workdays) if override.kind == CalendarDate.Kind.HOLIDAY else (workdays, holidays)
        other.pop(override.date, None)
        target[override.date] = override.name
    years = {y.year for y in calendar.confirmed_years.all()}
    return CalendarSpec(
        timezone=calendar.timezone,
        weekly=tuple(tuple(sorted(day)) for day in weekly),
        is_24x7=calendar.is_24x7,
        holidays=holidays,
        workdays=workdays,
        makeup_weekday=calendar.makeup_weekday,
        known_until=known_until(calendar, years),
    )


_lock = threading.Lock()
_compiled: dict[int, tuple[str, CompiledCalendar]] = {}


def compiled(calendar: BusinessCalendar) -> CompiledCalendar:
    """The compiled calendar for this revision, built once per process and revision."""
    with _lock:
        hit = _compiled.get(calendar.pk)
    if hit is not None and hit[0] == calendar.revision:
        return hit[1]
    calendar = BusinessCalendar.objects.prefetch_related("periods", "dates", "confirmed_years").get(pk=calendar.pk)
    horizon = dt.date(timezone.localdate().year + HORIZON_YEARS, 12, 31)
    result = compile_calendar(spec_of(calendar), horizon_until=horizon)
    with _lock:
        _compiled[calendar.pk] = (calendar.revision, result)
    return result


def compiled_calendars() -> dict[int, CompiledCalendar]:
    """Every calendar, compiled; one query when nothing changed since the last call."""
    return {c.pk: compiled(c) for c in BusinessCalendar.objects.only("pk", "revision")}


def uncovered_years(calendar: BusinessCalendar, *, today: dt.date | None = None) -> list[int]:
    """Years from this one to next year that have no official data and no admin confirmation."""
    if calendar.is_24x7 or calendar.holiday_source != BusinessCalendar.HolidaySource.CHINA:
        return []
    today = today or timezone.localdate()
    last = known_until(calendar, {y.year for y in calendar.confirmed_years.all()})
    assert last is not None
    return [year for year in (today.year, today.year + 1) if year > last.year]
