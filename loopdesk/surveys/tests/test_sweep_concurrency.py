"""Two workers following up the same surveys at the same instant on PostgreSQL send each reminder once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from loopdesk.notifications.models import OutboxMessage
from loopdesk.surveys import services
from loopdesk.surveys.models import SurveyInvitation
from loopdesk.testing.factories import CustomerFactory
from loopdesk.tickets.models import TicketEvent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_follow_ups_send_each_reminder_once(walk_ticket, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    settings.LOOPDESK_CUSTOMER_EMAIL = True
    tickets = [walk_ticket("notified", customer=CustomerFactory()) for _ in range(3)]
    now = SurveyInvitation.objects.order_by("-created_at")[0].created_at + dt.timedelta(days=3, minutes=1)
    barrier, done = threading.Barrier(2), []

    def sweep():
        barrier.wait()
        try:
            done.append(services.sweep_surveys(now=now)["reminded"])
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(done) == 3
    assert TicketEvent.objects.filter(ticket__in=tickets, kind=TicketEvent.Kind.SURVEY_REMINDED).count() == 3
    assert list(SurveyInvitation.objects.values_list("reminders_sent", flat=True)) == [1, 1, 1]
    reminders = OutboxMessage.objects.filter(kind="customer.survey", subject__contains="提醒")
    assert reminders.count() == 3
