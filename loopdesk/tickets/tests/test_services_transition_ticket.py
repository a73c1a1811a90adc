"""transition_ticket: each step of the loop changes the ticket and records its event; nothing else moves."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from loopdesk.accounts.models import Department
from loopdesk.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services
from loopdesk.tickets.models import TicketEvent
from loopdesk.tickets.workflow import TRANSITIONS, Status

NOW = dt.datetime(2024, 3, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
RESOLVE = {"root_cause": "密封圈老化", "solution": "更换密封圈", "result": "fully"}


def last_event(ticket):
    """The step's own event; routing, survey and callback events that follow it are tested in their apps."""
    return ticket.events.exclude(kind__in=["routed", "survey_sent", "callback_created"]).order_by("-id").first()


@pytest.fixture
def at_status(walk_ticket, agent, engineer):
    """Return a ticket in any status, reached with the real services."""

    def make(status, **kwargs):
        if status == "waiting_customer":
            ticket = walk_ticket("in_progress", **kwargs)
            return services.transition_ticket(ticket, to="waiting_customer", actor=engineer, note="等客户照片")
        if status == "reopened":
            ticket = walk_ticket("resolved", **kwargs)
            return services.transition_ticket(ticket, to="reopened", actor=agent, reason="客户说问题依旧")
        return walk_ticket(status, **kwargs)

    return make


@pytest.mark.django_db
def test_triage_sets_category_priority_and_keywords(at_status, supervisor):
    ticket = at_status("new", category=None, priority=None)
    ticket = services.transition_ticket(
        ticket, to="triaged", actor=supervisor, category="hardware_fault", priority="P1", tags="漏水,门店"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.category.code, ticket.priority.code) == ("triaged", "hardware_fault", "P1")
    assert set(ticket.tags.values_list("name", flat=True)) == {"漏水", "门店"}
    event = last_event(ticket)
    assert (event.kind, event.from_status, event.to_status) == ("triaged", "new", "triaged")
    assert event.data == {"category": "hardware_fault", "priority": "P1"} and event.actor == supervisor


@pytest.mark.django_db
def test_triage_needs_category_and_priority(at_status, supervisor):
    ticket = at_status("new", category=None, priority=None)
    with pytest.raises(ValidationFailed) as error:
        services.transition_ticket(ticket, to="triaged", actor=supervisor)
    assert set(error.value.fields) == {"category", "priority"}


@pytest.mark.django_db
def test_assign_sets_owner_department_and_time(at_status, supervisor, engineer):
    ticket = at_status("triaged")
    with time_machine.travel(NOW, tick=False):
        ticket = services.transition_ticket(ticket, to="assigned", actor=supervisor, owner="engineer", note="请跟进")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.owner_department.code) == ("assigned", engineer, "support")
    assert ticket.assigned_at == NOW and ticket.accepted_at is None
    event = last_event(ticket)
    assert (event.kind, event.body, event.data) == (
        "assigned",
        "请跟进",
        {"owner": "engineer", "department": "support"},
    )


@pytest.mark.django_db
def test_assign_to_an_explicit_department(at_status, supervisor):
    ticket = at_status("triaged")
    ticket = services.transition_ticket(ticket, to="assigned", actor=supervisor, owner="engineer", department="rnd")
    assert ticket.owner_department == Department.objects.get(code="rnd")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "field"),
    [({}, "owner"), ({"owner": "ghost"}, "owner"), ({"owner": "engineer", "department": "x"}, "department")],
)
def test_assign_refuses_missing_or_unknown_owner(at_status, supervisor, engineer, given, field):
    ticket = at_status("triaged")
    with pytest.raises(ValidationFailed) as error:
        services.transition_ticket(ticket, to="assigned", actor=supervisor, **given)
    assert field in error.value.fields
    ticket.refresh_from_db()
    assert ticket.status == "triaged" and last_event(ticket).kind == "triaged"


@pytest.mark.django_db
def test_assign_needs_a_classified_ticket(at_status, supervisor, engineer):
    ticket = at_status("new", category=None, priority=None)
    with pytest.raises(ValidationFailed):
        services.transition_ticket(ticket, to="assigned", actor=supervisor, owner="engineer")


