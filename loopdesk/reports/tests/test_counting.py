"""A service call's events are counted once, at its end, in a few statements; whatever the calls do (several
events, routing to another department, failures and rollbacks), the counters equal a rebuild from scratch."""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from loopdesk.accounts.models import Department
from loopdesk.mail.services import process_message, store_raw
from loopdesk.mail.tests.conftest import mail
from loopdesk.reports.models import DailyStat, TicketStatKey
from loopdesk.reports.receivers import on_event_saved, on_tickets_written
from loopdesk.reports.services import rebuild_daily_stats
from loopdesk.reports.tests.conftest import stat_rows, stat_totals
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services
from loopdesk.tickets.events import clocks_synced_once, record_event, tickets_written
from loopdesk.tickets.models import Ticket, TicketEvent

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Boom(Exception):
    pass


def assert_counted_as_rebuilt():
    counted, keys = stat_rows(), set(TicketStatKey.objects.values_list())
    rebuild_daily_stats()
    assert stat_rows() == counted
    assert set(TicketStatKey.objects.values_list()) == keys


@contextmanager
def without_counting():
    post_save.disconnect(on_event_saved, sender=TicketEvent, dispatch_uid="loopdesk.reports.receivers")
    tickets_written.disconnect(on_tickets_written, dispatch_uid="loopdesk.reports.receivers.tickets_written")
    try:
        yield
    finally:
        post_save.connect(on_event_saved, sender=TicketEvent, dispatch_uid="loopdesk.reports.receivers")
        tickets_written.connect(on_tickets_written, dispatch_uid="loopdesk.reports.receivers.tickets_written")


def open_(agent, customer, title="支付失败", **kwargs):
    return services.open_ticket(
        actor=agent, customer=customer, channel="phone", title=title, description="APP 支付时提示网络错误", **kwargs
    )


def statements(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("classified", [False, True])
def test_opening_a_ticket_costs_two_statements_for_the_statistics(agent, customer, classified):
    """The ticket's key (upserted from its row) and one upsert of the daily rows; no read, however many events
    the call writes and although routing changes the department after the CREATED event."""
    kwargs = {"category": "software_problem", "priority": "P2"} if classified else {}
    open_(agent, customer, "预热", **kwargs)  # caches (routing rules, calendars) filled
    with without_counting():
        plain = statements(lambda: open_(agent, customer, "支付失败 1", **kwargs))
    counted = statements(lambda: open_(agent, customer, "支付失败 2", **kwargs))

    reports = [sql for sql in counted if "reports_" in sql]
    assert len(counted) - len(plain) == 2, reports
    assert [sql.split()[:3] for sql in reports] == [
        ["INSERT", "INTO", "reports_ticketstatkey"],
        ["INSERT", "INTO", "reports_dailystat"],
    ]
    ticket = Ticket.objects.latest("id")
    assert ticket.owner_department_id and ticket.events.count() >= 2
    assert stat_totals(department_key=ticket.owner_department_id)["opened"] == 2  # not the one opened without


@pytest.mark.django_db
def test_a_step_on_an_existing_ticket_reads_its_key_once_and_upserts_once(walk_ticket, engineer):
    with time_machine.travel(MONDAY, tick=True):
        ticket = walk_ticket("in_progress")
        with without_counting():
            plain = statements(lambda: services.add_progress_update(ticket, body="排查中", actor=engineer))
        resolve = lambda: services.transition_ticket(  # noqa: E731
            ticket, to="resolved", actor=engineer, root_cause="证书过期", solution="更新证书", result="fully"
        )
        counted = statements(resolve)

    reports = [sql for sql in counted if "reports_" in sql]
    assert len(reports) == 2, reports  # the key read with the ticket's row, the daily upsert
    assert plain  # (a call without counted events costs the read only)
    assert stat_totals()["resolved"] == 1
    assert_counted_as_rebuilt()


@pytest.mark.django_db
def test_one_call_writing_several_events_and_moving_the_ticket_counts_like_a_rebuild(walk_ticket, supervisor):
    rnd = Department.objects.get(code="rnd")
    developer = UserFactory(username="dev", role="engineer", department=rnd)
    with time_machine.travel(MONDAY, tick=True):
        ticket = walk_ticket("closed", score=4)
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=True):
        # one call: REOPENED, routing, then the assignment to another department
        services.transition_ticket(ticket, to="reopened", actor=supervisor, reason="问题依旧", owner=developer.username)
        with transaction.atomic(), clocks_synced_once():  # several calls in one (as the email import does)
            ticket = Ticket.objects.get(pk=ticket.pk)
            services.transition_ticket(ticket, to="in_progress", actor=developer)
            services.transition_ticket(
                ticket, to="resolved", actor=developer, root_cause="固件", solution="升级", result="fully"
            )

        other = walk_ticket("closed", title="屏幕闪烁")
        # one call: REOPENED, routing and the customer's reply
        services.record_customer_reply(other, body="又坏了", via="email", reopen_closed=True)

    assert stat_totals(department_key=rnd.pk)["opened"] == 1
    assert (stat_totals()["opened"], stat_totals()["resolved"], stat_totals()["reopened"]) == (2, 3, 2)
    assert_counted_as_rebuilt()


