"""Reads for screens and the API: the inbox with allowlisted filters and sorts, the timeline, one ticket."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from loopdesk.core.errors import NotFound, ValidationFailed
from loopdesk.core.masking import normalize_phone
from loopdesk.tickets.models import Ticket, TicketEvent
from loopdesk.tickets.querysets import TicketQuerySet
from loopdesk.tickets.workflow import Status

# Sort keys users may ask for, mapped to ORM orderings (R12: never pass request values to order_by).
SORTS: dict[str, tuple] = {
    "received": ("-received_at", "-id"),
    "-received": ("received_at", "id"),
    "priority": ("priority__rank", "-received_at", "-id"),
    "-priority": ("-priority__rank", "-received_at", "-id"),
    "due": (F("due_at").asc(nulls_last=True), "id"),  # next SLA due first; no running clock last
    "updated": ("-updated_at", "-id"),
    "number": ("number",),
}
DEFAULT_SORT = "received"


@dataclass(frozen=True)
class InboxFilters:
    """What an agent may filter the inbox by; every value is a plain code, never an ORM path."""

    status: str = ""
    category: str = ""
    priority: str = ""
    department: str = ""
    owner: str = ""
    channel: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT
    open_only: bool = False


def _check_text(value: str, field: str) -> str:
    if "\x00" in value:
        raise ValidationFailed(_("Invalid characters in the query."), fields={field: _("Invalid characters.")})
    if len(value) > settings.LOOPDESK_MAX_QUERY_LENGTH:
        raise ValidationFailed(
            _("The query is too long."),
            fields={field: _("At most %d characters.") % settings.LOOPDESK_MAX_QUERY_LENGTH},
        )
    return value.strip()


def tickets_base(user) -> TicketQuerySet:
    return Ticket.objects.visible_to(user).select_related(
        "customer", "category", "priority", "owner", "owner_department"
    )


def inbox(user, filters: InboxFilters) -> TicketQuerySet:
    """Tickets the user may see, filtered and sorted from allowlists only."""
    if filters.sort not in SORTS:
        raise ValidationFailed(_("Unknown sort order."), fields={"sort": _("Unknown sort order.")})
    if filters.status and filters.status not in {s.value for s in Status}:
        raise ValidationFailed(_("Unknown status."), fields={"status": _("Unknown status.")})
    qs = tickets_base(user)
    if filters.open_only:
        qs = qs.open()
    exact = {
        "status": filters.status,
        "category__code": filters.category,
        "priority__code": filters.priority,
        "owner_department__code": filters.department,
        "channel": filters.channel,
    }
    qs = qs.filter(**{path: _check_text(v, path.split("__")[0]) for path, v in exact.items() if v})
    if filters.owner == "me":
        qs = qs.filter(owner=user)
    elif filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner:
        qs = qs.filter(owner__username=_check_text(filters.owner, "owner"))
    text = _check_text(filters.q, "q")
    if text:
        qs = qs.filter(_text_query(text))
    return qs.order_by(*SORTS[filters.sort])


def _text_query(text: str) -> Q:
    """Number, title and description by substring; customer identifiers only by exact value (R07)."""
    q = Q(number__iexact=text) | Q(title__icontains=text) | Q(description__icontains=text)
    q |= Q(customer__public_id__iexact=text) | Q(tags__name=text)
    phone = normalize_phone(text)
    if len(phone) >= 7:
        q |= Q(customer__phone=phone)
    return q


def get_ticket_for(user, number: str) -> Ticket:
    """The ticket if `user` may see it; NotFound otherwise (no existence oracle)."""
    ticket = tickets_base(user).select_related("asset", "order", "created_by").filter(number=number).first()
    if ticket is None:
        raise NotFound(_("Ticket not found."))
    return ticket


def timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("created_at", "id")


def customer_history(user, customer) -> QuerySet[Ticket]:
    """The customer's tickets that `user` may see, newest first."""
    return tickets_base(user).filter(customer=customer).order_by("-received_at", "-id")
