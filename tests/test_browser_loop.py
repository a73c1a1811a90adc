"""The closed loop in a real browser: headless Debian Chromium driven by Playwright against the live server."""

import pytest

from tests.conftest import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def act(page, to, **fields):
    page.click(f"[data-testid=action-{to}]")
    form = page.locator(f"form[action$='/transition/{to}']")
    for name, value in fields.items():
        field = form.locator(f"[name=t-{to}-{name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_phone_ticket_through_the_whole_loop(browser, live_server, people):
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()

    # given a supervisor at the hotline
    log_in(page, base, "boss")

    # when a caller's ticket is registered while on the phone
    page.goto(f"{base}/tickets/new")
    page.fill("#id_customer_name", "李小龙")
    page.fill("#id_customer_phone", "138 1234 5678")
    page.fill("#id_title", "门锁指纹识别失败")
    page.fill("#id_description", "指纹多次识别失败，只能用密码开门")
    page.select_option("#id_category", "hardware_fault")
    page.select_option("#id_priority", "P2")
    page.click("button:has-text('登记工单')")
    page.wait_for_load_state()
    number = page.locator("h1").inner_text().split(" ")[0]

    # then the phone number is masked on the ticket page
    assert page.locator("[data-testid=pii-phone]").inner_text() == "138****5678"
    assert "13812345678" not in page.content()
    assert page.locator("[data-testid=status]").inner_text() == "已登记"
    # and its SLA clocks run from receipt: the badge says on time, with the business time left
    clocks = page.locator("[data-testid=sla-clocks]").inner_text()
    assert "首次响应客户" in clocks and "解决" in clocks
    assert page.locator("[data-testid=sla-badge]").first.get_attribute("data-tone") in {"ok", "unknown"}
    page.goto(f"{base}/?sort=due")
    assert page.locator("[data-testid=sla-badge]").count() >= 1
    page.goto(f"{base}/tickets/{number}")

    act(page, "triaged")
    act(page, "assigned", owner="eng")
    assert page.locator("[data-testid=owner]").inner_text() == "郑工"
    log_out(page)

    # the engineer accepts, works and resolves
    log_in(page, base, "eng")
    page.goto(f"{base}/tickets/{number}")
    act(page, "accepted")
    act(page, "in_progress")
    act(page, "resolved", root_cause="传感器表面脏污", solution="清洁并重新录入指纹", result="fully")
    assert page.locator("[data-testid=status]").inner_text() == "已解决"
    log_out(page)

    # the service desk reports back, records the callback and closes the loop
    log_in(page, base, "boss")
    page.goto(f"{base}/tickets/{number}")
    act(page, "notified", message="已上门清洁，请您试用", method="phone")
    page.click("[data-testid=action-satisfaction]")
    page.select_option("select[name=score]", "5")
    page.fill("textarea[name=comment]", "很满意")
    page.click("button:has-text('保存满意度')")
    page.wait_for_load_state()
    act(page, "closed")
    assert page.locator("[data-testid=status]").inner_text() == "已闭环"
    assert "已达成" in page.locator("[data-testid=sla-clocks]").inner_text()
    timeline = page.locator("[data-testid=timeline]").inner_text()
    for label in ["已登记", "已分类", "已派单", "已接收", "开始处理", "已解决", "已反馈", "记录满意度", "已闭环"]:
        assert label in timeline

    # and switching the language shows the same page in English
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state()
    page.wait_for_selector("[data-testid=status]:has-text('Closed')")
    assert "Timeline" in page.content()
