"""Decline, escalate (incl. the knowledge-base escalation), acknowledgement lapses, the queue sweep, 二次处理."""

import datetime as dt

import pytest
import time_machine

from loopdesk.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.notifications.models import OutboxMessage
from loopdesk.routing import services
from loopdesk.routing.models import AcknowledgementLapse, DepartmentRouting
from loopdesk.routing.tests.conftest import away
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.models import TicketEvent

MONDAY = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.mark.django_db
def test_declining_returns_the_ticket_and_the_next_member_gets_it(open_hardware, support_team):
    a, b = support_team(2)
    ticket = open_hardware()
    assert ticket.owner == a
    # when the owner declines with a reason
    ticket = services.decline_ticket(ticket, reason="不熟悉该型号", actor=a)
    # then the next member on duty gets it, never the decliner again
    ticket.refresh_from_db()
    assert ticket.owner == b and ticket.status == "assigned"
    declined = ticket.events.get(kind="declined")
    assert (declined.actor, declined.body, declined.to_status) == (a, "不熟悉该型号", "triaged")
    # and when b declines too, nobody is left: it stays in the queue and the supervisors hear of it
    boss = UserFactory(username="boss", role="supervisor", department=a.department)
    services.decline_ticket(ticket, reason="外出", actor=b)
    ticket.refresh_from_db()
    assert ticket.owner is None and ticket.status == "triaged" and ticket.owner_department.code == "support"
    assert OutboxMessage.objects.filter(kind="routing.queued", recipient=boss).exists()


@pytest.mark.django_db
def test_only_the_owner_declines_and_only_before_accepting(open_hardware, support_team, supervisor):
    (a,) = support_team(1)
    ticket = open_hardware()
    with pytest.raises(PermissionDenied):
        services.decline_ticket(ticket, reason="x", actor=supervisor)
    with pytest.raises(ValidationFailed):
        services.decline_ticket(ticket, reason="  ", actor=a)
    ticket_services.transition_ticket(ticket, to="accepted", actor=a)
    with pytest.raises(IllegalTransition):
        services.decline_ticket(ticket, reason="太忙", actor=a)


@pytest.mark.django_db
def test_knowledge_base_escalation_goes_to_a_senior_agent(walk_ticket, agent, supervisor):
    senior = UserFactory(username="senior", role="senior_agent")
    ticket = ticket_services.transition_ticket(walk_ticket("triaged"), to="assigned", actor=supervisor, owner="agent")
    # when the agent finds no answer in the knowledge base
    services.escalate_ticket(ticket, to_role="senior_agent", reason="知识库无答案", actor=agent, cause="kb_no_answer")
    # then a senior agent owns it and must acknowledge; the agent keeps watching
    ticket.refresh_from_db()
    assert (ticket.owner, ticket.status) == (senior, "assigned")
    assert ticket.watchers.filter(pk=agent.pk).exists()
    event = ticket.events.get(kind="escalated")
    assert event.data == {"to_role": "senior_agent", "cause": "kb_no_answer", "to": "senior", "previous_owner": "agent"}
    assert OutboxMessage.objects.filter(kind="routing.assigned", recipient=senior).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["tech_lead", "aftersales_manager", "service_director"])
def test_explicit_escalation_to_each_role(walk_ticket, supervisor, role):
    holder = UserFactory(username=f"{role}1", role=role)
    ticket = walk_ticket("accepted")
    services.escalate_ticket(ticket, to_role=role, reason="客户要求升级", actor=supervisor)
    ticket.refresh_from_db()
    assert ticket.owner == holder


@pytest.mark.django_db
def test_escalation_refuses_unknown_roles_roles_nobody_holds_and_outsiders(walk_ticket, supervisor, agent):
    ticket = walk_ticket("accepted")
    with pytest.raises(ValidationFailed):
        services.escalate_ticket(ticket, to_role="ceo", reason="x", actor=supervisor)
    with pytest.raises(ValidationFailed) as nobody:
        services.escalate_ticket(ticket, to_role="service_director", reason="x", actor=supervisor)
    assert "to_role" in nobody.value.fields
    UserFactory(username="director", role="service_director")
    with pytest.raises(PermissionDenied):
        services.escalate_ticket(ticket, to_role="service_director", reason="x", actor=agent)


@pytest.mark.django_db
def test_an_unacknowledged_ticket_is_reassigned_once(open_hardware, support_team):
    with time_machine.travel(MONDAY, tick=False):
        a, b = support_team(2)
        ticket = open_hardware()
        assert ticket.owner == a
    # when the acknowledgement target (1 business hour) has passed
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        assert services.handle_acknowledgement_lapses() == 1
        assert services.handle_acknowledgement_lapses() == 0
    # then the department's strategy gives it to the other member, who must acknowledge in turn
    ticket.refresh_from_db()
    assert ticket.owner == b and ticket.status == "assigned"
    assigned = ticket.events.filter(kind="assigned").last()
    assert assigned.data["reason"] == "ack_lapsed" and assigned.data["previous_owner"] == "eng0"
    assert AcknowledgementLapse.objects.get().previous_owner == a


@pytest.mark.django_db
def test_an_unacknowledged_ticket_is_escalated_when_so_configured(open_hardware, support_team):
    with time_machine.travel(MONDAY, tick=False):
        (a,) = support_team(1)
        DepartmentRouting.objects.filter(department=a.department).update(ack_lapse_action="escalate")
        boss = UserFactory(username="boss", role="supervisor", department=a.department)
        ticket = open_hardware()
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        assert services.handle_acknowledgement_lapses() == 1
    ticket.refresh_from_db()
    assert ticket.owner == a
    assert ticket.events.get(kind="escalated").data["cause"] == "ack_lapsed"
    assert OutboxMessage.objects.filter(kind="routing.ack_lapsed", recipient=boss).count() == 1


@pytest.mark.django_db
def test_an_acknowledged_ticket_is_left_alone(open_hardware, support_team):
    with time_machine.travel(MONDAY, tick=False):
        (a, _b) = support_team(2)
        ticket = open_hardware()
        ticket_services.transition_ticket(ticket, to="accepted", actor=a)
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        assert services.handle_acknowledgement_lapses() == 0


@pytest.mark.django_db
def test_queued_tickets_go_out_when_someone_comes_back_on_duty(open_hardware, support_team):
    (a,) = support_team(1)
    away(a)
    ticket = open_hardware()
    assert ticket.owner is None
    away(a, until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # back
    assert services.assign_queued_tickets() == 1
    ticket.refresh_from_db()
    assert ticket.owner == a


@pytest.mark.django_db
def test_second_processing_reassigns_by_rule_and_tells_the_supervisor(walk_ticket, agent, supervisor):
    # given a resolved ticket and two customer-service supervisors, one of them busier
    other = UserFactory(username="supervisor2", role="supervisor")
    ticket = walk_ticket("notified")
    # when the customer is unsatisfied
    ticket_services.record_satisfaction(ticket, actor=agent, score=1, comment="仍未解决")
    # then priority rises, the 二次处理 rule picks the least loaded cs supervisor, and supervisors are told
    ticket.refresh_from_db()
    assert ticket.priority.code == "P1" and ticket.owner in (supervisor, other) and ticket.status == "assigned"
    routed = ticket.events.filter(kind=TicketEvent.Kind.ROUTED).last()
    assert routed.data["trigger"] == "unsatisfied" and routed.data["rules"][0]["name"] == "二次处理 → 客服主管"
    told = set(
        OutboxMessage.objects.filter(kind="routing.second_processing").values_list("recipient__username", flat=True)
    )
    assert told == {"supervisor", "supervisor2"}
