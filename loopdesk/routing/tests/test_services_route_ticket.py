"""Routing a ticket: the preset rules, explanations on the timeline, actions, the default queue, strategies."""

import datetime as dt

import pytest
import time_machine

from loopdesk.accounts.models import Department
from loopdesk.notifications.models import OutboxMessage
from loopdesk.routing.editing import record_rule_revision
from loopdesk.routing.models import DepartmentRouting, MemberProfile, RoutingCondition, RoutingRule
from loopdesk.routing.tests.conftest import away
from loopdesk.testing.factories import AssetFactory, UserFactory
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.models import Category, TicketEvent


def routed_event(ticket):
    return ticket.events.filter(kind=TicketEvent.Kind.ROUTED).order_by("-id").first()


def add_rule(name, conditions, *, position=1, **actions):
    rule = RoutingRule.objects.create(name=name, position=position, **actions)
    for field, op, value in conditions:
        RoutingCondition.objects.create(rule=rule, field=field, op=op, value=value)
    record_rule_revision(rule, actor=None)
    return rule


@pytest.mark.django_db
def test_a_hardware_fault_goes_to_technical_support_and_says_which_rule(open_hardware):
    # given the default preset (manual assignment everywhere)
    # when a hardware fault is registered
    ticket = open_hardware()
    # then it sits in technical support's queue, and the timeline says which rule matched and why
    ticket.refresh_from_db()
    assert (ticket.owner_department.code, ticket.owner, ticket.status) == ("support", None, "new")
    event = routed_event(ticket)
    rule = RoutingRule.objects.get(name__startswith="硬件故障")
    # (explanations are written in the site language, zh-Hans)
    assert f" {rule.pk} “{rule.name}”" in event.body and "问题分类 = 硬件故障" in event.body
    assert event.data["rules"] == [{"id": rule.pk, "name": rule.name, "reasons": ["问题分类 = 硬件故障"]}]
    assert event.data["trigger"] == "created" and event.data["default_queue"] is False


@pytest.mark.django_db
def test_an_explanation_names_categories_and_priorities_other_than_the_tickets(open_hardware):
    # given a rule first in line that names the ticket's category among others, and a priority it has not
    rule = add_rule(
        "硬件或软件, 非紧急",
        [("category", "in", "software_problem, hardware_fault"), ("priority", "ne", "P1")],
        position=0,
        set_department=Department.objects.get(code="support"),
    )
    # when a P2 hardware fault is registered
    ticket = open_hardware()
    # then each code is shown by its name, read for the codes that are not the ticket's own
    reasons = routed_event(ticket).data["rules"][0]
    assert reasons["id"] == rule.pk
    assert reasons["reasons"] == ["问题分类 属于 软件问题, 硬件故障", "优先级 ≠ P1 紧急"]


@pytest.mark.django_db
def test_a_ticket_no_rule_matches_goes_to_the_default_queue(customer, agent):
    # when an unclassified ticket arrives
    ticket = ticket_services.open_ticket(
        actor=agent, customer=customer, channel="email", title="你好", description="请联系我"
    )
    # then it is never nowhere: the default queue (customer service) holds it
    ticket.refresh_from_db()
    assert ticket.owner_department.code == "cs"
    assert routed_event(ticket).data["default_queue"] is True


@pytest.mark.django_db
def test_the_default_queue_is_configurable(customer, agent):
    DepartmentRouting.objects.update(is_default_queue=False)
    DepartmentRouting.objects.filter(department__code="ops").update(is_default_queue=True)
    ticket = ticket_services.open_ticket(actor=agent, customer=customer, channel="web", title="t", description="d")
    ticket.refresh_from_db()
    assert ticket.owner_department.code == "ops"


@pytest.mark.django_db
def test_classification_routes_a_ticket_that_arrived_without_a_category(customer, agent, supervisor):
    ticket = ticket_services.open_ticket(actor=agent, customer=customer, channel="phone", title="t", description="d")
    ticket = ticket_services.transition_ticket(
        ticket, to="triaged", actor=supervisor, category="software_problem", priority="P3"
    )
    ticket.refresh_from_db()
    assert ticket.owner_department.code == "rnd"
    assert routed_event(ticket).data["trigger"] == "classified"


