"""Customer reads: the hotline look-up and one customer for a user."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from loopdesk.core import statements
from loopdesk.core.errors import NotFound, ValidationFailed
from loopdesk.customers.models import Contact, Customer
from loopdesk.customers.querysets import normalize_email

MAX_LOOKUP = 100


def customers_matching(identifier: str, *, limit: int = 10) -> QuerySet[Customer]:
    """Customers whose phone, order/contract no., member no., serial no. or ID equals `identifier`."""
    identifier = (identifier or "").strip()
    if len(identifier) > MAX_LOOKUP or "\x00" in identifier:
        raise ValidationFailed(_("The look-up value is not valid."), fields={"q": _("Invalid value.")})
    return Customer.objects.matching_identifier(identifier).prefetch_related("assets", "orders")[:limit]


def get_customer(public_id: str) -> Customer:
    customer = Customer.objects.prefetch_related("assets", "orders", "contacts").filter(public_id=public_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


LOOKUPS = ("phone", "email", "contact_email")


def first_customer(*lookups: tuple[str, str]) -> Customer | None:
    """The customer of the first look-up that finds one, e.g. ("phone", "13800001234"), ("email", "a@b.cn") or
    ("contact_email", …) (the customer of the first contact with the address), in one statement: each look-up
    is an uncorrelated scalar subquery on its own index, its lowest id first, then the one customer is read by
    primary key. The statement is built once per shape (see core.statements): through the ORM each time it
    cost ten times what the database spends on it."""
    if not lookups:
        return None
    kinds = tuple(kind for kind, _value in lookups)
    values = [value if kind == "phone" else normalize_email(value) for kind, value in lookups]
    found = statements.instances(Customer, _first_customer_statement(kinds, connection.vendor), *values)
    return found[0] if found else None


@functools.cache
def _first_customer_statement(kinds: tuple[str, ...], vendor: str) -> tuple[str, tuple]:
    firsts = []
    for kind, text in zip(kinds, statements.TEXTS, strict=False):
        if kind not in LOOKUPS:
            raise ValueError(f"unknown look-up {kind!r}")
        if kind == "contact_email":
            firsts.append(Subquery(Contact.objects.with_email(text).order_by("id").values("customer_id")[:1]))
        else:
            rows = Customer.objects.filter(phone=text) if kind == "phone" else Customer.objects.with_email(text)
            firsts.append(Subquery(rows.order_by("id").values("pk")[:1]))
    match = Coalesce(*firsts) if len(firsts) > 1 else firsts[0]
    return Customer.objects.filter(pk=match)[:1].query.sql_with_params()
