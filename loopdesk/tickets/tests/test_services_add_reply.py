"""add_reply: a public reply or an internal note, appended to the timeline."""

import pytest

from loopdesk.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services
from loopdesk.tickets.services import MAX_BODY


@pytest.mark.django_db
@pytest.mark.parametrize(("is_public", "kind"), [(True, "replied"), (False, "note_added")])
def test_reply_or_note_is_recorded(walk_ticket, agent, is_public, kind):
    ticket = walk_ticket("in_progress")
    version = ticket.version
    event = services.add_reply(ticket, body="已寄出配件", actor=agent, is_public=is_public)
    assert (event.kind, event.is_public, event.body, event.actor) == (kind, is_public, "已寄出配件", agent)
    assert ticket.events.order_by("id").last() == event
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.version == version  # a reply is not a state change


@pytest.mark.django_db
def test_the_owner_may_write_without_the_permission(walk_ticket):
    owner = UserFactory(username="norole")
    ticket = walk_ticket("new")
    ticket.owner = owner
    ticket.save()
    assert services.add_reply(ticket, body="记录", actor=owner, is_public=False).kind == "note_added"


@pytest.mark.django_db
def test_others_without_the_permission_may_not(walk_ticket):
    ticket = walk_ticket("new")
    with pytest.raises(PermissionDenied):
        services.add_reply(ticket, body="记录", actor=UserFactory(username="norole"), is_public=True)
    assert not ticket.events.filter(kind__in=["replied", "note_added"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", "   ", "x" * (MAX_BODY + 1)])
def test_empty_or_huge_bodies_are_refused(walk_ticket, agent, body):
    ticket = walk_ticket("new")
    with pytest.raises(ValidationFailed):
        services.add_reply(ticket, body=body, actor=agent, is_public=True)


@pytest.mark.django_db
def test_a_closed_but_not_archived_ticket_still_takes_notes(walk_ticket, agent, supervisor):
    ticket = walk_ticket("closed")
    assert services.add_reply(ticket, body="回访记录", actor=agent, is_public=False)
    services.archive_ticket(ticket, actor=supervisor)
    with pytest.raises(IllegalTransition):
        services.add_reply(ticket, body="再写一条", actor=agent, is_public=False)
