"""update_ticket_details: verification (信息核实) fills in details; each change is listed in an event."""

import datetime as dt

import pytest

from loopdesk.core.errors import Conflict, ValidationFailed
from loopdesk.tickets import services


@pytest.mark.django_db
def test_changed_details_are_saved_and_listed(walk_ticket, agent):
    ticket = walk_ticket("new")
    occurred = dt.datetime(2024, 3, 14, 8, 0, tzinfo=dt.UTC)
    ticket = services.update_ticket_details(
        ticket, actor=agent, expected_version=1, occurred_at=occurred, steps="打开 APP 支付", frequency=""
    )
    ticket.refresh_from_db()
    assert (ticket.occurred_at, ticket.steps, ticket.version) == (occurred, "打开 APP 支付", 2)
    event = ticket.events.order_by("id").last()
    assert (event.kind, event.actor, event.data) == ("progress_updated", agent, {"changed": ["occurred_at", "steps"]})


@pytest.mark.django_db
def test_no_change_records_nothing(walk_ticket, agent):
    ticket = walk_ticket("new")
    services.update_ticket_details(ticket, actor=agent, frequency="", error_text=None)
    ticket.refresh_from_db()
    assert ticket.version == 1 and not ticket.events.filter(kind="progress_updated").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"demand": "gold"}, "demand"),
        ({"occurred_at": dt.datetime(2999, 1, 1, tzinfo=dt.UTC)}, "occurred_at"),
    ],
)
def test_bad_details_are_refused(walk_ticket, agent, given, field):
    ticket = walk_ticket("new")
    with pytest.raises(ValidationFailed) as error:
        services.update_ticket_details(ticket, actor=agent, **given)
    assert field in error.value.fields
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.version == 1


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict(walk_ticket, agent):
    ticket = walk_ticket("triaged")  # version 2
    with pytest.raises(Conflict):
        services.update_ticket_details(ticket, actor=agent, expected_version=1, frequency="偶发")
    ticket.refresh_from_db()
    assert ticket.frequency == ""
