"""Creating with every seed detail, editing details with optimistic locking, replies, notes and permissions."""

import pytest

from loopdesk.api.tests.conftest import NEW_TICKET
from loopdesk.customers.models import Customer
from loopdesk.testing.factories import AssetFactory, CustomerFactory, OrderFactory
from loopdesk.tickets.models import Ticket

DETAILS = {
    "occurred_at": "2024-03-14T20:00:00+08:00",
    "frequency": "每次充电",
    "impact_scope": "单台设备",
    "steps": "放回底座",
    "error_text": "E42",
    "environment": "固件 1.2.3",
    "customer_tried": "重启",
    "demand": "repair",
    "demand_detail": "上门维修",
    "expected_timeline": "本周内",
}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.mark.django_db
def test_create_with_every_seed_detail_and_product_lookups(api_client, agent):
    known = CustomerFactory(phone="13812345678")
    asset, order = AssetFactory(customer=known, serial_no="SN-1"), OrderFactory(customer=known, order_no="DD-1")
    body = dict(
        NEW_TICKET,
        **DETAILS,
        tags=["充电", "底座"],
        received_at="2024-03-15T09:30:00+08:00",
        asset_serial_no="SN-1",
        order_no="DD-1",
    )

    response = post(api_client(agent), "/api/v1/tickets", body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["customer"]["public_id"] == known.public_id and Customer.objects.count() == 1
    assert {k: data[k] for k in DETAILS if k != "occurred_at"} == {
        k: v for k, v in DETAILS.items() if k != "occurred_at"
    }
    assert sorted(data["tags"]) == ["充电", "底座"]
    assert data["received_at"].startswith("2024-03-15T01:30")
    ticket = Ticket.objects.get(number=data["number"])
    assert (ticket.asset, ticket.order, ticket.created_by) == (asset, order, agent)
    assert [e["kind"] for e in data["events"]] == ["created", "routed"]


@pytest.mark.django_db
def test_another_customers_order_is_refused(api_client, agent):
    OrderFactory(order_no="DD-OTHER")

    response = post(api_client(agent), "/api/v1/tickets", dict(NEW_TICKET, order_no="DD-OTHER"))

    assert response.status_code == 400 and "order_no" in response.json()["error"]["fields"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_patch_details_with_optimistic_locking(api_client, supervisor):
    client = api_client(supervisor)
    created = post(client, "/api/v1/tickets", NEW_TICKET).json()
    url = f"/api/v1/tickets/{created['number']}"

    updated = patch(client, url, {"steps": "按电源键 5 秒", "version": created["version"]})
    stale = patch(client, url, {"steps": "旧的", "version": created["version"]})

    assert updated.status_code == 200 and updated.json()["steps"] == "按电源键 5 秒"
    assert updated.json()["version"] > created["version"]
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert client.get(url).json()["steps"] == "按电源键 5 秒"


@pytest.mark.django_db
def test_public_reply_and_internal_note(api_client, supervisor):
    client = api_client(supervisor)
    number = post(client, "/api/v1/tickets", NEW_TICKET).json()["number"]

    public = post(client, f"/api/v1/tickets/{number}/replies", {"body": "我们已收到"}).json()
    note = post(client, f"/api/v1/tickets/{number}/replies", {"body": "疑似批次问题", "is_public": False}).json()

    assert public["events"][-1] | {"created_at": None} == {
        "kind": "replied",
        "actor": "supervisor",
        "from_status": "",
        "to_status": "",
        "body": "我们已收到",
        "is_public": True,
        "data": public["events"][-1]["data"],
        "created_at": None,
    }
    assert (note["events"][-1]["kind"], note["events"][-1]["is_public"]) == ("note_added", False)


@pytest.mark.django_db
def test_a_step_without_permission_is_403(api_client, agent):
    client = api_client(agent)
    number = post(client, "/api/v1/tickets", NEW_TICKET).json()["number"]

    triage = post(client, f"/api/v1/tickets/{number}/transitions", {"to": "triaged", "category": "other"})
    progress = post(client, f"/api/v1/tickets/{number}/progress", {"body": "在查"})

    for response in (triage, progress):
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/tickets/{number}").json()["status"] == "new"


@pytest.mark.django_db
def test_satisfaction_before_resolution_is_409(api_client, agent):
    client = api_client(agent)
    number = post(client, "/api/v1/tickets", NEW_TICKET).json()["number"]

    response = post(client, f"/api/v1/tickets/{number}/satisfaction", {"score": 5})

    assert response.status_code == 409 and response.json()["error"]["code"] == "illegal_transition"


@pytest.mark.django_db
def test_categories_and_priorities(api_client, agent):
    client = api_client(agent)

    categories = client.get("/api/v1/categories").json()
    priorities = client.get("/api/v1/priorities").json()

    assert {"code", "label", "name", "name_en"} == set(categories[0])
    assert "hardware_fault" in {c["code"] for c in categories}
    assert [p["code"] for p in sorted(priorities, key=lambda p: p["rank"])][:2] == ["P1", "P2"]
