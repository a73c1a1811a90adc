"""record_satisfaction: the callback verdict is stored; 2 or less reopens the ticket (二次处理)."""

import datetime as dt

import pytest
import time_machine

from loopdesk.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.tickets import services
from loopdesk.tickets.models import Satisfaction

NOW = dt.datetime(2024, 3, 20, 2, 0, tzinfo=dt.UTC)


def kinds_after(ticket, count):
    return list(ticket.events.order_by("id").values_list("kind", flat=True)[count:])


@pytest.mark.django_db
def test_a_satisfied_customer_is_recorded_and_the_ticket_stays(walk_ticket, agent):
    # given a ticket whose result was reported to the customer
    ticket = walk_ticket("notified")
    before = ticket.events.count()
    # when the agent records a 4 from the callback
    with time_machine.travel(NOW, tick=False):
        satisfaction = services.record_satisfaction(
            ticket, actor=agent, score="4", timeliness=5, attitude=4, effectiveness=None, comment="不错"
        )
    # then the record holds the scores and the ticket did not move
    assert (satisfaction.score, satisfaction.timeliness, satisfaction.attitude, satisfaction.effectiveness) == (
        4,
        5,
        4,
        None,
    )
    assert (satisfaction.recorded_by, satisfaction.recorded_at, satisfaction.comment) == (agent, NOW, "不错")
    ticket.refresh_from_db()
    assert ticket.status == "notified" and ticket.reopen_count == 0
    assert kinds_after(ticket, before) == ["satisfaction_recorded"]
    event = ticket.events.order_by("id").last()
    assert event.data == {"score": 4, "timeliness": 5, "attitude": 4, "effectiveness": None}
    assert event.body == "不错" and event.actor == agent


@pytest.mark.django_db
@pytest.mark.parametrize(("score", "source"), [(2, "notified"), (1, "closed"), (2, "resolved")])
def test_an_unsatisfied_customer_reopens_the_ticket_with_higher_priority(walk_ticket, agent, score, source):
    # given a P2 ticket at the end of the loop (a closed one was closed with a 5 first)
    ticket = walk_ticket(source)
    before = ticket.events.count()
    # when the callback gives `score`
    services.record_satisfaction(ticket, actor=agent, score=score, comment="问题没解决")
    # then the ticket is reopened automatically, one priority level higher, and second processing hands it
    # to the customer-service supervisor by the preset rule
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority.code, ticket.reopen_count) == ("assigned", "P1", 1)
    assert ticket.owner.username == "supervisor"
    assert ticket.closed_at is None and ticket.resolved_at is None
    assert kinds_after(ticket, before) == ["satisfaction_recorded", "reopened", "routed", "assigned"]
    reopened = ticket.events.get(kind="reopened")
    assert reopened.from_status == source and reopened.to_status == "reopened"
    assert reopened.data["automatic"] is True and reopened.data["priority"] == {"from": "P2", "to": "P1"}
    assert str(score) in reopened.body


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6, -1, "abc", "", None, True, 2.5, "3.0", [3]])
def test_scores_outside_1_to_5_are_refused(walk_ticket, agent, score):
    ticket = walk_ticket("notified")
    with pytest.raises(ValidationFailed) as error:
        services.record_satisfaction(ticket, actor=agent, score=score)
    assert "score" in error.value.fields
    assert not Satisfaction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", ["timeliness", "attitude", "effectiveness"])
def test_dimension_scores_are_checked_too(walk_ticket, agent, dimension):
    ticket = walk_ticket("notified")
    with pytest.raises(ValidationFailed) as error:
        services.record_satisfaction(ticket, actor=agent, score=5, **{dimension: 9})
    assert dimension in error.value.fields


@pytest.mark.django_db
def test_a_long_comment_is_refused(walk_ticket, agent):
    ticket = walk_ticket("notified")
    with pytest.raises(ValidationFailed):
        services.record_satisfaction(ticket, actor=agent, score=5, comment="好" * 2001)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["new", "assigned", "in_progress"])
def test_satisfaction_comes_after_resolution(walk_ticket, agent, status):
    ticket = walk_ticket(status)
    with pytest.raises(IllegalTransition):
        services.record_satisfaction(ticket, actor=agent, score=5)
    assert not Satisfaction.objects.exists()


@pytest.mark.django_db
def test_only_holders_of_the_permission_record_it(walk_ticket, engineer):
    ticket = walk_ticket("notified")
    with pytest.raises(PermissionDenied):
        services.record_satisfaction(ticket, actor=engineer, score=5)
