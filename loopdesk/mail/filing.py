"""Filing a fetched batch, in this process or with a forked helper process.

Filing a message (parse, thread, customer, ticket, events, search, statistics) is Python on one core, so a big
fetch gets a second process:

- PostgreSQL ("file" mode): the helper files part of each batch. The batch is split by sender; each sender's
  messages stay in one process and in their order (a "回复：" reply comes after the message it answers), and a
  message whose In-Reply-To or References names a message of this batch from another sender is filed
  afterwards, when both halves are done. Filing is idempotent (a message is filed once, under its row lock),
  so a helper that dies leaves nothing the parent does not finish: it files the helper's share again, and
  what was filed is skipped.
- SQLite ("parse" mode): writers take turns, and two filing processes were slower than one (each re-reads the
  pages the other changed), so the helper only parses, in order, while this process files each message as
  soon as its parse arrives.

Helpers are forked per fetch, and only for a big batch outside any transaction (the stored rows must be
committed for them to see). A message over SENT_BYTES is not sent through the pipe."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from multiprocessing.connection import Connection

from django.conf import settings
from django.db import connection, connections

from loopdesk.mail.models import Mailbox
from loopdesk.mail.parsing import ParsedMessage, parse_message
from loopdesk.mail.services import process_message

log = logging.getLogger(__name__)

MIN_SPLIT = 8  # messages in a batch before a helper is worth it
SENT_BYTES = 1 << 20  # bigger: a filing helper reads the bytes from the database; in "parse" mode, parsed here


@dataclass
class Job:
    pk: int
    raw: bytes | None  # the bytes just stored as this row, or None to read them from the database
    id_unique: bool
    sender: str = ""
    message_id: str = ""
    refers_to: tuple[str, ...] = ()


def describe(job: Job, raw: bytes) -> Job:
    """The sender and the Message-IDs a message refers to, from its headers (enough to split a batch)."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:65536])
        senders = getaddresses([str(v) for v in headers.get_all("From", [])])
        job.sender = next((address.lower() for _name, address in senders if address), "")
        own = _ids(headers.get("Message-ID", ""))
        job.message_id = own[0] if own else ""
        job.refers_to = tuple(_ids(headers.get("In-Reply-To", "")) + _ids(headers.get("References", "")))
    except Exception:  # noqa: BLE001 (an unreadable header: no sender, so filed after the halves; parsing reports it)
        job.sender = ""
    return job


def _ids(value: object) -> list[str]:
    return [part.strip("<>") for part in str(value or "").replace(",", " ").split() if part.strip("<>")]


def split(jobs: list[Job], parts: int) -> tuple[list[list[Job]], list[Job]]:
    """Jobs per process by sender (whole senders, balanced by count), and those to file after all of them."""
    senders: dict[str, list[Job]] = {}
    for job in jobs:
        senders.setdefault(job.sender, []).append(job)
    shares: list[list[Job]] = [[] for _ in range(parts)]
    owner: dict[str, int] = {}
    for sender, own in sorted(senders.items(), key=lambda kv: -len(kv[1])):
        index = min(range(parts), key=lambda i: len(shares[i]))
        owner[sender] = index
        shares[index].extend(own)
    part_of_id = {job.message_id: owner[job.sender] for job in jobs if job.message_id}
    later: list[Job] = []
    for index, share in enumerate(shares):
        keep: list[Job] = []
        for job in share:
            crossing = not job.sender or any(part_of_id.get(ref, index) != index for ref in job.refers_to)
            (later if crossing else keep).append(job)
        shares[index] = keep
    order = {id(job): n for n, job in enumerate(jobs)}
    for share in shares:
        share.sort(key=lambda job: order[id(job)])
    later.sort(key=lambda job: order[id(job)])
    return shares, later


