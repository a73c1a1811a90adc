"""Several workers sweeping at the same instant on PostgreSQL still escalate each level once."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from loopdesk.notifications.models import OutboxMessage
from loopdesk.sla import services
from loopdesk.sla.models import SlaEscalation
from loopdesk.tickets import services as tickets
from loopdesk.tickets.models import TicketEvent

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_sweeps_escalate_each_level_once(agent, supervisor, engineer, customer):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    with time_machine.travel(dt.datetime(2025, 3, 4, 10, 0, tzinfo=SH), tick=False):
        ticket = tickets.open_ticket(
            actor=agent,
            customer=customer,
            channel="phone",
            title="t",
            description="d",
            priority="P2",
            category="other",
        )
        tickets.transition_ticket(ticket, to="assigned", actor=supervisor, owner=engineer.username)
    now = dt.datetime(2025, 3, 6, 10, 0, tzinfo=SH)  # everything is long overdue
    barrier, made = threading.Barrier(4), []

    def sweep():
        barrier.wait()
        try:
            made.append(services.sweep_sla_clocks(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    levels = list(SlaEscalation.objects.values_list("clock__milestone", "level"))
    assert len(levels) == len(set(levels)) == sum(made) > 0
    breach_events = TicketEvent.objects.filter(ticket=ticket, kind="sla_breached").count()
    assert breach_events == len({m for m, level in levels if level == 2})
    keys = list(OutboxMessage.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))
