"""Counting new ticket events into the daily statistics, once per service call, in the writer's transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from loopdesk.reports import metrics
from loopdesk.reports.metrics import Dimensions, Row
from loopdesk.reports.services import KEY_TABLE, add_to_daily_stats, local_zone
from loopdesk.tickets.events import current_service_call
from loopdesk.tickets.models import Ticket, TicketEvent

TICKET_TABLE = Ticket._meta.db_table
TICKET_DIMENSIONS = "COALESCE(t.category_id, 0), COALESCE(t.owner_department_id, 0)"


@dataclass
class _Noted:
    """A new event waiting to be counted, with where it was written: inside a transaction, in which savepoint."""

    event: TicketEvent
    in_transaction: bool
    savepoint: str | None
    doubtful: bool = False  # left behind by an earlier service call: counted only if its row is still there


@dataclass
class _Uncounted:
    call: object | None  # the service call (tickets.events.current_service_call) that noted the last event
    notes: list[_Noted] = field(default_factory=list)


# Per thread (and per task): the events of the running service call, counted once at its end, on tickets_written.
_uncounted: ContextVar[_Uncounted | None] = ContextVar("reports_uncounted_events", default=None)


def note_event(event: TicketEvent) -> None:
    """Count a new event once the service call writing it ends (all its events at once), or now outside one.

    Inside a call the events wait until `tickets_written`, which the call sends in its transaction. A call that
    fails sends nothing; the events it leaves are kept as doubtful and counted with the next ones only if their
    rows are still there (a rollback removed them), so nothing stale is ever counted and nothing written is lost."""
    call = current_service_call()
    uncounted = _uncounted.get()
    if uncounted is None:
        uncounted = _Uncounted(call)
        _uncounted.set(uncounted)
    elif uncounted.call is not call:
        for note in uncounted.notes:
            note.doubtful = True
        uncounted.call = call
    in_transaction = connection.in_atomic_block
    uncounted.notes.append(_Noted(event, in_transaction, _innermost_savepoint() if in_transaction else None))
    if call is None or not in_transaction:
        count_noted_events()


def count_noted_events() -> None:
    """Count the events noted so far; `tickets_written` calls it at the end of each service call."""
    uncounted = _uncounted.get()
    _uncounted.set(None)
    if uncounted is not None and uncounted.notes:
        count_events(_still_written(uncounted.notes))


def count_events(events: list[TicketEvent]) -> None:
    """Add new events to the daily counters, moving a ticket's earlier counts if its dimensions changed.

    Per call, whatever the number of events and tickets: one read of the tickets' current and counted
    dimensions (none when every ticket is new), one upsert of the keys that change, one read of the counted
    events of tickets that moved, and one upsert of the daily rows. Runs in the writer's transaction; the
    ticket's row lock (every service takes it) orders writers of one ticket, keys and daily rows are written
    in sorted order, and the counters are atomic upserts, so parallel writers never lose an increment."""
    by_ticket: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    new = {t for t, evs in by_ticket.items() if any(e.kind == TicketEvent.Kind.CREATED for e in evs)}
    read = _dimensions_and_keys(sorted(set(by_ticket) - new))
    moved = {t for t, (dims, known) in read.items() if dims != known}
    stored = _store_dimensions(sorted(new | moved))
    history = _counted_events(sorted(moved))
    zone = local_zone()
    parts: list[Mapping[Row, Mapping[str, int]]] = []
    for ticket_id in new & set(stored):  # created in this call: nothing of it is counted yet
        parts.append(metrics.ticket_counts(stored[ticket_id], _facts(by_ticket[ticket_id]), zone))
    for ticket_id, (dims, known) in read.items():
        if ticket_id in moved:
            noted = {e.pk for e in by_ticket[ticket_id]}
            parts.append(_moved_counts(dims, known, history.get(ticket_id, []), noted, zone))
        else:
            parts.append(metrics.events_counts(dims, _facts(by_ticket[ticket_id]), zone))
    add_to_daily_stats(metrics.merged(parts))


def _moved_counts(
    dims: Dimensions, known: Dimensions | None, history: list[tuple], noted: set[int], zone: ZoneInfo
) -> dict[Row, dict[str, int]]:
    """A ticket seen for the first time (loaded in bulk) or with a new category, department or receipt time: all
    of it under the new dimensions, minus what was counted under the old ones (all but the events noted now)."""
    counted = [e[:3] for e in history if e[3] not in noted]
    old = metrics.ticket_counts(known, counted, zone) if known else {}
    return metrics.difference(metrics.ticket_counts(dims, [e[:3] for e in history], zone), old)


def _facts(events: list[TicketEvent]) -> list[tuple[str, Mapping[str, Any], dt.datetime]]:
    return [(e.kind, e.data, e.created_at) for e in events]


def _innermost_savepoint() -> str | None:
    return next((sid for sid in reversed(connection.savepoint_ids) if sid), None)


def _still_written(notes: list[_Noted]) -> list[TicketEvent]:
    """The noted events whose rows exist. An event written in a savepoint left since (released or rolled back:
    Django keeps no record of which), in a transaction that has ended, or by an earlier failed call is looked
    up, if it is one that counts or creates a ticket; the others share the fate of the running transaction."""
    doubtful = [n.event for n in notes if n.event.kind in _CHECKED_KINDS and not _surely_written(n)]
    if not doubtful:
        return [n.event for n in notes]
    rows = TicketEvent.objects.filter(pk__in=[e.pk for e in doubtful])
    found = set(rows.values_list("pk", "ticket_id", "kind", "created_at"))
    gone = {id(e) for e in doubtful if (e.pk, e.ticket_id, e.kind, e.created_at) not in found}
    return [n.event for n in notes if id(n.event) not in gone]


_CHECKED_KINDS = metrics.COUNTED_KINDS | {TicketEvent.Kind.CREATED}


def _surely_written(note: _Noted) -> bool:
    if note.doubtful:
        return False
    if not note.in_transaction:
        return True  # autocommitted
    if not connection.in_atomic_block:
        return False
    return note.savepoint is None or note.savepoint in connection.savepoint_ids


def _dimensions_and_keys(ticket_ids: list[int]) -> dict[int, tuple[Dimensions, Dimensions | None]]:
    """Per ticket, the dimensions of its row now and those it is counted under (None: never counted)."""
    if not ticket_ids:
        return {}
    sql = (
        f"SELECT t.id, t.received_at, {TICKET_DIMENSIONS}, k.received_at, k.category_key, k.department_key "
        f"FROM {TICKET_TABLE} t LEFT JOIN {KEY_TABLE} k ON k.ticket_id = t.id "
        f"WHERE t.id IN ({', '.join(['%s'] * len(ticket_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ticket_ids)
        rows = cursor.fetchall()
    return {
        row[0]: (
            Dimensions(_instant(row[1]), row[2], row[3]),
            Dimensions(_instant(row[4]), row[5], row[6]) if row[4] is not None else None,
        )
        for row in rows
    }


def _store_dimensions(ticket_ids: list[int]) -> dict[int, Dimensions]:
    """Key the tickets under the dimensions of their rows, in one upsert that returns them."""
    if not ticket_ids:
        return {}
    sql = (
        f"INSERT INTO {KEY_TABLE} (ticket_id, received_at, category_key, department_key) "
        f"SELECT t.id, t.received_at, {TICKET_DIMENSIONS} FROM {TICKET_TABLE} t "
        f"WHERE t.id IN ({', '.join(['%s'] * len(ticket_ids))}) ORDER BY t.id "
        "ON CONFLICT (ticket_id) DO UPDATE SET received_at = excluded.received_at, "
        "category_key = excluded.category_key, department_key = excluded.department_key "
        "RETURNING ticket_id, received_at, category_key, department_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ticket_ids)
        rows = cursor.fetchall()
    return {row[0]: Dimensions(_instant(row[1]), row[2], row[3]) for row in rows}


def _instant(value: dt.datetime | str) -> dt.datetime:
    """A datetime read with plain SQL: SQLite gives its stored UTC text (or a naive value), PostgreSQL an aware one."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _counted_events(ticket_ids: list[int]) -> dict[int, list[tuple]]:
    """Per ticket, its counted events as (kind, data, created_at, pk)."""
    found: dict[int, list[tuple]] = defaultdict(list)
    if ticket_ids:
        rows = TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind__in=metrics.COUNTED_KINDS)
        for ticket_id, *event in rows.values_list("ticket_id", "kind", "data", "created_at", "pk"):
            found[ticket_id].append(tuple(event))
    return found
