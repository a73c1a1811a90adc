"""The outbox: one row per logical notification, delivery once, backoff, dead letters, retry, read marks."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from loopdesk.audit.models import AuditEntry
from loopdesk.core.errors import IllegalTransition, PermissionDenied
from loopdesk.notifications import services
from loopdesk.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


def enqueue(user, **kwargs):
    """Enqueue, then deliver as the worker does once the cause has committed."""
    message = services.enqueue_notification(kind="test", recipient=user, subject="主题", body="正文", **kwargs)
    services.deliver_message(message.pk)
    message.refresh_from_db()
    return message


def test_enqueue_schedules_the_delivery_only_when_the_cause_commits(agent, django_capture_on_commit_callbacks):
    # given a transaction that enqueues a notification
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.enqueue_notification(kind="test", recipient=agent, subject="主题", body="正文")
        # then nothing is delivered before the commit
        assert not Notification.objects.exists()
    assert len(callbacks) == 1
    # when it commits, the delivery task runs (immediately in tests, in the worker in production)
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    assert Notification.objects.get(outbox=message).user == agent


def test_a_rolled_back_cause_leaves_no_message(agent, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.enqueue_notification(kind="test", recipient=agent, subject="s", body="")
        raise RuntimeError("the change that caused it failed")
    assert callbacks == [] and not OutboxMessage.objects.exists()


def test_the_same_dedupe_key_never_makes_a_second_message(agent, django_capture_on_commit_callbacks):
    # given a notification enqueued with a dedupe key
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = services.enqueue_notification(kind="t", recipient=agent, subject="s", body="", dedupe_key="sla:1:2:3")
        # when the same logical notification is enqueued again
        second = services.enqueue_notification(kind="t", recipient=agent, subject="x", body="", dedupe_key="sla:1:2:3")
    # then it is the same row, delivered once
    assert first.pk == second.pk and len(callbacks) == 1
    assert OutboxMessage.objects.count() == 1 and Notification.objects.count() == 1


def test_an_integrity_error_without_a_dedupe_key_is_not_swallowed(agent):
    with pytest.raises(IntegrityError):
        services.enqueue_notification(kind=None, recipient=agent, subject="s", body="b")  # type: ignore[arg-type]
    assert not OutboxMessage.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_enqueues_with_one_dedupe_key_make_one_message(agent):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    # given six transactions enqueueing the same notification at the same instant
    barrier, pks, errors = threading.Barrier(6), [], []

    def run():
        try:
            barrier.wait()
            with transaction.atomic():
                message = services.enqueue_notification(kind="t", recipient=agent, subject="s", body="", dedupe_key="r")
                pks.append(message.pk)
                time.sleep(0.2)  # keep the transaction open so the others hit the unique index
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then every caller got the one row, and it was delivered once
    assert errors == [] and len(pks) == 6 and len(set(pks)) == 1
    assert OutboxMessage.objects.count() == 1 and Notification.objects.count() == 1


def test_delivering_twice_makes_one_notification(agent):
    # given a delivered message
    message = enqueue(agent)
    assert Notification.objects.filter(outbox=message).count() == 1
    # when the worker died after delivering but before recording it, so the message is pending again
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.PENDING)
    assert services.deliver_message(message.pk)
    # then the second delivery finds the first one's notification
    assert Notification.objects.filter(outbox=message).count() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_a_sent_message_is_not_delivered_again(agent):
    message = enqueue(agent)
    assert not services.deliver_message(message.pk)
    assert services.deliver_due_messages() == 0


def test_failures_back_off_then_go_to_the_dead_letters(agent):
    # given a message on a channel that is not configured yet
    message = enqueue(agent, channel=OutboxMessage.Channel.CHAT)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "not configured" in message.last_error
    first_retry = message.next_attempt_at
    # then it is left alone until its next attempt
    assert services.deliver_due_messages(now=first_retry - dt.timedelta(seconds=1)) == 0
    # when every later attempt fails too (default: 10 attempts)
    now = first_retry
    for _ in range(20):
        services.deliver_due_messages(now=now)
        now += dt.timedelta(hours=8)
    # then it is a dead letter with its last error, and no notification was made
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", services.DEFAULT_MAX_ATTEMPTS)
    assert "not configured" in message.last_error and not Notification.objects.exists()


def test_the_attempt_limit_is_a_setting(agent, settings):
    settings.LOOPDESK_OUTBOX_MAX_ATTEMPTS = 2
    message = enqueue(agent, channel=OutboxMessage.Channel.CHAT)
    services.deliver_due_messages(now=timezone.now() + dt.timedelta(days=1))
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 2)


def test_an_in_app_message_without_a_recipient_fails_visibly():
    message = services.enqueue_notification(kind="t", recipient=None, subject="s", body="b")
    services.deliver_message(message.pk)
    message.refresh_from_db()
    assert message.status == "pending" and "without a recipient" in message.last_error


@pytest.mark.parametrize(
    ("attempts", "base_seconds"),
    [(1, 30), (2, 60), (3, 120), (5, 480), (10, 15360), (11, 21600), (30, 21600)],
)
def test_backoff_doubles_from_30_seconds_with_jitter_and_is_capped_at_6_hours(attempts, base_seconds):
    for _ in range(50):
        delay = services.retry_delay(attempts).total_seconds()
        assert base_seconds * 0.8 <= delay <= base_seconds * 1.2


def test_retrying_a_dead_letter_queues_it_again_and_is_audited(agent, admin_user, django_capture_on_commit_callbacks):
    # given a dead letter
    message = enqueue(agent)
    Notification.objects.all().delete()
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead", attempts=10, last_error="Boom: down")
    # when an administrator retries it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.retry_message(message, actor=admin_user)
    # then it is delivered again by the task scheduled on commit, and the retry is audited
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    entry = AuditEntry.objects.get(action="outbox.retried")
    assert entry.actor == admin_user and entry.object_id == str(message.event_id) and "Boom" in entry.reason


def test_only_dead_letters_can_be_retried(agent, admin_user):
    message = enqueue(agent)
    with pytest.raises(IllegalTransition):
        services.retry_message(message, actor=admin_user)
    assert not AuditEntry.objects.filter(action="outbox.retried").exists()


def test_mark_read_only_for_the_owner(agent, supervisor):
    # given the agent's notification
    notification = Notification.objects.get(outbox=enqueue(agent))
    # when someone else marks it read, it is refused
    with pytest.raises(PermissionDenied):
        services.mark_read(notification, user=supervisor)
    # when its owner does, it is read, and reading it again keeps the first time
    services.mark_read(notification, user=agent)
    notification.refresh_from_db()
    first = notification.read_at
    services.mark_read(notification, user=agent)
    notification.refresh_from_db()
    assert first is not None and notification.read_at == first


def test_mark_all_read_touches_only_the_users_unread(agent, supervisor):
    enqueue(agent)
    enqueue(agent)
    enqueue(supervisor)
    assert services.mark_all_read(user=agent) == 2
    assert services.mark_all_read(user=agent) == 0
    assert Notification.objects.filter(user=supervisor, read_at__isnull=True).count() == 1
