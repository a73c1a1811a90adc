"""API v1 ticket endpoints: thin wrappers that parse, authorise through selectors, and call one service."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Router, Status

from loopdesk.accounts.http import AuthedRequest
from loopdesk.api import idempotency
from loopdesk.api.models import IdempotencyKey
from loopdesk.api.presenters import audit_reveal, may_reveal, ticket_detail_out, ticket_out
from loopdesk.api.schemas import (
    CodeLabelOut,
    ErrorOut,
    PriorityIn,
    PriorityOut,
    ProgressIn,
    ReplyIn,
    SatisfactionIn,
    TicketCreateIn,
    TicketDetailOut,
    TicketPageOut,
    TicketPatchIn,
    TransitionIn,
)
from loopdesk.core.errors import PermissionDenied, ValidationFailed
from loopdesk.customers.services import find_or_register_customer
from loopdesk.sla import selectors as sla_selectors
from loopdesk.tickets import selectors, services
from loopdesk.tickets.models import Category, Priority, Ticket, TicketEvent

router = Router(tags=["tickets"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
LIST_PARAMS = {
    "status",
    "category",
    "priority",
    "department",
    "owner",
    "channel",
    "q",
    "sort",
    "open_only",
    "limit",
    "offset",
    "cursor",
}
MAX_LIMIT = 200


def _labelled(item) -> dict:
    return {"code": item.code, "label": item.label, "name": item.name, "name_en": item.name_en}


@router.get("/categories", response=list[CodeLabelOut])
def list_categories(request: AuthedRequest):
    return [_labelled(c) for c in Category.objects.filter(is_active=True)]


@router.get("/priorities", response=list[PriorityOut])
def list_priorities(request: AuthedRequest):
    return [_labelled(p) | {"rank": p.rank} for p in Priority.objects.filter(is_active=True)]


def detail_response(request: AuthedRequest, ticket, *, reload: bool = True) -> dict:
    """The ticket as the caller sees it, read again after a write (`reload`), with its timeline and clocks."""
    if reload:
        ticket = selectors.get_ticket_for(request.user, ticket.number)
    satisfactions = ticket.satisfactions.select_related("recorded_by")
    return _detail_out(request, ticket, selectors.timeline(ticket), satisfactions, sla_selectors.policy_of(ticket))


def _detail_out(request: AuthedRequest, ticket, events, satisfactions, ticket_sla, **known) -> dict:
    """The answer both paths share: the customer revealed only with the permission (and audited), the clocks."""
    reveal = may_reveal(request)
    audit_reveal(request, [ticket.customer])
    clocks = sla_selectors.clocks_of(ticket)
    return ticket_detail_out(
        ticket, events, satisfactions, reveal=reveal, clocks=clocks, ticket_sla=ticket_sla, **known
    )


def created_response(request: AuthedRequest, ticket: Ticket, *, tagged: bool) -> dict:
    """What `detail_response` would answer for a ticket `open_ticket` has just created, from the ticket in hand.

    open_ticket, the routing it runs and its clock sync write the row through this instance; the sync also leaves
    the policy it chose on it (`synced_sla`; read with the due time only for a ticket it did not sync). The
    received and occurred times keep the client's offset until read back in UTC. A new ticket has no
    satisfactions; its tags come from the request (`tagged`) and from routing, its watchers only from routing,
    and routing names what it added in its ROUTED event: each is read only when that says it can be non-empty."""
    events = list(selectors.timeline(ticket))
    routed = [e.data for e in events if e.kind == TicketEvent.Kind.ROUTED]
    synced = getattr(ticket, "synced_sla", None)
    if synced is not None:
        ticket_sla = synced.policy
    else:
        ticket.due_at, ticket_sla = sla_selectors.due_and_policy_of(ticket)
    ticket.received_at = ticket.received_at.astimezone(dt.UTC)
    if ticket.occurred_at is not None:
        ticket.occurred_at = ticket.occurred_at.astimezone(dt.UTC)
    return _detail_out(
        request,
        ticket,
        events,
        (),
        ticket_sla,
        tags=None if tagged or any(d.get("tags") for d in routed) else [],
        watchers=None if any(d.get("watchers") for d in routed) else [],
    )


@router.post("/tickets", response={201: TicketDetailOut, **ERRORS})
def create_ticket(request: AuthedRequest, payload: TicketCreateIn):
    """Register a ticket; a repeated `Idempotency-Key` returns the ticket the first request created."""
    if not request.user.has_perm("tickets.add_ticket"):
        raise PermissionDenied(_("You may not create tickets."))
    key = idempotency.request_key(request)
    data = payload.model_dump(exclude_none=True)
    digest = idempotency.payload_hash(data)
    if key and (record := idempotency.previous(request.user, key, digest)) is not None:
        request.idempotent_replay = True
        return Status(201, detail_response(request, record.ticket))
    try:
        ticket = _create(request, data, key, digest)
    except IntegrityError:  # the same key raced in from a parallel request: replay its result
        record = idempotency.previous(request.user, key, digest) if key else None
        if record is None:
            raise
        request.idempotent_replay = True
        return Status(201, detail_response(request, record.ticket))
    return Status(201, created_response(request, ticket, tagged=bool(data.get("tags"))))


@transaction.atomic
def _create(request: AuthedRequest, data: dict, key: str | None, digest: str):
    try:
        customer = find_or_register_customer(**data.pop("customer"))
    except ValidationFailed as exc:  # name the fields as the client sent them: customer.phone
        exc.fields = {f"customer.{name}": message for name, message in exc.fields.items()}
        raise
    serial, order_no = data.pop("asset_serial_no", ""), data.pop("order_no", "")
    asset = customer.assets.filter(serial_no=serial).first() if serial else None
    order = customer.orders.filter(order_no=order_no).first() if order_no else None
    if serial and asset is None:
        raise ValidationFailed(_("No such product for this customer."), fields={"asset_serial_no": _("Not found.")})
    if order_no and order is None:
        raise ValidationFailed(_("No such order for this customer."), fields={"order_no": _("Not found.")})
    ticket = services.open_ticket(actor=request.user, customer=customer, asset=asset, order=order, **data)
    if key:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=request.user, key=key, request_hash=digest, ticket=ticket)
    return ticket


@router.get("/tickets", response={200: TicketPageOut, **ERRORS})
def list_tickets(request: AuthedRequest):
    """Tickets the caller may see, filtered and sorted from allowlists; pass `next_cursor` back as `cursor` for
    the next page (constant cost at any depth; `offset` still works). `count` stops at 10,000, and then
    `count_is_estimate` is true."""
    params = request.GET
    unknown = sorted(set(params) - LIST_PARAMS)
    if unknown:
        raise ValidationFailed(_("Unknown query parameters."), fields={k: _("Not a filter.") for k in unknown})
    limit, offset = _int_param(params, "limit", 50, 1, MAX_LIMIT), _int_param(params, "offset", 0, 0, 10**9)
    filters = selectors.InboxFilters(
        **{k: params.get(k, "") for k in ("status", "category", "priority", "department", "owner", "channel", "q")},
        sort=params.get("sort", selectors.DEFAULT_SORT),
        open_only=_bool_param(params, "open_only"),
    )
    page = selectors.inbox_page(request.user, filters, limit=limit, cursor=params.get("cursor", ""), offset=offset)
    prefetch_related_objects(page.items, "tags")
    reveal = may_reveal(request)
    audit_reveal(request, [t.customer for t in page.items])
    badges = sla_selectors.badges_for(page.items)
    return {
        "count": page.count,
        "count_is_estimate": page.count_is_estimate,
        "limit": limit,
        "offset": offset,
        "next_cursor": page.next_cursor,
        "items": [ticket_out(t, reveal=reveal, badge=badges.get(t.pk)) for t in page.items],
    }


def _int_param(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ValidationFailed(
            _("Invalid number."), fields={name: _("Between %(low)d and %(high)d.") % {"low": low, "high": high}}
        )
    return int(raw)


def _bool_param(params, name: str) -> bool:
    raw = params.get(name, "").lower()
    if raw not in {"", "0", "1", "true", "false"}:
        raise ValidationFailed(_("Invalid value."), fields={name: _("Use true or false.")})
    return raw in {"1", "true"}


@router.get("/tickets/{number}", response={200: TicketDetailOut, **ERRORS})
def get_ticket(request: AuthedRequest, number: str):
    return detail_response(request, selectors.get_ticket_for(request.user, number), reload=False)


@router.patch("/tickets/{number}", response={200: TicketDetailOut, **ERRORS})
def update_ticket(request: AuthedRequest, number: str, payload: TicketPatchIn):
    ticket = selectors.get_ticket_for(request.user, number)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    if not (ticket.owner_id == request.user.pk or request.user.has_perm("tickets.add_ticket")):
        raise PermissionDenied(_("You may not edit this ticket."))
    services.update_ticket_details(ticket, actor=request.user, expected_version=version, **data)
    return detail_response(request, ticket)


@router.post("/tickets/{number}/transitions", response={200: TicketDetailOut, **ERRORS})
def transition(request: AuthedRequest, number: str, payload: TransitionIn):
    """Move the ticket along the loop: `{"to": STATUS, ...that step's fields}`; `version` guards stale writes."""
    ticket = selectors.get_ticket_for(request.user, number)
    data = payload.model_dump(exclude_none=True)
    to, version = data.pop("to"), data.pop("version", None)
    services.transition_ticket(ticket, to=to, actor=request.user, expected_version=version, **data)
    return detail_response(request, ticket)


@router.post("/tickets/{number}/replies", response={201: TicketDetailOut, **ERRORS})
def reply(request: AuthedRequest, number: str, payload: ReplyIn):
    """A public reply (`is_public: true`) or an internal note."""
    ticket = selectors.get_ticket_for(request.user, number)
    services.add_reply(
        ticket,
        body=payload.body,
        actor=request.user,
        is_public=payload.is_public,
        proposes_plan=payload.proposes_plan,
    )
    return Status(201, detail_response(request, ticket))


@router.post("/tickets/{number}/progress", response={201: TicketDetailOut, **ERRORS})
def progress(request: AuthedRequest, number: str, payload: ProgressIn):
    ticket = selectors.get_ticket_for(request.user, number)
    services.add_progress_update(ticket, body=payload.body, actor=request.user, next_step=payload.next_step)
    return Status(201, detail_response(request, ticket))


@router.post("/tickets/{number}/satisfaction", response={201: TicketDetailOut, **ERRORS})
def satisfaction(request: AuthedRequest, number: str, payload: SatisfactionIn):
    """Record the callback verdict; a score of 2 or less reopens the ticket."""
    ticket = selectors.get_ticket_for(request.user, number)
    services.record_satisfaction(ticket, actor=request.user, **payload.model_dump())
    return Status(201, detail_response(request, ticket))


@router.post("/tickets/{number}/priority", response={200: TicketDetailOut, **ERRORS})
def change_priority(request: AuthedRequest, number: str, payload: PriorityIn):
    """Re-prioritise; the SLA clocks are recomputed from their original start."""
    ticket = selectors.get_ticket_for(request.user, number)
    services.change_priority(
        ticket, priority=payload.priority, reason=payload.reason, actor=request.user, expected_version=payload.version
    )
    return detail_response(request, ticket)
