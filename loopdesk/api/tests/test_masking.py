"""Customer PII is masked in every API answer unless the token's user may reveal it (then audited)."""

import pytest

from loopdesk.api.tests.conftest import NEW_TICKET
from loopdesk.audit.models import AuditEntry

CLEAR = ["张三丰", "13812345678", "zhang@example.com"]


@pytest.mark.django_db
def test_every_get_endpoint_masks_for_an_agent(api_client, agent):
    client = api_client(agent)
    number = client.post("/api/v1/tickets", NEW_TICKET, content_type="application/json").json()["number"]
    urls = [
        "/api/v1/tickets",
        f"/api/v1/tickets/{number}",
        "/api/v1/customers/lookup?q=13812345678",
        "/api/v1/categories",
        "/api/v1/priorities",
    ]

    for url in urls:
        body = client.get(url).content.decode()
        for value in CLEAR:
            assert value not in body, (url, value)
    detail = client.get(f"/api/v1/tickets/{number}").json()
    assert detail["customer"]["phone"] == "138****5678"
    assert detail["customer"]["name"] == "张**"
    assert not AuditEntry.objects.filter(action="pii_revealed").exists()


@pytest.mark.django_db
def test_reveal_permission_sees_clear_values_and_is_audited(api_client, supervisor):
    client = api_client(supervisor)
    number = client.post("/api/v1/tickets", NEW_TICKET, content_type="application/json").json()["number"]

    detail = client.get(f"/api/v1/tickets/{number}").json()

    assert detail["customer"]["phone"] == "13812345678" and detail["customer"]["is_masked"] is False
    entry = AuditEntry.objects.filter(action="pii_revealed", actor=supervisor).first()
    assert entry is not None and entry.object_id == detail["customer"]["public_id"]


@pytest.mark.django_db
def test_lookup_finds_by_phone_in_any_format(api_client, agent):
    client = api_client(agent)
    client.post("/api/v1/tickets", NEW_TICKET, content_type="application/json")

    found = client.get("/api/v1/customers/lookup?q=%2B86 138-1234-5678").json()

    assert len(found) == 1 and len(found[0]["tickets"]) == 1
