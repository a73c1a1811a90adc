"""The dry-run page and API, the workload view with one-click reassignment, and the ticket-page actions."""

import pytest

from loopdesk.api.tests.conftest import api_client  # noqa: F401  (fixture)
from loopdesk.routing.models import RoutingCondition, RoutingRule
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services as ticket_services


@pytest.mark.django_db
def test_the_dry_run_page_explains_without_writing(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        "/routing/dry-run",
        {"channel": "phone", "category": "software_problem", "customer_tier": "standard", "trigger": "created"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "软件问题 → 研发部" in body and "研发部" in body
    from loopdesk.tickets.models import Ticket

    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_dry_run_can_try_a_draft_rule_before_it_goes_live(api_client, supervisor):  # noqa: F811
    draft = RoutingRule.objects.create(name="草稿：支付问题", position=1, is_active=False, add_tags="支付")
    RoutingCondition.objects.create(rule=draft, field="text", op="contains_any", value="支付,付款")
    client = api_client(supervisor)
    body = {"title": "支付失败", "description": "扣款未到账", "category": "software_problem"}
    live = client.post("/api/v1/routing/dry-run", body, content_type="application/json").json()
    trial = client.post(
        "/api/v1/routing/dry-run", body | {"include_inactive": True}, content_type="application/json"
    ).json()
    assert [m["name"] for m in live["matches"]] == ["软件问题 → 研发部（软件工程师）"]
    assert trial["matches"][0]["name"] == "草稿：支付问题" and trial["tags"] == ["支付"]
    assert trial["matches"][0]["reasons"] and trial["department"] == "cs"  # the draft stops: default queue


@pytest.mark.django_db
def test_the_dry_run_names_who_would_get_the_ticket(api_client, supervisor, support_team):  # noqa: F811
    support_team(2, strategy="round_robin")
    result = (
        api_client(supervisor)
        .post(
            "/api/v1/routing/dry-run", {"category": "hardware_fault", "priority": "P2"}, content_type="application/json"
        )
        .json()
    )
    assert (result["department"], result["would_assign_to"], result["assignment_reason"]) == (
        "support",
        "eng0",
        "round_robin",
    )


@pytest.mark.django_db
def test_agents_may_not_dry_run_or_see_workload(api_client, agent):  # noqa: F811
    client = api_client(agent)
    assert client.post("/api/v1/routing/dry-run", {}, content_type="application/json").status_code == 403
    assert client.get("/api/v1/routing/workload/cs").status_code == 403


@pytest.mark.django_db
def test_workload_shows_members_and_reassigns_in_one_click(client, supervisor, support_team, open_hardware):
    a, b = support_team(2, cap=5)
    ticket = open_hardware(priority="P1")
    client.force_login(supervisor)
    page = client.get("/routing/workload?department=support").content.decode()
    assert 'data-testid="member-eng0"' in page and "1/5" in page and ticket.number in page
    response = client.post(
        f"/routing/reassign/{ticket.number}", {"owner": "eng1", "department": "support", "version": ticket.version}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.owner == b


@pytest.mark.django_db
def test_workload_api_counts_open_work_by_priority(api_client, supervisor, support_team, open_hardware):  # noqa: F811
    support_team(1)
    open_hardware(priority="P1")
    open_hardware(priority="P3")
    data = api_client(supervisor).get("/api/v1/routing/workload/support").json()
    (member,) = data["members"]
    assert member["by_priority"] == {"P1": 1, "P3": 1} and member["open_count"] == 2 and member["on_duty"]


@pytest.mark.django_db
def test_decline_and_escalate_from_the_ticket_page(client, support_team, open_hardware):
    a, b = support_team(2)
    ticket = open_hardware()
    client.force_login(a)
    page = client.get(f"/tickets/{ticket.number}").content.decode()
    assert "/decline" in page and 'data-testid="kb-escalate"' in page
    # a refused decline keeps nothing lost: the form comes back with the reason
    refused = client.post(f"/tickets/{ticket.number}/decline", {"reason": ""})
    assert refused.status_code == 400
    client.post(f"/tickets/{ticket.number}/decline", {"reason": "不熟悉"})
    ticket.refresh_from_db()
    assert ticket.owner == b


@pytest.mark.django_db
def test_a_refused_escalation_shows_the_reason_and_keeps_the_input(client, walk_ticket, supervisor):
    ticket = walk_ticket("accepted")
    client.force_login(supervisor)
    response = client.post(
        f"/tickets/{ticket.number}/escalate",
        {"to_role": "service_director", "reason": "客户要求总监回复", "cause": "manual"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 400 and "客户要求总监回复" in body and "No active holder of this role" in body


@pytest.mark.django_db
def test_the_director_approves_from_the_ticket_page(client, walk_ticket):
    director = UserFactory(username="director", role="service_director")
    ticket = walk_ticket("notified")
    ticket.approval_role = "service_director"
    ticket.save()
    client.force_login(director)
    assert f'action="/tickets/{ticket.number}/approve"' in client.get(f"/tickets/{ticket.number}").content.decode()
    client.post(f"/tickets/{ticket.number}/approve", {"note": "同意"})
    ticket.refresh_from_db()
    assert ticket.approved_by == director
    assert ticket_services.transition_ticket(ticket, to="closed", actor=director, reason="ok").status == "closed"
