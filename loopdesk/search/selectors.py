"""Search: the tickets a user may see that match, best first, a page at a time; the same on both databases.

Rank, identical on SQLite and PostgreSQL: (0) tickets whose phone, order, contract or serial number equals the
query or ends with it (4 characters), (1) tickets whose head (number, title, customer, product, identifiers, tags)
holds every term, (2) tickets that hold every term anywhere (description, work record, replies, notes); within a
tier, the newest registration first. Keyset pages: the cursor is the tier and the last ticket id."""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Max, Q
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


def _matching(
    qs: TicketQuerySet, terms: list[query.Term], tier: int | None, before: int = 0, windows: range | None = None
) -> TicketQuerySet:
    """Tier 1: every term in the head; tier 2: every term anywhere but not all in the head; None: anywhere.

    Newest first, ids below `before` when given. On SQLite the order and the bound are on the FTS table's rowid
    (the ticket id), so FTS5 walks its doclists backwards and the LIMIT stops it: ordering by the ticket's id
    instead makes SQLite collect and sort every match (about 50,000 for 支付 at a million tickets). On PostgreSQL,
    `windows` keeps the GIN match to those id windows (query.WINDOW_SHIFT)."""
    params: list[str | int]
    if connection.vendor == "postgresql":
        table, key = "search_document", "search_document.ticket_id"
        where = [f"{key} = {TICKETS}.id"]
        tsq = query.tsquery(terms)
        found = query.in_windows(tsq, windows) if windows else tsq
        if tier == 1:
            where.append("search_document.head_vector @@ %s::tsquery")
            params = [found]
        elif tier == 2:
            where += ["search_document.doc_vector @@ %s::tsquery", "NOT (search_document.head_vector @@ %s::tsquery)"]
            params = [found, tsq]
        else:
            where.append("search_document.doc_vector @@ %s::tsquery")
            params = [found]
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
    rest = base.exclude(pk__in=_identifier_tickets(ident)) if ident else base  # tier 0 is not repeated
    start_tier, last_id = decode_cursor(cursor) if cursor else (0, 0)
    # Ids first, rows after: joining the customer, category, owner ... to every match before the LIMIT costs
    # PostgreSQL a nested loop over each of them (37,000 for 无法开机 at a million tickets).
    picked: list[tuple[int, int]] = []
    with _planned_each_time():
        newest = _newest_id() if terms and connection.vendor == "postgresql" else 0
        for tier in [*([0] if ident else []), *([1, 2] if terms else [])]:
            if tier < start_tier:
                continue
            need = limit + 1 - len(picked)
            before = last_id if tier == start_tier else 0
            if tier == 0:
                exact = base.filter(pk__in=_identifier_tickets(ident), **({"pk__lt": before} if before else {}))
                ids = list(exact.order_by("-pk").values_list("pk", flat=True)[:need])
            else:
                ids = _newest_matching(rest, terms, tier, before, need, before - 1 if before else newest)
            picked += [(tier, pk) for pk in ids]
            if len(picked) > limit:
                break
        page.count, page.count_is_estimate = _count(base, ident, rest, terms, newest)
    if len(picked) > limit:
        tier, last_pk = picked[limit - 1]
        page.next_cursor = encode_cursor(tier, last_pk)
        picked = picked[:limit]
    rows = base.in_bulk([pk for _tier, pk in picked]) if picked else {}
    found = [(tier, rows[pk]) for tier, pk in picked if pk in rows]
    page.hits = _hits(found, terms)
    return page


WINDOWS_FIRST = 8  # id windows asked first on PostgreSQL: the newest 32,768 ids


def _newest_id() -> int:
    return Ticket.objects.aggregate(top=Max("pk"))["top"] or 0


def _steps(rest: TicketQuerySet, terms: list[query.Term], tier: int | None, before: int, top: int) -> list:
    """The matches of a tier below `before` (0: no bound) as querysets to read in turn, newest first; `top`: the
    highest id that may match.

    On PostgreSQL two steps: the WINDOWS_FIRST id windows up to `top`, then every older ticket, read only when
    the first did not give enough. Same rows as one query; the first step is all a common term needs."""
    if connection.vendor != "postgresql":
        return [_matching(rest, terms, tier, before)]
    if top <= 0:
        return []
    last = top >> query.WINDOW_SHIFT
    first = max(0, last - WINDOWS_FIRST + 1)
    steps = [_matching(rest, terms, tier, before, windows=range(first, last + 1))]
    if first > 0:
        steps.append(_matching(rest, terms, tier, first << query.WINDOW_SHIFT))
    return steps


def _newest_matching(
    rest: TicketQuerySet, terms: list[query.Term], tier: int, before: int, need: int, top: int
) -> list[int]:
    """The ids of the newest `need` matches of a tier below `before`, newest first."""
    ids: list[int] = []
    for step in _steps(rest, terms, tier, before, top):
        ids += step.values_list("pk", flat=True)[: need - len(ids)]
        if len(ids) >= need:
            break
    return ids


@contextlib.contextmanager
def _planned_each_time() -> Iterator[None]:
    """Statements run inside are planned for their parameters on every run.

    PostgreSQL prepares a statement run five times on a connection (settings: prepare_threshold) and may then keep
    one generic plan for any parameters; for a tsquery that plan cannot know how many tickets the terms match,
    and at a million tickets it chose plans 5 to 20 times slower than the custom ones (W3 p50 754 ms). The
    user's terms stay bound parameters; only psycopg's preparing is off, for this connection, meanwhile."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    saved = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = saved


def _count(base, ident, rest, terms, top: int) -> tuple[int, bool]:
    """Matches up to COUNT_CAP, counted without reading more rows than that (and without sorting them)."""
    total = 0
    if ident:
        total += base.filter(pk__in=_identifier_tickets(ident)).order_by()[: COUNT_CAP + 1].count()
    if terms and any(t.prefix for t in terms):
        # Every ticket the whole words match, the prefixes match too: enough of those and the count is known
        # without expanding a prefix (on PostgreSQL that collects every ticket of every word it begins).
        whole = _count_steps(rest, query.whole_words(terms), top, total)
        if whole > COUNT_CAP:
            return COUNT_CAP, True
    total = _count_steps(rest, terms, top, total) if terms else total
    return min(total, COUNT_CAP), total > COUNT_CAP


def _count_steps(rest, terms: list[query.Term], top: int, total: int) -> int:
    for step in _steps(rest, terms, None, 0, top):
        if total > COUNT_CAP:
            break
        total += step.order_by()[: COUNT_CAP + 1 - total].count()
    return total


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
