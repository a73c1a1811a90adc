"""Shared base models and the daily counters behind public numbers."""

from __future__ import annotations

import datetime as dt

from django.db import connection, models, transaction
from django.utils import timezone

from loopdesk.core.numbering import format_public_number


class DailyCounter(models.Model):
    """Last serial handed out per prefix and local day; incremented by one atomic upsert."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="uniq_counter_prefix_day")]


def next_public_number(prefix: str, *, now: dt.datetime | None = None) -> str:
    """Next number for today (Asia/Shanghai); the row lock lives until the caller's transaction ends."""
    day = timezone.localdate(now or timezone.now())
    table = DailyCounter._meta.db_table
    sql = (
        f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
        f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:  # one statement: no savepoint
        cursor.execute(sql, [prefix, day.isoformat()])
        (serial,) = cursor.fetchone()
    return format_public_number(prefix, day, serial)


class RateHit(models.Model):
    """One counted attempt in a rate-limit scope (per IP, per contact, global); old rows are irrelevant."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"], name="core_ratehit_lookup")]
