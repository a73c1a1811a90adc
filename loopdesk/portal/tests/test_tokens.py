"""R02: ticket access links and sign-in links, one test per bad case; the pure rules table-driven."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from loopdesk.portal import services, tokens
from loopdesk.portal.models import CustomerLink
from loopdesk.portal.tests.conftest import open_ticket_page

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def facts(**kw):
    base = {"kind": "access", "expires_at": None, "used_at": None, "revoked_at": None}
    return tokens.LinkFacts(**(base | kw))


@pytest.mark.parametrize(
    ("link", "usable"),
    [
        (facts(), True),
        (facts(revoked_at=NOW), False),
        (facts(ticket_archived=True), False),
        (facts(ticket_closed_at=NOW - dt.timedelta(days=29)), True),
        (facts(ticket_closed_at=NOW - dt.timedelta(days=30)), False),
        (facts(kind="signin", expires_at=NOW + dt.timedelta(minutes=1)), True),
        (facts(kind="signin", expires_at=NOW), False),
        (facts(kind="signin", expires_at=NOW + dt.timedelta(minutes=1), used_at=NOW), False),
    ],
)
def test_which_links_are_usable(link, usable):
    assert tokens.is_usable(link, now=NOW, access_days_after_close=30) is usable


def test_tokens_have_256_bits_and_only_the_digest_is_stored():
    raw, digest = tokens.new_token()
    assert len(raw) == 43 and tokens.is_well_formed(raw)
    assert digest == tokens.digest(raw) and len(digest) == 64 and raw not in digest
    assert tokens.same_digest(raw, digest) and not tokens.same_digest(
        raw[:-1] + ("A" if raw[-1] != "A" else "B"), digest
    )


@pytest.mark.django_db
def test_the_token_is_stored_hashed_and_exchanged_for_a_session_without_it(client, submit):
    receipt = submit()
    link = CustomerLink.objects.get(ticket=receipt.ticket)
    assert link.token_hash == tokens.digest(receipt.token)
    assert not CustomerLink.objects.filter(token_hash=receipt.token).exists()
    response = client.get(f"/portal/t/{receipt.token}")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{receipt.ticket.number}"
    assert response["Referrer-Policy"] == "no-referrer" and response["Cache-Control"] == "no-store"
    page = client.get(response["Location"])
    assert page.status_code == 200 and receipt.token not in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"  # no token in this URL; its forms need the Origin header


def _invalid(response):
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="link-invalid"' in body and "/portal/lost" in body
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


@pytest.mark.django_db
def test_every_bad_token_gets_the_same_page(client, submit, walk_ticket, supervisor):
    good = submit()
    other = submit(phone="13700009999")
    altered = good.token[:-1] + ("A" if good.token[-1] != "A" else "B")
    revoked = submit(phone="13700008888")
    services.revoke_customer_links(revoked.ticket, actor=supervisor)
    signin_raw = services.issue_signin_link(good.ticket.customer)
    bodies = {
        "altered": _invalid(client.get(f"/portal/t/{altered}")),
        "truncated": _invalid(client.get(f"/portal/t/{good.token[:20]}")),
        "revoked": _invalid(client.get(f"/portal/t/{revoked.token}")),
        "sign-in token used as access link": _invalid(client.get(f"/portal/t/{signin_raw}")),
        "nonsense": _invalid(client.get("/portal/t/%3Cscript%3E")),
    }
    # a token for ticket B gives no access to ticket A
    open_ticket_page(client, other.token)
    bodies["foreign ticket"] = _invalid(client.get(f"/portal/tickets/{good.ticket.number}"))
    assert len(set(bodies.values())) == 1


@pytest.mark.django_db
def test_access_links_expire_30_days_after_close_and_die_on_archive(client, walk_ticket, supervisor, customer):
    ticket = walk_ticket("closed", customer=customer)
    token = services.issue_access_link(ticket)
    with time_machine.travel(ticket.closed_at + dt.timedelta(days=29)):
        assert client.get(f"/portal/t/{token}").status_code == 302
    with time_machine.travel(ticket.closed_at + dt.timedelta(days=30, minutes=1)):
        _invalid(client.get(f"/portal/t/{token}"))
        _invalid(client.get(f"/portal/tickets/{ticket.number}"))  # the session it gave ends as well
    from loopdesk.tickets.services import archive_ticket

    fresh = services.issue_access_link(ticket)
    archive_ticket(ticket, actor=supervisor)
    _invalid(client.get(f"/portal/t/{fresh}"))


@pytest.mark.django_db
def test_revoking_ends_links_and_open_sessions_and_is_audited(client, submit, supervisor):
    from loopdesk.audit.models import AuditEntry

    receipt = submit()
    open_ticket_page(client, receipt.token)
    assert client.get(f"/portal/tickets/{receipt.ticket.number}").status_code == 200
    assert services.revoke_customer_links(receipt.ticket, actor=supervisor) == 1
    _invalid(client.get(f"/portal/tickets/{receipt.ticket.number}"))
    _invalid(client.get(f"/portal/t/{receipt.token}"))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_REVOKED)
    assert entry.object_id == receipt.ticket.number and entry.actor == supervisor
    assert receipt.token not in entry.reason


@pytest.mark.django_db
def test_sign_in_links_work_once_within_ten_minutes(client, submit):
    receipt = submit(email="zhang@example.com")
    customer = receipt.ticket.customer
    raw = services.issue_signin_link(customer)
    assert client.get(f"/portal/signin/{raw}").status_code == 200  # the confirmation page does not use it up
    response = client.post("/portal/signin", {"token": raw})
    assert response.status_code == 302 and response["Location"] == "/portal/my"
    listing = client.get("/portal/my").content.decode()
    assert receipt.ticket.number in listing
    assert client.get(f"/portal/tickets/{receipt.ticket.number}").status_code == 200
    _invalid(client.post("/portal/signin", {"token": raw}))  # reused
    late = services.issue_signin_link(customer)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        _invalid(client.post("/portal/signin", {"token": late}))  # expired


@pytest.mark.django_db
def test_ten_bad_tokens_from_one_address_get_429_with_retry_after(client, submit):
    receipt = submit()
    for i in range(10):
        assert client.get(f"/portal/t/{'x' * 42}{i}").status_code == 404
    response = client.get(f"/portal/t/{receipt.token}")  # even a good one, from this address, for a while
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.get(f"/portal/t/{receipt.token}", REMOTE_ADDR="10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_bad_tokens_take_the_same_time_as_unknown_ones(client, submit, supervisor):
    import statistics
    import time

    revoked = submit()
    services.revoke_customer_links(revoked.ticket, actor=supervisor)

    def timed(token, ip):
        start = time.perf_counter()
        assert client.get(f"/portal/t/{token}", REMOTE_ADDR=ip).status_code == 404
        return time.perf_counter() - start

    unknown = [timed(tokens.new_token()[0], f"10.1.{i}.1") for i in range(15)]
    known = [timed(revoked.token, f"10.2.{i}.1") for i in range(15)]
    assert abs(statistics.median(unknown) - statistics.median(known)) < 0.025


@pytest.mark.django_db
def test_tokens_never_reach_the_log(client, submit, supervisor, caplog):
    good = submit()
    services.revoke_customer_links(good.ticket, actor=supervisor)
    with caplog.at_level("DEBUG"):
        client.get(f"/portal/t/{good.token}")
        client.get(f"/portal/signin/{good.token}")
        client.post("/portal/signin", {"token": good.token})
    assert good.token not in caplog.text
