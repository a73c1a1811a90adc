"""Listing tickets: allowlisted filters, limit/offset with a count, and a query budget independent of size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loopdesk.api.tests.conftest import NEW_TICKET


def create_many(client, n, **fields):
    for i in range(n):
        body = dict(NEW_TICKET, title=f"门锁故障 {i}", tags=["支付", f"k{i}"], **fields)
        assert client.post("/api/v1/tickets", body, content_type="application/json").status_code == 201


@pytest.mark.django_db
def test_list_filters_and_paginates(api_client, supervisor):
    client = api_client(supervisor)
    create_many(client, 3, priority="P1")
    client.post("/api/v1/tickets", dict(NEW_TICKET, title="咨询保修"), content_type="application/json")

    page = client.get("/api/v1/tickets?priority=P1&limit=2&sort=number").json()
    rest = client.get("/api/v1/tickets?priority=P1&limit=2&offset=2&sort=number").json()

    assert page["count"] == rest["count"] == 3
    assert len(page["items"]) == 2 and len(rest["items"]) == 1
    assert page["items"][0]["number"] < page["items"][1]["number"] < rest["items"][0]["number"]
    assert client.get("/api/v1/tickets?q=保修").json()["count"] == 1
    assert client.get("/api/v1/tickets?status=new&open_only=true&channel=phone").json()["count"] == 4
    assert client.get("/api/v1/tickets?status=closed").json()["count"] == 0
    assert client.get("/api/v1/tickets?owner=none&category=hardware_fault").json()["count"] == 4


@pytest.mark.django_db
def test_list_shows_only_visible_tickets(api_client, supervisor, engineer):
    create_many(api_client(supervisor), 2, category="service_complaint")  # routed to customer service

    assert api_client(engineer).get("/api/v1/tickets").json() == {
        "count": 0,
        "count_is_estimate": False,
        "limit": 50,
        "offset": 0,
        "next_cursor": None,
        "items": [],
    }


@pytest.mark.django_db
def test_query_count_does_not_grow_with_page_size(api_client, supervisor, django_assert_max_num_queries):
    client = api_client(supervisor)
    create_many(client, 12)

    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/tickets?limit=1").json()["items"]) == 1
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/tickets?limit=50").json()["items"]) == 12
    with django_assert_max_num_queries(10):
        client.get("/api/v1/tickets?limit=200")
