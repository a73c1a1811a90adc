"""Indexes dropped for a bulk load, on both databases: gone inside, back as they were after (built from the rows
loaded meanwhile), untouched on failure."""

import pytest
from django.db import connection, transaction

from loopdesk.core.bulk import indexes_dropped
from loopdesk.testing.factories import TicketFactory
from loopdesk.testing.schema import index_definitions
from loopdesk.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
TABLE = TicketEvent._meta.db_table


def indexes() -> list[tuple[str, str, str | None]]:
    return index_definitions(TABLE)


def plan_of_a_ticket_lookup(ticket_id: int) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN SELECT id FROM {TABLE} WHERE ticket_id = %s", [ticket_id])
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN SELECT id FROM {TABLE} WHERE ticket_id = %s", [ticket_id])
        return " ".join(str(col) for row in cursor.fetchall() for col in row)


def test_indexes_are_gone_during_the_load_and_back_as_they_were_after():
    before = indexes()
    kept = [(t, name, sql) for t, name, sql in before if sql is None or name.endswith("_pkey")]  # constraints' own
    assert len(before) > len(kept) + 2
    ticket = TicketFactory()
    with transaction.atomic(), indexes_dropped(TicketEvent):
        assert indexes() == kept
        plan = plan_of_a_ticket_lookup(ticket.pk)
        assert "Seq Scan" in plan or "SCAN" in plan  # the whole table: no index left to use
        ticket.events.create(kind=TicketEvent.Kind.NOTE_ADDED, body="x")
    assert indexes() == before
    plan = plan_of_a_ticket_lookup(ticket.pk)
    assert "Seq Scan" not in plan and "SCAN" not in plan  # an index again
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE_ADDED, body="x").exists()


def test_a_failed_load_leaves_the_indexes():
    before = indexes()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), indexes_dropped(TicketEvent):
        1 / 0  # noqa: B018
    assert indexes() == before
