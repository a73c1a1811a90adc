"""Login: throttled per account and per address, audited, session rotated, safe redirects only (R01, R04)."""

import pytest
from django.urls import reverse

from loopdesk.audit.models import AuditEntry


def attempt(client, username, password="wrong", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_login_rotates_session_and_is_audited(client, supervisor):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "planted-before-login"
    response = attempt(client, "supervisor", "pass-1234")
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != "planted-before-login"
    assert AuditEntry.objects.filter(action="logged_in", actor=supervisor).exists()


@pytest.mark.django_db
def test_five_failures_lock_the_account_with_the_same_message(client, supervisor, settings):
    for _ in range(settings.LOOPDESK_LOGIN_MAX_PER_ACCOUNT):
        assert attempt(client, "supervisor").status_code == 200
    blocked = attempt(client, "supervisor", "pass-1234")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    unknown = attempt(client, "nobody-here")
    assert unknown.status_code == 200  # unknown users get the ordinary failure, not a different answer
    assert AuditEntry.objects.filter(action="login_failed").count() == settings.LOOPDESK_LOGIN_MAX_PER_ACCOUNT + 1


@pytest.mark.django_db
def test_too_many_failures_from_one_address(client, settings):
    settings.LOOPDESK_LOGIN_MAX_PER_IP = 3
    for i in range(3):
        attempt(client, f"user{i}")
    assert attempt(client, "someone-else").status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "javascript:alert(1)", "/\t/evil"])
def test_foreign_next_goes_to_the_inbox(client, supervisor, target):
    response = client.post(
        reverse("login") + f"?next={target}", {"username": "supervisor", "password": "pass-1234", "next": target}
    )
    assert response["Location"] == reverse("tickets:inbox")


@pytest.mark.django_db
def test_logout_is_post_only_and_ends_the_session(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("tickets:inbox")).status_code == 302


@pytest.mark.django_db
def test_deactivated_user_is_logged_out(client, supervisor):
    client.force_login(supervisor)
    supervisor.is_active = False
    supervisor.save()
    assert client.get(reverse("tickets:inbox")).status_code == 302
