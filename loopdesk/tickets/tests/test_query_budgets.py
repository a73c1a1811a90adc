"""The ticket page and GET /api/v1/tickets/{number} cost the same number of queries with 5 or 50 events,
and the inbox the same with 1 or 50 tickets on the page (no N+1 anywhere on the way)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loopdesk.accounts.models import ApiToken
from loopdesk.tickets import services

EVENTS = 50


@pytest.fixture
def two_tickets(walk_ticket, supervisor, engineer, agent):
    """A short timeline and one of at least 50 events with replies, notes and progress by different people."""
    short = walk_ticket("in_progress")
    long = walk_ticket("in_progress")
    people = [supervisor, engineer, agent]
    while long.events.count() < EVENTS:
        n = long.events.count()
        services.add_reply(long, body=f"回复 {n}", actor=people[n % 3], is_public=n % 2 == 0)
        services.add_progress_update(long, body=f"进度 {n}", actor=engineer, next_step="继续")
    return short, long


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_ticket_api_queries_do_not_grow_with_events(client, supervisor, two_tickets, django_assert_max_num_queries):
    short, long = two_tickets
    _, raw = ApiToken.issue(supervisor, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client.get(f"/api/v1/tickets/{short.number}", **headers)

    few = count_queries(lambda: client.get(f"/api/v1/tickets/{short.number}", **headers))
    with django_assert_max_num_queries(few):
        body = client.get(f"/api/v1/tickets/{long.number}", **headers).json()

    assert len(body["events"]) >= EVENTS and few <= 14


@pytest.mark.django_db
def test_ticket_page_queries_do_not_grow_with_events(client, supervisor, two_tickets, django_assert_max_num_queries):
    short, long = two_tickets
    client.force_login(supervisor)
    client.get(reverse("tickets:detail", args=[short.number]))

    few = count_queries(lambda: client.get(reverse("tickets:detail", args=[short.number])))
    with django_assert_max_num_queries(few):
        page = client.get(reverse("tickets:detail", args=[long.number])).content.decode()

    assert page.count("回复 ") >= 10 and few <= 40


@pytest.mark.django_db
def test_inbox_queries_do_not_grow_with_the_page(client, supervisor, walk_ticket, django_assert_max_num_queries):
    walk_ticket("assigned")
    _, raw = ApiToken.issue(supervisor, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client.force_login(supervisor)
    client.get("/api/v1/tickets", **headers)
    api_one = count_queries(lambda: client.get("/api/v1/tickets?sort=due&department=support", **headers))
    page_one = count_queries(lambda: client.get(reverse("tickets:inbox") + "?sort=due&department=support"))
    for _ in range(12):
        walk_ticket("assigned")

    with django_assert_max_num_queries(api_one):
        assert len(client.get("/api/v1/tickets?sort=due&department=support", **headers).json()["items"]) == 13
    with django_assert_max_num_queries(page_one):
        assert client.get(reverse("tickets:inbox") + "?sort=due&department=support").status_code == 200
    assert api_one <= 10 and page_one <= 14


@pytest.mark.django_db
def test_the_ticket_page_reads_only_the_sections_that_hold_something(client, supervisor, agent, customer):
    """One statement tells which sections (tags, watchers, callbacks, mail, files, satisfaction) have rows."""
    opened = dict(actor=agent, channel="phone", title="咨询", description="来电", customer=customer)
    bare = services.open_ticket(**opened)
    tagged = services.open_ticket(**opened, tags=["保修", "加急"])
    client.force_login(supervisor)
    page = lambda t: client.get(reverse("tickets:detail", args=[t.number]))  # noqa: E731
    page(bare)
    with_nothing, with_tags = count_queries(lambda: page(bare)), count_queries(lambda: page(tagged))
    html = page(tagged).content.decode()
    assert with_tags == with_nothing + 1 and "保修" in html and "加急" in html
    assert "保修" not in page(bare).content.decode()
