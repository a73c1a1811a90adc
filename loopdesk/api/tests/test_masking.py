"""Customer PII is masked in every API answer unless the token's user may reveal it (then audited, R07)."""

import pytest

from loopdesk.api.tests.conftest import NEW_TICKET
from loopdesk.api.v1 import api
from loopdesk.audit.models import AuditEntry

CUSTOMER = {"name": "张三丰", "phone": "13812345678", "email": "zhang@example.com", "address": "杭州市西湖区文三路"}
CLEAR = [*CUSTOMER.values(), "\\u5f20\\u4e09\\u4e30"]  # also as a JSON escape, in case of ensure_ascii
SUPERVISORS_ONLY = ("/api/v1/routing/workload/", "/api/v1/reports/")


def get_urls(number: str) -> list[str]:
    """Every GET endpoint of the schema, filled in with the fixture's values: a new endpoint cannot be missed."""
    fill = {"number": number, "q": CUSTOMER["phone"], "department": "cs"}
    urls = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        for param in operations["get"].get("parameters", []):
            assert param["name"] in fill, f"teach the crawler a value for {param['name']} of {path}"
        url = path.format(**fill)
        query = [
            f"{p['name']}={fill[p['name']]}" for p in operations["get"].get("parameters", []) if p["in"] == "query"
        ]
        urls.append(url + ("?" + "&".join(query) if query else ""))
    return urls


@pytest.fixture
def ticket_number(api_client, supervisor):
    body = dict(NEW_TICKET, customer=CUSTOMER, steps="按下电源键")
    client = api_client(supervisor)
    number = client.post("/api/v1/tickets", body, content_type="application/json").json()["number"]
    client.post(f"/api/v1/tickets/{number}/replies", {"body": "已回电"}, content_type="application/json")
    return number


@pytest.mark.django_db
def test_every_get_endpoint_masks_for_an_agent(api_client, agent, ticket_number):
    client = api_client(agent)
    urls = get_urls(ticket_number)
    assert len(urls) >= 5

    for url in urls + ["/api/v1/tickets?q=13812345678", "/api/v1/customers/lookup?q=zhang@example.com"]:
        response = client.get(url)
        expected = 403 if url.startswith(SUPERVISORS_ONLY) else 200  # workload, reports: counts, no customer
        assert response.status_code == expected, (url, response.content)
        body = response.content.decode()
        for value in CLEAR:
            assert value not in body, (url, value)

    detail = client.get(f"/api/v1/tickets/{ticket_number}").json()
    assert detail["customer"]["phone"] == "138****5678"
    assert detail["customer"]["name"] == "张**"
    assert detail["customer"]["is_masked"] is True
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED, actor=agent).exists()


@pytest.mark.django_db
def test_validation_errors_do_not_echo_pii(api_client, agent):
    body = dict(NEW_TICKET, customer=dict(CUSTOMER, email="zhang@@example"), color=CUSTOMER["phone"])

    response = api_client(agent).post("/api/v1/tickets", body, content_type="application/json")

    assert response.status_code == 400
    assert CUSTOMER["phone"] not in response.content.decode()


@pytest.mark.django_db
def test_reveal_permission_sees_clear_values_and_is_audited_once(api_client, supervisor, ticket_number):
    client = api_client(supervisor)
    before = AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED).count()

    detail = client.get(f"/api/v1/tickets/{ticket_number}").json()

    assert detail["customer"]["phone"] == CUSTOMER["phone"] and detail["customer"]["is_masked"] is False
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED).order_by("-id")
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry.actor == supervisor and entry.reason == "api"
    assert entry.object_id == detail["customer"]["public_id"]
    assert set(entry.field.split(",")) == {"name", "phone", "email", "address"}
    assert entry.request_id


@pytest.mark.django_db
def test_a_list_with_many_customers_is_one_audit_entry(api_client, supervisor):
    client = api_client(supervisor)
    for i in range(3):
        body = dict(NEW_TICKET, customer={"name": f"客户{i}", "phone": f"1390000000{i}"})
        client.post("/api/v1/tickets", body, content_type="application/json")
    before = AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED).count()

    client.get("/api/v1/tickets")

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED)
    assert entries.count() == before + 1
    assert entries.order_by("-id").first().object_id == "3 customers"


@pytest.mark.django_db
def test_lookup_finds_by_phone_in_any_format(api_client, agent, ticket_number):
    found = api_client(agent).get("/api/v1/customers/lookup?q=%2B86 138-1234-5678").json()

    assert len(found) == 1
    assert [t["number"] for t in found[0]["tickets"]] == [ticket_number]
    assert found[0]["tickets"][0]["status"] == "new"
