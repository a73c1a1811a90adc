"""What a ticket's search document holds, built for many tickets in a handful of queries."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models.expressions import RawSQL

from loopdesk.core import statements
from loopdesk.core.masking import normalize_phone
from loopdesk.core.statements import PLACEHOLDER
from loopdesk.search.tokenize import MAX_TOKENS, tokens
from loopdesk.tickets.models import Ticket, TicketEvent

HEAD_FIELDS = ("number", "title")
BODY_FIELDS = ("description", "steps", "error_text", "customer_tried", "root_cause", "solution")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


def normalize_identifier(value: str) -> str:
    """Order, contract and serial numbers: upper case letters and digits only (SO-2024/0315 -> SO20240315)."""
    return _NOT_ALNUM.sub("", value.upper())[:64]


@dataclass
class Document:
    ticket_id: int
    version: int
    head: list[str]
    body: list[str]
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (kind, normalised value)


HEAD_RELATED = (
    "customer__name",
    "customer__company",
    "asset__product_name",
    "asset__model",
    "asset__serial_no",
    "order__order_no",
    "order__contract_no",
)
ID_FIELDS = ("customer__phone", "asset__serial_no", "order__order_no", "order__contract_no")
COLUMNS = ("pk", "version", *HEAD_FIELDS, *BODY_FIELDS, *HEAD_RELATED, *ID_FIELDS)


def head_text(row: dict, tags: list[str]) -> str:
    """Number, title, customer, company, product, model, serial, order, contract and tags, one per line."""
    parts = [row[f] for f in (*HEAD_FIELDS, *HEAD_RELATED)]
    return "\n".join(p for p in [*parts, *tags] if p)


def identifiers(row: dict) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    phone = normalize_phone(row["customer__phone"] or "")
    if len(phone) >= 4:
        found.append(("phone", phone))
    if row["asset__serial_no"]:
        found.append(("serial", normalize_identifier(row["asset__serial_no"])))
    if row["order__order_no"]:
        found.append(("order", normalize_identifier(row["order__order_no"])))
    if row["order__contract_no"]:
        found.append(("contract", normalize_identifier(row["order__contract_no"])))
    return [(kind, value) for kind, value in dict.fromkeys(found) if len(value) >= 4]


@dataclass
class Source:
    """A ticket's text before tokenising: what `read` gets from the database, `tokenize` turns into a Document."""

    ticket_id: int
    version: int
    head: str
    body: str
    identifiers: list[tuple[str, str]]


Tickets = list[int] | range  # some tickets, or every ticket whose id is in the range (a rebuild's batch)


def _among(field: str, ticket_ids: Tickets) -> dict:
    """The lookup of `field` in these ids: a range as its bounds, which at 1,000 ids a batch cost the rebuild
    less than the list (Django and psycopg spent about 15 ms on each statement's thousand placeholders)."""
    if isinstance(ticket_ids, range):
        return {f"{field}__gte": ticket_ids.start, f"{field}__lt": ticket_ids.stop}
    return {f"{field}__in": ticket_ids}


def _tickets(ticket_ids: Tickets):
    return Ticket.objects.filter(**_among("pk", ticket_ids)).order_by("pk")


def _querysets(ticket_ids: Tickets) -> tuple:
    """The three reads of `read`: tickets with their customer, product and order; tag names; event bodies."""
    tickets = _tickets(ticket_ids).values_list(*COLUMNS)
    through = Ticket.tags.through.objects.filter(**_among("ticket_id", ticket_ids)).order_by("tag__name")
    events = (
        TicketEvent.objects.filter(**_among("ticket_id", ticket_ids))
        .exclude(body="")
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "body")
    )
    return tickets, through.values_list("ticket_id", "tag__name"), events


@functools.cache
def _one_ticket_statements(vendor: str) -> tuple[tuple[str, tuple], ...]:
    """The SQL Django writes for one ticket, built once per process: after every ticket write the index reads
    one ticket, and building three statements cost more than running them (a third of indexing a mail)."""
    return tuple(qs.query.sql_with_params() for qs in _querysets([PLACEHOLDER]))


@functools.cache
def _one_ticket_statement_postgresql() -> tuple[str, tuple]:
    """On PostgreSQL the three reads of one ticket as one statement (a round trip each is most of their cost):
    the ticket's row with its tag names and event bodies as JSON arrays, in the orders `_querysets` gives."""
    through, ticket = Ticket.tags.through._meta, Ticket._meta.db_table
    tag_table = Ticket.tags.field.related_model._meta.db_table
    names = (
        f'SELECT json_agg(g.name ORDER BY g.name) FROM "{through.db_table}" tt JOIN "{tag_table}" g '
        f'ON g.id = tt."{through.get_field("tag").column}" '
        f'WHERE tt."{through.get_field("ticket").column}" = "{ticket}"."id"'
    )
    bodies = (
        f'SELECT json_agg(e.body ORDER BY e.created_at, e.id) FROM "{TicketEvent._meta.db_table}" e '
        f'WHERE e.ticket_id = "{ticket}"."id" AND e.body <> \'\''
    )
    raw = {"tag_names": RawSQL(names, ()), "bodies": RawSQL(bodies, ())}  # noqa: S611 - our tables, no input
    one = _tickets([PLACEHOLDER]).annotate(**raw)
    return one.values_list(*COLUMNS, "tag_names", "bodies").query.sql_with_params()


def _rows(ticket_ids: Tickets) -> tuple[list, list, list]:
    if len(ticket_ids) != 1:
        return tuple(list(qs) for qs in _querysets(ticket_ids))  # type: ignore[return-value]
    if connection.vendor == "postgresql":
        found = statements.run(_one_ticket_statement_postgresql(), ticket_ids[0])
        if not found:
            return [], [], []
        *row, names, bodies = found[0]
        return [tuple(row)], [(row[0], n) for n in names or ()], [(row[0], b) for b in bodies or ()]
    tickets, tags, events = (statements.run(st, ticket_ids[0]) for st in _one_ticket_statements(connection.vendor))
    return tickets, tags, events


def read(ticket_ids: Tickets) -> list[Source]:
    """The text of these tickets: three queries whatever their number, plain rows rather than model objects."""
    tickets, tag_rows, events = _rows(ticket_ids)
    tags: dict[int, list[str]] = defaultdict(list)
    for ticket_id, name in tag_rows:
        tags[ticket_id].append(name)
    bodies: dict[int, list[str]] = defaultdict(list)
    for ticket_id, body in events:
        bodies[ticket_id].append(body)
    out = []
    for values in tickets:
        row = dict(zip(COLUMNS, values, strict=True))
        pk = row["pk"]
        body = "\n".join([*(row[f] or "" for f in BODY_FIELDS), *bodies.get(pk, ())])
        out.append(Source(pk, row["version"], head_text(row, tags.get(pk, [])), body, identifiers(row)))
    return out


def tokenize(sources: list[Source]) -> list[Document]:
    """Pure (no database): safe to run in a forked process while the parent writes the previous batch."""
    docs = []
    for src in sources:
        head = tokens(src.head)
        body = tokens(src.body, limit=max(0, MAX_TOKENS - len(head)))
        docs.append(Document(src.ticket_id, src.version, head, body, src.identifiers))
    return docs


def build(ticket_ids: list[int]) -> list[Document]:
    """Documents for these tickets."""
    return tokenize(read(ticket_ids))
