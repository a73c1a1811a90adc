"""The inbox by keyset: every sort pages through the same order as one query, NULLs last, ties by id;
cursors are signed and tied to their sort; the count stops at a cap; the page costs the same at any depth."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loopdesk.accounts.models import ApiToken, Department
from loopdesk.core.errors import ValidationFailed
from loopdesk.testing.factories import CustomerFactory, TicketFactory
from loopdesk.tickets import selectors
from loopdesk.tickets.models import Priority, Ticket
from loopdesk.tickets.selectors import SORTS, InboxFilters, inbox, inbox_page

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def tickets(db):
    """Seventeen tickets with repeated and missing due times, priorities and receipt times, one closed."""
    support = Department.objects.get(code="support")
    priorities = [*Priority.objects.order_by("rank")[:3], None]
    customer = CustomerFactory()
    made = []
    for i in range(17):
        made.append(
            TicketFactory(
                customer=customer,
                owner_department=support if i % 3 else None,
                priority=priorities[i % 4],
                due_at=None if i % 5 == 0 else T0 + dt.timedelta(hours=i % 4),
                received_at=T0 - dt.timedelta(minutes=i % 6),
                status="closed" if i == 7 else "new",
            )
        )
    return made


def walk(user, filters, limit):
    """Every page by cursor, concatenated."""
    seen, cursor = [], ""
    for _ in range(100):
        page = inbox_page(user, filters, limit=limit, cursor=cursor)
        seen += [t.number for t in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
    raise AssertionError("the cursor never ended")


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("limit", [1, 4, 50])
def test_cursor_pages_follow_the_one_query_order(supervisor, tickets, sort, limit):
    filters = InboxFilters(sort=sort)

    assert walk(supervisor, filters, limit) == [t.number for t in inbox(supervisor, filters)]


@pytest.mark.django_db
def test_due_sort_puts_tickets_without_a_clock_last_and_keeps_the_department(supervisor, tickets):
    filters = InboxFilters(sort="due", department="support", open_only=True)

    numbers = walk(supervisor, filters, 2)

    rows = {t.number: t for t in Ticket.objects.filter(number__in=numbers)}
    dues = [rows[n].due_at for n in numbers]
    assert dues.index(None) == len([d for d in dues if d is not None]) and dues[-1] is None
    assert all(rows[n].owner_department.code == "support" and rows[n].status != "closed" for n in numbers)
    assert len(numbers) == Ticket.objects.filter(owner_department__code="support").exclude(status="closed").count()


@pytest.mark.django_db
def test_offset_still_works_and_offers_a_cursor(supervisor, tickets):
    filters = InboxFilters(sort="due")
    everything = [t.number for t in inbox(supervisor, filters)]

    by_offset = inbox_page(supervisor, filters, limit=5, offset=5)
    after = inbox_page(supervisor, filters, limit=5, cursor=by_offset.next_cursor)

    assert [t.number for t in by_offset.items + after.items] == everything[5:15]


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["abc", "W10=:1x:bad", "Zm9v"])
def test_a_forged_cursor_is_refused(supervisor, tickets, cursor):
    with pytest.raises(ValidationFailed) as error:
        inbox_page(supervisor, InboxFilters(), limit=5, cursor=cursor)
    assert "cursor" in error.value.fields


@pytest.mark.django_db
def test_a_cursor_is_for_its_own_sort_and_not_with_an_offset(supervisor, tickets):
    cursor = inbox_page(supervisor, InboxFilters(sort="due"), limit=2).next_cursor

    with pytest.raises(ValidationFailed):
        inbox_page(supervisor, InboxFilters(sort="received"), limit=2, cursor=cursor)
    with pytest.raises(ValidationFailed):
        inbox_page(supervisor, InboxFilters(sort="due"), limit=2, cursor=cursor, offset=2)


@pytest.mark.django_db
def test_the_count_stops_at_the_cap(supervisor, tickets, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)

    capped = inbox_page(supervisor, InboxFilters(), limit=5)
    exact = inbox_page(supervisor, InboxFilters(department="support", open_only=True), limit=5)

    assert (capped.count, capped.count_is_estimate) == (10, True)
    assert (exact.count, exact.count_is_estimate) == (10, False)


@pytest.mark.django_db
def test_api_pages_by_cursor_and_refuses_a_bad_one(client, supervisor, tickets):
    _, raw = ApiToken.issue(supervisor, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}
    first = client.get("/api/v1/tickets", {"sort": "due", "open_only": "true", "limit": 10}, **headers).json()

    second = client.get(
        "/api/v1/tickets", {"sort": "due", "open_only": "true", "limit": 10, "cursor": first["next_cursor"]}, **headers
    ).json()
    bad = client.get("/api/v1/tickets", {"cursor": first["next_cursor"] + "x"}, **headers)

    assert (first["count"], first["count_is_estimate"], second["next_cursor"]) == (16, False, None)
    assert len({i["number"] for i in first["items"] + second["items"]}) == 16
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["cursor"] == "Invalid cursor."


@pytest.mark.django_db
def test_a_deep_page_costs_what_the_first_costs(client, supervisor, tickets):
    _, raw = ApiToken.issue(supervisor, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    params = {"sort": "due", "department": "support", "open_only": "true", "limit": 2}
    client.get("/api/v1/tickets", params, **headers)  # warm the token
    with CaptureQueriesContext(connection) as first:
        cursor = client.get("/api/v1/tickets", params, **headers).json()["next_cursor"]
    for _ in range(3):
        with CaptureQueriesContext(connection) as deeper:
            cursor = client.get("/api/v1/tickets", params | {"cursor": cursor}, **headers).json()["next_cursor"]

    assert len(deeper.captured_queries) <= len(first.captured_queries) + 1  # +1: the NULL segment's query
