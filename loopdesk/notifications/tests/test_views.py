"""The notification list: login required, only one's own, mark read, the unread badge."""

from __future__ import annotations

import pytest

from loopdesk.notifications import services
from loopdesk.notifications.models import Notification

pytestmark = pytest.mark.django_db


def notify(user, title="SLA 预警", url="/"):
    message = services.enqueue_notification(kind="test", recipient=user, subject=title, body="b", url=url)
    services.deliver_message(message.pk)
    return Notification.objects.get(outbox=message)


def test_login_is_required(client):
    assert client.get("/notifications/").status_code == 302


def test_users_see_only_their_own_notifications_and_the_badge(client, agent, supervisor):
    notify(agent, "给客服的")
    notify(supervisor, "给主管的")
    client.force_login(agent)
    page = client.get("/notifications/").content.decode()
    assert "给客服的" in page and "给主管的" not in page
    assert 'class="badge">1<' in page


def test_reading_one_follows_its_link_and_marks_it_read(client, agent, supervisor):
    mine = notify(agent, url="/tickets/P20250304001")
    theirs = notify(supervisor)
    client.force_login(agent)
    response = client.post(f"/notifications/{mine.pk}/read")
    assert response.status_code == 302 and response["Location"] == "/tickets/P20250304001"
    assert client.post(f"/notifications/{theirs.pk}/read").status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_an_offsite_link_is_not_followed(client, agent):
    notification = notify(agent, url="https://evil.example/")
    client.force_login(agent)
    assert client.post(f"/notifications/{notification.pk}/read")["Location"] == "/notifications/"


def test_mark_all_read(client, agent):
    notify(agent)
    notify(agent)
    client.force_login(agent)
    client.post("/notifications/read-all")
    assert not Notification.objects.filter(user=agent, read_at__isnull=True).exists()