class Filer:
    """Files batches of one mailbox: alone, or with forked helpers ("file" or "parse" mode, see above)."""

    def __init__(self, mailbox: Mailbox, helpers: int = 0, mode: str = "file") -> None:
        self.mailbox, self.mode = mailbox, mode
        self._helpers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        # The helpers see only committed rows, and a forked process has its own copy of an in-memory database.
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
        if helpers > 0 and not connection.in_atomic_block and not (mode == "file" and in_memory):
            self._start(helpers)

    @classmethod
    def for_fetch(cls, mailbox: Mailbox, messages: int) -> Filer:
        mode = settings.LOOPDESK_MAIL_HELPER
        if mode == "auto":
            mode = "file" if connection.vendor == "postgresql" else "parse"
        if messages < MIN_SPLIT or mode not in ("file", "parse"):
            return cls(mailbox)
        helpers = max(0, settings.LOOPDESK_MAIL_FILING_PROCESSES - 1) if mode == "file" else 1
        return cls(mailbox, helpers, mode)

    @property
    def splits(self) -> bool:
        """Jobs need `describe` (sender and references) to be split between processes."""
        return bool(self._helpers) and self.mode == "file"

    def _start(self, helpers: int) -> None:
        connections.close_all()  # a forked process must not share the parent's database connections
        context = multiprocessing.get_context("fork")
        for _ in range(helpers):
            ours, theirs = context.Pipe()
            ends = [pipe for _process, pipe in self._helpers] + [ours]  # the child closes its copies of these
            args = (theirs, self.mailbox, os.getpid(), self.mode, ends)
            process = context.Process(target=_helper, args=args, daemon=True)
            process.start()
            theirs.close()
            self._helpers.append((process, ours))

    def file(self, jobs: list[Job]) -> None:
        """File every job of a batch; returns when all are filed (or quarantined)."""
        if not self._helpers or len(jobs) < MIN_SPLIT:
            self._here(jobs)
        elif self.mode == "parse":
            self._file_parsed_there(jobs)
        else:
            self._file_split(jobs)

    def _file_split(self, jobs: list[Job]) -> None:
        shares, later = split(jobs, len(self._helpers) + 1)
        sent = []
        for (process, pipe), share in zip(self._helpers, shares[1:], strict=True):
            try:
                pipe.send([_wire(job) for job in share])
                sent.append((pipe, share))
            except OSError:
                log.warning("mail: filing helper %s is gone; filing its share here", process.pid)
                later[:0] = share
        self._here(shares[0])
        for pipe, share in sent:
            try:
                pipe.recv()
            except (EOFError, OSError):  # the helper died: what it filed is skipped, the rest is filed here
                log.warning("mail: a filing helper stopped mid-batch; filing its share here")
                self._here([Job(job.pk, None, job.id_unique) for job in share])
        self._here(later)

    def _file_parsed_there(self, jobs: list[Job]) -> None:
        process, pipe = self._helpers[0]
        sent = [job for job in jobs if job.raw is not None and len(job.raw) <= SENT_BYTES]
        try:
            pipe.send([job.raw for job in sent])
        except OSError:
            sent = []
        waiting = {id(job) for job in sent}
        for job in jobs:
            parsed = None
            if id(job) in waiting:
                try:
                    parsed = pipe.recv()  # in the order sent; None when parsing failed there (it fails here too)
                except (EOFError, OSError):  # the helper died: parse the rest here
                    log.warning("mail: the parsing helper stopped; parsing here")
                    waiting.clear()
                    self._helpers.clear()
                    process.join(5)
            process_message(job.pk, mailbox=self.mailbox, raw=job.raw, id_unique=job.id_unique, parsed=parsed)

    def _here(self, jobs: Iterable[Job]) -> None:
        for job in jobs:
            process_message(job.pk, mailbox=self.mailbox, raw=job.raw, id_unique=job.id_unique)

    def close(self) -> None:
        for _process, pipe in self._helpers:
            with suppress(OSError):
                pipe.send(None)
            pipe.close()
        for process, _pipe in self._helpers:
            process.join(10)
            if process.is_alive():
                process.kill()
        self._helpers.clear()

    def __enter__(self) -> Filer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _wire(job: Job) -> tuple[int, bytes | None, bool]:
    raw = job.raw if job.raw is not None and len(job.raw) <= SENT_BYTES else None
    return job.pk, raw, job.id_unique


def _helper(pipe: Connection, mailbox: Mailbox, parent: int, mode: str, parent_ends: list[Connection]) -> None:
    """A forked process: files (or parses) what it is sent, answers as it goes, and stops with its parent."""
    status = 0
    for end in parent_ends:  # otherwise the pipe stays open when the parent dies, and this process waits forever
        end.close()
    try:
        while True:
            try:
                work = pipe.recv()
            except EOFError:
                break
            if work is None:
                break
            if os.getppid() != parent:  # the parent was killed: it (or the next run) does the rest
                break
            if mode == "parse":
                for raw in work:
                    pipe.send(_parsed_or_none(raw))
                continue
            for pk, raw, id_unique in work:
                if os.getppid() != parent:
                    raise SystemExit(0)
                process_message(pk, mailbox=mailbox, raw=raw, id_unique=id_unique)
            pipe.send(len(work))
    except (SystemExit, BrokenPipeError):
        pass
    except BaseException:  # noqa: BLE001 (the parent does the work again and logs it)
        log.exception("mail: mail helper failed")
        status = 1
    finally:
        if mode == "file":
            connections.close_all()
        os._exit(status)  # no atexit handlers or inherited clean-ups (the parent's IMAP socket) in the fork


def _parsed_or_none(raw: bytes) -> ParsedMessage | None:
    try:
        return parse_message(raw)
    except Exception:  # noqa: BLE001 (parsed again by the filing process, which quarantines it with the reason)
        return None
