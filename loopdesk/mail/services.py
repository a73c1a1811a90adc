"""Email intake: store the raw bytes first, then turn a message into a ticket or a reply, once."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from contextvars import ContextVar
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.attachments.services import Incoming, keep_files
from loopdesk.core import statements
from loopdesk.core.errors import IllegalTransition
from loopdesk.customers.models import Contact, Customer
from loopdesk.customers.selectors import first_customer
from loopdesk.customers.services import register_customer
from loopdesk.mail import threading
from loopdesk.mail.models import InboundMessage, Mailbox
from loopdesk.mail.parsing import ParsedMessage, parse_message
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.events import clocks_synced_once, record_event
from loopdesk.tickets.models import Channel, Ticket, TicketEvent

log = logging.getLogger(__name__)
_filing: ContextVar[InboundMessage | None] = ContextVar("filing", default=None)


def message_being_filed() -> InboundMessage | None:
    """The inbound message whose filing is under way in this thread (its ticket may not be linked yet)."""
    return _filing.get()


NO_SUBJECT = "(no subject)"
FILED_FIELDS = [  # everything filing sets; never the raw bytes again
    "from_address", "subject", "thread_subject", "auto_kind", "encoding_problem", "has_html", "message_id",
    "reused_message_id", "attempts", "processed_at", "state", "outcome", "error", "ticket",
]  # fmt: skip
NEVER_FILED = {"bounce", "auto_reply"}  # bulk and list mail is filed, but never answered automatically (RFC 3834)


def thread_key() -> bytes:
    return f"loopdesk-mail-thread:{settings.SECRET_KEY}".encode()


def _message_id_of(raw: bytes) -> str:
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(raw[:65536]).get("Message-ID", "")
    except Exception:  # noqa: BLE001 (a header we cannot read is simply no Message-ID; parsing reports it later)
        return ""
    return str(value).strip().strip("<>").strip()[:998]


def store_raw(
    raw: bytes, *, mailbox: Mailbox | None = None, uidvalidity: int | None = None, uid: int | None = None
) -> tuple[InboundMessage, bool]:
    """Keep the message's bytes durably (checksummed) before anything else; the same bytes are kept once."""
    digest = hashlib.sha256(raw).hexdigest()
    existing = InboundMessage.objects.filter(sha256=digest).values_list("pk", flat=True).first()
    if existing is not None:
        return InboundMessage.objects.defer("raw").get(pk=existing), False
    try:
        with transaction.atomic():
            return (
                InboundMessage.objects.create(
                    mailbox=mailbox,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    sha256=digest,
                    size=len(raw),
                    raw=raw,
                    message_id=_message_id_of(raw),
                ),
                True,
            )
    except IntegrityError:  # stored meanwhile by another worker (same bytes or same UID)
        found = InboundMessage.objects.filter(sha256=digest).defer("raw").first()
        if found is None and mailbox is not None and uid is not None:
            found = InboundMessage.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid).first()
        if found is None:
            raise
        return found, False


