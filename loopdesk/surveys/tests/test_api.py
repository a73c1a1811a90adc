"""The callback API: the queue (masked), a failed call, the answers; another agent gets 404."""

import pytest

from loopdesk.surveys.models import CallbackTask
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(walk_ticket):
    return CallbackTask.objects.get(ticket=walk_ticket("resolved"))


def test_the_queue_lists_my_callbacks_masked(api_client, agent, task, walk_ticket, django_assert_max_num_queries):
    walk_ticket("resolved")
    client = api_client(agent)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/callbacks")
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows][0] == task.pk and len(rows) == 2
    assert rows[0]["phone"] == "139****1111" and rows[0]["due_at"] and rows[0]["attempts"] == 0


def test_attempts_and_answers(api_client, agent, task):
    client = api_client(agent)
    bad = client.post(
        f"/api/v1/callbacks/{task.pk}/attempts", {"outcome": "call_later"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "call_at" in bad.json()["error"]["fields"]
    ok = client.post(f"/api/v1/callbacks/{task.pk}/attempts", {"outcome": "no_answer"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["attempts"] == 1
    out_of_range = client.post(
        f"/api/v1/callbacks/{task.pk}/answers", {"solved": True, "score": 7}, content_type="application/json"
    )
    assert out_of_range.status_code in {400, 422}
    answered = client.post(
        f"/api/v1/callbacks/{task.pk}/answers",
        {"solved": False, "score": 2, "attitude": 3, "comment": "没修好"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    assert Ticket.objects.get(pk=task.ticket_id).reopen_count == 1


def test_another_agent_gets_404(api_client, task):
    other = api_client(UserFactory(username="agent7", role="agent"))
    assert (
        other.post(
            f"/api/v1/callbacks/{task.pk}/attempts", {"outcome": "no_answer"}, content_type="application/json"
        ).status_code
        == 404
    )
