"""The customer's side of the loop in a real browser: report, reply, confirm the plan, survey, reopen, close."""

from __future__ import annotations

import re

import pytest

from loopdesk.notifications.models import OutboxMessage
from loopdesk.tickets import services
from loopdesk.tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def resolve_and_notify(ticket: Ticket, boss, eng) -> Ticket:
    """The agent side, through the same services the agent UI calls: work the ticket up to "notified"."""
    ticket.refresh_from_db()
    if ticket.owner_id is None:
        ticket = services.transition_ticket(ticket, to="assigned", actor=boss, owner=eng.username)
    steps = {"assigned": "accepted", "accepted": "in_progress", "reopened": "in_progress"}
    while ticket.status in steps:  # the supervisor may act on a ticket whoever the rule made its owner
        ticket = services.transition_ticket(ticket, to=steps[ticket.status], actor=boss)
    ticket = services.transition_ticket(
        ticket, to="resolved", actor=boss, root_cause="指纹模组老化", solution="更换指纹模组", result="fully"
    )
    return services.transition_ticket(ticket, to="notified", actor=boss, message="已更换指纹模组，请试用")


def survey_link(ticket: Ticket) -> str:
    body = OutboxMessage.objects.filter(ticket=ticket, kind="customer.survey").order_by("-id").first().body
    return re.search(r"https?://\S+/s/[A-Za-z0-9_-]{43}", body).group(0)


def answer_survey(page, url: str, *, solved: bool, score: int) -> None:
    page.goto(url)
    page.check(f"input[name=solved][value={'yes' if solved else 'no'}]")
    page.check(f"input[name=score][value='{score}']")
    page.click("[data-testid=survey-form] button[type=submit]")
    page.wait_for_load_state()
    assert "403" not in page.title(), "the survey POST was refused (CSRF)"


def test_a_customer_reports_replies_confirms_and_the_survey_closes_the_loop(browser, live_server, people, settings):
    settings.LOOPDESK_CUSTOMER_EMAIL = True
    settings.LOOPDESK_PUBLIC_URL = live_server.url
    boss, eng = people
    base = live_server.url
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()  # a phone

    # given a customer on the public form, with a wrong field first
    page.goto(f"{base}/portal/")
    page.fill("#id_name", "陈女士")
    page.fill("#id_serial_no", "SN-2026-77")
    page.fill("#id_description", "指纹识别失败，只能用密码开门")
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error").count() >= 1  # no phone or email: refused, the rest kept
    assert page.input_value("#id_serial_no") == "SN-2026-77"
    page.fill("#id_email", "chen@example.com")
    page.select_option("#id_demand", "repair")
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_load_state()

    # then the ticket number and a private link are shown, and the link is emailed
    number = page.locator("[data-testid=received] [data-testid=ticket-number]").inner_text()
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "web"
    link = page.locator("[data-testid=access-link]").get_attribute("href")
    assert OutboxMessage.objects.filter(kind="portal.access_link", ticket=ticket).exists()

    # when the customer opens the link: the token leaves the address bar
    page.goto(link)
    assert page.url == f"{base}/portal/tickets/{number}"
    page.fill("[data-testid=reply-form] textarea[name=body]", "补充：昨天开始出现")
    page.click("[data-testid=reply-form] button[type=submit]")
    page.wait_for_load_state()
    assert "补充：昨天开始出现" in page.locator("[data-testid=timeline]").inner_text()

    # the agents classify, assign, and propose a plan; an internal note stays internal
    ticket = services.transition_ticket(ticket, to="triaged", actor=boss, category="hardware_fault", priority="P2")
    ticket.refresh_from_db()
    if ticket.owner_id is None:
        ticket = services.transition_ticket(ticket, to="assigned", actor=boss, owner=eng.username)
    services.add_reply(ticket, body="内部：批次问题", actor=eng, is_public=False)
    services.add_reply(ticket, body="建议上门更换指纹模组", actor=eng, is_public=True, proposes_plan=True)
    page.reload()
    assert "建议上门更换指纹模组" in page.locator("[data-testid=plan]").inner_text()
    assert "批次问题" not in page.content() and "郑工" not in page.content()
    page.click("[data-testid=confirm-plan]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=plan]").count() == 0
    assert ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED, data__plan_confirmed__isnull=False).exists()

    # the engineer resolves and the result is reported: the survey goes out
    ticket = resolve_and_notify(ticket, boss, eng)
    page.reload()
    assert page.locator("[data-testid=verdict]").count() == 1

    # a low score reopens the ticket by itself (二次处理)
    answer_survey(page, survey_link(ticket), solved=False, score=1)
    ticket.refresh_from_db()
    assert ticket.reopen_count == 1 and ticket.status != "closed"
    assert ticket.events.filter(kind=TicketEvent.Kind.REOPENED, data__automatic=True).exists()

    # handled again; the second survey with a high score closes the loop
    ticket = resolve_and_notify(ticket, boss, eng)
    answer_survey(page, survey_link(ticket), solved=True, score=5)
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.close_outcome == "confirmed"
    page.goto(f"{base}/portal/tickets/{number}")
    assert page.locator("[data-testid=customer-status]").count() == 1
    assert page.locator("[data-testid=reply-form]").count() == 0
