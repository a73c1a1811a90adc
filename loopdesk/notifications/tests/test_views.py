"""The notification list: login required, only one's own, links, mark read (plain and htmx), query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loopdesk.notifications import services
from loopdesk.notifications.models import Notification
from loopdesk.testing.factories import TicketFactory

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


def notify(user, title="SLA 预警", **kwargs):
    message = services.enqueue_notification(kind="test", recipient=user, subject=title, body="正文", **kwargs)
    services.deliver_message(message.pk)
    return Notification.objects.get(outbox=message)


def test_login_is_required(client):
    for response in (client.get(LIST), client.post("/notifications/1/read"), client.post("/notifications/read-all")):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_users_see_only_their_own_notifications_newest_first_with_the_unread_badge(client, agent, supervisor):
    # given two notifications for the agent (one read) and one for the supervisor
    services.mark_read(notify(agent, "较早的"), user=agent)
    notify(agent, "给客服的")
    notify(supervisor, "给主管的")
    # when the agent opens the list
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    # then only the agent's own appear, newest first, the unread one highlighted, and the badge counts 1
    assert "给主管的" not in page and page.index("给客服的") < page.index("较早的")
    assert page.count('class="notification unread"') == 1
    assert 'data-testid="unread-badge">1<' in page


def test_a_notification_links_to_its_ticket(client, agent):
    ticket = TicketFactory()
    notify(agent, ticket=ticket)
    client.force_login(agent)
    assert f'href="{reverse("tickets:detail", args=[ticket.number])}"' in client.get(LIST).content.decode()


def test_the_unread_filter(client, agent):
    services.mark_read(notify(agent, "已读的"), user=agent)
    notify(agent, "未读的")
    client.force_login(agent)
    page = client.get(LIST, {"unread": "1"}).content.decode()
    assert "未读的" in page and "已读的" not in page


def test_the_list_costs_the_same_few_queries_for_many_notifications(client, agent, django_assert_max_num_queries):
    for i in range(30):
        notify(agent, f"n{i}", ticket=TicketFactory() if i % 2 else None)
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


def test_htmx_gets_only_the_list(client, agent):
    notify(agent, "部分")
    client.force_login(agent)
    body = client.get(LIST, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body and "部分" in body


def test_opening_one_marks_it_read_and_follows_its_link(client, agent, supervisor):
    # given the agent's notification with a link, and the supervisor's
    mine = notify(agent, url="/tickets/P20250304001")
    theirs = notify(supervisor)
    client.force_login(agent)
    # when the agent opens theirs and tries the supervisor's
    response = client.post(f"/notifications/{mine.pk}/read")
    # then theirs is read and followed, the other is not found and stays unread
    assert response.status_code == 302 and response["Location"] == "/tickets/P20250304001"
    assert client.post(f"/notifications/{theirs.pk}/read").status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_without_a_link_it_opens_the_ticket_or_else_the_list(client, agent):
    ticket = TicketFactory()
    with_ticket, bare = notify(agent, ticket=ticket), notify(agent)
    client.force_login(agent)
    assert client.post(f"/notifications/{with_ticket.pk}/read")["Location"] == f"/tickets/{ticket.number}"
    assert client.post(f"/notifications/{bare.pk}/read")["Location"] == LIST


def test_an_offsite_link_is_not_followed(client, agent):
    notification = notify(agent, url="https://evil.example/")
    client.force_login(agent)
    assert client.post(f"/notifications/{notification.pk}/read")["Location"] == LIST


def test_mark_read_without_leaving_the_list(client, agent):
    notification = notify(agent, url="/tickets/P20250304001")
    client.force_login(agent)
    assert client.post(f"/notifications/{notification.pk}/read?stay=1")["Location"] == LIST
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_htmx_mark_read_swaps_the_item_and_the_badge(client, agent):
    # given two unread notifications
    first, _ = notify(agent, "第一条"), notify(agent, "第二条")
    client.force_login(agent)
    # when one is marked read through htmx
    body = client.post(f"/notifications/{first.pk}/read", headers={"HX-Request": "true"}).content.decode()
    # then the answer is the read item plus the badge, swapped out of band
    assert f'id="notification-{first.pk}" class="notification"' in body and "第二条" not in body
    assert 'id="unread-badge" hx-swap-oob="true"' in body and 'data-testid="unread-badge">1<' in body


def test_mark_all_read(client, agent):
    notify(agent)
    notify(agent)
    client.force_login(agent)
    assert client.post("/notifications/read-all")["Location"] == LIST
    assert not Notification.objects.filter(user=agent, read_at__isnull=True).exists()


def test_htmx_mark_all_read_returns_the_list_and_clears_the_badge(client, agent):
    notify(agent, "全部")
    client.force_login(agent)
    body = client.post("/notifications/read-all", headers={"HX-Request": "true"}).content.decode()
    assert "全部" in body and "notification unread" not in body
    assert 'id="unread-badge" hx-swap-oob="true"></span>' in body


def test_reading_needs_post(client, agent):
    notification = notify(agent)
    client.force_login(agent)
    assert client.get(f"/notifications/{notification.pk}/read").status_code == 405
    assert client.get("/notifications/read-all").status_code == 405