@pytest.mark.django_db
def test_filing_an_email_costs_two_statements_for_the_statistics_and_counts_like_a_rebuild(supervisor):
    from loopdesk.mail.models import Mailbox

    mailbox = Mailbox.objects.create(
        name="售后邮箱", host="127.0.0.1", port=143, security="none", username="support@loopdesk.test",
        address="support@loopdesk.test", department=Department.objects.get(code="rnd"),
    )  # fmt: skip

    def receive(n):
        return lambda: process_message(
            store_raw(mail(f"洗衣机 {n}", message_id=f"<{n}@example.cn>"), mailbox=mailbox)[0].pk
        )

    receive(1)()
    with without_counting():
        plain = statements(receive(2))
    counted = statements(receive(3))
    ticket = Ticket.objects.get(title="洗衣机 1")
    services.transition_ticket(ticket, to="triaged", actor=supervisor, category="hardware_fault", priority="P2")

    assert len(counted) - len(plain) == 2
    assert stat_totals()["opened"] == 2  # not the one filed without
    uncounted = Ticket.objects.get(title="洗衣机 2")
    services.add_reply(uncounted, body="已收到", actor=supervisor, is_public=True)  # first sight: counted whole
    assert stat_totals()["opened"] == 3
    assert_counted_as_rebuilt()


@pytest.mark.django_db
def test_a_failed_call_leaves_nothing_counted(walk_ticket, engineer, agent):
    with time_machine.travel(MONDAY, tick=True):
        ticket = walk_ticket("in_progress")
    before = stat_rows()

    with pytest.raises(Boom), transaction.atomic(), clocks_synced_once():
        record_event(ticket, TicketEvent.Kind.RESOLVED, actor=engineer)
        raise Boom
    assert stat_rows() == before
    with transaction.atomic(), clocks_synced_once():  # a savepoint rolled back inside a call that goes on
        try:
            with transaction.atomic():
                record_event(ticket, TicketEvent.Kind.REOPENED, actor=agent)
                raise Boom
        except Boom:
            pass
        record_event(ticket, TicketEvent.Kind.NOTE_ADDED, actor=agent, body="记录")
    services.transition_ticket(
        ticket, to="resolved", actor=engineer, root_cause="证书过期", solution="更新证书", result="fully"
    )

    assert (stat_totals()["resolved"], stat_totals()["reopened"]) == (1, 0)
    assert_counted_as_rebuilt()


@pytest.mark.django_db
def test_events_written_without_record_event_still_count(walk_ticket):
    with time_machine.travel(MONDAY, tick=True):
        ticket = walk_ticket("in_progress")
        TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACHED)  # as the SLA sweep does
        with transaction.atomic(), clocks_synced_once():  # inside a call that records nothing else
            TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACHED)
        assert stat_totals()["breached"] == 1  # the second waits for the next event
        TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACHED)

    assert stat_totals()["breached"] == 3
    assert_counted_as_rebuilt()


@pytest.mark.django_db
def test_bulk_created_events_are_left_to_the_rebuild(walk_ticket):
    ticket = walk_ticket("in_progress")
    TicketEvent.objects.bulk_create([TicketEvent(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACHED)])

    assert stat_totals()["breached"] == 0
    rebuild_daily_stats()
    assert stat_totals()["breached"] == 1 and DailyStat.objects.exists()
