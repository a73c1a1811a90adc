"""Portal reads: which ticket a customer's session opens, what their timeline shows, what waits for them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from loopdesk.portal import tokens, wording
from loopdesk.portal.models import CustomerLink, SuggestionVerdict
from loopdesk.tickets.models import Ticket, TicketEvent


def _session_hours() -> int:
    return int(getattr(settings, "LOOPDESK_PORTAL_SESSION_HOURS", 12))


def _days() -> int:
    return int(getattr(settings, "LOOPDESK_PORTAL_ACCESS_DAYS_AFTER_CLOSE", 30))


def granted_links(link_ids: list[int]) -> list[CustomerLink]:
    """The session's links that still grant something now (revocation and expiry end a session at once)."""
    now = timezone.now()
    links = CustomerLink.objects.select_related("ticket", "customer").filter(pk__in=link_ids[:20], revoked_at=None)
    granted = []
    for link in links:
        if link.kind == CustomerLink.Kind.SIGNIN:
            if tokens.grant_is_fresh(link.used_at, now=now, session_hours=_session_hours()):
                granted.append(link)
            continue
        facts = tokens.LinkFacts(
            kind=link.kind,
            expires_at=link.expires_at,
            used_at=link.used_at,
            revoked_at=link.revoked_at,
            ticket_closed_at=link.ticket.closed_at if link.ticket else None,
            ticket_archived=bool(link.ticket and link.ticket.is_archived),
        )
        if tokens.is_usable(facts, now=now, access_days_after_close=_days()):
            granted.append(link)
    return granted


def signed_in_customer(link_ids: list[int]):
    """The customer signed in by a fresh sign-in link in this session, if any."""
    return next((link.customer for link in granted_links(link_ids) if link.kind == CustomerLink.Kind.SIGNIN), None)


def ticket_for_session(link_ids: list[int], number: str) -> Ticket | None:
    """The ticket with this number if one of the session's links opens it; None otherwise (no oracle)."""
    ticket = (
        Ticket.objects.select_related("customer", "owner_department", "category").filter(number=number[:20]).first()
    )
    if ticket is None:
        return None
    for link in granted_links(link_ids):
        if link.kind == CustomerLink.Kind.ACCESS and link.ticket_id == ticket.pk:
            return ticket
        if link.kind == CustomerLink.Kind.SIGNIN and link.customer_id == ticket.customer_id:
            if ticket.is_archived:
                return None
            return ticket
    return None


def customer_tickets(customer) -> list[Ticket]:
    return list(Ticket.objects.filter(customer=customer, is_archived=False).order_by("-received_at", "-id")[:100])


@dataclass(frozen=True)
class Entry:
    """One line of the customer's timeline: never an internal note, never a person's name."""

    kind: str
    label: str
    at: object
    body: str
    who: str  # "you", a department name, or ""
    is_plan: bool = False
    adopted: bool | None = None


def customer_timeline(ticket: Ticket) -> list[Entry]:
    events = ticket.events.select_related("actor__department").order_by("created_at", "id")
    entries = []
    for event in events:
        if not wording.is_visible(event.kind, is_public=event.is_public):
            continue
        entries.append(_entry(ticket, event))
    return entries


def _entry(ticket: Ticket, event: TicketEvent) -> Entry:
    from django.utils.translation import gettext as _

    conversation = event.kind in wording.CONVERSATION
    label = str(wording.MILESTONES.get(event.kind, ""))
    if event.kind == "customer_replied":
        label = _("You confirmed the plan") if event.data.get("plan_confirmed") else _("Your message")
    elif event.kind == "replied":
        label = _("Plan for you to confirm") if event.data.get("plan") else _("Our reply")
    elif event.kind == "notified":
        label = _("Result")
    elif event.kind == "customer_confirmed":
        label = (
            _("You confirmed the problem is solved")
            if event.data.get("solved")
            else _("You said the problem is not solved")
        )
    elif event.kind == TicketEvent.Kind.SUGGESTION_DECIDED:
        label = _("Suggestion adopted") if event.data.get("adopted") else _("Suggestion not adopted")
    if event.kind == "customer_replied":
        who = _("You")
    elif event.actor is not None and event.actor.department is not None:
        who = event.actor.department.label
    else:
        who = str(ticket.owner_department.label) if ticket.owner_department else ""
    return Entry(
        kind=event.kind,
        label=label,
        at=event.created_at,
        body=event.body if conversation else "",
        who=who if conversation or event.kind == "accepted" else "",
        is_plan=bool(event.data.get("plan")),
        adopted=event.data.get("adopted") if event.kind == TicketEvent.Kind.SUGGESTION_DECIDED else None,
    )


def pending_plan(ticket: Ticket) -> TicketEvent | None:
    """The latest public reply when it proposes a plan the customer has not confirmed yet."""
    latest = ticket.events.filter(kind=TicketEvent.Kind.REPLIED, is_public=True).order_by("-created_at", "-id").first()
    if latest is None or not latest.data.get("plan"):
        return None
    confirmed = ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED, data__plan_confirmed=latest.pk).exists()
    return None if confirmed else latest


def latest_verdict(ticket: Ticket) -> SuggestionVerdict | None:
    return ticket.suggestion_verdicts.first()


def public_attachments(ticket: Ticket):
    return ticket.attachments.filter(is_public=True, is_inline=False).order_by("created_at", "name")


def origin_is_registered(origin: str) -> bool:
    """Whether any active widget site allows this origin (the CORS preflight carries no site key)."""
    from loopdesk.portal.models import WidgetSite
    from loopdesk.portal.origins import is_allowed

    return any(is_allowed(origin, site.origins) for site in WidgetSite.objects.filter(is_active=True))
