"""SLA through the API: the preview, SLA facts on tickets, and re-prioritising."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from loopdesk.accounts.models import ApiToken
from loopdesk.tickets import services as tickets

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    _, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def post(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_preview_answers_every_milestone_across_national_day(supervisor):
    # given a P2 received on 2026-09-30 17:40, the eve of National Day
    response = post(
        client_for(supervisor), "/api/v1/sla/preview", {"priority": "P2", "received_at": "2026-09-30T17:40:00+08:00"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["policy"]["code"] == "preset-001"
    due = {row["milestone"]: row["due_at"] for row in body["milestones"]}
    # then 20 minutes count on Sept 30, the holiday week is skipped, and 3 h 40 min count on Oct 8 (lunch 12-13)
    assert dt.datetime.fromisoformat(due["first_response"]) == dt.datetime(2026, 10, 8, 13, 40, tzinfo=SH)
    assert set(due) == {"acknowledge", "first_response", "resolution", "result_report", "callback"}


def test_preview_with_a_pause(supervisor):
    response = post(
        client_for(supervisor),
        "/api/v1/sla/preview",
        {
            "priority": "P2",
            "received_at": "2025-03-04T10:00:00+08:00",
            "pauses": [["2025-03-04T11:00:00+08:00", "2025-03-05T11:00:00+08:00"]],
        },
    )
    due = {row["milestone"]: row["due_at"] for row in response.json()["milestones"]}
    # 1 h before the pause, 3 h after it (Wednesday 11:00-12:00 and 13:00-15:00)
    assert dt.datetime.fromisoformat(due["first_response"]) == dt.datetime(2025, 3, 5, 15, 0, tzinfo=SH)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "P9", "received_at": "2025-03-04T10:00:00+08:00"}, "priority"),
        ({"priority": "P2", "received_at": "2025-03-04T10:00:00"}, "received_at"),
        (
            {
                "priority": "P2",
                "received_at": "2025-03-04T10:00:00+08:00",
                "pauses": [["2025-03-05T11:00:00+08:00", "2025-03-04T11:00:00+08:00"]],
            },
            "pauses",
        ),
        ({"priority": "P2", "received_at": "2025-03-04T10:00:00+08:00", "extra": 1}, "extra"),
    ],
)
def test_preview_rejects_bad_input_with_a_clear_error(supervisor, body, field):
    response = post(client_for(supervisor), "/api/v1/sla/preview", body)
    assert response.status_code == 400
    assert field in json.dumps(response.json())


def test_preview_needs_a_token():
    assert Client().post("/api/v1/sla/preview", "{}", content_type="application/json").status_code == 401


def test_tickets_carry_their_sla_facts(supervisor, agent, customer):
    with time_machine.travel(dt.datetime(2025, 3, 4, 10, 0, tzinfo=SH), tick=False):
        ticket = tickets.open_ticket(
            actor=agent, customer=customer, channel="phone", title="t", description="d", priority="P2"
        )
    with time_machine.travel(dt.datetime(2025, 3, 4, 14, 30, tzinfo=SH), tick=False):
        client = client_for(supervisor)
        listed = client.get("/api/v1/tickets").json()["items"][0]
        detail = client.get(f"/api/v1/tickets/{ticket.number}").json()
    # the list shows the headline clock: first response due at 15:00, warned at 14:00, 30 minutes left
    assert listed["sla"] == {
        "tone": "warning",
        "milestone": "first_response",
        "due_at": "2025-03-04T07:00:00Z",
        "remaining_seconds": 1800,
    }
    assert detail["sla_policy"]["code"] == "preset-001"
    clocks = {c["milestone"]: c for c in detail["sla_clocks"]}
    assert clocks["resolution"]["calendar"] == "cn_workday"
    assert clocks["resolution"]["target_minutes"] == 48 * 60


def test_changing_priority_through_the_api(supervisor, agent, customer):
    ticket = tickets.open_ticket(
        actor=agent, customer=customer, channel="phone", title="t", description="d", priority="P2"
    )
    client = client_for(supervisor)
    response = post(client, f"/api/v1/tickets/{ticket.number}/priority", {"priority": "P1", "reason": "停产"})
    assert response.status_code == 200
    assert response.json()["priority"] == "P1"
    assert "quick_ack" in {c["milestone"] for c in response.json()["sla_clocks"]}
    refused = post(client_for(agent), f"/api/v1/tickets/{ticket.number}/priority", {"priority": "P3", "reason": "x"})
    assert refused.status_code == 403
