"""Fetching a mailbox over IMAP: store each message, file it, and only then mark or move it on the server."""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.utils import timezone

from loopdesk.mail.filing import Filer, Job, describe
from loopdesk.mail.models import InboundMessage, Mailbox
from loopdesk.mail.services import store_batch

log = logging.getLogger(__name__)

BATCH = 50  # messages per UID FETCH round trip
TIMEOUT = 60
_UID = re.compile(rb"UID (\d+)")


@dataclass
class FetchResult:
    fetched: int = 0
    stored: int = 0
    flagged: int = 0


@contextmanager
def connect(mailbox: Mailbox) -> Iterator[imaplib.IMAP4]:
    """A logged-in connection with the mailbox's security; closed however the block ends."""
    if mailbox.security == Mailbox.Security.SSL:
        imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
        )
    else:
        imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
        if mailbox.security == Mailbox.Security.STARTTLS:
            imap.starttls(ssl.create_default_context())
    try:
        imap.login(mailbox.username, mailbox.password)
        yield imap
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            imap.logout()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(status: str, data: list, what: str) -> list:
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what} failed: {data!r}")
    return data


def fetch_mailbox(mailbox: Mailbox, *, limit: int = 1000) -> FetchResult:
    """Fetch up to `limit` new messages; each is stored and filed before the server is told."""
    result = FetchResult()
    with connect(mailbox) as imap:
        _check(*imap.select(_quote(mailbox.folder)), "SELECT")
        uidvalidity = int(imap.response("UIDVALIDITY")[1][0])
        if mailbox.uidvalidity != uidvalidity:  # the folder was rebuilt: UIDs start over; dedupe by content
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0)
            mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
        result.flagged += _flag_done(imap, mailbox)
        data = _check(*imap.uid("SEARCH", f"UID {mailbox.last_uid + 1}:*"), "SEARCH")
        uids = sorted(u for u in (int(x) for x in data[0].split()) if u > mailbox.last_uid)[:limit]
        filed: list[tuple[int, int]] = []
        with Filer.for_fetch(mailbox, len(uids)) as filer:
            for start in range(0, len(uids), BATCH):
                batch = uids[start : start + BATCH]
                data = _check(*imap.uid("FETCH", ",".join(map(str, batch)), "(UID BODY.PEEK[])"), "FETCH")
                fetched = list(_messages(data))
                del data
                result.fetched += len(fetched)
                # The whole batch's bytes are committed (one transaction) before any of it is filed.
                stored = store_batch(fetched, mailbox=mailbox, uidvalidity=uidvalidity)
                jobs = []
                for (uid, raw), (pk, created, id_seen) in zip(fetched, stored, strict=True):
                    mailbox.last_uid = max(mailbox.last_uid, uid)
                    result.stored += created
                    # Filed from the bytes in hand when they were just stored as this row: reading them back
                    # would cost a round trip and, on PostgreSQL, the driver's copies of a large message.
                    job = Job(pk, raw if created else None, not id_seen)
                    jobs.append(describe(job, raw) if filer.splits else job)
                    filed.append((pk, uid))
                fetched.clear()  # the jobs hold the bytes now (an empty batch has none: nothing else to let go)
                filer.file(jobs)
                del jobs
                # Once a batch: a crash before this line fetches the batch again, and storing is idempotent
                # (same bytes or same UID), filing too (a filed message is not filed twice).
                Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=mailbox.last_uid).update(last_uid=mailbox.last_uid)
                result.flagged += _mark_filed(imap, mailbox, filed)  # committed, so the server may be told
                filed.clear()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetch_at=timezone.now(), last_error="")
    return result


def _messages(data: list) -> Iterator[tuple[int, bytes]]:
    """Each (UID, raw bytes) of a FETCH response, released from the response as it is handed out."""
    data.reverse()
    while data:
        item = data.pop()
        if isinstance(item, tuple) and len(item) == 2:
            match = _UID.search(item[0])
            if match:
                yield int(match.group(1)), item[1]


def _mark_filed(imap: imaplib.IMAP4, mailbox: Mailbox, filed: list[tuple[int, int]]) -> int:
    """Tell the server about a batch of filed messages in one command, then record that it was told."""
    if not filed:
        return 0
    _done_on_server(imap, mailbox, ",".join(str(uid) for _pk, uid in filed))
    InboundMessage.objects.filter(pk__in=[pk for pk, _uid in filed]).update(flagged_on_server=True)
    return len(filed)


def _done_on_server(imap: imaplib.IMAP4, mailbox: Mailbox, uid: int | str) -> None:
    """Mark one message (or a UID set such as "4,5,9") read, or move it when the mailbox says so."""
    if mailbox.move_to:
        status, data = imap.uid("MOVE", str(uid), _quote(mailbox.move_to))
        if status == "OK":
            return
        log.warning("mail: MOVE to %s failed (%r); marking as read instead", mailbox.move_to, data)
    _check(*imap.uid("STORE", str(uid), "+FLAGS", "(\\Seen)"), "STORE")


def _flag_done(imap: imaplib.IMAP4, mailbox: Mailbox) -> int:
    """Messages filed before a crash but not yet marked on the server are marked now."""
    rows = list(
        InboundMessage.objects.filter(
            mailbox=mailbox, uidvalidity=mailbox.uidvalidity, uid__isnull=False, flagged_on_server=False
        )
        .exclude(state=InboundMessage.State.STORED)
        .values_list("pk", "uid")
    )
    pending = [(pk, uid) for pk, uid in rows if uid is not None]
    return sum(_mark_filed(imap, mailbox, pending[i : i + BATCH]) for i in range(0, len(pending), BATCH))


def fetch_all() -> int:
    """Every active mailbox once; a failing server is recorded on its mailbox and the others go on."""
    total = 0
    for mailbox in Mailbox.objects.filter(is_active=True):
        try:
            total += fetch_mailbox(mailbox).fetched
        except (imaplib.IMAP4.error, OSError, ValueError) as exc:
            log.warning("mail: fetching %s failed: %s", mailbox, exc)
            Mailbox.objects.filter(pk=mailbox.pk).update(last_fetch_at=timezone.now(), last_error=str(exc)[:2000])
    return total
