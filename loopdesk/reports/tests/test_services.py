"""The daily counters follow the real services, move with a ticket's category and department, and a
rebuild from tickets and events gives exactly what the write path counted."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import close_old_connections, connection

from loopdesk.accounts.models import Department
from loopdesk.reports.models import DailyStat, TicketStatKey
from loopdesk.reports.services import _fixed_offset_minutes, add_to_daily_stats, rebuild_daily_stats
from loopdesk.reports.tests.conftest import stat_rows, stat_totals
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services
from loopdesk.tickets.models import Category, Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_a_closed_loop_counts_received_resolved_closed_and_satisfaction(walk_ticket, engineer):
    with time_machine.travel(MONDAY, tick=True):
        ticket = walk_ticket("closed", score=4)
    ticket.refresh_from_db()

    totals = stat_totals(
        day=MONDAY.date(),
        category_key=ticket.category_id,
        department_key=engineer.department_id,
    )
    assert totals["opened"] == totals["resolved"] == totals["closed"] == 1
    assert (totals["satisfaction_count"], totals["satisfaction_sum"], totals["dissatisfied"]) == (1, 4, 0)
    assert 0 <= totals["resolution_seconds"] < 60
    assert stat_totals() == totals  # nothing left under the dimensions the ticket had before routing


@pytest.mark.django_db
def test_reopening_to_another_department_moves_every_count(walk_ticket, supervisor, engineer):
    rnd = Department.objects.get(code="rnd")
    developer = UserFactory(username="dev", role="engineer", department=rnd)
    with time_machine.travel(MONDAY, tick=False):
        ticket = walk_ticket("resolved")
    assert stat_totals(department_key=engineer.department_id)["resolved"] == 1
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        services.transition_ticket(ticket, to="reopened", actor=supervisor, reason="问题依旧", owner=developer.username)

    assert stat_totals(department_key=rnd.pk) == stat_totals()
    assert stat_totals(day=MONDAY.date())["resolved"] == 1
    assert stat_totals(day=MONDAY.date() + dt.timedelta(days=1))["reopened"] == 1
    assert stat_totals(department_key=engineer.department_id)["opened"] == 0


@pytest.mark.django_db
def test_a_later_triage_files_the_ticket_under_its_category(walk_ticket, supervisor):
    with time_machine.travel(MONDAY, tick=True):
        ticket = walk_ticket("new", category=None, priority=None)
        assert stat_totals(category_key=0)["opened"] == 1
        services.transition_ticket(ticket, to="triaged", actor=supervisor, category="hardware_fault", priority="P1")

    hardware = Category.objects.get(code="hardware_fault")
    assert stat_totals(category_key=hardware.pk)["opened"] == 1
    assert stat_totals(category_key=0)["opened"] == 0


@pytest.mark.django_db
def test_rebuild_gives_the_same_rows_as_the_write_path(walk_ticket, agent):
    for days, (status, score) in enumerate([("closed", 5), ("notified", 1), ("resolved", 5), ("notified", 5)]):
        with time_machine.travel(MONDAY + dt.timedelta(days=days, hours=days * 7), tick=True):
            ticket = walk_ticket(status, category="hardware_fault" if days % 2 else "software_problem")
            if score == 1:  # an unsatisfied answer reopens as second processing
                services.record_satisfaction(ticket, actor=agent, score=1, comment="没修好")
    with time_machine.travel(MONDAY + dt.timedelta(days=6, hours=23, minutes=30), tick=True):
        services.transition_ticket(ticket, to="reopened", actor=agent, reason="还是不行")
    counted, keys = stat_rows(), set(TicketStatKey.objects.values_list())
    assert stat_totals()["opened"] == 4 and stat_totals()["dissatisfied"] == 1
    assert stat_totals()["reopened"] == 2

    written = rebuild_daily_stats()

    assert stat_rows() == counted and set(TicketStatKey.objects.values_list()) == keys
    assert written == DailyStat.objects.count()


@pytest.mark.django_db
def test_rebuild_of_a_range_replaces_only_those_days_and_keys_bulk_loaded_tickets(walk_ticket):
    with time_machine.travel(MONDAY, tick=True):
        walk_ticket("resolved")
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=True):
        walk_ticket("resolved")
    TicketStatKey.objects.all().delete()
    DailyStat.objects.filter(day=MONDAY.date()).update(opened=99)

    rebuild_daily_stats(MONDAY.date(), MONDAY.date())

    assert stat_totals(day=MONDAY.date())["opened"] == 1
    assert stat_totals()["opened"] == 2
    assert TicketStatKey.objects.count() == Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_ticket_loaded_without_counts_is_counted_whole_at_its_next_event(walk_ticket, agent):
    with time_machine.travel(MONDAY, tick=True):
        ticket = walk_ticket("resolved")
    DailyStat.objects.all().delete()
    TicketStatKey.objects.all().delete()
    ticket = Ticket.objects.get(pk=ticket.pk)  # a fresh instance, as a later request would have

    services.transition_ticket(ticket, to="notified", actor=agent, message="已修复")

    assert stat_totals()["opened"] == stat_totals()["resolved"] == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_upserts_lose_no_increment():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the race only exists on PostgreSQL")
    day = dt.date(2026, 3, 2)
    workers, per_worker = 4, 25

    barrier = threading.Barrier(workers)

    def work():
        try:
            barrier.wait()
            for _ in range(per_worker):
                from django.db import transaction

                with transaction.atomic():
                    add_to_daily_stats({(day, 1, 2): {"opened": 1, "resolved": 2}})
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    row = DailyStat.objects.get(day=day, category_key=1, department_key=2)
    assert (row.opened, row.resolved) == (workers * per_worker, 2 * workers * per_worker)


def test_the_fast_local_date_is_used_only_for_a_zone_of_one_offset():
    assert _fixed_offset_minutes(SHANGHAI, dt.date(2024, 1, 1), dt.date(2026, 12, 31)) == 480
    assert _fixed_offset_minutes(ZoneInfo("Europe/Berlin"), dt.date(2024, 1, 1), dt.date(2024, 12, 31)) is None
