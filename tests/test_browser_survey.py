"""A customer answers the survey on a phone-sized Chromium: errors keep the answers, a low score reopens
the ticket, the used link is no longer valid, and the next cycle's survey closes the loop."""

import re

import pytest

from loopdesk.notifications.models import OutboxMessage
from loopdesk.testing.factories import CustomerFactory, UserFactory
from loopdesk.testing.walk import walk_ticket_to
from loopdesk.tickets import services
from loopdesk.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def emailed_link(ticket) -> str:
    body = OutboxMessage.objects.filter(ticket=ticket, kind="customer.survey").order_by("-id")[0].body
    return re.search(r"https?://\S+/s/[A-Za-z0-9_-]{43}", body).group(0)


def test_customer_survey_reopens_then_closes_the_loop(browser, live_server, settings, db):
    from loopdesk.accounts.models import Department

    settings.LOOPDESK_CUSTOMER_EMAIL = True
    settings.LOOPDESK_PUBLIC_URL = live_server.url
    boss = UserFactory(username="boss", role="supervisor")
    engineer = UserFactory(username="zheng", role="engineer", department=Department.objects.get(code="support"))
    agent = UserFactory(username="xiao", role="agent")
    customer = CustomerFactory(name="吴先生", phone="13500001111", email="wu@example.com")
    ticket = walk_ticket_to("notified", supervisor=boss, engineer=engineer, agent=agent, customer=customer)
    link = emailed_link(ticket)
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()

    response = page.goto(link)
    assert response.headers["referrer-policy"] == "no-referrer" and response.headers["cache-control"] == "no-store"
    page.click("[data-testid=survey-languages] a[hreflang=en]")
    assert "Very satisfied" in page.content()

    # only a comment and one dimension: the form says what is missing and keeps both
    form = page.locator("[data-testid=survey-form]")
    form.locator("input[name=attitude][value='3']").check()
    form.locator("textarea[name=comment]").fill("还是会断网")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=q-score] .error").count() == 1
    assert page.locator("textarea[name=comment]").input_value() == "还是会断网"
    assert page.locator("input[name=attitude][value='3']").is_checked()

    page.locator("input[name=solved][value=no]").check()
    page.locator("input[name=score][value='2']").check()
    page.locator("[data-testid=survey-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=survey-thanks]")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.reopen_count == 1 and ticket.status in {"reopened", "assigned"}

    assert page.goto(link).status == 404
    assert page.locator("[data-testid=survey-invalid]").count() == 1

    # second processing resolves it; the next survey is satisfied and the ticket closes itself
    owner = ticket.owner or engineer
    if ticket.owner is None:
        services.transition_ticket(ticket, to="assigned", actor=boss, owner=engineer.username)
    services.transition_ticket(ticket, to="accepted", actor=owner)
    services.transition_ticket(ticket, to="in_progress", actor=owner)
    services.transition_ticket(
        ticket, to="resolved", actor=owner, root_cause="路由器固件", solution="升级", result="fully"
    )
    services.transition_ticket(ticket, to="notified", actor=agent, message="已升级固件")
    second = emailed_link(ticket)
    assert second != link
    page.goto(second)
    page.locator("input[name=solved][value=yes]").check()
    page.locator("input[name=score][value='5']").check()
    page.locator("[data-testid=survey-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=survey-thanks]")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == "closed" and ticket.close_outcome == "confirmed"
