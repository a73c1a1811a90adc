"""Fixtures for the cross-app tests: a real headless Chromium, and the staff the browser walks use."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def people(db):
    """Preset 000, the default priorities, a supervisor and a technical-support engineer."""
    from loopdesk.accounts.models import Department
    from loopdesk.testing.factories import UserFactory
    from loopdesk.tickets.setup import apply_category_preset, ensure_default_priorities

    apply_category_preset("000")
    ensure_default_priorities()
    boss = UserFactory(username="boss", role="supervisor", display_name="孙主管")
    eng = UserFactory(
        username="eng", role="engineer", display_name="郑工", department=Department.objects.get(code="support")
    )
    return boss, eng


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-1234")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.click("header form[action='/logout/'] button")
