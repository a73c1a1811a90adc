"""A retried create with the same Idempotency-Key never makes a second ticket."""

import pytest

from loopdesk.api.tests.conftest import NEW_TICKET
from loopdesk.tickets.models import Ticket


def create(client, body, key):
    return client.post("/api/v1/tickets", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_replays_the_first_ticket(api_client, agent):
    client = api_client(agent)

    first, second = create(client, NEW_TICKET, "k-1"), create(client, NEW_TICKET, "k-1")

    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_same_key_different_body_is_409(api_client, agent):
    client = api_client(agent)
    create(client, NEW_TICKET, "k-2")

    response = create(client, dict(NEW_TICKET, title="另一个问题"), "k-2")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_without_key_each_post_creates(api_client, agent):
    client = api_client(agent)
    client.post("/api/v1/tickets", NEW_TICKET, content_type="application/json")
    client.post("/api/v1/tickets", NEW_TICKET, content_type="application/json")
    assert Ticket.objects.count() == 2