@pytest.mark.django_db
def test_major_complaint_involving_staff_copies_hr_and_needs_the_director(customer, agent):
    # given HR and a service director
    hr = UserFactory(username="hr1", department=Department.objects.get(code="hr"))
    director = UserFactory(username="director", role="service_director")
    # when a major service complaint about staff comes in
    ticket = ticket_services.open_ticket(
        actor=agent,
        customer=customer,
        channel="phone",
        title="客服态度恶劣",
        description="要求道歉",
        category="service_complaint",
        priority="P1",
        involves_staff=True,
        is_major_complaint=True,
    )
    # then the continue rules add the director and HR as watchers, require the director's approval,
    # and the complaint rule routes it to customer service
    ticket.refresh_from_db()
    assert set(ticket.watchers.values_list("username", flat=True)) == {"hr1", "director"}
    assert ticket.approval_role == "service_director" and ticket.owner_department.code == "cs"
    names = [r["name"] for r in routed_event(ticket).data["rules"]]
    assert names == ["重大投诉 → 服务总监", "涉及员工 → 抄送人力资源部", "服务投诉 → 客服部"]
    notified = OutboxMessage.objects.filter(kind="routing.watching").values_list("recipient__username", flat=True)
    assert set(notified) == {"hr1", "director"}
    # and HR, outside customer service, can now see the ticket
    from loopdesk.tickets.models import Ticket

    assert Ticket.objects.visible_to(hr).filter(pk=ticket.pk).exists()
    assert director.pk  # the director holds view_all anyway


@pytest.mark.django_db
def test_closing_waits_for_the_second_approver(walk_ticket, supervisor):
    director = UserFactory(username="director", role="service_director")
    ticket = walk_ticket("notified")
    ticket.approval_role = "service_director"
    ticket.save()
    with pytest.raises(Exception) as refused:
        ticket_services.transition_ticket(ticket, to="closed", actor=supervisor, reason="客户未接电话")
    assert "approval" in refused.value.fields
    with pytest.raises(Exception):
        ticket_services.approve_ticket(ticket, actor=supervisor)
    ticket_services.approve_ticket(ticket, actor=director, note="同意结案")
    closed = ticket_services.transition_ticket(ticket, to="closed", actor=supervisor, reason="客户未接电话")
    assert closed.status == "closed" and closed.approved_by == director
    assert ticket.events.filter(kind="approved", actor=director).exists()


@pytest.mark.django_db
def test_rule_actions_set_priority_and_tags_and_owner(open_hardware, support_team, customer):
    # given a rule for VIP customers' door locks that names an owner and tags it
    (eng,) = support_team(1, strategy="manual")
    add_rule(
        "VIP 门锁",
        [("customer_tier", "eq", "vip"), ("text", "contains_any", "门锁,指纹")],
        set_owner=eng,
        raise_priority=True,
        add_tags="VIP,门锁",
        continues=True,
    )
    customer.tier = "vip"
    customer.save()
    # when a VIP reports a lock problem
    ticket = open_hardware(title="门锁打不开")
    ticket.refresh_from_db()
    # then the named owner gets it, one level more urgent, tagged
    assert (ticket.owner, ticket.status, ticket.priority.code) == (eng, "assigned", "P1")
    assert {"VIP", "门锁"} <= set(ticket.tags.values_list("name", flat=True))
    assert routed_event(ticket).data["priority"] == {"from": "P2", "to": "P1"}


@pytest.mark.django_db
def test_round_robin_takes_turns_among_members_on_duty(open_hardware, support_team):
    a, b, c = support_team(3)
    away(b)
    owners = [open_hardware().owner.username for _ in range(4)]
    assert owners == ["eng0", "eng2", "eng0", "eng2"]
    assert TicketEvent.objects.filter(kind="assigned", data__picked_by="round_robin").count() == 4


