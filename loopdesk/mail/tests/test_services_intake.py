"""Storing and filing inbound mail: new tickets, threaded replies, loops avoided, nothing lost or doubled."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from loopdesk.mail import services
from loopdesk.mail.models import InboundMessage, Mailbox
from loopdesk.mail.services import process_message, store_raw, thread_key
from loopdesk.mail.tests.conftest import corpus, mail
from loopdesk.mail.threading import outbound_message_id
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.models import Ticket, TicketEvent


def receive(raw, mailbox=None, uid=None):
    message, _created = store_raw(raw, mailbox=mailbox, uidvalidity=1 if uid else None, uid=uid)
    return process_message(message.pk)


def replies(ticket):
    return list(ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED).values_list("body", flat=True))


@pytest.mark.django_db
def test_a_new_message_opens_an_email_ticket_for_a_new_customer(mailbox):
    message = receive(mail(), mailbox)
    ticket = message.ticket
    assert (message.state, message.outcome) == ("processed", "created")
    assert (ticket.channel, ticket.title, ticket.customer.email, ticket.customer.name) == (
        "email", "洗衣机不脱水", "wangfang@example.cn", "王芳",
    )  # fmt: skip
    assert "E21" in ticket.description


@pytest.mark.django_db
def test_the_same_bytes_twice_make_one_row_and_one_ticket(mailbox):
    raw = mail()
    first = receive(raw, mailbox, uid=1)
    again, created = store_raw(raw, mailbox=mailbox, uidvalidity=1, uid=7)  # a copy in another folder
    assert not created and again.pk == first.pk
    assert process_message(again.pk).ticket == first.ticket
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_reply_joins_its_ticket_by_in_reply_to(mailbox):
    ticket = receive(mail(), mailbox).ticket
    reply = receive(mail("Re: 洗衣机不脱水", "还是不行", message_id="<m2@example.cn>", in_reply_to="<m1@example.cn>"))
    assert reply.ticket == ticket and reply.outcome == "appended"
    assert replies(ticket) == ["还是不行"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "subject", ["回复：洗衣机不脱水", "RE: 洗衣机不脱水", "答复: Re：洗衣机不脱水", "转发：洗衣机不脱水"]
)
def test_qq_and_163_replies_without_in_reply_to_thread_by_sender_and_subject(mailbox, subject):
    ticket = receive(mail(), mailbox).ticket
    reply = receive(mail(subject, "补充照片", message_id="<qq-2@qq.com>"), mailbox)
    assert reply.ticket == ticket and replies(ticket) == ["补充照片"]


@pytest.mark.django_db
def test_the_same_subject_from_someone_else_is_a_new_ticket(mailbox):
    ticket = receive(mail(), mailbox).ticket
    other = receive(mail(sender="李雷 <lilei@example.cn>", message_id="<x@example.cn>"), mailbox)
    assert other.ticket != ticket and other.outcome == "created"


@pytest.mark.django_db
def test_the_ticket_number_in_the_subject_threads_only_for_participants(mailbox):
    ticket = receive(mail(), mailbox).ticket
    ok = receive(mail(f"关于 [{ticket.number}] 的进展", "请问进度", message_id="<m3@example.cn>"), mailbox)
    stranger = receive(
        mail(f"[{ticket.number}] 我也要", "x", sender="evil@example.net", message_id="<e1@example.net>"), mailbox
    )
    assert ok.ticket == ticket and stranger.ticket != ticket


@pytest.mark.django_db
def test_our_signed_message_id_threads_and_a_forged_one_does_not(mailbox):
    ticket = receive(mail(), mailbox).ticket
    ours = outbound_message_id(ticket.number, "n1", thread_key(), "loopdesk.test")
    forged = f"{ticket.number}.n1.0000000000000000@loopdesk.test"
    good = receive(mail("完全不同的主题", "好的", message_id="<m4@example.cn>", references=f"<{ours}>"), mailbox)
    bad = receive(mail("另一个主题", "?", message_id="<m5@example.cn>", references=f"<{forged}>"), mailbox)
    assert good.ticket == ticket and bad.ticket != ticket


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"}, {"Precedence": "auto_reply"}],
)
def test_auto_replies_never_open_or_reopen_a_ticket(mailbox, headers):
    ticket = receive(mail(), mailbox).ticket
    auto = receive(
        mail("自动回复: 洗衣机不脱水", "我正在休假", message_id="<auto@example.cn>", headers=headers), mailbox
    )
    assert auto.state == "ignored" and auto.ticket is None and auto.auto_kind
    assert replies(ticket) == [] and Ticket.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bounces_autoreplies/sisimai__rhost-tencent-01.eml"])
def test_bounces_from_the_corpus_are_kept_but_ignored(mailbox, name):
    message = receive(corpus(name), mailbox)
    assert message.state == "ignored" and message.auto_kind == "bounce" and not Ticket.objects.exists()
    assert bytes(InboundMessage.objects.get(pk=message.pk).raw) == corpus(name)


@pytest.mark.django_db
def test_bulk_mail_is_filed_but_marked_so_nothing_answers_it(mailbox):
    message = receive(mail(headers={"Precedence": "bulk"}), mailbox)
    assert message.state == "processed" and message.ticket is not None and message.auto_kind == "bulk"


@pytest.mark.django_db
def test_mail_from_our_own_address_is_ignored(mailbox):
    assert receive(mail(sender="support@loopdesk.test"), mailbox).state == "ignored"


@pytest.mark.django_db
def test_the_same_message_with_other_transport_headers_is_recognised(mailbox):
    raw = mail()
    first = receive(raw, mailbox, uid=1)
    relayed = b"Received: from relay.example.cn by mx.loopdesk.test; Tue, 24 Nov 2026 10:00:00 +0800\r\n" + raw
    again = receive(relayed, mailbox, uid=2)
    assert (again.state, again.outcome, again.ticket) == ("ignored", "duplicate", first.ticket)
    assert Ticket.objects.count() == 1 and not again.reused_message_id


@pytest.mark.django_db
def test_a_message_id_reused_with_other_content_is_imported_and_flagged(mailbox):
    first = receive(mail(), mailbox)
    second = receive(mail("另一个问题", "冰箱不制冷", sender="zhao@example.cn"), mailbox)  # same <m1@example.cn>
    assert second.reused_message_id and not first.reused_message_id
    assert second.ticket is not None and second.ticket != first.ticket


@pytest.mark.django_db
@pytest.mark.parametrize(("policy", "reopened"), [("reopen", True), ("new", False)])
def test_a_reply_to_a_closed_ticket_follows_the_policy(mailbox, walk_ticket, policy, reopened):
    Mailbox.objects.filter(pk=mailbox.pk).update(closed_policy=policy)
    mailbox.refresh_from_db()
    ticket = walk_ticket("closed")
    ticket.customer.email = "wangfang@example.cn"
    ticket.customer.save()
    reply = receive(mail(f"Re: [{ticket.number}] 谢谢", "问题又出现了", message_id="<c1@example.cn>"), mailbox)
    ticket.refresh_from_db()
    if reopened:
        assert reply.ticket == ticket and ticket.status == "reopened" and replies(ticket) == ["问题又出现了"]
    else:
        assert reply.outcome == "linked" and reply.ticket != ticket and ticket.status == "closed"
        assert ticket.number in reply.ticket.description


@pytest.mark.django_db
def test_a_customer_reply_ends_waiting_on_the_customer(mailbox, walk_ticket, engineer):
    ticket = walk_ticket("in_progress")
    ticket = ticket_services.transition_ticket(ticket, to="waiting_customer", actor=ticket.owner, note="请提供型号")
    ticket.customer.email = "wangfang@example.cn"
    ticket.customer.save()
    receive(mail(f"[{ticket.number}] 型号", "型号是 XQG100", message_id="<w1@example.cn>"), mailbox)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


@pytest.mark.django_db
def test_a_parser_crash_quarantines_the_message_and_reprocess_files_it(mailbox, monkeypatch):
    # fault injection: the parser is built never to raise, so a crash can only be simulated
    real = services.parse_message

    def explode(raw):
        raise ValueError("boom")

    monkeypatch.setattr(services, "parse_message", explode)
    message = receive(mail(), mailbox)
    assert message.state == "quarantined" and "boom" in message.error and not Ticket.objects.exists()
    monkeypatch.setattr(services, "parse_message", real)
    again = services.reprocess_message(message)
    assert again.state == "processed" and again.ticket is not None


@pytest.mark.django_db
def test_messages_stored_before_a_crash_are_filed_by_the_next_run(mailbox):
    stored, _ = store_raw(mail(), mailbox=mailbox, uidvalidity=1, uid=1)
    assert services.process_stored() == 1
    stored.refresh_from_db()
    assert stored.state == "processed" and stored.ticket is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.parametrize("asynchronous", [True, False], ids=["default", "LOOPDESK_MAIL_ASYNC_COMMIT=0"])
def test_filing_commits_without_waiting_for_the_disk_and_only_that_transaction(mailbox, settings, asynchronous):
    """The raw bytes were committed durably first; a filing lost in a crash leaves the message STORED for
    process_stored. The setting is local to the filing transaction: storing and everything after still wait."""
    settings.LOOPDESK_MAIL_ASYNC_COMMIT = asynchronous
    message, _created = store_raw(mail(), mailbox=mailbox)
    with CaptureQueriesContext(connection) as ctx:
        assert process_message(message.pk).state == "processed"
    sets = [q["sql"] for q in ctx.captured_queries if "synchronous_commit" in q["sql"]]
    assert sets == (["SET LOCAL synchronous_commit = off"] if asynchronous else [])
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.django_db
def test_a_filing_lost_with_its_transaction_is_filed_by_the_next_run(mailbox):
    """What an unflushed asynchronous commit loses in a crash: the whole filing, never the stored message."""
    message, _created = store_raw(mail(), mailbox=mailbox)
    assert InboundMessage.objects.get(pk=message.pk).state == "stored" and not Ticket.objects.exists()
    assert services.process_stored() == 1
    filed = InboundMessage.objects.get(pk=message.pk)
    assert filed.state == "processed" and Ticket.objects.filter(pk=filed.ticket_id).count() == 1
    assert services.process_stored() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time: no deadlock")
def test_a_filing_chosen_as_a_deadlock_victim_is_filed_again_not_quarantined(mailbox, caplog):
    """Two filing processes can lock the same two rows in opposite orders (a reply's message, then its ticket).
    A real deadlock: another transaction holds the ticket, the filing waits for it, and that transaction then
    asks for the message row. PostgreSQL aborts the filing (it waited first); it is tried again, not quarantined."""
    ticket = receive(mail(), mailbox).ticket
    reply, _created = store_raw(
        mail("Re: 洗衣机不脱水", "还是不行", message_id="<m2@x.cn>", in_reply_to="<m1@example.cn>")
    )
    holding, errors = threading.Event(), []

    def other_transaction() -> None:
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=ticket.pk)
                holding.set()
                time.sleep(0.5)  # the filing has locked the message row and waits for the ticket
                list(InboundMessage.objects.select_for_update().filter(pk=reply.pk).values_list("pk"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    other = threading.Thread(target=other_transaction)
    other.start()
    holding.wait(10)
    filed = process_message(reply.pk)
    other.join()
    assert errors == []
    assert (filed.state, filed.outcome, filed.ticket_id, filed.attempts) == ("processed", "appended", ticket.pk, 1)
    assert replies(ticket) == ["还是不行"]
    assert "deadlock detected" in caplog.text and "filing it again" in caplog.text
