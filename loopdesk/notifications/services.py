"""The outbox: enqueue inside the caller's transaction, deliver from the worker with retries."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.accounts.models import User
from loopdesk.audit.services import record_audit
from loopdesk.core.errors import IllegalTransition, PermissionDenied
from loopdesk.notifications.models import Notification, OutboxMessage

if TYPE_CHECKING:
    from loopdesk.tickets.models import Ticket

BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600
DEFAULT_MAX_ATTEMPTS = 10


class DeliveryFailed(Exception):
    """A channel could not deliver; the message is retried later."""


def max_attempts() -> int:
    return int(getattr(settings, "LOOPDESK_OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def enqueue_notification(
    *,
    kind: str,
    recipient: User | None,
    subject: str,
    body: str,
    channel: str = OutboxMessage.Channel.IN_APP,
    ticket: Ticket | None = None,
    url: str = "",
    payload: dict | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Write one outbox row in the caller's transaction; a dedupe key already used returns that row instead."""
    if dedupe_key is not None:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin's unique violation leaves the caller usable
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
        if dedupe_key is None:
            raise
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    _schedule_delivery(message.pk)
    return message


def _schedule_delivery(message_id: int) -> None:
    """After commit, queue the delivery task; if that fails the periodic `deliver_outbox` still finds the row."""
    from loopdesk.notifications.tasks import deliver_message as task

    transaction.on_commit(lambda: task.enqueue(message_id), robust=True)


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


# One deliverer per channel. Each must be idempotent for one `event_id`: a worker that dies after
# delivering but before recording it delivers the same message again.
DELIVERERS: dict[str, Callable[[OutboxMessage], None]] = {
    OutboxMessage.Channel.IN_APP: _deliver_in_app,
    OutboxMessage.Channel.EMAIL: _not_configured,
    OutboxMessage.Channel.CHAT: _not_configured,
}


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff with ±20 % jitter: about 30 s, 60 s, 2 min, ... capped near 6 h."""
    base = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


# Channels whose send cannot be taken back or checked (SMTP): the attempt is committed before sending, so a
# worker that dies mid-send leaves the row "sending" and it is never sent a second time automatically.
AT_MOST_ONCE = {OutboxMessage.Channel.EMAIL}
SENDING_TIMEOUT = dt.timedelta(minutes=10)


def deliver_message(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Deliver one due message under its row lock; True when it was delivered now."""
    now = now or timezone.now()
    channel = OutboxMessage.objects.filter(pk=message_id).values_list("channel", flat=True).first()
    if channel in AT_MOST_ONCE:
        return _deliver_at_most_once(message_id, now=now)
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return False  # already delivered, dead, not due, or another worker holds it
        try:
            with transaction.atomic():
                deliverer = DELIVERERS.get(message.channel, _not_configured)
                deliverer(message)
        except Exception as exc:  # any failure is recorded on the row and retried, never lost
            _record_failure(message, exc, now=now)
            return False
        message.attempts += 1
        message.status, message.sent_at, message.last_error = OutboxMessage.Status.SENT, now, ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def _deliver_at_most_once(message_id: int, *, now: dt.datetime) -> bool:
    with transaction.atomic():  # 1. claim: the attempt is on record before anything leaves
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return False
        message.status, message.sending_since = OutboxMessage.Status.SENDING, timezone.now()
        message.save(update_fields=["status", "sending_since"])
    try:  # 2. send, outside any transaction (a slow server holds no lock)
        DELIVERERS.get(message.channel, _not_configured)(message)
    except Exception as exc:  # refused or unreachable: nothing was accepted, so a retry cannot double it
        with transaction.atomic():
            message = OutboxMessage.objects.select_for_update().get(pk=message_id)
            message.status = OutboxMessage.Status.PENDING
            _record_failure(message, exc, now=now)
        return False
    with transaction.atomic():  # 3. record the outcome
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxMessage.Status.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
        )
    return True


def settle_stalled_sends(*, now: dt.datetime | None = None) -> int:
    """Sends whose worker died mid-send may or may not have gone out: dead-letter them for a person to decide."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING, sending_since__lt=now - SENDING_TIMEOUT
    ).update(
        status=OutboxMessage.Status.DEAD,
        last_error="The worker stopped while sending; it may have been delivered. Check before retrying.",
    )


def _record_failure(message: OutboxMessage, exc: Exception, *, now: dt.datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= max_attempts():
        message.status = OutboxMessage.Status.DEAD
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def deliver_due_messages(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Deliver up to `limit` pending messages whose time has come, oldest first; returns how many were delivered."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_message(pk, now=now) for pk in ids)


@transaction.atomic
def retry_message(message: OutboxMessage, *, actor: User, request: HttpRequest | None = None) -> OutboxMessage:
    """Send a dead letter back to the queue with a fresh set of attempts (audited)."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != OutboxMessage.Status.DEAD:
        raise IllegalTransition(_("Only failed messages can be retried."))
    message.status, message.attempts, message.next_attempt_at = OutboxMessage.Status.PENDING, 0, timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    record_audit(
        action="outbox.retried",
        actor=actor,
        request=request,
        object_type="outbox",
        object_id=str(message.event_id),
        reason=message.last_error,
    )
    _schedule_delivery(message.pk)
    return message


def mark_read(notification: Notification, *, user: User) -> None:
    """Mark one of the user's own notifications read (reading it again changes nothing)."""
    if notification.user_id != user.pk:
        raise PermissionDenied(_("This is not your notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
