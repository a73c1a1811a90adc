"""Ticket events and audit entries cannot be changed or deleted, even by the application's own SQL."""

import pytest
from django.db import DatabaseError, transaction

from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit
from loopdesk.tickets.models import TicketEvent


@pytest.mark.django_db
def test_ticket_events_refuse_update_and_delete(walk_ticket):
    walk_ticket("assigned")
    with pytest.raises(DatabaseError), transaction.atomic():
        TicketEvent.objects.update(body="rewritten history")
    with pytest.raises(DatabaseError), transaction.atomic():
        TicketEvent.objects.all().delete()
    assert not TicketEvent.objects.filter(body="rewritten history").exists()


@pytest.mark.django_db
def test_audit_entries_refuse_update_and_delete(supervisor):
    record_audit(action=AuditEntry.Action.LOGGED_IN, actor=supervisor)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(reason="nothing happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1
