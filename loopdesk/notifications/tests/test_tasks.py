"""The outbox task adapters run the delivery services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loopdesk.notifications import services, tasks
from loopdesk.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


def test_deliver_outbox_delivers_what_is_due(agent):
    # given a message whose delivery task never ran (say the worker was down)
    message = services.enqueue_notification(kind="test", recipient=agent, subject="s", body="")
    # when the periodic task runs
    result = tasks.deliver_outbox.enqueue()
    # then it was delivered
    assert result.return_value == 1 and Notification.objects.filter(outbox=message).exists()


def test_deliver_message_skips_a_message_that_is_not_due(agent):
    message = services.enqueue_notification(kind="test", recipient=agent, subject="s", body="", channel="email")
    services.deliver_message(message.pk)  # fails: email is not configured, so it waits ~30 s
    assert OutboxMessage.objects.get(pk=message.pk).next_attempt_at > timezone.now() + dt.timedelta(seconds=10)
    assert tasks.deliver_message.enqueue(message.pk).return_value is False
