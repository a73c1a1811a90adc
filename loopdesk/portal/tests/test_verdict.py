"""确认已解决 / 未解决 on the portal: handed to the surveys' closing-the-loop service."""

from __future__ import annotations

import pytest

from loopdesk.portal import services
from loopdesk.portal.tests.conftest import open_ticket_page
from loopdesk.tickets.models import TicketEvent
from loopdesk.tickets.workflow import Status


@pytest.mark.django_db
def test_buttons_show_only_once_the_ticket_is_resolved(client, walk_ticket, customer):
    ticket = walk_ticket("in_progress", customer=customer)
    page = open_ticket_page(client, services.issue_access_link(ticket)).content.decode()
    assert 'data-testid="verdict"' not in page
    assert client.post(f"/portal/tickets/{ticket.number}/verdict", {"solved": "1"}).status_code == 400


@pytest.mark.django_db
def test_not_solved_reopens_the_ticket_as_second_processing(client, walk_ticket, customer):
    ticket = walk_ticket("notified", customer=customer)
    page = open_ticket_page(client, services.issue_access_link(ticket)).content.decode()
    assert 'data-testid="solved-no"' in page
    response = client.post(f"/portal/tickets/{ticket.number}/verdict", {"solved": "0", "comment": "还是打不开"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.reopen_count == 1 and ticket.status != Status.NOTIFIED  # reopened, then routed to an owner
    assert ticket.events.filter(kind=TicketEvent.Kind.REOPENED).exists()
    assert ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_CONFIRMED, data__solved=False).exists()
    page = client.get(f"/portal/tickets/{ticket.number}").content.decode()
    assert 'data-testid="verdict"' not in page


@pytest.mark.django_db
def test_solved_records_the_confirmation(client, walk_ticket, customer):
    ticket = walk_ticket("notified", customer=customer)
    open_ticket_page(client, services.issue_access_link(ticket))
    assert client.post(f"/portal/tickets/{ticket.number}/verdict", {"solved": "1"}).status_code == 302
    event = ticket.events.get(kind=TicketEvent.Kind.CUSTOMER_CONFIRMED)
    assert event.data["solved"] is True and event.data["via"] == "portal"
    page = client.get(f"/portal/tickets/{ticket.number}").content.decode()
    assert "customer_confirmed" in page  # on the customer's timeline


@pytest.mark.django_db
def test_a_verdict_without_a_choice_is_refused(client, walk_ticket, customer):
    ticket = walk_ticket("notified", customer=customer)
    open_ticket_page(client, services.issue_access_link(ticket))
    response = client.post(f"/portal/tickets/{ticket.number}/verdict", {"comment": "嗯"})
    assert response.status_code == 400 and "嗯" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NOTIFIED
