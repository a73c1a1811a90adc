"""Bad input and bad credentials get the one error shape, never a 500."""

import json

import pytest
from django.test import Client

from loopdesk.accounts.models import ApiToken
from loopdesk.api.tests.conftest import NEW_TICKET
from loopdesk.testing.factories import TicketFactory, UserFactory


def post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields", "request_id"}
    if code:
        assert error["code"] == code
    return error


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer " + "x" * 500])
def test_missing_or_bad_token_is_401(header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    assert_error(client.get("/api/v1/tickets"), 401, "unauthenticated")


@pytest.mark.django_db
def test_revoked_token_and_inactive_user_are_401(supervisor):
    from django.utils import timezone

    token, raw = ApiToken.issue(supervisor)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/tickets").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert_error(client.get("/api/v1/tickets"), 401)


@pytest.mark.django_db
def test_validation_errors_name_each_field(api_client, agent):
    client = api_client(agent)
    bad = dict(NEW_TICKET, title="", customer={"phone": "1"}, color="red")

    error = assert_error(post(client, "/api/v1/tickets", bad), 400, "validation_error")

    assert {"title", "customer.name", "color"} <= set(error["fields"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "nope"), ("priority", "P9"), ("channel", "pigeon"), ("demand", "gold")],
)
def test_unknown_codes_are_400_naming_the_field(api_client, agent, field, value):
    error = assert_error(post(api_client(agent), "/api/v1/tickets", dict(NEW_TICKET, **{field: value})), 400)
    assert field in error["fields"]


@pytest.mark.django_db
def test_garbage_bodies_never_500(api_client, agent):
    client = api_client(agent)
    assert_error(client.post("/api/v1/tickets", b"{not json", content_type="application/json"), 400)
    assert_error(client.post("/api/v1/tickets", b"\xff\xfe", content_type="application/json"), 400)
    assert_error(client.post("/api/v1/tickets", json.dumps(NEW_TICKET), content_type="text/plain"), 415)
    deep = {"a": 1}
    for _ in range(30):
        deep = {"a": deep}
    assert_error(post(client, "/api/v1/tickets", dict(NEW_TICKET, extra=deep)), 400)
    assert_error(post(client, "/api/v1/tickets", [1, 2]), 400)
    assert_error(post(client, "/api/v1/tickets", dict(NEW_TICKET, title="x" * 10_000)), 400)
    assert_error(post(client, "/api/v1/tickets", dict(NEW_TICKET, title=123)), 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "ordering=assignee__password",
        "_connector=OR",
        "sort=owner__password",
        "status=bogus",
        "q=" + "x" * 10_000,
        "q=%00abc",
        "limit=0",
        "limit=abc",
        "offset=-1",
    ],
)
def test_hostile_list_queries_are_400(api_client, supervisor, query):
    assert_error(api_client(supervisor).get(f"/api/v1/tickets?{query}"), 400)


@pytest.mark.django_db
def test_invisible_and_unknown_tickets_are_404(api_client, engineer):
    hidden = TicketFactory()  # registered by nobody, owned by nobody, another department
    client = api_client(engineer)
    assert_error(client.get(f"/api/v1/tickets/{hidden.number}"), 404, "not_found")
    assert_error(client.get("/api/v1/tickets/P20990101001"), 404, "not_found")
    assert_error(post(client, f"/api/v1/tickets/{hidden.number}/transitions", {"to": "triaged"}), 404)


@pytest.mark.django_db
def test_creating_needs_the_permission(api_client, engineer):
    assert_error(post(api_client(engineer), "/api/v1/tickets", NEW_TICKET), 403, "forbidden")


@pytest.mark.django_db
def test_errors_come_in_the_users_language(supervisor):
    _, raw = ApiToken.issue(supervisor)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    error = assert_error(client.get("/api/v1/tickets/P20990101001"), 404)
    assert error["message"]
    assert UserFactory  # factories import check


@pytest.mark.django_db
def test_oversized_body_is_413(api_client, agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = dict(NEW_TICKET, description="长" * 2000)
    assert_error(post(api_client(agent), "/api/v1/tickets", body), 413, "payload_too_large")
