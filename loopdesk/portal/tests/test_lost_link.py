"""R03: asking for a sign-in link answers the same whether or not we know the contact; sent only if we do."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from loopdesk.notifications.models import OutboxMessage
from loopdesk.portal.models import SignInRequest
from loopdesk.portal.tests.conftest import link_in_outbox
from loopdesk.testing.factories import CustomerFactory


def _answer(response) -> tuple[int, str]:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, body


@pytest.mark.django_db
def test_known_and_unknown_contacts_get_the_same_answer(client):
    CustomerFactory(email="known@example.com", phone="13811112222")
    answers = set()
    for i, identifier in enumerate(["known@example.com", "nobody@example.com", "13811112222", "13899990000"]):
        response = client.post("/portal/lost", {"identifier": identifier}, REMOTE_ADDR=f"10.3.{i}.1")
        answers.add(_answer(response))
        assert {k: v for k, v in response.items() if k not in {"X-Request-ID", "Set-Cookie"}} == {
            k: v for k, v in client.post("/portal/lost", {"identifier": "x@y.z"}, REMOTE_ADDR="10.4.0.1").items()
            if k not in {"X-Request-ID", "Set-Cookie"}
        }  # fmt: skip
    assert len(answers) == 1 and answers.pop()[0] == 200
    sent = OutboxMessage.objects.filter(kind="portal.signin")
    assert [m.payload["to"] for m in sent] == ["known@example.com", "known@example.com"]  # by email and by phone


@pytest.mark.django_db
def test_the_sign_in_link_lists_the_contacts_tickets(client, walk_ticket):
    customer = CustomerFactory(email="li@example.com")
    mine = walk_ticket("assigned", customer=customer)
    other = walk_ticket("assigned")
    client.post("/portal/lost", {"identifier": "LI@example.com"})
    token = link_in_outbox("portal.signin")
    assert client.post("/portal/signin", {"token": token}).status_code == 302
    listing = client.get("/portal/my").content.decode()
    assert mine.number in listing and other.number not in listing
    assert client.get(f"/portal/tickets/{mine.number}").status_code == 200
    assert client.get(f"/portal/tickets/{other.number}").status_code == 404


@pytest.mark.django_db
def test_a_phone_without_email_is_recorded_for_an_agent(client):
    customer = CustomerFactory(email="", phone="13655556666")
    client.post("/portal/lost", {"identifier": "136 5555 6666"})
    assert SignInRequest.objects.get().customer == customer
    assert not OutboxMessage.objects.filter(kind="portal.signin").exists()


@pytest.mark.django_db
@override_settings(LOOPDESK_PORTAL_LIMITS={"signin_ip": (3, 3600)})
def test_requests_are_rate_limited_per_address_for_known_and_unknown_alike(client):
    CustomerFactory(email="known@example.com")
    for identifier in ["known@example.com", "a@example.com", "b@example.com"]:
        assert client.post("/portal/lost", {"identifier": identifier}).status_code == 200
    for identifier in ["known@example.com", "c@example.com"]:
        response = client.post("/portal/lost", {"identifier": identifier})
        assert response.status_code == 429 and int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_one_contact_gets_at_most_three_links_an_hour_silently(client):
    CustomerFactory(email="known@example.com")
    for i in range(5):
        response = client.post("/portal/lost", {"identifier": "known@example.com"}, REMOTE_ADDR=f"10.5.{i}.1")
        assert response.status_code == 200
    assert OutboxMessage.objects.filter(kind="portal.signin").count() == 3


@pytest.mark.django_db
def test_an_empty_request_re_shows_the_form(client):
    response = client.post("/portal/lost", {"identifier": ""})
    assert response.status_code == 400 and 'name="identifier"' in response.content.decode()


@pytest.mark.django_db
def test_known_and_unknown_contacts_take_the_same_time(client):
    import statistics
    import time

    CustomerFactory(email="known@example.com")

    def timed(identifier, i):
        start = time.perf_counter()
        client.post("/portal/lost", {"identifier": identifier}, REMOTE_ADDR=f"10.6.{i}.1")
        return time.perf_counter() - start

    known = [timed("known@example.com", i) for i in range(20)]  # 3 sent, then silently capped per contact
    unknown = [timed(f"nobody{i}@example.com", 100 + i) for i in range(20)]
    assert abs(statistics.mean(known) - statistics.mean(unknown)) < 0.025
