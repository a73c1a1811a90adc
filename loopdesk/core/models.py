"""Shared base models and the daily counters behind public numbers."""

from __future__ import annotations

import datetime as dt

from django.db import connection, models, transaction
from django.utils import timezone

from loopdesk.core.numbering import WIDTHS, format_public_number


class DailyCounter(models.Model):
    """Per prefix and local day, where its serials stand.

    SQLite: `last`, the last serial handed out, incremented by one atomic upsert (writers take turns anyway).
    PostgreSQL: `base`, the value of the prefix's sequence before the day's first number; a serial is the
    sequence's next value minus `base`, so no row is locked per number and creates run side by side."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)
    base = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="uniq_counter_prefix_day")]


def sequence_name(prefix: str) -> str:
    """PostgreSQL: the sequence behind a prefix's numbers (migration core.0003 creates one per prefix)."""
    if prefix not in WIDTHS:
        raise ValueError(f"unknown number prefix {prefix!r}")
    return f"core_public_number_{prefix.lower()}"


def next_public_number(prefix: str, *, now: dt.datetime | None = None) -> str:
    """Next number for today (Asia/Shanghai).

    SQLite: the day's row is incremented; its lock lives until the caller's transaction ends, as the database's
    write lock does. PostgreSQL: from the prefix's sequence, which never waits for another transaction, so
    a number taken by a transaction that rolls back is not given again (a gap, as with any sequence)."""
    day = timezone.localdate(now or timezone.now())
    if connection.vendor == "postgresql":
        serial = _serial_from_sequence(prefix, day)
    else:
        table = DailyCounter._meta.db_table
        sql = (
            f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
        )
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:  # one statement: no savepoint
            cursor.execute(sql, [prefix, day.isoformat()])
            (serial,) = cursor.fetchone()
    return format_public_number(prefix, day, serial)


_TABLE = DailyCounter._meta.db_table
_NEXT_SQL = (
    "WITH n AS (SELECT nextval(%s::regclass) AS value) "
    f"SELECT n.value, c.base FROM n LEFT JOIN {_TABLE} c ON c.prefix = %s AND c.day = %s"  # noqa: S608
)
_START_DAY_SQL = (  # a day numbered before the sequences (base still empty) goes on after its `last`
    f"INSERT INTO {_TABLE} AS c (prefix, day, last, base) VALUES (%s, %s, 0, %s) "  # noqa: S608
    "ON CONFLICT (prefix, day) DO UPDATE SET base = excluded.base - c.last WHERE c.base IS NULL RETURNING base"
)
_BASE_SQL = f"SELECT base FROM {_TABLE} WHERE prefix = %s AND day = %s"  # noqa: S608


def _serial_from_sequence(prefix: str, day: dt.date) -> int:
    """The sequence's next value minus the day's base; the day's first number sets the base (one round trip
    more, once a day). Two transactions starting the same day at once: the second waits for the first's
    commit and takes its base; a value at or below a base set meanwhile is skipped."""
    with connection.cursor() as cursor:
        while True:
            cursor.execute(_NEXT_SQL, [sequence_name(prefix), prefix, day.isoformat()])
            value, base = cursor.fetchone()
            if base is None:
                cursor.execute(_START_DAY_SQL, [prefix, day.isoformat(), value - 1])
                row = cursor.fetchone()
                if row is None:  # set by another transaction meanwhile
                    cursor.execute(_BASE_SQL, [prefix, day.isoformat()])
                    row = cursor.fetchone()
                (base,) = row
            if value > base:
                return value - base


def continue_numbering(prefix: str, day: dt.date, last: int) -> None:
    """After a bulk load: the day's next number is `last` + 1 (the loaded tickets hold 1 … `last`)."""
    if connection.vendor != "postgresql":
        DailyCounter.objects.update_or_create(prefix=prefix, day=day, defaults={"last": last})
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value, is_called FROM {sequence_name(prefix)}")  # noqa: S608 - our name
        last_value, is_called = cursor.fetchone()
    upcoming = last_value + 1 if is_called else last_value
    DailyCounter.objects.update_or_create(prefix=prefix, day=day, defaults={"base": upcoming - last - 1})


class RateHit(models.Model):
    """One counted attempt in a rate-limit scope (per IP, per contact, global); old rows are irrelevant."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"], name="core_ratehit_lookup")]
