"""Email to customers through the outbox: threaded headers, the ticket number in the subject, SMTP from the worker."""

from __future__ import annotations

import secrets
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from loopdesk.mail import threading
from loopdesk.mail.models import InboundMessage
from loopdesk.mail.services import message_being_filed, thread_key
from loopdesk.notifications.models import OutboxMessage
from loopdesk.notifications.services import DeliveryFailed, enqueue_notification
from loopdesk.tickets.models import Ticket

FORBIDDEN_IN_HEADERS = ("\r", "\n", "\0", "\u0085", "\u2028", "\u2029")


def _domain() -> str:
    return getattr(settings, "LOOPDESK_MAIL_DOMAIN", "loopdesk.local")


def subject_with_number(ticket: Ticket, subject: str) -> str:
    token = f"[{ticket.number}]"
    return subject if token in subject else f"{subject} {token}"


def enqueue_customer_email(
    ticket: Ticket, *, kind: str, subject: str, body: str, dedupe_key: str | None = None, auto: bool = False
) -> OutboxMessage | None:
    """Queue an email to the ticket's customer in the caller's transaction; None when they have no address."""
    address = (ticket.customer.email or "").strip()
    if not address:
        return None
    earlier = list(
        InboundMessage.objects.filter(ticket=ticket)
        .exclude(message_id="")
        .order_by("-received_at", "-id")
        .values_list("message_id", flat=True)[:10]
    )
    filing = message_being_filed()
    if filing is not None and filing.message_id and filing.message_id not in earlier:
        earlier.insert(0, filing.message_id)  # the message this ticket is being opened or updated from
    message_id = threading.outbound_message_id(ticket.number, secrets.token_hex(6), thread_key(), _domain())
    return enqueue_notification(
        kind=kind,
        recipient=None,
        subject=subject_with_number(ticket, subject),
        body=body,
        channel=OutboxMessage.Channel.EMAIL,
        ticket=ticket,
        payload={
            "to": address,
            "message_id": message_id,
            "in_reply_to": earlier[0] if earlier else "",
            "references": list(reversed(earlier)),
            "auto": auto,
        },
        dedupe_key=dedupe_key,
    )


def compose(message: OutboxMessage) -> EmailMessage:
    """The email for one outbox row; the same Message-ID on every attempt."""
    payload = message.payload
    subject = message.subject
    if any(c in subject for c in FORBIDDEN_IN_HEADERS):
        raise DeliveryFailed("line breaks in the subject")
    headers = {"Message-ID": f"<{payload.get('message_id') or make_msgid(domain=_domain()).strip('<>')}>"}
    if payload.get("in_reply_to"):
        headers["In-Reply-To"] = f"<{payload['in_reply_to']}>"
    if payload.get("references"):
        headers["References"] = " ".join(f"<{r}>" for r in payload["references"])
    if payload.get("auto"):
        headers["Auto-Submitted"] = "auto-generated"
    return EmailMessage(
        subject=subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[payload.get("to") or message.address],
        headers=headers,
    )


def deliver_email(message: OutboxMessage) -> None:
    """Send over SMTP (settings EMAIL_*); a refusal or an unreachable server raises and is retried later."""
    email = compose(message)
    if not email.to or not email.to[0]:
        raise DeliveryFailed("no recipient address")
    with get_connection(fail_silently=False, timeout=getattr(settings, "EMAIL_TIMEOUT", 20)) as connection:
        if connection.send_messages([email]) != 1:
            raise DeliveryFailed("the SMTP server did not accept the message")
