"""The sweep: warn the owner, report the breach to the supervisor, escalate further, each level once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from loopdesk.notifications.models import Notification, OutboxMessage
from loopdesk.notifications.services import deliver_due_messages, deliver_message
from loopdesk.sla import services
from loopdesk.sla.models import SlaClock, SlaEscalation
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services as tickets
from loopdesk.tickets.models import TicketEvent

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def assigned(agent, supervisor, engineer, customer):
    """A P2 ticket received Tuesday 2025-03-04 10:00, assigned to the engineer at 10:05 (not accepted)."""
    with time_machine.travel(at(2025, 3, 4, 10, 0), tick=False):
        ticket = tickets.open_ticket(
            actor=agent,
            customer=customer,
            channel="phone",
            title="不脱水",
            description="d",
            priority="P2",
            category="hardware_fault",
        )
    with time_machine.travel(at(2025, 3, 4, 10, 5), tick=False):
        tickets.transition_ticket(ticket, to="triaged", actor=supervisor)
        tickets.transition_ticket(ticket, to="assigned", actor=supervisor, owner=engineer.username)
    return ticket


def sweep(moment: dt.datetime) -> int:
    """One sweep at `moment`, then the outbox delivery the worker would run."""
    with time_machine.travel(moment, tick=False):
        made = services.sweep_sla_clocks()
        deliver_due_messages()
        return made


def events(ticket, kind, milestone="acknowledge"):
    return [e for e in TicketEvent.objects.filter(ticket=ticket, kind=kind) if e.data["milestone"] == milestone]


def test_nothing_happens_before_the_warning_threshold(assigned):
    assert sweep(at(2025, 3, 4, 10, 30)) == 0
    assert not OutboxMessage.objects.exists()


def test_the_owner_is_warned_at_the_threshold(assigned, engineer):
    # acknowledge: 1 h from 10:05, warning at 75 % = 10:50
    sweep(at(2025, 3, 4, 10, 50))
    [warning] = events(assigned, "sla_warning")
    assert warning.data["milestone"] == "acknowledge" and warning.data["notified"] == [engineer.username]
    [notification] = Notification.objects.filter(user=engineer)
    assert assigned.number in notification.title
    clock = SlaClock.objects.get(ticket=assigned, milestone="acknowledge")
    assert (clock.escalation_level, clock.next_check_at) == (1, at(2025, 3, 4, 11, 5))


def test_the_breach_goes_to_the_supervisor_and_then_up_the_levels(assigned, supervisor, engineer):
    manager = UserFactory(username="manager", role="aftersales_manager")
    director = UserFactory(username="director", role="service_director")
    sweep(at(2025, 3, 4, 10, 50))
    sweep(at(2025, 3, 4, 11, 5))  # acknowledgement due
    [breach] = events(assigned, "sla_breached")
    assert breach.data["notified"] == [supervisor.username]
    # level 3 after 2 business hours: 11:05 + 2 h (lunch 12-13) = 14:05
    sweep(at(2025, 3, 4, 14, 0))
    assert not events(assigned, "sla_escalated")
    sweep(at(2025, 3, 4, 14, 5))
    [level3] = events(assigned, "sla_escalated")
    assert (level3.data["level"], level3.data["notified"]) == (3, [manager.username])
    # level 4 after 8 business hours: Wednesday 11:05
    sweep(at(2025, 3, 5, 11, 5))
    assert [e.data["level"] for e in events(assigned, "sla_escalated")] == [3, 4]
    assert Notification.objects.filter(user=director, title__contains="接收确认").count() == 1
    assert SlaClock.objects.get(ticket=assigned, milestone="acknowledge").next_check_at is None


def test_sweeping_again_never_repeats_a_level(assigned):
    sweep(at(2025, 3, 4, 11, 10))
    before = (TicketEvent.objects.count(), OutboxMessage.objects.count(), SlaEscalation.objects.count())
    # when the same clock is looked at again (a second worker, or a re-run)
    clock = SlaClock.objects.get(ticket=assigned, milestone="acknowledge")
    SlaClock.objects.filter(pk=clock.pk).update(next_check_at=at(2025, 3, 4, 11, 0), escalation_level=0)
    sweep(at(2025, 3, 4, 11, 10))
    # then nothing new is recorded or sent
    assert (TicketEvent.objects.count(), OutboxMessage.objects.count(), SlaEscalation.objects.count()) == before


def test_a_worker_that_was_down_catches_up_without_stale_warnings(assigned, supervisor):
    UserFactory(username="manager", role="aftersales_manager")
    # when the first sweep after an outage runs on Wednesday afternoon
    sweep(at(2025, 3, 5, 15, 0))
    # then the breach and the levels that are due happen, once each, and the stale warning is skipped
    clock = SlaClock.objects.get(ticket=assigned, milestone="acknowledge")
    assert list(clock.escalations.values_list("level", flat=True)) == [2, 3, 4]
    assert not events(assigned, "sla_warning")


def test_met_clocks_are_not_escalated(assigned, engineer):
    with time_machine.travel(at(2025, 3, 4, 10, 30), tick=False):
        tickets.transition_ticket(assigned, to="accepted", actor=engineer)
    sweep(at(2025, 3, 4, 11, 30))
    assert not SlaEscalation.objects.filter(clock__milestone="acknowledge").exists()


def test_paused_clocks_are_not_escalated(assigned, engineer):
    with time_machine.travel(at(2025, 3, 4, 10, 30), tick=False):
        tickets.transition_ticket(assigned, to="accepted", actor=engineer)
        tickets.transition_ticket(assigned, to="in_progress", actor=engineer)
        tickets.transition_ticket(assigned, to="waiting_customer", actor=engineer, note="等待客户")
    sweep(at(2025, 3, 20, 10, 0))
    assert not SlaEscalation.objects.filter(clock__milestone="resolution").exists()
    assert SlaClock.objects.get(ticket=assigned, milestone="resolution").state == "paused"


def test_notifications_are_delivered_by_the_outbox(assigned, engineer):
    sweep(at(2025, 3, 4, 10, 50))
    message = OutboxMessage.objects.get(recipient=engineer)
    assert message.status == "sent" and Notification.objects.filter(outbox=message).count() == 1
    # when a worker died after delivering but before recording it, and the message is delivered again
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending")
    deliver_message(message.pk)
    assert Notification.objects.filter(outbox=message).count() == 1
