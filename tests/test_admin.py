"""Every admin page opens for an administrator; role changes in the admin are audited."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from loopdesk.accounts.models import ApiToken, hash_token
from loopdesk.audit.models import AuditEntry
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets.models import Satisfaction, Ticket, TicketEvent

MODELS = [
    m
    for m in admin.site._registry
    if m._meta.app_label in {"accounts", "audit", "customers", "tickets", "sla", "notifications"}
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_opens(client, model, walk_ticket):
    walk_ticket("closed")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "P2024"}).status_code == 200  # every search field is a real path


@pytest.mark.django_db
def test_role_change_is_audited(client, agent):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:accounts_user_change", args=[agent.pk])
    form = client.get(url).context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in {"groups", "user_permissions", "last_login", "date_joined", "password"}
    }
    data.update(
        {
            "groups": [Group.objects.get(name="supervisor").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "department": agent.department_id,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(action="role_changed")
    assert "supervisor" in entry.reason and entry.actor == root


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Ticket, TicketEvent, Satisfaction, AuditEntry], ids=lambda m: m.__name__)
def test_records_are_read_only_in_the_admin(client, walk_ticket, model):
    # given a closed ticket with its events, satisfaction and an audit entry
    walk_ticket("closed")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    AuditEntry.objects.create(action="logged_in", actor=root)
    client.force_login(root)
    obj = model.objects.first()
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    # when the administrator opens one, or tries to add, change or delete
    page = client.get(reverse(f"{name}_change", args=[obj.pk]))
    # then it can be read, but not written
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.get(reverse(f"{name}_add")).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
def test_issuing_a_token_in_the_admin_shows_it_once_and_stores_its_hash(client, agent):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(reverse("admin:accounts_apitoken_add"), {"user": agent.pk, "name": "ERP"}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"] if "ld_" in str(m)]
    raw = shown[0].rsplit(" ", 1)[-1]
    assert token.user == agent and token.key_hash == hash_token(raw) and raw.startswith(token.prefix)
    assert raw not in client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert AuditEntry.objects.filter(action="token_created", actor=root).exists()
