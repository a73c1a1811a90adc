"""Foreign keys dropped for a bulk load on PostgreSQL: gone inside, back and checked after, untouched on failure."""

import pytest
from django.db import IntegrityError, connection, transaction

from loopdesk.core.bulk import foreign_keys_dropped
from loopdesk.testing.factories import TicketFactory
from loopdesk.testing.schema import foreign_key_definitions as keys
from loopdesk.tickets.models import Ticket, TicketEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps its keys during a load"),
]


def insert_event(ticket_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_ticketevent (ticket_id, kind, from_status, to_status, body, is_public, data, "
            "created_at) VALUES (%s, 'note_added', '', '', 'x', false, '{}', now())",
            [ticket_id],
        )


def test_keys_are_gone_during_the_load_and_back_as_they_were_after():
    before = keys("tickets_ticketevent")
    assert before and keys("tickets_ticket")
    ticket = TicketFactory()
    with foreign_keys_dropped(Ticket, TicketEvent):
        assert keys("tickets_ticketevent") == [] and keys("tickets_ticket") == []
        insert_event(ticket.pk)
    assert keys("tickets_ticketevent") == before
    assert TicketEvent.objects.filter(ticket=ticket, kind="note_added").exists()


def test_a_row_that_breaks_a_key_fails_the_load_and_leaves_the_keys():
    before = keys("tickets_ticketevent")
    with pytest.raises(IntegrityError), transaction.atomic(), foreign_keys_dropped(TicketEvent):
        insert_event(-42)  # no such ticket: found when the key is added back
    assert keys("tickets_ticketevent") == before
    with pytest.raises(IntegrityError), transaction.atomic():  # and the key is enforced again
        insert_event(-42)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
