"""The outbox: dedupe, delivery exactly once, backoff, dead letters, retry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loopdesk.audit.models import AuditEntry
from loopdesk.notifications import services
from loopdesk.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


def enqueue(user, **kwargs):
    return services.enqueue_notification(kind="test", recipient=user, subject="主题", body="正文", **kwargs)


def test_enqueue_writes_one_row_and_schedules_delivery_on_commit(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = enqueue(agent)
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == "sent" and Notification.objects.get(outbox=message).user == agent


def test_the_same_dedupe_key_never_makes_a_second_message(agent):
    first = enqueue(agent, dedupe_key="sla:1:2:3")
    second = enqueue(agent, dedupe_key="sla:1:2:3")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1


def test_delivering_twice_makes_one_notification(agent):
    message = enqueue(agent)
    assert services.deliver_message(message.pk)
    # when a worker died after delivering but before recording the outcome
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending")
    services.deliver_message(message.pk)
    assert Notification.objects.filter(outbox=message).count() == 1


def test_failures_back_off_then_go_to_the_dead_letters(agent, settings):
    settings.LOOPDESK_OUTBOX_MAX_ATTEMPTS = 3
    message = enqueue(agent, channel="email")  # no email channel is configured yet
    now = timezone.now()
    assert not services.deliver_message(message.pk, now=now)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "not configured" in message.last_error
    assert dt.timedelta(seconds=20) <= message.next_attempt_at - now <= dt.timedelta(seconds=40)
    # a message that is not due yet is left alone
    assert services.deliver_due_messages(now=now) == 0
    for day in (1, 2):
        services.deliver_message(message.pk, now=now + dt.timedelta(days=day))
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)


def test_backoff_grows_and_is_capped():
    assert services.retry_delay(1) < services.retry_delay(5)
    assert services.retry_delay(30) <= dt.timedelta(hours=6) * 1.2


def test_an_admin_retries_a_dead_letter(agent, admin_user, django_capture_on_commit_callbacks):
    message = enqueue(agent)
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead", attempts=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_message(message, actor=admin_user)
    message.refresh_from_db()
    assert message.status == "sent"
    assert AuditEntry.objects.filter(action="outbox.retried").exists()


def test_mark_read(agent, supervisor):
    message = enqueue(agent)
    services.deliver_message(message.pk)
    notification = Notification.objects.get(outbox=message)
    with pytest.raises(services.PermissionDenied):
        services.mark_read(notification, user=supervisor)
    services.mark_read(notification, user=agent)
    notification.refresh_from_db()
    assert notification.read_at is not None
