"""Fetching from a real Dovecot IMAP server on loopback: every message stored and filed once, then marked."""

import pytest
from django.utils.translation import gettext as _

from loopdesk.mail import imap
from loopdesk.mail.models import InboundMessage, Mailbox
from loopdesk.mail.tests.conftest import CORPUS, corpus, mail
from loopdesk.tickets.models import Ticket


@pytest.fixture
def box(db, server):
    return Mailbox.objects.create(
        name="售后邮箱", host=server.host, port=server.port, security="none", username=server.username,
        password=server.password, address="support@loopdesk.test",
    )  # fmt: skip


CJK = ["cjk/spamassassin__gb2312.2.eml", "cjk/webklex__gbk_charset.eml", "cjk/spamassassin__gb2312.1.eml"]
BOUNCE = "bounces_autoreplies/sisimai__rhost-tencent-01.eml"


@pytest.mark.django_db
def test_fetch_files_every_message_once_and_marks_it_read(server, box):
    # given three Chinese messages from the corpus, a bounce and a new message in the mailbox
    server.append(*[corpus(n) for n in CJK], corpus(BOUNCE), mail())
    # when the mailbox is fetched
    result = imap.fetch_mailbox(box)
    # then each message is stored with its UID, the bounce is ignored, the rest are tickets
    assert (result.fetched, result.stored, result.flagged) == (5, 5, 5)
    states = dict(InboundMessage.objects.values_list("uid", "state"))
    assert states == {1: "processed", 2: "processed", 3: "processed", 4: "ignored", 5: "processed"}
    assert Ticket.objects.filter(channel="email").count() == 4
    assert InboundMessage.objects.get(uid=2).subject  # decoded, whatever the label said
    # and every message is marked read on the server, only after it was filed
    assert all("\\Seen" in flags for flags in server.flags().values())
    box.refresh_from_db()
    assert box.last_uid == 5 and box.uidvalidity and box.last_error == ""


@pytest.mark.django_db
def test_fetching_again_or_a_copy_in_the_folder_makes_nothing_twice(server, box):
    raw = mail()
    server.append(raw)
    imap.fetch_mailbox(box)
    imap.fetch_mailbox(box)
    server.append(raw)  # the same bytes again, e.g. copied back by a client
    result = imap.fetch_mailbox(box)
    assert (result.fetched, result.stored) == (1, 0)
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_message_filed_before_a_crash_is_marked_on_the_next_run(server, box):
    # given a run that stored and filed UID 1 but died before telling the server
    server.append(mail())
    imap.fetch_mailbox(box, limit=1)
    InboundMessage.objects.update(flagged_on_server=False)
    imap_client = server.client()
    imap_client.select("INBOX")
    imap_client.uid("STORE", "1", "-FLAGS", "(\\Seen)")
    imap_client.logout()
    # when the next run starts
    result = imap.fetch_mailbox(box)
    # then the message is marked, and not fetched or filed again
    assert (result.fetched, result.flagged) == (0, 1)
    assert "\\Seen" in server.flags()[1] and Ticket.objects.count() == 1


@pytest.mark.django_db
def test_processed_mail_can_be_moved_to_another_folder(server, box):
    client = server.client()
    client.create("Processed")
    client.logout()
    Mailbox.objects.filter(pk=box.pk).update(move_to="Processed")
    box.refresh_from_db()
    server.append(mail(), mail("第二封", message_id="<m2@example.cn>"))
    imap.fetch_mailbox(box)
    assert server.count("INBOX") == 0 and server.count("Processed") == 2


@pytest.mark.django_db
def test_a_wrong_password_is_recorded_on_the_mailbox_and_nothing_is_lost(server, box):
    server.append(mail())
    Mailbox.objects.filter(pk=box.pk).update(password="wrong")
    assert imap.fetch_all() == 0
    box.refresh_from_db()
    assert "fail" in box.last_error.lower() or "auth" in box.last_error.lower()
    assert server.count() == 1 and not InboundMessage.objects.exists()
    Mailbox.objects.filter(pk=box.pk).update(password=server.password)
    assert imap.fetch_all() == 1


@pytest.mark.django_db
def test_the_whole_corpus_goes_through_without_a_crash(server, box):
    files = sorted(p for p in CORPUS.rglob("*.eml"))
    if not files:
        pytest.skip("the email corpus is absent")
    server.append(*[p.read_bytes() for p in files])
    result = imap.fetch_mailbox(box, limit=10_000)
    assert result.fetched == len(files)
    states = set(InboundMessage.objects.values_list("state", flat=True))
    assert "stored" not in states
    reasons = set(InboundMessage.objects.filter(state="quarantined").values_list("error", flat=True))
    assert reasons <= {_("No single valid sender address.")}  # never a crash; only mail nobody can be answered on
    assert all("\\Seen" in flags for flags in server.flags().values())
