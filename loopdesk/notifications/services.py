"""The outbox: enqueue inside the caller's transaction, deliver from the worker with retries."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.accounts.models import User
from loopdesk.audit.services import record_audit
from loopdesk.core.errors import IllegalTransition, PermissionDenied
from loopdesk.notifications.models import Notification, OutboxMessage

BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600


class DeliveryFailed(Exception):
    """A channel could not deliver; the message is retried later."""


def max_attempts() -> int:
    return int(getattr(settings, "LOOPDESK_OUTBOX_MAX_ATTEMPTS", 10))


def enqueue_notification(
    *,
    kind: str,
    recipient: User | None,
    subject: str,
    body: str,
    channel: str = OutboxMessage.Channel.IN_APP,
    ticket: Any = None,
    url: str = "",
    payload: dict | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Write one outbox row in the current transaction; the same dedupe key never makes a second one."""
    if dedupe_key is not None:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                kind=kind,
                recipient=recipient,
                subject=subject[:255],
                body=body,
                channel=channel,
                ticket=ticket,
                url=url,
                payload=payload or {},
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    from loopdesk.notifications.tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def _deliver_in_app(message: OutboxMessage) -> None:
    if message.recipient_id is None:
        raise DeliveryFailed("in-app notification without a recipient")
    Notification.objects.get_or_create(
        outbox=message,
        defaults={
            "user_id": message.recipient_id,
            "ticket_id": message.ticket_id,
            "kind": message.kind,
            "title": message.subject,
            "body": message.body,
            "url": message.url,
        },
    )


def _not_configured(message: OutboxMessage) -> None:
    raise DeliveryFailed(f"channel {message.channel} is not configured")


DELIVERERS: dict[str, Callable[[OutboxMessage], None]] = {
    OutboxMessage.Channel.IN_APP: _deliver_in_app,
    OutboxMessage.Channel.EMAIL: _not_configured,
    OutboxMessage.Channel.CHAT: _not_configured,
}


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter: about 30 s, 60 s, 2 min, ... capped near 6 h."""
    base = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


def deliver_message(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Deliver one due message; delivery is idempotent (a crash after delivery re-delivers nothing new)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return False
        try:
            with transaction.atomic():
                DELIVERERS[message.channel](message)
        except Exception as exc:  # any failure is recorded on the row and retried, never lost
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= max_attempts():
                message.status = OutboxMessage.Status.DEAD
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        message.attempts += 1
        message.status, message.sent_at, message.last_error = OutboxMessage.Status.SENT, now, ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def deliver_due_messages(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Deliver every pending message whose time has come; returns how many were delivered."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_message(pk, now=now) for pk in ids)


@transaction.atomic
def retry_message(message: OutboxMessage, *, actor: User) -> OutboxMessage:
    """An admin sends a dead letter back to the queue (audited)."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != OutboxMessage.Status.DEAD:
        raise IllegalTransition(_("Only failed messages can be retried."))
    message.status, message.attempts, message.next_attempt_at = OutboxMessage.Status.PENDING, 0, timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    record_audit(action="outbox.retried", actor=actor, object_type="outbox", object_id=str(message.event_id))
    from loopdesk.notifications.tasks import deliver_message as task

    transaction.on_commit(lambda: task.enqueue(message.pk))
    return message


def mark_read(notification: Notification, *, user: User) -> None:
    if notification.user_id != user.pk:
        raise PermissionDenied(_("This is not your notification."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