def store_batch(
    fetched: list[tuple[int, bytes]], *, mailbox: Mailbox, uidvalidity: int
) -> list[tuple[int, bool, bool]]:
    """Keep a fetched batch's bytes durably in one transaction, before anything else is done with them.

    One multi-row INSERT (ON CONFLICT DO NOTHING: the same bytes or the same UID are kept once), then one
    look-up for the rows that were there already. Returns (pk, created, message_id_seen_before) per
    message, in order; the last says whether any other row carries the message's Message-ID, so that
    filing asks the database only then. On PostgreSQL the bytes go as binary parameters (no hex text)."""
    if not fetched:
        return []
    rows = [
        InboundMessage(
            mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, sha256=hashlib.sha256(raw).hexdigest(),
            size=len(raw), message_id=_message_id_of(raw),
        )
        for uid, raw in fetched
    ]  # fmt: skip
    fields = [f for f in InboundMessage._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(InboundMessage._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    binary = connection.vendor == "postgresql"
    raw_mark = "%b" if binary else "%s"
    one = "(" + ", ".join(raw_mark if f.name == "raw" else "%s" for f in fields) + ")"
    params: list = []
    for row, (_uid, raw) in zip(rows, fetched, strict=True):
        for f in fields:
            params.append(raw if f.name == "raw" else f.get_db_prep_save(getattr(row, f.attname), connection))
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))} ON CONFLICT DO NOTHING RETURNING id, sha256"  # noqa: S608 (names from the model)
    with transaction.atomic():
        if binary:  # a server-binding cursor: Django's client-binding one would spell the bytes out as hex text
            import psycopg

            with psycopg.Cursor(connection.connection) as cursor:
                created = dict((sha, pk) for pk, sha in cursor.execute(sql, params).fetchall())
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                created = {sha: pk for pk, sha in cursor.fetchall()}
        del params
        missing = [row for row in rows if row.sha256 not in created]
        existing = {}
        if missing:
            existing = dict(
                InboundMessage.objects.filter(sha256__in=[r.sha256 for r in missing]).values_list("sha256", "pk")
            )
            by_uid = dict(
                InboundMessage.objects.filter(
                    mailbox=mailbox,
                    uidvalidity=uidvalidity,
                    uid__in=[r.uid for r in missing if r.sha256 not in existing],
                ).values_list("uid", "pk")
            )
            for row in missing:
                if row.sha256 not in existing and row.uid in by_uid:
                    existing[row.sha256] = by_uid[row.uid]
        ids = [row.message_id for row in rows if row.message_id]
        seen = (
            {
                mid: n
                for mid, n in InboundMessage.objects.filter(message_id__in=ids)
                .values_list("message_id")
                .annotate(n=models.Count("id"))
                .values_list("message_id", "n")
                if n > 1
            }
            if ids
            else {}
        )
    out = []
    firsts: set[str] = set()
    for row in rows:
        if row.sha256 in created and row.sha256 not in firsts:
            firsts.add(row.sha256)
            out.append((created[row.sha256], True, row.message_id in seen))
        else:
            out.append((existing.get(row.sha256) or created[row.sha256], False, True))
    return out


def process_message(
    message_id: int,
    *,
    mailbox: Mailbox | None = None,
    raw: bytes | None = None,
    id_unique: bool = False,
    parsed: ParsedMessage | None = None,
) -> InboundMessage:
    """Parse and file one stored message in one transaction; any failure puts it in quarantine with the reason.

    `mailbox`: the one being fetched, so a batch reads it (and its category) once, not once a message.
    `raw`: the bytes just stored as this row (by `store_raw`), so they are not read back from the database.
    `id_unique`: no other row had this row's Message-ID when it was stored (`store_batch` looked), so
    the duplicate check asks the database only if parsing finds another Message-ID.
    `parsed`: `raw` parsed already (by a helper process, see loopdesk.mail.filing)."""
    retry = not connection.in_atomic_block  # a deadlock aborts a caller's transaction: only ours is tried again
    try:
        # Bytes in hand are parsed before the transaction: on SQLite other writers need not wait for it.
        if parsed is None and raw is not None:
            parsed = parse_message(raw)
        for attempt in range(1, TRIES + 1):
            try:
                return _file_stored(message_id, mailbox, raw, id_unique, parsed)
            except OperationalError as exc:  # two filing processes locked two rows in opposite orders
                if not (retry and attempt < TRIES and getattr(exc.__cause__, "sqlstate", "") in TRANSIENT):
                    raise
                log.warning("mail: message %s: %s; filing it again", message_id, exc)
        raise AssertionError("unreachable")
    except Exception as exc:  # noqa: BLE001 (never lose a message: quarantine it with the reason)
        log.exception("mail: message %s quarantined", message_id)
        with transaction.atomic():
            message = InboundMessage.objects.select_for_update().get(pk=message_id)
            message.state = InboundMessage.State.QUARANTINED
            message.error = f"{type(exc).__name__}: {exc}"[:4000]
            message.attempts += 1
            message.processed_at = timezone.now()
            message.save(update_fields=["state", "error", "attempts", "processed_at"])
            return message


