"""The admin: widget sites refuse non-origins; revoking links there is audited."""

from __future__ import annotations

import pytest

from loopdesk.audit.models import AuditEntry
from loopdesk.portal.admin import WidgetSiteForm
from loopdesk.portal.models import CustomerLink, WidgetSite


def test_a_widget_site_takes_only_plain_origins(db):
    form = WidgetSiteForm(
        {"name": "商城", "allowed_origins": "https://shop.example.com\nhttps://*.evil.test", "is_active": True}
    )
    assert not form.is_valid() and "https://*.evil.test" in str(form.errors["allowed_origins"])
    form = WidgetSiteForm({"name": "商城", "allowed_origins": "https://shop.example.com", "is_active": True})
    site = form.save()
    assert site.public_key.startswith("ws_") and site.origins == ["https://shop.example.com"]


@pytest.mark.django_db
def test_revoking_in_the_admin_is_audited(admin_client, submit):
    receipt = submit()
    link = CustomerLink.objects.get(ticket=receipt.ticket)
    response = admin_client.post(
        "/admin/portal/customerlink/", {"action": "revoke", "_selected_action": [link.pk]}, follow=True
    )
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED, object_type="portal_link").exists()
    assert WidgetSite.objects.count() == 0