@pytest.mark.django_db
def test_the_owner_accepts(at_status, engineer):
    ticket = at_status("assigned")
    with time_machine.travel(NOW, tick=False):
        ticket = services.transition_ticket(ticket, to="accepted", actor=engineer)
    assert (ticket.status, ticket.accepted_at) == ("accepted", NOW)
    assert last_event(ticket).kind == TicketEvent.Kind.ACCEPTED


@pytest.mark.django_db
def test_someone_else_may_not_accept_for_the_owner(at_status, agent):
    ticket = at_status("assigned")
    with pytest.raises(PermissionDenied):
        services.transition_ticket(ticket, to="accepted", actor=agent)
    ticket.refresh_from_db()
    assert ticket.status == "assigned"


@pytest.mark.django_db
def test_start_work_records_the_note(at_status, engineer):
    ticket = at_status("accepted")
    ticket = services.transition_ticket(ticket, to="in_progress", actor=engineer, note="开始远程排查")
    event = last_event(ticket)
    assert ticket.status == "in_progress" and (event.kind, event.body) == ("started", "开始远程排查")


@pytest.mark.django_db
def test_waiting_on_the_customer_needs_a_note_and_work_resumes(at_status, engineer):
    ticket = at_status("in_progress")
    with pytest.raises(ValidationFailed):
        services.transition_ticket(ticket, to="waiting_customer", actor=engineer)
    ticket = services.transition_ticket(ticket, to="waiting_customer", actor=engineer, note="请提供照片")
    assert ticket.status == "waiting_customer" and last_event(ticket).kind == "waiting"
    ticket = services.transition_ticket(ticket, to="in_progress", actor=engineer)
    assert ticket.status == "in_progress"


@pytest.mark.django_db
def test_resolve_records_cause_solution_and_result(at_status, engineer):
    ticket = at_status("in_progress")
    with time_machine.travel(NOW, tick=False):
        ticket = services.transition_ticket(ticket, to="resolved", actor=engineer, **RESOLVE)
    assert (ticket.root_cause, ticket.solution, ticket.result, ticket.resolved_at) == (
        "密封圈老化",
        "更换密封圈",
        "fully",
        NOW,
    )
    event = last_event(ticket)
    assert (event.kind, event.body, event.data) == ("resolved", "更换密封圈", {"result": "fully"})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "field"), [(RESOLVE | {"result": "magic"}, "result"), (RESOLVE | {"solution": ""}, "solution")]
)
def test_resolve_refuses_bad_input(at_status, engineer, given, field):
    ticket = at_status("in_progress")
    with pytest.raises(ValidationFailed) as error:
        services.transition_ticket(ticket, to="resolved", actor=engineer, **given)
    assert field in error.value.fields


@pytest.mark.django_db
def test_notifying_the_customer_is_a_public_event(at_status, agent):
    ticket = at_status("resolved")
    with time_machine.travel(NOW, tick=False):
        ticket = services.transition_ticket(ticket, to="notified", actor=agent, message="已修复", method="phone")
    event = last_event(ticket)
    assert (ticket.status, ticket.notified_at) == ("notified", NOW)
    assert (event.kind, event.is_public, event.body, event.data) == ("notified", True, "已修复", {"method": "phone"})


@pytest.mark.django_db
def test_closing_without_satisfaction_needs_a_reason(at_status, agent):
    ticket = at_status("notified")
    with pytest.raises(ValidationFailed) as error:
        services.transition_ticket(ticket, to="closed", actor=agent)
    assert "reason" in error.value.fields
    with time_machine.travel(NOW, tick=False):
        ticket = services.transition_ticket(ticket, to="closed", actor=agent, reason="客户联系不上")
    assert (ticket.status, ticket.closed_at, last_event(ticket).body) == ("closed", NOW, "客户联系不上")


