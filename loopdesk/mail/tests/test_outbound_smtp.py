"""Email to customers through the outbox and a real SMTP server (aiosmtpd) on loopback."""

import datetime as dt
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from loopdesk.mail.outbound import enqueue_customer_email
from loopdesk.mail.services import process_message, store_raw
from loopdesk.mail.tests.conftest import mail
from loopdesk.notifications.models import OutboxMessage
from loopdesk.notifications.services import deliver_message, settle_stalled_sends
from loopdesk.tickets.models import TicketEvent


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    yield recorder
    controller.stop()


@pytest.fixture
def emailed_ticket(db):
    raw = mail(message_id="<first@example.cn>")
    message, _ = store_raw(raw)
    return process_message(message.pk).ticket


@pytest.mark.django_db
def test_a_reply_goes_out_threaded_with_the_ticket_number(smtp, emailed_ticket):
    outbox = enqueue_customer_email(emailed_ticket, kind="reply", subject="关于洗衣机不脱水", body="请检查排水管。")
    assert deliver_message(outbox.pk)
    ((recipients, content),) = smtp.messages
    sent = message_from_bytes(content, policy=policy.default)
    assert recipients == ["wangfang@example.cn"]
    assert sent["Subject"] == f"关于洗衣机不脱水 [{emailed_ticket.number}]"
    assert sent["In-Reply-To"] == "<first@example.cn>" and "<first@example.cn>" in sent["References"]
    assert sent["Message-ID"] == f"<{outbox.payload['message_id']}>"
    assert "请检查排水管" in sent.get_content()
    outbox.refresh_from_db()
    assert outbox.status == "sent" and outbox.attempts == 1


@pytest.mark.django_db
def test_the_customers_answer_to_our_mail_joins_the_ticket(smtp, emailed_ticket):
    outbox = enqueue_customer_email(emailed_ticket, kind="reply", subject="进展", body="已安排上门")
    deliver_message(outbox.pk)
    ours = message_from_bytes(smtp.messages[0][1], policy=policy.default)["Message-ID"]
    answer = mail("完全不同的标题", "好的，周六上午可以", message_id="<ans@example.cn>", in_reply_to=ours)
    message, _ = store_raw(answer)
    assert process_message(message.pk).ticket == emailed_ticket
    assert emailed_ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED).count() == 1


@pytest.mark.django_db
def test_smtp_down_is_retried_later_and_sent_once(settings, emailed_ticket):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    outbox = enqueue_customer_email(emailed_ticket, kind="reply", subject="进展", body="x")
    assert not deliver_message(outbox.pk)
    outbox.refresh_from_db()
    assert outbox.status == "pending" and outbox.attempts == 1 and outbox.next_attempt_at > timezone.now()
    assert "Connection refused" in outbox.last_error or "Errno" in outbox.last_error
    # the server comes back; the retry is due later
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        assert deliver_message(outbox.pk, now=outbox.next_attempt_at + dt.timedelta(seconds=1))
        assert not deliver_message(outbox.pk, now=outbox.next_attempt_at + dt.timedelta(hours=1))
    finally:
        controller.stop()
    assert len(recorder.messages) == 1


@pytest.mark.django_db
def test_a_send_cut_off_by_a_dying_worker_is_never_repeated_automatically(smtp, emailed_ticket):
    outbox = enqueue_customer_email(emailed_ticket, kind="reply", subject="进展", body="x")
    # a worker claimed it and died mid-send
    OutboxMessage.objects.filter(pk=outbox.pk).update(
        status="sending", sending_since=timezone.now() - dt.timedelta(minutes=11)
    )
    assert not deliver_message(outbox.pk)
    assert settle_stalled_sends() == 1
    outbox.refresh_from_db()
    assert outbox.status == "dead" and "may have been delivered" in outbox.last_error
    assert smtp.messages == []


@pytest.mark.django_db
def test_a_customer_without_an_address_gets_no_email(emailed_ticket):
    emailed_ticket.customer.email = ""
    emailed_ticket.customer.save()
    assert enqueue_customer_email(emailed_ticket, kind="reply", subject="x", body="y") is None


@pytest.mark.django_db
def test_a_subject_with_a_line_break_is_refused_not_injected(smtp, emailed_ticket):
    outbox = enqueue_customer_email(emailed_ticket, kind="reply", subject="进展\r\nBcc: x@evil.example", body="y")
    assert not deliver_message(outbox.pk)
    outbox.refresh_from_db()
    assert "line breaks" in outbox.last_error and smtp.messages == []
