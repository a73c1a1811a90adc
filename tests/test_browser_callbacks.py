"""An agent works a callback in Chromium: the queue, the audited phone reveal, a failed call, then "unsatisfied"."""

import pytest

from loopdesk.audit.models import AuditEntry
from loopdesk.surveys.models import CallbackTask
from loopdesk.testing.factories import CustomerFactory, UserFactory
from loopdesk.testing.walk import walk_ticket_to
from loopdesk.tickets.models import Ticket, TicketEvent
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def resolved_complaint(db):
    from loopdesk.accounts.models import Department

    boss = UserFactory(username="boss", role="supervisor", display_name="孙主管")
    engineer = UserFactory(
        username="zheng", role="engineer", display_name="郑工", department=Department.objects.get(code="support")
    )
    agent = UserFactory(username="xiao", role="agent", display_name="小李")
    customer = CustomerFactory(name="周女士", phone="13900002222", email="")
    ticket = walk_ticket_to("resolved", supervisor=boss, engineer=engineer, agent=agent, customer=customer)
    return ticket, agent


def test_agent_callback_with_an_unsatisfied_customer_reopens_the_ticket(browser, live_server, resolved_complaint):
    ticket, agent = resolved_complaint
    task = CallbackTask.objects.get(ticket=ticket)
    assert task.assignee == agent
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, "xiao")

    # the queue lists the callback with the phone masked
    page.click("[data-testid=callbacks-link]")
    row = page.locator(f"[data-testid=callback-{ticket.number}]")
    assert "139****2222" in row.inner_text()
    row.locator("a").click()
    page.wait_for_url(f"{base}/callbacks/{task.pk}")
    assert "13900002222" not in page.content()

    # the assigned agent reveals the phone; the reveal is audited
    page.click("[data-testid=reveal-phone]")
    page.fill("#pii-phone ~ details input[name=reason], details.reveal input[name=reason]", "回访客户")
    page.click("[data-testid=reveal-phone-submit]")
    page.wait_for_selector("#pii-phone.revealed")
    assert page.locator("[data-testid=pii-phone]").inner_text() == "13900002222"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED, actor=agent, field="phone").count() == 1

    # a call nobody answered
    page.select_option("[data-testid=attempt-form] select[name=outcome]", "no_answer")
    page.click("[data-testid=attempt-form] button[type=submit]")
    page.wait_for_selector("[data-testid=attempts]")
    assert task.attempts.count() == 1

    # the customer is reached and is unsatisfied
    form = page.locator("[data-testid=answer-form]")
    form.locator("input[name=solved][value=no]").check()
    form.locator("input[name=score][value='2']").check()
    form.locator("input[name=timeliness][value='1']").check()
    form.locator("textarea[name=comment]").fill("等了太久，问题还在")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/callbacks")
    assert ticket.number in page.locator(".messages").inner_text()

    ticket = Ticket.objects.select_related("priority").get(pk=ticket.pk)
    assert ticket.reopen_count == 1 and ticket.priority.code == "P1"
    reopened = ticket.events.get(kind=TicketEvent.Kind.REOPENED)
    assert reopened.data["automatic"] is True
    assert CallbackTask.objects.get(pk=task.pk).state == CallbackTask.State.ANSWERED
    page.goto(f"{base}/tickets/{ticket.number}")
    assert "等了太久" in page.locator("[data-testid=timeline]").inner_text()
