"""Listing with filters, a query budget independent of page size, and offline API docs."""

import re

import pytest
from django.test import Client

from loopdesk.api.tests.conftest import NEW_TICKET


@pytest.mark.django_db
def test_list_filters_and_paginates(api_client, supervisor):
    client = api_client(supervisor)
    for i in range(3):
        client.post(
            "/api/v1/tickets", dict(NEW_TICKET, title=f"门锁故障 {i}", priority="P1"), content_type="application/json"
        )
    client.post("/api/v1/tickets", dict(NEW_TICKET, title="咨询保修"), content_type="application/json")

    page = client.get("/api/v1/tickets?priority=P1&limit=2&sort=number").json()

    assert page["count"] == 3 and len(page["items"]) == 2
    assert client.get("/api/v1/tickets?q=保修").json()["count"] == 1


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(api_client, supervisor, django_assert_max_num_queries):
    client = api_client(supervisor)
    for i in range(12):
        client.post("/api/v1/tickets", dict(NEW_TICKET, title=f"t{i}", tags=["支付"]), content_type="application/json")
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/tickets?limit=50")
    assert len(response.json()["items"]) == 12


@pytest.mark.django_db
def test_openapi_and_docs_are_served_offline():
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/tickets/{number}/transitions" in schema.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    external = [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', docs)]
    assert external == []
    assert "/static/ninja/swagger-ui-bundle.js" in docs
