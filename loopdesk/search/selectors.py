"""Search: the tickets a user may see that match, best first, a page at a time; the same on both databases.

Rank, identical on SQLite and PostgreSQL: (0) tickets whose phone, order, contract or serial number equals the
query or ends with it (4 characters), (1) tickets whose head (number, title, customer, product, identifiers, tags)
holds every term, (2) tickets that hold every term anywhere (description, work record, replies, notes); within a
tier, the newest registration first. Keyset pages: the cursor is the tier and the last ticket id."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.core.errors import ValidationFailed
from loopdesk.core.masking import normalize_phone
from loopdesk.search import query
from loopdesk.search.documents import BODY_FIELDS, normalize_identifier
from loopdesk.search.models import SearchIdentifier
from loopdesk.tickets.models import Ticket, TicketEvent
from loopdesk.tickets.querysets import TicketQuerySet
from loopdesk.tickets.selectors import check_text, tickets_base
from loopdesk.tickets.workflow import Status

COUNT_CAP = 1000
MAX_LIMIT = 100
TICKETS = Ticket._meta.db_table


@dataclass(frozen=True)
class SearchFilters:
    status: str = ""
    category: str = ""
    priority: str = ""
    department: str = ""
    received_from: date | None = None
    received_to: date | None = None
    open_only: bool = False


@dataclass
class Hit:
    ticket: Ticket
    tier: int
    title_html: str
    snippet_html: str


@dataclass
class SearchPage:
    terms: list[query.Term]
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    count_is_estimate: bool = False
    next_cursor: str = ""


def encode_cursor(tier: int, last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{tier}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        tier, last = raw.split(":")
        if tier not in {"0", "1", "2"} or not last.isdigit():
            raise ValueError
        return int(tier), int(last)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(_("Invalid page cursor."), fields={"cursor": _("Invalid page cursor.")}) from None


def _identifier(text: str) -> str:
    """The query as an identifier when it looks like one (a single word with at least 4 digits or characters)."""
    compact = "".join(text.split())
    if len(text.split()) != 1 and not all(ch.isdigit() or ch in "+-()" for ch in compact):
        return ""
    text = compact
    phone = normalize_phone(text)
    value = normalize_identifier(text)
    if not any(ch.isalpha() for ch in text) and len(phone) >= 4 and (phone == value or len(phone) >= 7):
        return phone
    if len(value) >= 4 and any(ch.isdigit() for ch in value) and value.isascii():
        return value
    return ""


def _identifier_tickets(value: str):
    q = Q(value=value)
    if len(value) == 4:
        q |= Q(tail=value)
    return SearchIdentifier.objects.filter(q).values("ticket_id")


def _filtered(user, filters: SearchFilters) -> TicketQuerySet:
    if filters.status and filters.status not in {s.value for s in Status}:
        raise ValidationFailed(_("Unknown status."), fields={"status": _("Unknown status.")})
    if filters.received_from and filters.received_to and filters.received_from > filters.received_to:
        raise ValidationFailed(_("The start date is after the end date."), fields={"from": _("After the end date.")})
    qs = tickets_base(user)
    if filters.open_only:
        qs = qs.open()
    exact = {
        "status": filters.status,
        "category__code": filters.category,
        "priority__code": filters.priority,
        "owner_department__code": filters.department,
    }
    qs = qs.filter(**{path: value for path, value in exact.items() if value})
    tz = timezone.get_current_timezone()
    if filters.received_from:
        qs = qs.filter(received_at__gte=datetime.combine(filters.received_from, time.min, tzinfo=tz))
    if filters.received_to:
        qs = qs.filter(received_at__lt=datetime.combine(filters.received_to, time.max, tzinfo=tz))
    return qs


def _matching(qs: TicketQuerySet, terms: list[query.Term], tier: int | None, before: int = 0) -> TicketQuerySet:
    """Tier 1: every term in the head; tier 2: every term anywhere but not all in the head; None: anywhere.

    Newest first, ids below `before` when given. On SQLite the order and the bound are on the FTS table's rowid
    (the ticket id), so FTS5 walks its doclists backwards and the LIMIT stops it: ordering by the ticket's id
    instead makes SQLite collect and sort every match (about 50,000 for 支付 at a million tickets)."""
    params: list[str | int]
    if connection.vendor == "postgresql":
        table, key = "search_document", "search_document.ticket_id"
        where = [f"{key} = {TICKETS}.id"]
        tsq = query.tsquery(terms)
        if tier == 1:
            where.append("search_document.head_vector @@ %s::tsquery")
            params = [tsq]
        elif tier == 2:
            where += ["search_document.doc_vector @@ %s::tsquery", "NOT (search_document.head_vector @@ %s::tsquery)"]
            params = [tsq, tsq]
        else:
            where.append("search_document.doc_vector @@ %s::tsquery")
            params = [tsq]
    else:
        table, key = "search_fts", "search_fts.rowid"
        where = [f"{key} = {TICKETS}.id", "search_fts MATCH %s"]
        if tier == 1:
            params = [query.fts_match(terms, "head")]
        elif tier == 2:
            params = [query.fts_match_not_in(terms, "head")]
        else:
            params = [query.fts_match(terms)]
    if before:
        where.append(f"{key} < %s")
        params.append(before)
    # The SQL is constant; the user's terms reach the database only as bound parameters.
    return qs.extra(tables=[table], where=where, params=params, order_by=[f"-{key}"])  # type: ignore[return-value]  # noqa: S610


def text_filter(text: str) -> Q | None:
    """The tickets whose text or identifiers match, as a condition on the ticket's id (the inbox's `q`)."""
    terms = query.parse(text)
    ident = _identifier(text)
    q = Q(pk__in=_identifier_tickets(ident)) if ident else None
    if terms:
        anywhere = Q(pk__in=_matching(Ticket.objects.all(), terms, None).order_by().values("pk"))
        q = anywhere if q is None else q | anywhere
    return q


def search(
    user, text: str, filters: SearchFilters = SearchFilters(), *, cursor: str = "", limit: int = 20
) -> SearchPage:
    """One page of the tickets `user` may see that match `text`, ranked, with highlighted title and snippet."""
    text = check_text(text, "q")
    limit = max(1, min(limit, MAX_LIMIT))
    terms = query.parse(text)
    ident = _identifier(text)
    page = SearchPage(terms=terms)
    if not terms and not ident:
        return page
    base = _filtered(user, filters)
    tiers: dict[int, TicketQuerySet] = {}
    if ident:
        tiers[0] = base.filter(pk__in=_identifier_tickets(ident))
    rest = base.exclude(pk__in=_identifier_tickets(ident)) if ident else base  # tier 0 is not repeated
    start_tier, last_id = decode_cursor(cursor) if cursor else (0, 0)
    if terms:
        tiers[1] = _matching(rest, terms, 1, last_id if start_tier == 1 else 0)
        tiers[2] = _matching(rest, terms, 2, last_id if start_tier == 2 else 0)
    if 0 in tiers:
        tiers[0] = tiers[0].filter(pk__lt=last_id) if start_tier == 0 and last_id else tiers[0]
        tiers[0] = tiers[0].order_by("-pk")
    # Ids first, rows after: joining the customer, category, owner ... to every match before the LIMIT costs
    # PostgreSQL a nested loop over each of them (37,000 for 无法开机 at a million tickets).
    picked: list[tuple[int, int]] = []
    for tier, qs in tiers.items():
        if tier < start_tier:
            continue
        need = limit + 1 - len(picked)
        picked += [(tier, pk) for pk in qs.values_list("pk", flat=True)[:need]]
        if len(picked) > limit:
            break
    if len(picked) > limit:
        tier, last_pk = picked[limit - 1]
        page.next_cursor = encode_cursor(tier, last_pk)
        picked = picked[:limit]
    rows = base.in_bulk([pk for _tier, pk in picked]) if picked else {}
    found = [(tier, rows[pk]) for tier, pk in picked if pk in rows]
    page.count, page.count_is_estimate = _count(base, ident, rest, terms)
    page.hits = _hits(found, terms)
    return page


def _count(base, ident, rest, terms) -> tuple[int, bool]:
    """Matches up to COUNT_CAP, counted without reading more rows than that (and without sorting them)."""
    total = 0
    if ident:
        total += base.filter(pk__in=_identifier_tickets(ident)).order_by()[: COUNT_CAP + 1].count()
    if terms:
        total += _matching(rest, terms, None).order_by()[: COUNT_CAP + 1].count()
    return min(total, COUNT_CAP), total > COUNT_CAP


def _hits(found: list[tuple[int, Ticket]], terms: list[query.Term]) -> list[Hit]:
    if not found:
        return []
    bodies: dict[int, list[str]] = {}
    rows = (
        TicketEvent.objects.filter(ticket_id__in=[t.pk for _, t in found])
        .exclude(body="")
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "body")
    )
    for ticket_id, body in rows:
        bodies.setdefault(ticket_id, []).append(body)
    hits = []
    for tier, ticket in found:
        snippet = ""
        for text in [*(getattr(ticket, f) for f in BODY_FIELDS), *bodies.get(ticket.pk, ())]:
            snippet = query.highlight(text, terms, around=40)
            if snippet:
                break
        if not snippet:
            snippet = query.highlight(ticket.description[:120], [])
        hits.append(Hit(ticket, tier, query.highlight(ticket.title, terms), snippet))
    return hits
