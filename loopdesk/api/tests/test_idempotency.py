"""A retried create with the same Idempotency-Key never makes a second ticket (R28)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from loopdesk.accounts.models import ApiToken
from loopdesk.api import idempotency
from loopdesk.api.models import IdempotencyKey
from loopdesk.api.tests.conftest import NEW_TICKET
from loopdesk.tickets.models import Ticket


def create(client, body, key):
    return client.post("/api/v1/tickets", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_replays_the_first_answer(api_client, agent):
    client = api_client(agent)

    first, second = create(client, NEW_TICKET, "k-1"), create(client, NEW_TICKET, "k-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Ticket.objects.count() == 1
    record = IdempotencyKey.objects.get()
    assert (record.user, record.key, record.ticket.number) == (agent, "k-1", first.json()["number"])


@pytest.mark.django_db
def test_same_key_different_body_is_409(api_client, agent):
    client = api_client(agent)
    create(client, NEW_TICKET, "k-2")

    response = create(client, dict(NEW_TICKET, title="另一个问题"), "k-2")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_user(api_client, agent, supervisor):
    create(api_client(agent), NEW_TICKET, "shared")

    response = create(api_client(supervisor), NEW_TICKET, "shared")

    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_key_expires_after_24_hours(api_client, agent):
    client = api_client(agent)
    create(client, NEW_TICKET, "k-3")

    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        again = create(client, NEW_TICKET, "k-3")

    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert Ticket.objects.count() == 2 and IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_failed_create_stores_no_key(api_client, agent):
    client = api_client(agent)

    assert create(client, dict(NEW_TICKET, category="nope"), "k-4").status_code == 400
    assert create(client, NEW_TICKET, "k-4").status_code == 201

    assert Ticket.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "a\tb"])
def test_invalid_keys_are_400(api_client, agent, key):
    response = create(api_client(agent), NEW_TICKET, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_without_key_each_post_creates(api_client, agent):
    client = api_client(agent)
    client.post("/api/v1/tickets", NEW_TICKET, content_type="application/json")
    client.post("/api/v1/tickets", NEW_TICKET, content_type="application/json")
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_key_stored_by_a_racing_request_is_replayed_not_500(api_client, agent, monkeypatch):
    # given the first request has stored its key after this one looked and found none
    client = api_client(agent)
    first = create(client, NEW_TICKET, "race")
    looked = []
    real_previous = idempotency.previous

    def previous_missing_the_race(user, key, digest):
        looked.append(key)
        return None if len(looked) == 1 else real_previous(user, key, digest)

    monkeypatch.setattr(idempotency, "previous", previous_missing_the_race)

    # when it creates, the unique (user, key) constraint fires
    second = create(client, NEW_TICKET, "race")

    # then its ticket is rolled back and the first one is answered
    assert second.status_code == 201, second.content
    assert second.json()["number"] == first.json()["number"]
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_retries_create_one_ticket(agent):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    _, raw = ApiToken.issue(agent)
    threads, results = 6, []
    barrier = threading.Barrier(threads)

    def worker():
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
            barrier.wait()
            response = create(client, NEW_TICKET, "parallel")
            results.append((response.status_code, response.json().get("number")))
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert [status for status, _ in results] == [201] * threads
    assert len({number for _, number in results}) == 1
    assert Ticket.objects.count() == 1
