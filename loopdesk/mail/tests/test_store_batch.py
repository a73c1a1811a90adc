"""Storing a fetched batch in one transaction: exact bytes, each kept once, and the duplicate check still holds."""

import hashlib
import os

import pytest

from loopdesk.mail.models import InboundMessage
from loopdesk.mail.services import process_message, store_batch, store_raw
from loopdesk.mail.tests.conftest import mail
from loopdesk.tickets.models import Ticket


def batch(*raws: bytes, first_uid: int = 1) -> list[tuple[int, bytes]]:
    return [(first_uid + k, raw) for k, raw in enumerate(raws)]


@pytest.mark.django_db
def test_a_batch_keeps_every_message_byte_for_byte_in_uid_order(mailbox):
    # given raw messages whose bytes are not text: NUL, 0xff, CR alone, and a 3 MB binary tail
    odd = mail(message_id="<odd@example.cn>") + b"\x00\xff\r\x80 tail"
    big = mail(message_id="<big@example.cn>") + os.urandom(3_000_000)
    raws = [mail(message_id="<a@example.cn>"), odd, big]
    # when they are stored as one batch
    stored = store_batch(batch(*raws), mailbox=mailbox, uidvalidity=9)
    # then each is a new row with its UID, checksum and exact bytes, filed later from the state "stored"
    assert [created for _pk, created, _seen in stored] == [True, True, True]
    rows = {m.pk: m for m in InboundMessage.objects.filter(pk__in=[pk for pk, _c, _s in stored])}
    for (pk, _created, _seen), uid, raw in zip(stored, (1, 2, 3), raws, strict=True):
        row = rows[pk]
        assert (row.uid, row.uidvalidity, row.mailbox_id, row.state) == (uid, 9, mailbox.pk, "stored")
        assert bytes(row.raw) == raw and row.size == len(raw)
        assert row.sha256 == hashlib.sha256(raw).hexdigest()
        assert row.received_at is not None
    assert rows[stored[0][0]].message_id == "a@example.cn"


@pytest.mark.django_db
def test_the_same_batch_again_stores_nothing_twice(mailbox):
    raws = [mail(message_id=f"<r{i}@example.cn>") for i in range(3)]
    first = store_batch(batch(*raws), mailbox=mailbox, uidvalidity=1)
    again = store_batch(batch(*raws), mailbox=mailbox, uidvalidity=1)  # a crash before the UID was recorded
    assert [pk for pk, _c, _s in again] == [pk for pk, _c, _s in first]
    assert [created for _pk, created, _s in again] == [False, False, False]
    assert InboundMessage.objects.count() == 3


@pytest.mark.django_db
def test_the_same_bytes_twice_in_one_batch_are_one_row(mailbox):
    raw = mail()
    stored = store_batch(batch(raw, raw), mailbox=mailbox, uidvalidity=1)  # a copy in the folder
    assert stored[0][0] == stored[1][0] and [c for _p, c, _s in stored] == [True, False]
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_uid_already_stored_with_other_bytes_is_not_stored_again(mailbox):
    earlier, _ = store_raw(mail(message_id="<u1@example.cn>"), mailbox=mailbox, uidvalidity=1, uid=5)
    stored = store_batch([(5, mail(message_id="<u2@example.cn>"))], mailbox=mailbox, uidvalidity=1)
    assert stored == [(earlier.pk, False, True)]
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_message_id_seen_before_or_twice_in_the_batch_is_checked_when_filed(mailbox):
    # given a message stored earlier, and a batch with a re-delivered copy of another message
    store_raw(mail(message_id="<old@example.cn>"), mailbox=mailbox)
    raw = mail(message_id="<twice@example.cn>")
    relayed = b"Received: from relay.example.cn by mx.loopdesk.test; Tue, 24 Nov 2026 10:00:00 +0800\r\n" + raw
    fresh = mail("打印机卡纸", "第二台", sender="li@example.cn", message_id="<fresh@example.cn>")
    again = mail("打印机卡纸", "又一封", sender="zhao@example.cn", message_id="<old@example.cn>")
    stored = store_batch(batch(raw, relayed, fresh, again), mailbox=mailbox, uidvalidity=1)
    # then only the Message-ID found once is reported as unseen
    assert [seen for _pk, _c, seen in stored] == [True, True, False, True]
    # and filing in order still recognises the copy as the same message
    filed = [process_message(pk, mailbox=mailbox, id_unique=not seen) for pk, _c, seen in stored]
    assert [(m.outcome, m.reused_message_id) for m in filed] == [
        ("created", False), ("duplicate", False), ("created", False), ("created", True),
    ]  # fmt: skip
    assert filed[1].ticket == filed[0].ticket
    assert Ticket.objects.count() == 3
