"""Keeping the daily statistics: counted in the writer's transaction per event, rebuilt set-based after bulk loads."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, Count, F, Func, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from loopdesk.reports import metrics
from loopdesk.reports.metrics import METRICS, Dimensions, Row
from loopdesk.reports.models import DailyStat, TicketStatKey
from loopdesk.tickets.models import Ticket, TicketEvent

STAT_TABLE = DailyStat._meta.db_table
KEY_TABLE = TicketStatKey._meta.db_table
DIMENSION_COLUMNS = ("day", "category_key", "department_key", "priority_key")


def _zone() -> ZoneInfo:
    return ZoneInfo(timezone.get_default_timezone_name())


def dimensions_of(ticket: Ticket) -> Dimensions:
    return Dimensions(
        received_at=ticket.received_at,
        category=ticket.category_id or 0,
        department=ticket.owner_department_id or 0,
        priority=ticket.priority_id or 0,
    )


def count_event(event: TicketEvent) -> None:
    """Add one new event to the daily counters, moving the ticket's earlier counts if its dimensions changed.

    Runs in the writer's transaction; the ticket's row lock (every service takes it) orders writers of one
    ticket, and the counters themselves are atomic upserts, so parallel writers of other tickets never lose
    an increment."""
    ticket = event.ticket
    dims = dimensions_of(ticket)
    known: Dimensions | None = getattr(ticket, "_stats_dims", None) or _stored_dimensions(ticket.pk)
    zone = _zone()
    if known == dims:
        counts = metrics.event_counts(event.kind, event.data, event.created_at, dims.received_at)
        changes = {metrics.row_of(dims, event.created_at, zone): dict(counts)} if counts else {}
    elif known is None and event.kind == TicketEvent.Kind.CREATED:
        changes = metrics.difference(metrics.ticket_counts(dims, [], zone), {})
    else:  # first sight of a ticket loaded in bulk, or a new category/department/priority/receipt time
        history = _counted_events(ticket.pk)
        before = [e for e in history if e[3] != event.pk]
        old = metrics.ticket_counts(known, [e[:3] for e in before], zone) if known else {}
        changes = metrics.difference(metrics.ticket_counts(dims, [e[:3] for e in history], zone), old)
    if known != dims:
        _store_dimensions(ticket.pk, dims)
    ticket._stats_dims = dims  # type: ignore[attr-defined]
    add_to_daily_stats(changes)


def _stored_dimensions(ticket_id: int) -> Dimensions | None:
    row = TicketStatKey.objects.filter(ticket_id=ticket_id).first()
    if row is None:
        return None
    return Dimensions(row.received_at, row.category_key, row.department_key, row.priority_key)


def _store_dimensions(ticket_id: int, dims: Dimensions) -> None:
    TicketStatKey.objects.update_or_create(
        ticket_id=ticket_id,
        defaults={
            "received_at": dims.received_at,
            "category_key": dims.category,
            "department_key": dims.department,
            "priority_key": dims.priority,
        },
    )


def _counted_events(ticket_id: int) -> list[tuple]:
    rows = TicketEvent.objects.filter(ticket_id=ticket_id, kind__in=metrics.COUNTED_KINDS)
    return [(kind, data, at, pk) for kind, data, at, pk in rows.values_list("kind", "data", "created_at", "pk")]


def add_to_daily_stats(changes: Mapping[Row, Mapping[str, int]]) -> None:
    """Add the given amounts to each day's row in one statement: INSERT ... ON CONFLICT DO UPDATE SET n = n + new."""
    if not changes:
        return
    columns = DIMENSION_COLUMNS + METRICS
    values, params = [], []
    for (day, category, department, priority), delta in sorted(changes.items()):
        values.append("(" + ", ".join(["%s"] * len(columns)) + ")")
        params += [connection.ops.adapt_datefield_value(day), category, department, priority]
        params += [int(delta.get(m, 0)) for m in METRICS]
    updates = ", ".join(f"{m} = {STAT_TABLE}.{m} + excluded.{m}" for m in METRICS)
    sql = (
        f"INSERT INTO {STAT_TABLE} ({', '.join(columns)}) VALUES {', '.join(values)} "
        f"ON CONFLICT ({', '.join(DIMENSION_COLUMNS)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class EpochSeconds(Func):
    """Whole seconds since the epoch of a datetime column, computed the same way on both databases."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM date_trunc('second', %(expressions)s)) AS BIGINT)"
        )


def _window(field: str, start: dt.date | None, end: dt.date | None) -> Q:
    """Local days start..end inclusive, as a range on the stored instant (so an index on it can be used)."""
    zone, q = _zone(), Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": dt.datetime.combine(start, dt.time.min, zone)})
    if end is not None:
        q &= Q(**{f"{field}__lt": dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone)})
    return q


def _dimensions(prefix: str = "") -> dict:
    return {
        "category_key": Coalesce(F(f"{prefix}category_id"), Value(0)),
        "department_key": Coalesce(F(f"{prefix}owner_department_id"), Value(0)),
        "priority_key": Coalesce(F(f"{prefix}priority_id"), Value(0)),
    }


def _opened(start: dt.date | None, end: dt.date | None) -> QuerySet:
    return (
        Ticket.objects.filter(_window("received_at", start, end))
        .annotate(day=TruncDate("received_at"), **_dimensions())
        .values(*DIMENSION_COLUMNS)
        .annotate(opened=Count("id"))
        .order_by()
    )


def _from_events(start: dt.date | None, end: dt.date | None) -> QuerySet:
    kind = {k: Q(kind=k) for k in metrics.COUNTED_KINDS}
    scored = kind["satisfaction_recorded"] & Q(score__isnull=False)
    return (
        TicketEvent.objects.filter(_window("created_at", start, end), kind__in=metrics.COUNTED_KINDS)
        .annotate(
            day=TruncDate("created_at"),
            score=Cast(KeyTextTransform("score", "data"), IntegerField()),
            outcome=Cast(KeyTextTransform("outcome", "data"), CharField()),
            **_dimensions("ticket__"),
        )
        .values(*DIMENSION_COLUMNS)
        .annotate(
            resolved=Count("id", filter=kind["resolved"]),
            resolution_seconds=Sum(
                EpochSeconds("created_at") - EpochSeconds("ticket__received_at"), filter=kind["resolved"]
            ),
            closed=Count("id", filter=kind["closed"]),
            closed_confirmed=Count("id", filter=kind["closed"] & Q(outcome="confirmed")),
            closed_no_response=Count("id", filter=kind["closed"] & Q(outcome="no_response")),
            reopened=Count("id", filter=kind["reopened"]),
            breached=Count("id", filter=kind["sla_breached"]),
            satisfaction_count=Count("id", filter=scored),
            satisfaction_sum=Sum("score", filter=scored),
            dissatisfied=Count("id", filter=scored & Q(score__lte=metrics.DISSATISFIED_AT_MOST)),
        )
        .order_by()
    )


@transaction.atomic
def rebuild_daily_stats(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Recompute the daily rows of local days start..end (all days by default) from tickets and events.

    Two GROUP BY queries (receipts; counted events joined to their tickets) replace the rows of the range;
    tickets without a statistics key (loaded in bulk) get one, and a full rebuild renews every key.
    Returns the number of daily rows written."""
    DailyStat.objects.filter(**_day_range(start, end)).delete()
    rows: dict[tuple, Counter] = defaultdict(Counter)
    for query in (_opened(start, end), _from_events(start, end)):
        for values in query.iterator(chunk_size=5000):
            key = tuple(values.pop(c) for c in DIMENSION_COLUMNS)
            rows[key].update({m: n for m, n in values.items() if n})
    DailyStat.objects.bulk_create(
        (DailyStat(**dict(zip(DIMENSION_COLUMNS, key, strict=True)), **counts) for key, counts in rows.items()),
        batch_size=2000,
    )
    _renew_keys(full=start is None and end is None)
    return len(rows)


def _day_range(start: dt.date | None, end: dt.date | None) -> dict:
    bounds = {}
    if start is not None:
        bounds["day__gte"] = start
    if end is not None:
        bounds["day__lte"] = end
    return bounds


def _renew_keys(*, full: bool) -> None:
    ticket_table = Ticket._meta.db_table
    select = (
        f"SELECT t.id, t.received_at, COALESCE(t.category_id, 0), COALESCE(t.owner_department_id, 0), "
        f"COALESCE(t.priority_id, 0) FROM {ticket_table} t"
    )
    insert = f"INSERT INTO {KEY_TABLE} (ticket_id, received_at, category_key, department_key, priority_key) "
    with connection.cursor() as cursor:
        if full:
            cursor.execute(f"DELETE FROM {KEY_TABLE}")
            cursor.execute(insert + select)
        else:
            cursor.execute(
                insert + select + f" WHERE NOT EXISTS (SELECT 1 FROM {KEY_TABLE} k WHERE k.ticket_id = t.id)"
            )
