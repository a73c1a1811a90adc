"""Callback tasks: opened by the SLA callback milestone, worked by their agent, answers close the loop."""

import datetime as dt

import pytest
from django.utils import timezone

from loopdesk.audit.models import AuditEntry
from loopdesk.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.notifications.models import OutboxMessage
from loopdesk.sla.models import SlaClock
from loopdesk.surveys import callbacks
from loopdesk.surveys.models import CallbackTask
from loopdesk.testing.factories import CustomerFactory, UserFactory
from loopdesk.tickets.models import CloseOutcome, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(walk_ticket):
    return walk_ticket("resolved", customer=CustomerFactory(name="钱七", phone="13622223333", email=""))


def test_the_callback_milestone_opens_a_task_for_an_agent(resolved, agent):
    task = CallbackTask.objects.get(ticket=resolved)
    clock = SlaClock.objects.get(ticket=resolved, milestone="callback")
    assert task.assignee == agent and task.cycle == 0 and task.state == CallbackTask.State.OPEN
    assert task.started_at.replace(microsecond=0) == clock.started_at  # the same moment the clock starts
    event = resolved.events.get(kind=TicketEvent.Kind.CALLBACK_CREATED)
    assert event.data == {"assignee": "agent", "cycle": 0}
    assert OutboxMessage.objects.filter(kind="surveys.callback", recipient=agent, ticket=resolved).count() == 1
    assert callbacks.open_callback_task(resolved) is None  # once per cycle


def test_callbacks_go_to_the_least_loaded_agent(walk_ticket, agent):
    other = UserFactory(username="agent2", role="agent")
    first = walk_ticket("resolved")
    second = walk_ticket("resolved")
    owners = {CallbackTask.objects.get(ticket=first).assignee, CallbackTask.objects.get(ticket=second).assignee}
    assert owners == {agent, other}


def test_failed_attempts_end_unreachable_and_close_as_no_response(resolved, agent):
    task = CallbackTask.objects.get(ticket=resolved)
    later = timezone.now() + dt.timedelta(hours=2)
    callbacks.record_callback_attempt(task, outcome="call_later", actor=agent, call_at=later, note="开会中")
    task.refresh_from_db()
    assert task.call_at == later and task.state == CallbackTask.State.OPEN
    callbacks.record_callback_attempt(task, outcome="no_answer", actor=agent)
    callbacks.record_callback_attempt(task, outcome="no_answer", actor=agent)
    assert CallbackTask.objects.get(pk=task.pk).state == CallbackTask.State.OPEN
    callbacks.record_callback_attempt(task, outcome="no_answer", actor=agent)
    task.refresh_from_db()
    assert task.state == CallbackTask.State.UNREACHABLE and task.attempts.count() == 4
    attempts = resolved.events.filter(kind=TicketEvent.Kind.CALLBACK_ATTEMPTED).order_by("id")
    assert [e.data["outcome"] for e in attempts] == ["call_later", "no_answer", "no_answer", "no_answer"]
    assert attempts.last().data["unreachable"] is True and attempts.first().actor == agent
    ticket = Ticket.objects.get(pk=resolved.pk)
    assert ticket.status == "closed" and ticket.close_outcome == CloseOutcome.NO_RESPONSE
    with pytest.raises(IllegalTransition):
        callbacks.record_callback_attempt(task, outcome="no_answer", actor=agent)


def test_a_wrong_number_ends_the_task_at_once(resolved, agent):
    task = CallbackTask.objects.get(ticket=resolved)
    callbacks.record_callback_attempt(task, outcome="wrong_number", actor=agent)
    assert CallbackTask.objects.get(pk=task.pk).state == CallbackTask.State.UNREACHABLE


def test_attempt_input_is_checked(resolved, agent, engineer):
    task = CallbackTask.objects.get(ticket=resolved)
    with pytest.raises(ValidationFailed):
        callbacks.record_callback_attempt(task, outcome="call_later", actor=agent)
    with pytest.raises(ValidationFailed):
        callbacks.record_callback_attempt(task, outcome="reached", actor=agent)
    with pytest.raises(PermissionDenied):
        callbacks.record_callback_attempt(task, outcome="no_answer", actor=engineer)
    assert task.attempts.count() == 0


def test_unsatisfied_answers_reopen_the_ticket(resolved, agent, supervisor):
    task = CallbackTask.objects.get(ticket=resolved)
    satisfaction = callbacks.record_callback_answers(
        task, actor=agent, solved=True, score=2, answers={"attitude": 4}, comment="太慢了"
    )
    assert satisfaction.via == "callback" and satisfaction.recorded_by == agent and satisfaction.attitude == 4
    ticket = Ticket.objects.select_related("priority").get(pk=resolved.pk)
    assert ticket.reopen_count == 1 and ticket.priority.code == "P1"
    task.refresh_from_db()
    assert task.state == CallbackTask.State.ANSWERED and task.attempts.get().outcome == "reached"
    assert OutboxMessage.objects.filter(kind="routing.second_processing", recipient=supervisor).exists()


def test_satisfied_answers_close_the_ticket(resolved, agent):
    task = CallbackTask.objects.get(ticket=resolved)
    callbacks.record_callback_answers(task, actor=agent, solved=True, score=5)
    ticket = Ticket.objects.get(pk=resolved.pk)
    assert ticket.status == "closed" and ticket.close_outcome == CloseOutcome.CONFIRMED


def test_only_the_assigned_agent_sees_the_phone_and_it_is_audited(resolved, agent, supervisor):
    task = CallbackTask.objects.get(ticket=resolved)
    with pytest.raises(PermissionDenied):
        callbacks.reveal_callback_phone(task, actor=supervisor)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED).exists()
    assert callbacks.reveal_callback_phone(task, actor=agent, reason="回访") == "13622223333"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PII_REVEALED)
    assert (entry.actor, entry.object_id, entry.field, entry.reason) == (
        agent,
        resolved.customer.public_id,
        "phone",
        "回访",
    )


def test_an_agents_satisfaction_form_or_a_manual_reopen_finishes_the_callback(walk_ticket, agent):
    from loopdesk.tickets import services as ticket_services

    answered = walk_ticket("closed")  # record_satisfaction on the ticket page, then closed by hand
    assert CallbackTask.objects.get(ticket=answered).state == CallbackTask.State.ANSWERED
    reopened = walk_ticket("notified")
    ticket_services.transition_ticket(reopened, to="reopened", actor=agent, reason="客户来电说又坏了")
    assert CallbackTask.objects.get(ticket=reopened).state == CallbackTask.State.CANCELLED
