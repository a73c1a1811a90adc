"""Bearer-token authentication: missing, unknown, revoked tokens and inactive users all get 401."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from loopdesk.accounts.models import ApiToken


def assert_401(response):
    assert response.status_code == 401, response.content
    error = response.json()["error"]
    assert error["code"] == "unauthenticated" and set(error) == {"code", "message", "fields", "request_id"}
    assert response["WWW-Authenticate"] == "Bearer"


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Bearer nope", "Basic abc", "Token abc", "Bearer " + "x" * 500]
)
def test_missing_or_bad_token_is_401(header):
    client = Client(HTTP_AUTHORIZATION=header) if header is not None else Client()
    assert_401(client.get("/api/v1/tickets"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/tickets", "/api/v1/categories", "/api/v1/priorities", "/api/v1/customers/lookup?q=1"]
)
def test_every_endpoint_needs_a_token(url):
    assert_401(Client().get(url))
    assert_401(Client().post("/api/v1/tickets", {}, content_type="application/json"))


@pytest.mark.django_db
def test_revoked_token_is_401(supervisor):
    token, raw = ApiToken.issue(supervisor)
    client = bearer(raw)
    assert client.get("/api/v1/tickets").status_code == 200

    token.revoked_at = timezone.now()
    token.save()

    assert_401(client.get("/api/v1/tickets"))


@pytest.mark.django_db
def test_inactive_user_is_401(supervisor):
    _, raw = ApiToken.issue(supervisor)
    supervisor.is_active = False
    supervisor.save()

    assert_401(bearer(raw).get("/api/v1/tickets"))


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(supervisor):
    token, raw = ApiToken.issue(supervisor)
    client = bearer(raw)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.get("/api/v1/categories")
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        client.get("/api/v1/categories")
    token.refresh_from_db()
    assert token.last_used_at == start

    later = start + dt.timedelta(seconds=90)
    with time_machine.travel(later, tick=False):
        client.get("/api/v1/categories")
    token.refresh_from_db()
    assert token.last_used_at == later
