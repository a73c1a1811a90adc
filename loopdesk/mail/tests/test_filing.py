"""Filing a big fetch with a forked helper: split by sender ("file") or parsed there ("parse"); the outcome is the
same as filing alone: every reply on its ticket, each message filed once, all marked on the server."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import override_settings

from loopdesk.mail import filing, imap
from loopdesk.mail.filing import Job, describe, split
from loopdesk.mail.models import InboundMessage, Mailbox
from loopdesk.mail.tests.conftest import mail
from loopdesk.tickets.models import Ticket, TicketEvent


def job(n: int, sender: str, message_id: str = "", refers_to: tuple[str, ...] = ()) -> Job:
    return Job(n, None, True, sender, message_id, refers_to)


def test_describe_reads_the_sender_and_the_messages_referred_to():
    raw = mail(
        sender="王芳 <WangFang@Example.cn>",
        message_id="<r1@example.cn>",
        in_reply_to="<m1@example.cn>",
        references="<m0@example.cn> <m1@example.cn>",
    )
    described = describe(Job(1, raw, True), raw)
    assert described.sender == "wangfang@example.cn"
    assert described.message_id == "r1@example.cn"
    assert described.refers_to == ("m1@example.cn", "m0@example.cn", "m1@example.cn")


def test_a_message_without_a_sender_is_filed_after_the_shares():
    raw = b"Subject: =?gbk?B?1eLKx9K7uPa3tw==?=\r\n\r\nbody"
    described = describe(Job(1, raw, True), raw)
    assert described.sender == ""
    assert split([described], 2) == ([[], []], [described])


def test_a_senders_messages_stay_in_one_process_in_their_order():
    jobs = [job(1, "a@x"), job(2, "b@x"), job(3, "a@x"), job(4, "c@x"), job(5, "b@x"), job(6, "a@x")]
    shares, later = split(jobs, 2)
    assert later == []
    assert sorted(j.pk for share in shares for j in share) == [1, 2, 3, 4, 5, 6]
    for share in shares:
        assert [j.pk for j in share] == sorted(j.pk for j in share)
        assert len({j.sender for j in share} & {"a@x"}) in (0, 1)
    owner = {j.sender: i for i, share in enumerate(shares) for j in share}
    assert len(owner) == 3  # each sender in exactly one share
    assert sorted(len(share) for share in shares) == [3, 3]  # a@x (3) against b@x and c@x (2 + 1)


def test_a_reply_to_another_senders_message_in_the_batch_is_filed_after_both_shares():
    jobs = [
        job(1, "a@x", "m1"),
        job(2, "b@x", "m2"),
        job(3, "b@x", "m3", ("m1",)),  # b answers a's message of this batch: a's share may not be done yet
        job(4, "a@x", "m4", ("m1",)),  # a's own thread: same share, later in it
        job(5, "", "m5"),  # no sender: after the shares
        job(6, "c@x", "m6", ("old",)),  # refers to a message of an earlier batch: no constraint
    ]
    shares, later = split(jobs, 2)
    assert [j.pk for j in later] == [3, 5]
    assert sorted(j.pk for share in shares for j in share) == [1, 2, 4, 6]


def _messages() -> tuple[list[bytes], dict[str, str]]:
    """30 customers write in; 20 reply by In-Reply-To and 10 QQ-style ("回复：", no In-Reply-To); one bounce."""
    raws, root_of = [], {}
    for i in range(30):
        raws.append(mail(f"问题 {i} 洗衣机", f"第 {i} 位客户", sender=f"c{i}@example.cn", message_id=f"<n{i}@x.cn>"))
    for i in range(20):
        raws.append(
            mail(
                f"Re: 问题 {i} 洗衣机",
                "补充一下",
                sender=f"c{i}@example.cn",
                message_id=f"<r{i}@x.cn>",
                in_reply_to=f"<n{i}@x.cn>",
            )
        )
        root_of[f"r{i}@x.cn"] = f"n{i}@x.cn"
    for i in range(20, 30):
        raws.append(mail(f"回复：问题 {i} 洗衣机", "还是不行", sender=f"c{i}@example.cn", message_id=f"<q{i}@x.cn>"))
        root_of[f"q{i}@x.cn"] = f"n{i}@x.cn"
    raws.append(
        mail(
            "自动回复",
            "我正在休假",
            sender="away@example.cn",
            message_id="<auto@x.cn>",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    return raws, root_of


def _fetch_and_check(server, mode: str) -> None:
    raws, root_of = _messages()
    server.append(*raws)
    box = Mailbox.objects.create(
        name="售后邮箱", host=server.host, port=server.port, security="none", username=server.username,
        password=server.password, address="support@loopdesk.test",
    )  # fmt: skip
    forked = []
    start = filing.Filer._start

    def counting_start(self, helpers):
        forked.append(helpers)
        start(self, helpers)

    with override_settings(LOOPDESK_MAIL_HELPER=mode), pytest.MonkeyPatch.context() as patch:
        patch.setattr(filing.Filer, "_start", counting_start)
        result = imap.fetch_mailbox(box)
    assert forked == [1]  # the helper did run
    assert (result.fetched, result.stored, result.flagged) == (61, 61, 61)
    rows = {m.message_id: m for m in InboundMessage.objects.filter(mailbox=box)}
    assert {m.state for m in rows.values()} == {"processed", "ignored"}
    assert rows["auto@x.cn"].state == "ignored"
    assert Ticket.objects.filter(channel="email").count() == 30
    for reply, root in root_of.items():
        assert rows[reply].outcome == "appended", reply
        assert rows[reply].ticket_id == rows[root].ticket_id, reply
        assert rows[reply].processed_at > rows[root].processed_at
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.CREATED).count() == 30  # nothing filed twice
    assert all("\\Seen" in flags for flags in server.flags().values())
    assert imap.fetch_mailbox(box).fetched == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_parsing_helper_gives_what_filing_alone_gives(server):
    _fetch_and_check(server, "parse")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_filing_helper_gives_what_filing_alone_gives(server):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("a forked process has its own copy of an in-memory database (the tests' SQLite)")
    _fetch_and_check(server, "file")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_filing_helper_that_dies_leaves_its_share_to_the_parent(server):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("a forked process has its own copy of an in-memory database (the tests' SQLite)")
    real = filing._helper

    def dies_after_two(pipe, mailbox, parent, mode, parent_ends):
        share = pipe.recv()
        for pk, raw, id_unique in share[:2]:
            filing.process_message(pk, mailbox=mailbox, raw=raw, id_unique=id_unique)
        os._exit(1)  # killed mid-share: no answer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(filing, "_helper", dies_after_two)
        _fetch_and_check(server, "file")
    assert filing._helper is real


def test_a_small_fetch_or_one_inside_a_transaction_gets_no_helper(db, mailbox):
    with override_settings(LOOPDESK_MAIL_HELPER="parse"):
        assert filing.Filer.for_fetch(mailbox, filing.MIN_SPLIT - 1).splits is False
        with filing.Filer.for_fetch(mailbox, 500) as filer:  # a test runs inside a transaction
            assert filer._helpers == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_parsing_helper_that_dies_leaves_the_parsing_to_the_parent(server):
    def dies_after_two(pipe, mailbox, parent, mode, parent_ends):
        for end in parent_ends:
            end.close()
        raws = pipe.recv()
        for raw in raws[:2]:
            pipe.send(filing.parse_message(raw))
        os._exit(1)  # killed mid-batch

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(filing, "_helper", dies_after_two)
        _fetch_and_check(server, "parse")