TRIES = 3
TRANSIENT = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def _file_stored(
    message_id: int, mailbox: Mailbox | None, raw: bytes | None, id_unique: bool, parsed: ParsedMessage | None
) -> InboundMessage:
    """One filing transaction (see process_message)."""
    with transaction.atomic():
        _commit_without_waiting()
        if mailbox is not None and raw is not None:  # a fetch's message: its statement is built once
            message = statements.instances(InboundMessage, _locked_without_raw(connection.vendor), message_id)[0]
        else:
            rows = InboundMessage.objects.select_for_update(of=("self",))
            rows = rows if mailbox is not None else rows.select_related("mailbox__category")
            message = (rows.defer("raw") if raw is not None else rows).get(pk=message_id)
        if mailbox is not None and message.mailbox_id == mailbox.pk:
            message.mailbox = mailbox
        if raw is None:
            raw = message.__dict__.pop("raw")  # deferred again: the instance holds no copy while filing
        if message.state != InboundMessage.State.STORED:
            return message  # done before (a second worker, or a re-run after a crash)
        unique_id = message.message_id if id_unique else None
        if parsed is None:
            parsed = parse_message(raw if isinstance(raw, bytes) else bytes(raw))
        raw = None  # the raw bytes are let go once parsed
        token = _filing.set(message)
        try:
            with clocks_synced_once():
                _file(message, parsed, unique_id)
        finally:
            _filing.reset(token)
        return message


@functools.cache
def _locked_without_raw(vendor: str) -> tuple[str, tuple]:
    rows = InboundMessage.objects.select_for_update(of=("self",)).defer("raw")
    return rows.filter(pk=statements.PLACEHOLDER).query.sql_with_params()


