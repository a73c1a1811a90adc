"""What a ticket's search document holds, built for many tickets in a handful of queries."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from loopdesk.core.masking import normalize_phone
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


def head_text(ticket: Ticket, tags: list[str]) -> str:
    parts = [getattr(ticket, f) for f in HEAD_FIELDS]
    customer, asset, order = ticket.customer, ticket.asset, ticket.order
    if customer:
        parts += [customer.name, customer.company]
    if asset:
        parts += [asset.product_name, asset.model, asset.serial_no]
    if order:
        parts += [order.order_no, order.contract_no]
    return "\n".join(p for p in [*parts, *tags] if p)


def identifiers(ticket: Ticket) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    customer, asset, order = ticket.customer, ticket.asset, ticket.order
    if customer:
        phone = normalize_phone(customer.phone or "")
        if len(phone) >= 4:
            found.append(("phone", phone))
    if asset and asset.serial_no:
        found.append(("serial", normalize_identifier(asset.serial_no)))
    if order:
        found.append(("order", normalize_identifier(order.order_no)))
        if order.contract_no:
            found.append(("contract", normalize_identifier(order.contract_no)))
    return [(kind, value) for kind, value in dict.fromkeys(found) if len(value) >= 4]


def build(ticket_ids: list[int]) -> list[Document]:
    """Documents for these tickets: three queries whatever their number."""
    tickets = list(
        Ticket.objects.filter(pk__in=ticket_ids)
        .select_related("customer", "asset", "order")
        .prefetch_related("tags")
        .order_by("pk")
    )
    bodies: dict[int, list[str]] = defaultdict(list)
    rows = (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids)
        .exclude(body="")
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "body")
    )
    for ticket_id, body in rows:
        bodies[ticket_id].append(body)
    docs = []
    for ticket in tickets:
        head = tokens(head_text(ticket, [t.name for t in ticket.tags.all()]))
        text = "\n".join([*(getattr(ticket, f) for f in BODY_FIELDS), *bodies.get(ticket.pk, ())])
        body_tokens = tokens(text, limit=max(0, MAX_TOKENS - len(head)))
        docs.append(Document(ticket.pk, ticket.version, head, body_tokens, identifiers(ticket)))
    return docs
