"""Suggestions (咨询建议): the product department says adopted or not and why; the customer is told."""

from __future__ import annotations

import pytest

from loopdesk.accounts.models import Department
from loopdesk.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.notifications.models import OutboxMessage
from loopdesk.portal import services
from loopdesk.portal.models import SuggestionVerdict
from loopdesk.portal.tests.conftest import open_ticket_page
from loopdesk.testing.factories import UserFactory


@pytest.fixture
def product_member(db):
    return UserFactory(username="pm", role="engineer", department=Department.objects.get(code="product"))


@pytest.fixture
def suggestion(walk_ticket, customer):
    customer.email = "li4@example.com"
    customer.save()
    return walk_ticket("triaged", customer=customer, category="inquiry_suggestion", title="希望支持NFC开锁")


@pytest.mark.django_db
def test_the_product_department_decides_and_the_customer_is_told(client, suggestion, product_member):
    verdict = services.decide_suggestion(suggestion, adopted=True, reason="将在 V2 版本支持", actor=product_member)
    assert SuggestionVerdict.objects.get() == verdict and verdict.is_adopted
    event = suggestion.events.get(kind=services.SUGGESTION_DECIDED)
    assert event.is_public and event.data["adopted"] is True and event.actor == product_member
    email = OutboxMessage.objects.get(kind="portal.suggestion")
    assert email.payload["to"] == "li4@example.com" and "将在 V2 版本支持" in email.body
    page = open_ticket_page(client, services.issue_access_link(suggestion)).content.decode()
    assert 'data-testid="suggestion-verdict"' in page and "将在 V2 版本支持" in page
    assert str(product_member) not in page


@pytest.mark.django_db
def test_only_product_members_or_supervisors_decide(suggestion, agent, supervisor):
    with pytest.raises(PermissionDenied):
        services.decide_suggestion(suggestion, adopted=False, reason="不适用", actor=agent)
    assert (
        services.decide_suggestion(suggestion, adopted=False, reason="暂不考虑", actor=supervisor).is_adopted is False
    )


@pytest.mark.django_db
def test_a_reason_is_required_and_only_suggestions_take_a_verdict(suggestion, walk_ticket, supervisor):
    with pytest.raises(ValidationFailed):
        services.decide_suggestion(suggestion, adopted=True, reason="  ", actor=supervisor)
    fault = walk_ticket("triaged", category="hardware_fault")
    with pytest.raises(IllegalTransition):
        services.decide_suggestion(fault, adopted=True, reason="好", actor=supervisor)
    assert not SuggestionVerdict.objects.exists()


@pytest.mark.django_db
def test_the_agent_page_offers_the_verdict_form_and_revoking_links(client, suggestion, supervisor):
    services.issue_access_link(suggestion)
    client.force_login(supervisor)
    page = client.get(f"/tickets/{suggestion.number}").content.decode()
    assert 'data-testid="portal-panel"' in page and 'data-testid="action-suggestion"' in page
    response = client.post(f"/tickets/{suggestion.number}/portal/suggestion", {"adopted": "0", "reason": "成本过高"})
    assert response.status_code == 302 and SuggestionVerdict.objects.get().reason == "成本过高"
    response = client.post(f"/tickets/{suggestion.number}/portal/revoke")
    assert response.status_code == 302
    assert not suggestion.portal_links.filter(revoked_at=None).exists()


@pytest.mark.django_db
def test_a_refused_decision_keeps_the_typed_reason(client, suggestion, supervisor):
    client.force_login(supervisor)
    client.post(f"/tickets/{suggestion.number}/portal/suggestion", {"reason": "我的理由"})  # no decision chosen
    assert not SuggestionVerdict.objects.exists()
    assert "我的理由" in client.get(f"/tickets/{suggestion.number}").content.decode()