def _commit_without_waiting() -> None:
    """PostgreSQL: this filing transaction's commit does not wait for its WAL to reach the disk.

    Safe because the raw message was committed durably before (`store_raw`/`store_batch`): if the server crashes
    in the fraction of a second before the WAL is flushed, the filing is lost as a whole, the message is still
    STORED, and `process_stored` files it again on the next run (the outbox messages and events with it, once).
    Each filing otherwise waits for one fsync."""
    if connection.vendor == "postgresql" and settings.LOOPDESK_MAIL_ASYNC_COMMIT:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def process_stored(*, limit: int = 500) -> int:
    """File messages stored but not processed (after a crash between storing and processing)."""
    ids = list(
        InboundMessage.objects.filter(state=InboundMessage.State.STORED)
        .order_by("received_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        process_message(pk)
    return len(ids)


def reprocess_message(message: InboundMessage) -> InboundMessage:
    """An admin asks to try a quarantined message again (after a fix)."""
    InboundMessage.objects.filter(pk=message.pk, state=InboundMessage.State.QUARANTINED).update(
        state=InboundMessage.State.STORED, error=""
    )
    return process_message(message.pk)


# --- filing ---------------------------------------------------------------------------------------------


def _file(message: InboundMessage, parsed: ParsedMessage, unique_id: str | None = None) -> None:
    message.from_address = parsed.from_address[:320]
    message.subject = parsed.subject[:255]
    message.thread_subject = threading.normalize_subject(parsed.subject)
    message.auto_kind = parsed.auto_kind
    message.encoding_problem = parsed.encoding_problem
    message.has_html = bool(parsed.html)
    message.message_id = parsed.message_id[:998] or message.message_id
    twin, reused = (None, False) if message.message_id == unique_id else _same_message(message, parsed)
    message.reused_message_id = twin is None and reused
    message.attempts += 1
    message.processed_at = timezone.now()
    mailbox = message.mailbox
    ours = mailbox is not None and mailbox.address and parsed.from_address == mailbox.address.lower()
    if not parsed.from_address:  # nobody to answer or to file it under: an admin decides (raw kept)
        message.state = InboundMessage.State.QUARANTINED
        message.error = _("No single valid sender address.")
        message.save(update_fields=FILED_FIELDS)
        return
    if parsed.auto_kind in NEVER_FILED or ours:
        message.state = InboundMessage.State.IGNORED
        message.save(update_fields=FILED_FIELDS)
        return
    if twin is not None:  # the same message again with other transport headers (a copy, a re-delivery)
        message.state, message.outcome = InboundMessage.State.IGNORED, InboundMessage.Outcome.DUPLICATE
        message.ticket = twin.ticket
        message.save(update_fields=FILED_FIELDS)
        return
    ticket = find_thread(message, parsed)
    if ticket is not None:
        try:
            event = ticket_services.record_customer_reply(
                ticket,
                body=_body(parsed),
                via=Channel.EMAIL,
                reopen_closed=mailbox is None or mailbox.closed_policy == Mailbox.ClosedPolicy.REOPEN,
                received_at=parsed.date,
                **_event_data(message, parsed),
            )
            message.ticket, message.outcome = ticket, InboundMessage.Outcome.APPENDED
            _keep_attachments(ticket, event, parsed)
        except IllegalTransition:
            message.ticket = _open(message, parsed, related=ticket)
            message.outcome = InboundMessage.Outcome.LINKED
    else:
        message.ticket, message.outcome = _open(message, parsed), InboundMessage.Outcome.CREATED
    message.state = InboundMessage.State.PROCESSED
    message.save(update_fields=FILED_FIELDS)


def _same_message(message: InboundMessage, parsed: ParsedMessage) -> tuple[InboundMessage | None, bool]:
    """An earlier message with this Message-ID, sender, subject and text (the same message, bytes aside),
    and whether any other message carries this Message-ID at all; one query when there is none."""
    if not message.message_id:
        return None, False
    others = list(
        InboundMessage.objects.filter(message_id=message.message_id)
        .exclude(pk=message.pk)
        .order_by("id")
        .values_list("pk", "from_address", "state")[:50]
    )
    # copies stored after this one in the same batch and not filed yet come later: they are not "earlier"
    others = [
        (pk, sender, state) for pk, sender, state in others if pk < message.pk or state != InboundMessage.State.STORED
    ]
    unfiled = {InboundMessage.State.STORED, InboundMessage.State.QUARANTINED}
    same_sender = [pk for pk, sender, state in others if sender == parsed.from_address and state not in unfiled]
    if parsed.message_id == message.message_id:
        for pk in same_sender[:5]:
            candidate = InboundMessage.objects.get(pk=pk)
            other = parse_message(bytes(candidate.raw))
            if (other.subject, other.text, len(other.attachments)) == (
                parsed.subject,
                parsed.text,
                len(parsed.attachments),
            ):
                return candidate, True
    return None, bool(others)


def _body(parsed: ParsedMessage) -> str:
    return parsed.text.strip() or _("(empty message)")


def _keep_attachments(ticket: Ticket, event: TicketEvent | None, parsed: ParsedMessage) -> None:
    """Store the message's files with its event; refused ones are listed in an internal note (raw kept)."""
    files = [Incoming(a.filename, a.content, a.content_id, a.is_inline) for a in parsed.attachments]
    if not files:
        return
    _kept, refused = keep_files(ticket, files, event=event)
    if refused:
        lines = "\n".join(f"- {r.message}" for r in refused)
        record_event(
            ticket,
            TicketEvent.Kind.NOTE_ADDED,
            actor=None,
            body=_("Attachments not kept (the original message is kept in full):") + "\n" + lines,
            refused=[r.name for r in refused],
        )


def _event_data(message: InboundMessage, parsed: ParsedMessage) -> dict:
    return {
        "inbound_message": message.pk,
        "message_id": parsed.message_id,
        "from": parsed.from_address,
        "encoding_problem": parsed.encoding_problem,
        "has_html": bool(parsed.html),
    }


def _open(message: InboundMessage, parsed: ParsedMessage, related: Ticket | None = None) -> Ticket:
    mailbox = message.mailbox
    customer = _customer(parsed)
    description = _body(parsed)
    if related is not None:
        description = _("Follows up closed ticket %s.") % related.number + "\n\n" + description
    ticket = ticket_services.open_ticket(
        actor=None,
        channel=Channel.EMAIL,
        title=(parsed.subject.strip() or NO_SUBJECT)[:255],
        description=description,
        customer=customer,
        category=mailbox.category.code if mailbox is not None and mailbox.category is not None else None,
        received_at=parsed.date if parsed.date and parsed.date <= timezone.now() else None,
    )
    if mailbox is not None and mailbox.department_id and ticket.owner_department_id is None:
        Ticket.objects.filter(pk=ticket.pk).update(owner_department=mailbox.department)
    if parsed.attachments:
        _keep_attachments(ticket, ticket.events.filter(kind=TicketEvent.Kind.CREATED).first(), parsed)
    return ticket


def _customer(parsed: ParsedMessage) -> Customer:
    """The customer whose contact has this address (the first contact), else the first customer with it, else a new
    one; the two look-ups and the load are one query (a round trip each was a tenth of filing a new email)."""
    address = parsed.from_address
    found = first_customer(("contact_email", address), ("email", address))
    if found is not None:
        return found
    name = parsed.from_name.strip() or address.split("@", 1)[0]
    return register_customer(name=name[:100], email=address)  # nobody has the address: no second look-up


def participants(ticket: Ticket) -> set[str]:
    """Addresses that may add to this ticket by email: the customer, their contacts, earlier senders."""
    found = {e.lower() for e in Contact.objects.filter(customer_id=ticket.customer_id).values_list("email", flat=True)}
    found |= {e.lower() for e in Customer.objects.filter(pk=ticket.customer_id).values_list("email", flat=True)}
    found |= set(ticket.inbound_messages.values_list("from_address", flat=True))
    return found - {""}


def find_thread(message: InboundMessage, parsed: ParsedMessage) -> Ticket | None:
    """References to our mail or the customer's earlier mail, then [P…] in the subject, then sender + subject."""
    sender = parsed.from_address
    ids = [i for i in (*reversed(parsed.references), *parsed.in_reply_to) if i]
    for ref in ids:
        number = threading.ticket_number_from_message_id(ref, thread_key())
        if number:
            ticket = Ticket.objects.filter(number=number).first()
            if ticket is not None and sender in participants(ticket):
                return ticket
    if ids:
        earlier = (
            InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False)
            .exclude(pk=message.pk)
            .select_related("ticket")
            .defer("raw")
            .order_by("-id")
            .first()
        )
        if earlier is not None and earlier.ticket is not None and sender in participants(earlier.ticket):
            return earlier.ticket
    number = threading.ticket_number_in_subject(parsed.subject)
    if number:
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None and sender in participants(ticket):
            return ticket
    subject = threading.normalize_subject(parsed.subject)
    if subject:
        days = message.mailbox.thread_window_days if message.mailbox is not None else 14
        earlier_ticket = (
            InboundMessage.objects.filter(
                from_address=sender,
                thread_subject=subject,
                ticket__isnull=False,
                received_at__gte=timezone.now() - dt.timedelta(days=days),
            )
            .exclude(pk=message.pk)
            .order_by("-id")
            .values_list("ticket_id", flat=True)
            .first()
        )  # ids only: most new mail finds nothing here, and a narrow query is a third of the cost
        if earlier_ticket is not None:
            return Ticket.objects.get(pk=earlier_ticket)
    return None