@pytest.mark.django_db
def test_reopen_raises_priority_and_clears_completion(at_status, agent):
    ticket = at_status("closed")
    ticket = services.transition_ticket(ticket, to="reopened", actor=agent, reason="问题再次出现")
    assert (ticket.status, ticket.priority.code, ticket.reopen_count) == ("reopened", "P1", 1)
    assert ticket.resolved_at is ticket.notified_at is ticket.closed_at is None
    event = last_event(ticket)
    assert (event.kind, event.from_status, event.body) == ("reopened", "closed", "问题再次出现")
    assert event.data == {"priority": {"from": "P2", "to": "P1"}}


@pytest.mark.django_db
def test_the_most_urgent_priority_stays(at_status, agent):
    ticket = at_status("resolved", priority="P1")
    ticket = services.transition_ticket(ticket, to="reopened", actor=agent, reason="仍有问题")
    assert ticket.priority.code == "P1" and last_event(ticket).data["priority"] == {"from": "P1", "to": "P1"}


@pytest.mark.django_db
def test_a_supervisor_changes_the_owner_when_reopening(at_status, supervisor):
    # given a second engineer in R&D
    dev = UserFactory(username="dev", role="engineer", department=Department.objects.get(code="rnd"))
    ticket = at_status("notified")
    # when the supervisor reopens and hands it over
    ticket = services.transition_ticket(ticket, to="reopened", actor=supervisor, reason="换人处理", owner="dev")
    # then the new owner and department hold it, and the event says so
    assert (ticket.owner, ticket.owner_department.code) == (dev, "rnd")
    assert last_event(ticket).data["owner"] == "dev"


@pytest.mark.django_db
def test_an_agent_may_not_change_the_owner_when_reopening(at_status, agent, engineer):
    ticket = at_status("notified")
    with pytest.raises(PermissionDenied):
        services.transition_ticket(ticket, to="reopened", actor=agent, reason="换人", owner="supervisor")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.reopen_count) == ("notified", engineer, 0)


ALL_SOURCES = [s.value for s in Status]


def _illegal_pairs():
    return [(s, t.value) for s in ALL_SOURCES for t in TRANSITIONS if Status(s) not in TRANSITIONS[t].sources]


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), _illegal_pairs())
def test_illegal_moves_are_refused_without_a_trace(at_status, supervisor, source, target):
    # given a ticket in `source`
    ticket = at_status(source)
    events, version = ticket.events.count(), ticket.version
    # when a supervisor (who holds every permission) tries to move it to `target`
    with pytest.raises(IllegalTransition):
        services.transition_ticket(ticket, to=target, actor=supervisor, owner="engineer", reason="x", note="x")
    # then nothing changed
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.events.count()) == (source, version, events)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["new", "bogus", ""])
def test_unknown_targets_are_a_validation_error(at_status, supervisor, target):
    ticket = at_status("new")
    with pytest.raises(ValidationFailed):
        services.transition_ticket(ticket, to=target, actor=supervisor)


@pytest.mark.django_db
def test_fields_a_step_does_not_take_are_refused(at_status, engineer):
    ticket = at_status("assigned")
    with pytest.raises(ValidationFailed) as error:
        services.transition_ticket(ticket, to="accepted", actor=engineer, root_cause="x")
    assert "root_cause" in error.value.fields


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict(at_status, engineer, supervisor):
    # given two people looking at version N of an assigned ticket
    ticket = at_status("assigned")
    seen = ticket.version
    # when the first one acts with version N
    services.transition_ticket(ticket, to="accepted", actor=engineer, expected_version=seen)
    # then the second one's action with version N is refused, and nothing is written for it
    with pytest.raises(Conflict) as error:
        services.transition_ticket(ticket, to="assigned", actor=supervisor, owner="supervisor", expected_version=seen)
    assert error.value.fields == {"version": seen + 1}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.version) == ("accepted", engineer, seen + 1)
    assert last_event(ticket).kind == "accepted"


@pytest.mark.django_db
def test_each_step_increments_the_version(at_status):
    ticket = at_status("closed")
    assert ticket.version == 1 + 7  # created at 1, then seven steps
