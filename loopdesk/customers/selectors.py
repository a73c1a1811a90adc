"""Customer reads: the hotline look-up and one customer for a user."""

from __future__ import annotations

from django.db.models import QuerySet
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
