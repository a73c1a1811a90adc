"""Notification reads: one's own, newest first, unread only, and the unread count."""

from __future__ import annotations

import pytest

from loopdesk.notifications import selectors, services
from loopdesk.notifications.models import Notification

pytestmark = pytest.mark.django_db


def notify(user, title):
    message = services.enqueue_notification(kind="test", recipient=user, subject=title, body="")
    services.deliver_message(message.pk)
    return Notification.objects.get(title=title, user=user)


def test_notifications_for_a_user_are_their_own_newest_first(agent, supervisor):
    # given notifications for two users
    notify(agent, "a1")
    notify(supervisor, "s1")
    notify(agent, "a2")
    # then each user reads only their own, newest first
    assert [n.title for n in selectors.notifications_for(agent)] == ["a2", "a1"]
    assert [n.title for n in selectors.notifications_for(supervisor)] == ["s1"]


def test_unread_only_and_the_unread_count(agent):
    services.mark_read(notify(agent, "read"), user=agent)
    notify(agent, "unread")
    assert [n.title for n in selectors.notifications_for(agent, unread_only=True)] == ["unread"]
    assert selectors.unread_count(agent) == 1
