"""Portal test helpers: a submitted report, a customer's session on a ticket, outbox look-ups."""

from __future__ import annotations

import re

import pytest

from loopdesk.notifications.models import OutboxMessage
from loopdesk.portal import services
from loopdesk.portal.services import Report


@pytest.fixture
def submit(db):
    """Submit a report through the service; returns the receipt."""
    counter = iter(range(10_000))

    def do(**fields):
        data = {"name": "张三", "phone": "13700001234", "description": "门锁无法开启\n屏幕显示 E42"} | fields
        return services.submit_report(Report(**data), files=[], submission_key=f"k{next(counter)}", ip="10.0.0.1")

    return do


def open_ticket_page(client, token: str):
    """Use an access link like a customer: follow the redirect to the token-free ticket page."""
    response = client.get(f"/portal/t/{token}")
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"])


def link_in_outbox(kind: str) -> str:
    message = OutboxMessage.objects.filter(kind=kind).order_by("-id").first()
    assert message is not None, kind
    return re.search(r"/portal/(?:t|signin)/([A-Za-z0-9_-]{43})", message.body).group(1)