@pytest.mark.django_db
def test_members_outside_their_working_calendar_are_not_on_duty(open_hardware, support_team):
    from loopdesk.sla.models import BusinessCalendar

    a, b = support_team(2)
    office = BusinessCalendar.objects.filter(is_24x7=False).first()
    MemberProfile.objects.update_or_create(user=a, defaults={"calendar": office})
    # on a Saturday night only the member without a calendar is on duty
    with time_machine.travel(dt.datetime(2026, 11, 28, 22, 0, tzinfo=dt.UTC), tick=False):
        assert {open_hardware().owner.username for _ in range(2)} == {"eng1"}


@pytest.mark.django_db
def test_least_open_work_counts_priority_weight_and_respects_the_cap(open_hardware, support_team, supervisor):
    a, b = support_team(2, strategy="least_open", cap=2)
    first = open_hardware(priority="P1")  # weighs 3
    second = open_hardware(priority="P3")  # weighs 1, so it goes to the other member
    third = open_hardware(priority="P3")  # the lighter member again
    assert first.owner != second.owner and third.owner == second.owner
    # when both are full (a: 1 ticket, b: 2 tickets, cap 2) one more fills a; then the queue holds the rest
    fourth = open_hardware(priority="P3")
    fifth = open_hardware(priority="P3")
    assert fourth.owner == first.owner and fifth.owner is None and fifth.owner_department.code == "support"


@pytest.mark.django_db
def test_skills_pick_the_member_with_the_product_line(customer, agent, support_team):
    generic, locks = support_team(2, strategy="skills")
    profile, _ = MemberProfile.objects.get_or_create(user=locks)
    profile.product_lines = "门锁"
    profile.save()
    profile.categories.add(Category.objects.get(code="hardware_fault"))
    asset = AssetFactory(customer=customer, product_name="智能门锁", model="X1")
    ticket = ticket_services.open_ticket(
        actor=agent,
        customer=customer,
        asset=asset,
        category="hardware_fault",
        priority="P2",
        channel="phone",
        title="门锁故障",
        description="无法开锁",
    )
    assert ticket.owner == locks
    assert ticket.events.get(kind="assigned").data["picked_by"] == "skills"


@pytest.mark.django_db
def test_manual_assignment_beyond_the_cap_is_refused(walk_ticket, support_team, supervisor):
    (eng,) = support_team(1, strategy="manual", cap=1)
    ticket_services.transition_ticket(walk_ticket("triaged"), to="assigned", actor=supervisor, owner="eng0")
    second = walk_ticket("triaged")
    with pytest.raises(Exception) as refused:
        ticket_services.transition_ticket(second, to="assigned", actor=supervisor, owner="eng0")
    assert refused.value.code == "conflict" and "owner" in refused.value.fields
    second.refresh_from_db()
    assert second.owner is None


@pytest.mark.django_db
@pytest.mark.parametrize("owner_away", [False, True])
def test_a_reopened_ticket_goes_back_to_its_previous_owner_unless_away(
    walk_ticket, supervisor, engineer, support_team, owner_away
):
    # given technical support hands reopened tickets back to whoever had them
    support_team(2, strategy="least_open")
    support = Department.objects.get(code="support")
    add_rule("重开交回原处理人", [("trigger", "eq", "reopened")], set_department=support, strategy="previous_owner")
    ticket = walk_ticket("notified")
    assert ticket.owner == engineer
    if owner_away:
        away(engineer)
    # when the customer says the problem is back
    reopened = ticket_services.transition_ticket(ticket, to="reopened", actor=supervisor, reason="问题再次出现")
    # then the previous owner gets it again, or the least loaded colleague while they are away
    assigned = reopened.events.filter(kind=TicketEvent.Kind.ASSIGNED).order_by("-id").first()
    if owner_away:
        assert reopened.owner.username in {"eng0", "eng1"} and assigned.data["picked_by"] == "least_open"
    else:
        assert reopened.owner == engineer and assigned.data["picked_by"] == "previous_owner"
    assert "重开交回原处理人" in routed_event(reopened).body
