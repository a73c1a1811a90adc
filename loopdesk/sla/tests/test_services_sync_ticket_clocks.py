"""Clocks follow the ticket: started, met, paused, re-prioritised, reopened, recorded policy, calendar edits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loopdesk.sla import services
from loopdesk.sla.models import BusinessCalendar, CalendarDate, SlaClock, SlaPolicy, SlaTarget, TicketSla
from loopdesk.tickets import services as tickets
from loopdesk.tickets.models import Ticket

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def clock(ticket: Ticket, milestone: str, cycle: int = 1) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, milestone=milestone, cycle=cycle)


@pytest.fixture
def opened(agent, customer):
    """A P2 ticket received by phone on Tuesday 2025-03-04 at 10:00."""
    with time_machine.travel(at(2025, 3, 4, 10, 0), tick=False):
        return open_p2(agent, customer)


def open_p2(agent, customer) -> Ticket:
    return tickets.open_ticket(
        actor=agent,
        customer=customer,
        channel="phone",
        title="不脱水",
        description="XQG100-14 不脱水",
        category="hardware_fault",
        priority="P2",
    )


def test_opening_a_ticket_starts_its_clocks_under_the_recorded_policy(opened):
    # then the 001 preset's P2 clocks run from receipt, in the working calendar
    assert TicketSla.objects.get(ticket=opened).revision == SlaPolicy.objects.get(code="preset-001").current_revision
    assert clock(opened, "first_response").due_at == at(2025, 3, 4, 15, 0)  # 4 h across the lunch break
    assert clock(opened, "resolution").due_at == at(2025, 3, 12, 10, 0)  # 48 working hours
    assert clock(opened, "first_response").warn_at == at(2025, 3, 4, 14, 0)  # 75 %
    assert {c.state for c in SlaClock.objects.filter(ticket=opened)} == {"running"}
    # and the ticket's next due time is the earliest running clock, which the inbox sorts by
    opened.refresh_from_db()
    assert opened.due_at == at(2025, 3, 4, 15, 0)


CLOCK_FIELDS = (
    "milestone",
    "cycle",
    "state",
    "priority_code",
    "calendar_id",
    "target_minutes",
    "started_at",
    "warn_at",
    "due_at",
    "next_check_at",
    "paused_seconds",
    "escalation_level",
)


def test_a_new_tickets_clocks_are_those_a_full_sync_computes(opened):
    # given the clocks the create wrote without reading anything back (the new-ticket path)
    written = list(SlaClock.objects.filter(ticket=opened).order_by("milestone").values(*CLOCK_FIELDS))
    # when the full path reads the ticket, its policy, events and clocks again at the same moment
    with time_machine.travel(at(2025, 3, 4, 10, 0), tick=False):
        services.sync_ticket_clocks(Ticket(pk=opened.pk))
    # then nothing changes, and the instance the create returned holds the stored due time and policy
    assert list(SlaClock.objects.filter(ticket=opened).order_by("milestone").values(*CLOCK_FIELDS)) == written
    assert opened.due_at == Ticket.objects.get(pk=opened.pk).due_at == at(2025, 3, 4, 15, 0)
    assert opened.synced_sla.policy == TicketSla.objects.get(ticket=opened)
    assert [c.pk for c in opened.synced_sla.clocks] == list(
        SlaClock.objects.filter(ticket=opened).order_by("due_at").values_list("pk", flat=True)
    )


def test_a_new_tickets_sync_reads_no_stored_clock_policy_or_event(agent, customer):
    with CaptureQueriesContext(connection) as captured:
        open_p2(agent, customer)
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in reads if "sla_slaclock" in sql or "sla_ticketsla" in sql]
    # (the timeline as the clocks see it: when, what, to which status, whether the customer saw it)
    assert not [sql for sql in reads if '"tickets_ticketevent"."is_public"' in sql]
    # and the ticket itself is not read back with its priority
    assert not [sql for sql in reads if 'FROM "tickets_ticket" INNER JOIN "tickets_priority"' in sql]


def test_a_public_reply_meets_the_first_response(opened, agent):
    with time_machine.travel(at(2025, 3, 4, 11, 0), tick=False):
        tickets.add_reply(opened, body="已收到，工程师将联系您", actor=agent, is_public=True)
    first = clock(opened, "first_response")
    assert (first.state, first.ended_at, first.is_breached) == ("met", at(2025, 3, 4, 11, 0), False)
    opened.refresh_from_db()
    assert opened.due_at == at(2025, 3, 12, 10, 0)


def test_an_internal_note_does_not_meet_the_first_response(opened, agent):
    with time_machine.travel(at(2025, 3, 4, 11, 0), tick=False):
        tickets.add_reply(opened, body="内部备注", actor=agent, is_public=False)
    assert clock(opened, "first_response").state == "running"


def _walk_to_in_progress(ticket, supervisor, engineer, moment):
    with time_machine.travel(moment, tick=False):
        tickets.transition_ticket(ticket, to="triaged", actor=supervisor)
        tickets.transition_ticket(ticket, to="assigned", actor=supervisor, owner=engineer.username)
        tickets.transition_ticket(ticket, to="accepted", actor=engineer)
        tickets.transition_ticket(ticket, to="in_progress", actor=engineer)


def test_waiting_on_the_customer_pauses_and_moves_the_due_time_out(opened, supervisor, engineer):
    _walk_to_in_progress(opened, supervisor, engineer, at(2025, 3, 4, 10, 30))
    # when the ticket waits on the customer from Wednesday 10:00 to Thursday 10:00 (8 business hours)
    with time_machine.travel(at(2025, 3, 5, 10, 0), tick=False):
        tickets.transition_ticket(opened, to="waiting_customer", actor=engineer, note="等客户寄回设备")
    paused = clock(opened, "resolution")
    assert (paused.state, paused.due_at) == ("paused", None)
    assert paused.remaining_seconds == 40 * 3600  # 48 h minus Tuesday 10-18 (7 h) and Wednesday 9-10 (1 h)
    opened.refresh_from_db()
    assert opened.due_at != at(2025, 3, 12, 10, 0)
    with time_machine.travel(at(2025, 3, 6, 10, 0), tick=False):
        tickets.transition_ticket(opened, to="in_progress", actor=engineer)
    resumed = clock(opened, "resolution")
    # then the due time moved out by exactly the paused business time
    assert (resumed.state, resumed.due_at, resumed.paused_seconds) == ("running", at(2025, 3, 13, 10, 0), 8 * 3600)


def test_changing_priority_recomputes_due_times_from_the_original_start(opened, supervisor):
    with time_machine.travel(at(2025, 3, 5, 9, 0), tick=False):
        tickets.change_priority(opened, priority="P3", reason="影响范围小", actor=supervisor)
    # P3: first response 8 working hours from Tuesday 10:00
    assert clock(opened, "first_response").due_at == at(2025, 3, 5, 10, 0)
    assert clock(opened, "first_response").priority_code == "P3"
    with time_machine.travel(at(2025, 3, 5, 9, 30), tick=False):
        tickets.change_priority(opened, priority="P1", reason="客户生产线停工", actor=supervisor)
    # P1 counts round the clock and adds the 15-minute quick acknowledgement, both from receipt
    assert clock(opened, "first_response").due_at == at(2025, 3, 4, 12, 0)
    assert clock(opened, "quick_ack").due_at == at(2025, 3, 4, 10, 15)


def test_reopening_starts_the_resolution_clock_again_under_the_raised_priority(walk_ticket, supervisor):
    with time_machine.travel(at(2025, 3, 4, 10, 0), tick=False):
        ticket = walk_ticket("notified")
    assert clock(ticket, "resolution").state == "met"
    with time_machine.travel(at(2025, 3, 6, 10, 0), tick=False):
        tickets.transition_ticket(ticket, to="reopened", actor=supervisor, reason="客户反馈问题仍在")
    second = clock(ticket, "resolution", cycle=2)
    assert (second.priority_code, second.started_at) == ("P1", at(2025, 3, 6, 10, 0))
    assert second.due_at == at(2025, 3, 7, 10, 0)  # P1: 24 h round the clock
    assert clock(ticket, "resolution").state == "met"  # the first cycle keeps its record
    assert clock(ticket, "callback").state == "cancelled"


def test_a_policy_change_applies_to_new_tickets_only(opened, agent, customer):
    # when an admin shortens P2's first response to 1 hour
    policy = SlaPolicy.objects.get(code="preset-001")
    SlaTarget.objects.filter(policy=policy, priority__code="P2", milestone="first_response").update(target_minutes=60)
    revision = services.publish_policy_revision(policy, actor=None)
    assert revision.number == 2
    # then the running ticket keeps its revision, also when it is recomputed
    with time_machine.travel(at(2025, 3, 4, 10, 30), tick=False):
        tickets.add_reply(opened, body="note", actor=agent, is_public=False)
    assert clock(opened, "first_response").due_at == at(2025, 3, 4, 15, 0)
    # and a new ticket gets the new promise
    with time_machine.travel(at(2025, 3, 4, 10, 0), tick=False):
        new = tickets.open_ticket(
            actor=agent, customer=customer, channel="phone", title="t", description="d", priority="P2"
        )
    assert clock(new, "first_response").due_at == at(2025, 3, 4, 11, 0)


def test_publishing_an_unchanged_policy_makes_no_new_revision():
    policy = SlaPolicy.objects.get(code="preset-001")
    assert services.publish_policy_revision(policy).number == policy.current_revision.number


def test_a_holiday_override_moves_open_clocks(opened, django_capture_on_commit_callbacks):
    calendar = BusinessCalendar.objects.get(code="cn_workday")
    # when the admin declares Tuesday 2025-03-04 a company holiday
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDate.objects.create(calendar=calendar, date=dt.date(2025, 3, 4), kind="holiday", name="公司活动")
        services.touch_calendar(calendar)
    # then the first response counts from Wednesday morning: 3 h before lunch, 1 h after
    assert clock(opened, "first_response").due_at == at(2025, 3, 5, 14, 0)


def test_days_past_the_holiday_data_wait_for_an_admin(agent, customer, admin_user, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 31, 16, 0), tick=False):
        ticket = tickets.open_ticket(
            actor=agent, customer=customer, channel="phone", title="t", description="d", priority="P3"
        )
    first = clock(ticket, "first_response")
    # then the clock does not silently assume a normal week in 2027
    assert (first.state, first.due_at, first.gap_date) == ("unknown", None, dt.date(2027, 1, 1))
    # when the admin enters New Year's Day 2027 and confirms the year
    calendar = BusinessCalendar.objects.get(code="cn_workday")
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDate.objects.create(calendar=calendar, date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        services.confirm_calendar_year(calendar, year=2027, actor=admin_user)
    first.refresh_from_db()
    # then it runs: 2 h on Thursday, Friday is a holiday, then the weekend, 6 h on Monday
    assert (first.state, first.due_at) == ("running", at(2027, 1, 4, 16, 0))


def test_a_ticket_without_priority_has_no_clocks_until_classified(agent, customer, supervisor):
    with time_machine.travel(at(2025, 3, 4, 10, 0), tick=False):
        ticket = tickets.open_ticket(actor=agent, customer=customer, channel="web", title="t", description="d")
    assert not SlaClock.objects.filter(ticket=ticket).exists()
    with time_machine.travel(at(2025, 3, 4, 16, 0), tick=False):
        tickets.transition_ticket(ticket, to="triaged", actor=supervisor, category="other", priority="P2")
    # then the clocks count from receipt, not from classification
    assert clock(ticket, "first_response").due_at == at(2025, 3, 4, 15, 0)
    assert clock(ticket, "first_response").is_breached
