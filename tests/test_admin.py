"""Every admin page opens for an administrator; role changes in the admin are audited."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from loopdesk.audit.models import AuditEntry
from loopdesk.testing.factories import UserFactory

MODELS = [m for m in admin.site._registry if m._meta.app_label in {"accounts", "audit", "customers", "tickets"}]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_opens(client, model, walk_ticket):
    walk_ticket("closed")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


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
