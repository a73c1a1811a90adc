"""Public numbers: the pure format, and the daily counter behind it."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.core.models import DailyCounter, continue_numbering, next_public_number, sequence_name
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


@pytest.mark.django_db
def test_after_a_bulk_load_numbering_goes_on_after_the_loaded_serials():
    day = dt.date(2024, 3, 15)
    moment = dt.datetime(2024, 3, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert next_public_number("P", now=moment) == "P20240315001"
    continue_numbering("P", day, 41)  # a loader wrote P…001 to P…041
    assert next_public_number("P", now=moment) == "P20240315042"
    assert next_public_number("P", now=moment) == "P20240315043"


@pytest.mark.django_db
def test_a_number_of_a_rolled_back_transaction():
    moment = dt.datetime(2024, 3, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert next_public_number("P", now=moment) == "P20240315001"
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert next_public_number("P", now=moment) == "P20240315002"
        1 / 0  # noqa: B018
    following = next_public_number("P", now=moment)
    if connection.vendor == "postgresql":  # a sequence: the rolled-back number is not given again
        assert following == "P20240315003"
    else:  # the counter row rolled back with it
        assert following == "P20240315002"


@pytest.mark.django_db
@pytest.mark.skipif("os.environ.get('DATABASE_URL', '') == ''", reason="the sequences are PostgreSQL's")
def test_a_day_numbered_by_the_counter_goes_on_from_its_last_serial():
    DailyCounter.objects.create(prefix="P", day=dt.date(2024, 3, 15), last=7)  # numbered before the migration
    moment = dt.datetime(2024, 3, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert [next_public_number("P", now=moment) for _ in range(2)] == ["P20240315008", "P20240315009"]


def test_an_unknown_prefix_has_no_sequence():
    with pytest.raises(ValueError):
        sequence_name("X")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("os.environ.get('DATABASE_URL', '') == ''", reason="SQLite runs one writer at a time")
def test_transactions_take_numbers_without_waiting_for_each_other():
    """PostgreSQL: a create transaction that has taken a number does not hold up the next one (the day's
    counter row used to be locked until commit, so creates ran one at a time)."""
    moment = dt.datetime(2024, 3, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    first = next_public_number("P", now=moment)  # the day's base is committed (the day's first number waits)
    holding, done = threading.Event(), threading.Event()
    taken: list[str] = []

    def hold_a_number() -> None:
        try:
            with transaction.atomic():
                taken.append(next_public_number("P", now=moment))
                holding.set()
                done.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_number)
    holder.start()
    try:
        assert holding.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting for the other transaction fails the test
            mine = next_public_number("P", now=moment)
    finally:
        done.set()
        holder.join()
    assert first == "P20240315001"
    assert sorted([*taken, mine]) == ["P20240315002", "P20240315003"]
