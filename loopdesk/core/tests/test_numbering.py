"""Public numbers: the pure format, and the daily counter behind it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.core.models import next_public_number
from loopdesk.core.numbering import format_public_number

DAY = dt.date(2024, 3, 15)


@pytest.mark.parametrize(
    ("prefix", "serial", "number"),
    [
        ("P", 1, "P20240315001"),
        ("P", 42, "P20240315042"),
        ("P", 999, "P20240315999"),
        ("P", 1000, "P202403151000"),
        ("C", 1, "C2024031501"),
        ("C", 99, "C2024031599"),
        ("C", 100, "C20240315100"),
    ],
)
def test_format(prefix, serial, number):
    assert format_public_number(prefix, DAY, serial) == number


@pytest.mark.parametrize("serial", [0, -1])
def test_serials_start_at_one(serial):
    with pytest.raises(ValueError):
        format_public_number("P", DAY, serial)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2999, 12, 31)), st.integers(1, 10**6))
def test_number_encodes_day_and_serial(day, serial):
    number = format_public_number("P", day, serial)
    assert number.startswith("P" + day.strftime("%Y%m%d"))
    assert int(number[9:]) == serial and len(number) >= 12


@given(st.integers(1, 998))
def test_numbers_of_one_day_sort_like_their_serials(serial):
    assert format_public_number("P", DAY, serial) < format_public_number("P", DAY, serial + 1)


@pytest.mark.django_db
def test_counter_is_per_prefix_and_local_day():
    shanghai = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(dt.datetime(2024, 3, 15, 23, 59, tzinfo=shanghai), tick=False):
        today = [next_public_number("P"), next_public_number("P"), next_public_number("C")]
    with time_machine.travel(dt.datetime(2024, 3, 16, 0, 1, tzinfo=shanghai), tick=False):
        tomorrow = next_public_number("P")
    assert today == ["P20240315001", "P20240315002", "C2024031501"]
    assert tomorrow == "P20240316001"


@pytest.mark.django_db
def test_an_explicit_moment_picks_the_day():
    assert next_public_number("P", now=dt.datetime(2024, 3, 14, 17, 0, tzinfo=dt.UTC)) == "P20240315001"
