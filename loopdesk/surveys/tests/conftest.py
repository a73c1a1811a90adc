"""Fixtures for the survey tests: a ticket whose result was reported, and the link from its real email."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from loopdesk.accounts.models import ApiToken
from loopdesk.notifications.models import OutboxMessage
from loopdesk.testing.factories import CustomerFactory

LINK = re.compile(r"http://testserver(/s/[A-Za-z0-9_-]{43})")


def survey_path(ticket, *, kind: str = "customer.survey") -> str:
    """The path of the newest survey link emailed for this ticket (read from the outbox row)."""
    body = OutboxMessage.objects.filter(ticket=ticket, kind=kind).order_by("-id").values_list("body", flat=True)[0]
    match = LINK.search(body)
    assert match, body
    return match.group(1)


@pytest.fixture
def mailing(settings):
    settings.LOOPDESK_CUSTOMER_EMAIL = True
    settings.LOOPDESK_PUBLIC_URL = "http://testserver"


@pytest.fixture
def notified(walk_ticket, mailing):
    """A ticket walked to "notified" (the survey invitation went out) for a customer with an email address."""
    return walk_ticket("notified", customer=CustomerFactory(name="赵六", phone="13711112222", email="zhao@example.com"))


@pytest.fixture
def api_client():
    """A test client sending `Authorization: Bearer` for a user."""

    def make(user):
        _token, raw = ApiToken.issue(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")

    return make
