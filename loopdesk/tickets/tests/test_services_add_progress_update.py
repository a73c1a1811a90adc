"""add_progress_update: the owner's daily progress (进度更新) while the ticket is open."""

import datetime as dt

import pytest
import time_machine

from loopdesk.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.tickets import services

NOW = dt.datetime(2024, 3, 16, 1, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_owner_records_progress_and_next_step(walk_ticket, engineer):
    ticket = walk_ticket("in_progress")
    with time_machine.travel(NOW, tick=False):
        event = services.add_progress_update(ticket, body="已远程查看日志", actor=engineer, next_step="明天上门")
    assert (event.kind, event.body, event.data, event.created_at) == (
        "progress_updated",
        "已远程查看日志",
        {"next_step": "明天上门"},
        NOW,
    )
    assert not event.is_public
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


@pytest.mark.django_db
def test_a_supervisor_may_record_progress_for_the_owner(walk_ticket, supervisor):
    ticket = walk_ticket("in_progress")
    assert services.add_progress_update(ticket, body="已催办", actor=supervisor).actor == supervisor


@pytest.mark.django_db
def test_an_agent_who_is_not_the_owner_may_not(walk_ticket, agent):
    ticket = walk_ticket("in_progress")
    with pytest.raises(PermissionDenied):
        services.add_progress_update(ticket, body="进展", actor=agent)


@pytest.mark.django_db
def test_closed_tickets_take_no_progress(walk_ticket, engineer):
    ticket = walk_ticket("closed")
    with pytest.raises(IllegalTransition):
        services.add_progress_update(ticket, body="进展", actor=engineer)


@pytest.mark.django_db
def test_an_empty_update_is_refused(walk_ticket, engineer):
    ticket = walk_ticket("in_progress")
    with pytest.raises(ValidationFailed):
        services.add_progress_update(ticket, body=" ", actor=engineer)
