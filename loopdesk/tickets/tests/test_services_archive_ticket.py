"""archive_ticket: closed tickets are archived (归档) and read-only afterwards."""

import datetime as dt

import pytest
import time_machine

from loopdesk.core.errors import IllegalTransition, PermissionDenied
from loopdesk.tickets import services

NOW = dt.datetime(2024, 4, 1, 3, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_archiving_a_closed_ticket(walk_ticket, supervisor):
    ticket = walk_ticket("closed")
    version = ticket.version
    with time_machine.travel(NOW, tick=False):
        ticket = services.archive_ticket(ticket, actor=supervisor)
    assert (ticket.is_archived, ticket.archived_at, ticket.version, ticket.status) == (True, NOW, version + 1, "closed")
    event = ticket.events.order_by("id").last()
    assert (event.kind, event.actor) == ("archived", supervisor)


@pytest.fixture
def archived(walk_ticket, supervisor):
    return services.archive_ticket(walk_ticket("closed"), actor=supervisor)


WRITES = {
    "reopen": lambda t, u: services.transition_ticket(t, to="reopened", actor=u, reason="再开"),
    "reply": lambda t, u: services.add_reply(t, body="x", actor=u, is_public=True),
    "note": lambda t, u: services.add_reply(t, body="x", actor=u, is_public=False),
    "progress": lambda t, u: services.add_progress_update(t, body="x", actor=u),
    "details": lambda t, u: services.update_ticket_details(t, actor=u, frequency="每天"),
    "satisfaction": lambda t, u: services.record_satisfaction(t, actor=u, score=1),
    "archive again": lambda t, u: services.archive_ticket(t, actor=u),
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES, ids=str)
def test_archived_tickets_are_read_only(archived, supervisor, write):
    events = archived.events.count()
    with pytest.raises(IllegalTransition):
        WRITES[write](archived, supervisor)
    archived.refresh_from_db()
    assert archived.events.count() == events and archived.status == "closed" and archived.reopen_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["new", "in_progress", "notified"])
def test_only_closed_tickets_are_archived(walk_ticket, supervisor, status):
    ticket = walk_ticket(status)
    with pytest.raises(IllegalTransition):
        services.archive_ticket(ticket, actor=supervisor)
    ticket.refresh_from_db()
    assert not ticket.is_archived


@pytest.mark.django_db
def test_agents_may_not_archive(walk_ticket, agent):
    ticket = walk_ticket("closed")
    with pytest.raises(PermissionDenied):
        services.archive_ticket(ticket, actor=agent)
