"""Customer reads: the hotline look-up and one customer for a user."""

from __future__ import annotations

from django.db.models import QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from loopdesk.core.errors import NotFound, ValidationFailed
from loopdesk.customers.models import Customer

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


def first_customer(*lookups: QuerySet) -> Customer | None:
    """The customer of the first look-up that finds one, in one statement: each look-up (a queryset of rows with a
    `customer_id`, e.g. contacts by email, or of customers) is an uncorrelated scalar subquery on its own index,
    its lowest id first, then the one customer is read by primary key."""
    firsts = [Subquery(qs.order_by("id").values("pk" if qs.model is Customer else "customer_id")[:1]) for qs in lookups]
    if not firsts:
        return None
    return Customer.objects.filter(pk=Coalesce(*firsts) if len(firsts) > 1 else firsts[0]).first()
