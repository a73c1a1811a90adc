"""A supervisor tests a rule, sees why a ticket was routed, and reassigns from the workload view, in Chromium."""

import pytest

from loopdesk.accounts.models import Department
from loopdesk.routing.models import MemberProfile
from loopdesk.testing.factories import CustomerFactory, UserFactory
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.models import Ticket
from loopdesk.tickets.setup import apply_category_preset, ensure_default_priorities
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def team(db):
    apply_category_preset("000")
    ensure_default_priorities()
    support = Department.objects.get(code="support")
    boss = UserFactory(username="boss", role="supervisor", display_name="孙主管")
    zheng = UserFactory(username="zheng", role="engineer", display_name="郑工", department=support)
    wang = UserFactory(username="wang", role="engineer", display_name="王工", department=support)
    MemberProfile.objects.update_or_create(user=wang, defaults={"cap": 1})
    return boss, zheng, wang


def open_fault(boss, title):
    customer = CustomerFactory(name="周女士", phone="13900001111")
    return ticket_services.open_ticket(
        actor=boss, customer=customer, channel="phone", title=title, description="指示灯不亮",
        category="hardware_fault", priority="P2",
    )  # fmt: skip


def test_dry_run_explanation_and_one_click_reassignment(browser, live_server, team):
    boss, zheng, wang = team
    first, second = open_fault(boss, "扫地机器人无法充电"), open_fault(boss, "洗碗机不加热")
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, "boss")

    # the routing test page says which rule a draft would match, and why, before anything is saved
    page.goto(f"{base}/routing/dry-run")
    page.select_option("#id_category", "hardware_fault")
    page.fill("#id_title", "扫地机器人无法充电")
    page.click("[data-testid=dry-run-form] button[type=submit]")
    assert "硬件故障" in page.locator("[data-testid=explanation]").inner_text()
    assert page.locator("[data-testid=department]").inner_text() == "技术支持部"

    # the ticket's timeline records the same explanation
    page.goto(f"{base}/tickets/{first.number}")
    assert "硬件故障" in page.locator("[data-testid=timeline]").inner_text()

    # the workload view lists both unowned tickets in technical support's queue
    page.goto(f"{base}/routing/workload?department=support")
    queue = page.locator("[data-testid=queue]")
    assert first.number in queue.inner_text() and second.number in queue.inner_text()

    # one click gives the first ticket to 王工
    row = queue.locator("tr", has_text=first.number)
    row.locator("select[name=owner]").select_option("wang")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert first.number in page.locator(".messages .success").inner_text()
    assert page.locator("[data-testid=member-wang] td").nth(2).inner_text() == "1"
    assert Ticket.objects.get(pk=first.pk).owner == wang

    # 王工 is at the cap of one: the second ticket stays in the queue and the message names the cap
    row = page.locator("[data-testid=queue] tr", has_text=second.number)
    row.locator("select[name=owner]").select_option("wang")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "1" in page.locator(".messages .error").inner_text() and second.number in page.content()
    assert Ticket.objects.get(pk=second.pk).owner is None

    # 郑工 has room
    row = page.locator("[data-testid=queue] tr", has_text=second.number)
    row.locator("select[name=owner]").select_option("zheng")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Ticket.objects.get(pk=second.pk).owner == zheng
    assert page.locator("[data-testid=queue]").inner_text().count("P2026") == 0
