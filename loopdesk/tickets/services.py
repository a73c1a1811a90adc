"""Write use-cases for tickets: one function per business verb, each recording a TicketEvent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.accounts.models import Department, User
from loopdesk.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.core.models import next_public_number
from loopdesk.customers.models import Asset, Customer, Order
from loopdesk.routing.rules import Trigger
from loopdesk.routing.services import ensure_capacity, notify_second_processing, route_ticket
from loopdesk.tickets import workflow
from loopdesk.tickets.events import clocks_synced_once, record_event, save_and_record
from loopdesk.tickets.models import (
    Category,
    Channel,
    CloseOutcome,
    Demand,
    Priority,
    Result,
    Satisfaction,
    Tag,
    Ticket,
    TicketEvent,
)
from loopdesk.tickets.workflow import Status

# Problem details an intake agent may record (seed forms); anything else is refused by name.
DETAIL_FIELDS = (
    "occurred_at",
    "frequency",
    "impact_scope",
    "steps",
    "error_text",
    "environment",
    "customer_tried",
    "demand",
    "demand_detail",
    "expected_timeline",
)
MAX_TAGS = 20
STATUS_EVENT = {
    Status.TRIAGED: TicketEvent.Kind.TRIAGED,
    Status.ASSIGNED: TicketEvent.Kind.ASSIGNED,
    Status.ACCEPTED: TicketEvent.Kind.ACCEPTED,
    Status.IN_PROGRESS: TicketEvent.Kind.STARTED,
    Status.WAITING_CUSTOMER: TicketEvent.Kind.WAITING,
    Status.RESOLVED: TicketEvent.Kind.RESOLVED,
    Status.NOTIFIED: TicketEvent.Kind.NOTIFIED,
    Status.CLOSED: TicketEvent.Kind.CLOSED,
    Status.REOPENED: TicketEvent.Kind.REOPENED,
}


# --- resolving plain input values -------------------------------------------------------------------


def resolve_category(code: str | None, *, field: str = "category") -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise ValidationFailed(_("Unknown category."), fields={field: _("Unknown category: %s") % code})
    return category


def resolve_priority(code: str | None, *, field: str = "priority") -> Priority | None:
    if not code:
        return None
    priority = Priority.objects.filter(code=code, is_active=True).first()
    if priority is None:
        raise ValidationFailed(_("Unknown priority."), fields={field: _("Unknown priority: %s") % code})
    return priority


def resolve_owner(username: str) -> User:
    owner = User.objects.select_related("department").filter(username=username, is_active=True).first()
    if owner is None:
        raise ValidationFailed(_("Unknown owner."), fields={"owner": _("No active user named %s.") % username})
    return owner


def resolve_department(code: str | None) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ValidationFailed(_("Unknown department."), fields={"department": _("Unknown department.")})
    return department


def tag_names(names: list[str] | str | None) -> list[str]:
    """The keywords as they will be stored (a comma-separated string or a list); refuses too many. No writes."""
    if not names:
        return []
    if isinstance(names, str):
        names = [n for part in names.replace("，", ",").split(",") if (n := part.strip())]
    cleaned = list(dict.fromkeys(n.strip()[:40] for n in names if n and n.strip()))
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(_("Too many keywords."), fields={"tags": _("At most %d keywords.") % MAX_TAGS})
    return cleaned


def resolve_tags(names: list[str] | str | None) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in tag_names(names)]


def _validate_details(details: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(details) - set(DETAIL_FIELDS))
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: _("This field is not accepted.") for f in unknown})
    if details.get("demand") and details["demand"] not in Demand.values:
        raise ValidationFailed(_("Unknown demand."), fields={"demand": _("Unknown demand.")})
    occurred = details.get("occurred_at")
    if isinstance(occurred, dt.datetime) and occurred > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(
            _("The problem cannot occur in the future."),
            fields={"occurred_at": _("This time is in the future.")},
        )
    return {k: ("" if v is None and k != "occurred_at" else v) for k, v in details.items()}


# --- creating ---------------------------------------------------------------------------------------


def open_ticket(
    *,
    actor: User | None,
    channel: str,
    title: str,
    description: str,
    customer: Customer,
    asset: Asset | None = None,
    order: Order | None = None,
    category: str | None = None,
    priority: str | None = None,
    tags: list[str] | str | None = None,
    received_at: dt.datetime | None = None,
    involves_staff: bool = False,
    is_major_complaint: bool = False,
    **details: Any,
) -> Ticket:
    """Register feedback as a new ticket with its public number and a CREATED event.

    Everything that can refuse the input is checked before the transaction starts, so a caller's transaction
    (an email being filed, an API request) needs no savepoint around this one: two round trips fewer."""
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), fields={"channel": _("Unknown channel.")})
    if not (title or "").strip():
        raise ValidationFailed(_("A title is required."), fields={"title": _("This field is required.")})
    if not (description or "").strip():
        raise ValidationFailed(_("A description is required."), fields={"description": _("This field is required.")})
    if asset is not None and asset.customer_id != customer.pk:
        raise ValidationFailed(
            _("The product belongs to another customer."), fields={"asset": _("Not this customer's.")}
        )
    if order is not None and order.customer_id != customer.pk:
        raise ValidationFailed(_("The order belongs to another customer."), fields={"order": _("Not this customer's.")})
    found_category, found_priority = resolve_category(category), resolve_priority(priority)
    names, checked_details = tag_names(tags), _validate_details(details)
    with transaction.atomic(savepoint=False), clocks_synced_once():
        now = timezone.now()
        ticket = Ticket.objects.create(
            number=next_public_number("P", now=now),
            title=title.strip(),
            description=description,
            channel=channel,
            customer=customer,
            asset=asset,
            order=order,
            category=found_category,
            priority=found_priority,
            received_at=(received_at or now).replace(second=0, microsecond=0),
            created_by=actor,
            involves_staff=bool(involves_staff),
            is_major_complaint=bool(is_major_complaint),
            **checked_details,
        )
        if names:  # a new ticket has none to replace
            ticket.tags.add(*resolve_tags(names))
        record_event(ticket, TicketEvent.Kind.CREATED, actor=actor, to_status=Status.NEW, channel=channel)
        route_ticket(ticket, trigger=Trigger.CREATED)
    return ticket


@transaction.atomic
def update_ticket_details(
    ticket: Ticket, *, actor: User, expected_version: int | None = None, **details: Any
) -> Ticket:
    """Verification (信息核实): fill in the problem details; each changed field is listed in the event."""
    ticket = _lock(ticket, expected_version)
    _ensure_writable(ticket)
    changed = {}
    for field, value in _validate_details(details).items():
        if getattr(ticket, field) != value:
            changed[field] = str(value)
            setattr(ticket, field, value)
    if changed:
        save_and_record(
            ticket,
            TicketEvent.Kind.PROGRESS_UPDATED,
            actor=actor,
            body=_("Details updated"),
            changed=sorted(changed),
        )
    return ticket


# --- transitions ------------------------------------------------------------------------------------


def _lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("The ticket was changed by someone else. Reload and try again."),
            fields={"version": locked.version},
        )
    return locked


def _ensure_writable(ticket: Ticket) -> None:
    if ticket.is_archived:
        raise IllegalTransition(_("Archived tickets are read-only."))


def _check_transition(ticket: Ticket, transition: workflow.Transition, actor: User, given: dict) -> None:
    if not workflow.is_allowed_from(transition, ticket.status, is_archived=ticket.is_archived):
        raise IllegalTransition(
            _("A ticket in status “%(status)s” cannot move to “%(target)s”.")
            % {"status": ticket.status_label, "target": workflow.STATUS_LABELS[transition.to]},
            fields={"to": transition.to.value},
        )
    if not workflow.may_perform(
        transition, is_owner=ticket.owner_id == actor.pk, permissions=actor.get_all_permissions()
    ):
        raise PermissionDenied(_("You may not perform this step on this ticket."))
    missing = workflow.missing_fields(transition, given)
    if missing:
        raise ValidationFailed(
            _("Some required fields are missing."), fields={f: _("This field is required.") for f in missing}
        )
    unknown = sorted(set(given) - set(transition.required) - set(transition.optional))
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: _("This field is not accepted.") for f in unknown})


@transaction.atomic
@clocks_synced_once()
def transition_ticket(
    ticket: Ticket, *, to: str, actor: User, expected_version: int | None = None, **given: Any
) -> Ticket:
    """Move the ticket to status `to`, applying that step's input; illegal moves raise IllegalTransition."""
    transition = workflow.transition_to(to)
    if transition is None:
        raise ValidationFailed(_("Unknown target status."), fields={"to": _("Unknown status: %s") % to})
    given = {k: v for k, v in given.items() if v not in (None, "")}
    if transition.to == Status.TRIAGED:  # classification may confirm what intake already chose
        given.setdefault("category", ticket.category.code if ticket.category else None)
        given.setdefault("priority", ticket.priority.code if ticket.priority else None)
        given = {k: v for k, v in given.items() if v is not None}
    ticket = _lock(ticket, expected_version)
    _check_transition(ticket, transition, actor, given)
    event_data = APPLY[transition.to](ticket, actor, given)
    save_and_record(
        ticket,
        STATUS_EVENT[transition.to],
        actor=actor,
        to_status=transition.to,
        body=event_data.pop("body", ""),
        is_public=event_data.pop("is_public", False),
        **event_data,
    )
    if transition.to == Status.TRIAGED and ticket.owner_id is None:
        route_ticket(ticket, trigger=Trigger.CLASSIFIED)
    elif transition.to == Status.REOPENED and "owner" not in event_data:
        route_ticket(ticket, trigger=Trigger.REOPENED)
    return ticket


def _apply_triage(ticket: Ticket, actor: User, given: dict) -> dict:
    category, priority = resolve_category(given["category"]), resolve_priority(given["priority"])
    assert category is not None and priority is not None  # required fields, checked before
    ticket.category, ticket.priority = category, priority
    if "tags" in given:
        ticket.tags.set(resolve_tags(given["tags"]))
    for flag in ("involves_staff", "is_major_complaint"):
        if flag in given:
            setattr(ticket, flag, given[flag] in (True, "true", "on", "1", 1))
    return {"category": category.code, "priority": priority.code}


def _apply_assign(ticket: Ticket, actor: User, given: dict) -> dict:
    owner = resolve_owner(given["owner"])
    department = resolve_department(given.get("department")) or owner.department
    if given.get("category"):
        ticket.category = resolve_category(given["category"])
    if given.get("priority"):
        ticket.priority = resolve_priority(given["priority"])
    if ticket.category is None or ticket.priority is None:
        raise ValidationFailed(
            _("Classify the ticket before assigning it."),
            fields={
                "category": _("Required before assignment."),
                "priority": _("Required before assignment."),
            },
        )
    ensure_capacity(owner, ticket=ticket)
    ticket.owner, ticket.owner_department = owner, department
    ticket.assigned_at, ticket.accepted_at = timezone.now(), None
    return {
        "owner": owner.username,
        "department": department.code if department else "",
        "body": given.get("note", ""),
    }


def _apply_accept(ticket: Ticket, actor: User, given: dict) -> dict:
    ticket.accepted_at = timezone.now()
    return {}


def _apply_note(ticket: Ticket, actor: User, given: dict) -> dict:
    return {"body": given.get("note", "")}


def _apply_resolve(ticket: Ticket, actor: User, given: dict) -> dict:
    if given["result"] not in Result.values:
        raise ValidationFailed(_("Unknown result."), fields={"result": _("Unknown result.")})
    ticket.root_cause, ticket.solution, ticket.result = (
        given["root_cause"],
        given["solution"],
        given["result"],
    )
    ticket.resolved_at = timezone.now()
    return {"result": ticket.result, "body": ticket.solution}


def _apply_notify(ticket: Ticket, actor: User, given: dict) -> dict:
    ticket.notified_at = timezone.now()
    return {"body": given["message"], "is_public": True, "method": given.get("method", "")}


def _apply_close(ticket: Ticket, actor: User, given: dict) -> dict:
    if ticket.approval_role and ticket.approved_at is None:
        raise ValidationFailed(
            _("This ticket needs approval by the %(role)s before it is closed.") % {"role": ticket.approval_role},
            fields={"approval": _("Approval missing.")},
        )
    answered = ticket.satisfactions.exists()
    if not answered and not given.get("reason"):
        raise ValidationFailed(
            _("Record the customer's satisfaction first, or give a reason for closing without it."),
            fields={"reason": _("Required when no satisfaction was recorded.")},
        )
    ticket.closed_at = timezone.now()
    ticket.close_outcome = CloseOutcome.CONFIRMED if answered else CloseOutcome.BY_AGENT
    return {"body": given.get("reason", ""), "outcome": ticket.close_outcome}


def _apply_reopen(ticket: Ticket, actor: User | None, given: dict) -> dict:
    data: dict[str, Any] = {"body": given["reason"]}
    if given.get("owner"):
        if actor is None or not actor.has_perm("tickets.assign_ticket"):
            raise PermissionDenied(_("Only a supervisor may change the owner when reopening."))
        owner = resolve_owner(given["owner"])
        ensure_capacity(owner, ticket=ticket)
        ticket.owner, ticket.owner_department = owner, owner.department
        data["owner"] = owner.username
    old = ticket.priority
    if old is not None:
        ranks = list(Priority.objects.filter(is_active=True).values_list("rank", flat=True))
        ticket.priority = Priority.objects.get(rank=workflow.raised_rank(old.rank, ranks))
        data["priority"] = {"from": old.code, "to": ticket.priority.code}
    ticket.reopen_count += 1
    ticket.resolved_at = ticket.notified_at = ticket.closed_at = None
    ticket.close_outcome = ""
    return data


APPLY = {
    Status.TRIAGED: _apply_triage,
    Status.ASSIGNED: _apply_assign,
    Status.ACCEPTED: _apply_accept,
    Status.IN_PROGRESS: _apply_note,
    Status.WAITING_CUSTOMER: _apply_note,
    Status.RESOLVED: _apply_resolve,
    Status.NOTIFIED: _apply_notify,
    Status.CLOSED: _apply_close,
    Status.REOPENED: _apply_reopen,
}


@transaction.atomic
def change_priority(
    ticket: Ticket, *, priority: str, reason: str, actor: User, expected_version: int | None = None
) -> Ticket:
    """Re-prioritise an open ticket; its SLA clocks are recomputed from their original start."""
    if not actor.has_perm("tickets.triage_ticket"):
        raise PermissionDenied(_("You may not change the priority."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Give a reason for the change."), fields={"reason": _("This field is required.")})
    new = resolve_priority(priority)
    ticket = _lock(ticket, expected_version)
    _ensure_writable(ticket)
    if ticket.status == Status.CLOSED:
        raise IllegalTransition(_("Closed tickets keep their priority."))
    if new is None or new.pk == ticket.priority_id:
        raise ValidationFailed(_("Choose a different priority."), fields={"priority": _("Unchanged.")})
    old = ticket.priority
    ticket.priority = new
    save_and_record(
        ticket,
        TicketEvent.Kind.PRIORITY_CHANGED,
        actor=actor,
        body=reason.strip(),
        priority={"from": old.code if old else "", "to": new.code},
    )
    return ticket


@transaction.atomic
def record_onsite_arrival(ticket: Ticket, *, actor: User, note: str = "") -> TicketEvent:
    """The engineer is on site now (上门到场); meets the on-site arrival milestone."""
    ticket = _lock(ticket, None)
    _ensure_writable(ticket)
    if ticket.status not in workflow.ARRIVAL_STATUSES:
        raise IllegalTransition(_("Record the arrival on an assigned, open ticket."))
    if not workflow.may_record_arrival(
        ticket.status, is_archived=False, is_owner=ticket.owner_id == actor.pk, permissions=actor.get_all_permissions()
    ):
        raise PermissionDenied(_("Only the owner records the arrival."))
    return record_event(ticket, TicketEvent.Kind.ONSITE_ARRIVED, actor=actor, body=note)


# --- conversation, satisfaction, archive ------------------------------------------------------------

MAX_BODY = 100_000


def _check_body(body: str) -> str:
    if not (body or "").strip():
        raise ValidationFailed(_("The text is empty."), fields={"body": _("This field is required.")})
    if len(body) > MAX_BODY:
        raise ValidationFailed(_("The text is too long."), fields={"body": _("At most %d characters.") % MAX_BODY})
    return body


@transaction.atomic
def add_reply(ticket: Ticket, *, body: str, actor: User, is_public: bool, proposes_plan: bool = False) -> TicketEvent:
    """A public reply to the customer (possibly a plan for them to confirm) or an internal note."""
    ticket = _lock(ticket, None)
    _ensure_writable(ticket)
    if not (actor.has_perm("tickets.add_reply") or ticket.owner_id == actor.pk):
        raise PermissionDenied(_("You may not write on this ticket."))
    if proposes_plan and not is_public:
        raise ValidationFailed(
            _("A plan for the customer must be a public reply."),
            fields={"proposes_plan": _("Only with a public reply.")},
        )
    kind = TicketEvent.Kind.REPLIED if is_public else TicketEvent.Kind.NOTE_ADDED
    extra: dict[str, Any] = {"plan": True} if proposes_plan else {}
    return record_event(ticket, kind, actor=actor, body=_check_body(body), is_public=is_public, **extra)


@transaction.atomic
@clocks_synced_once()
def record_customer_reply(
    ticket: Ticket, *, body: str, via: str, reopen_closed: bool, received_at: dt.datetime | None = None, **data: Any
) -> TicketEvent:
    """The customer wrote again (email, portal): a public event; waiting on them ends; a closed ticket
    reopens when the channel's policy says so, otherwise IllegalTransition tells the caller to open a new one."""
    ticket = _lock(ticket, None)
    if ticket.is_archived or (ticket.status == Status.CLOSED and not reopen_closed):
        raise IllegalTransition(_("This ticket is closed; the reply opens a new ticket."))
    if ticket.status == Status.CLOSED:
        reopened = _apply_reopen(ticket, None, {"reason": _("The customer replied after closing.")})
        save_and_record(
            ticket, TicketEvent.Kind.REOPENED, actor=None, to_status=Status.REOPENED, automatic=True,
            body=reopened.pop("body"), **reopened,
        )  # fmt: skip
        route_ticket(ticket, trigger=Trigger.REOPENED)
    event = record_event(
        ticket,
        TicketEvent.Kind.CUSTOMER_REPLIED,
        actor=None,
        body=_check_body(body),
        is_public=True,
        via=via,
        received_at=(received_at or timezone.now()).isoformat(),
        **data,
    )
    if ticket.status == Status.WAITING_CUSTOMER:
        save_and_record(ticket, TicketEvent.Kind.STARTED, actor=None, to_status=Status.IN_PROGRESS, automatic=True)
    return event


@transaction.atomic
def add_progress_update(ticket: Ticket, *, body: str, actor: User, next_step: str = "") -> TicketEvent:
    """The daily progress update (进度更新) while the ticket is open."""
    ticket = _lock(ticket, None)
    _ensure_writable(ticket)
    if ticket.status == Status.CLOSED:
        raise IllegalTransition(_("Closed tickets take no progress updates."))
    if not (ticket.owner_id == actor.pk or actor.has_perm("tickets.work_any_ticket")):
        raise PermissionDenied(_("Only the owner records progress."))
    return record_event(
        ticket, TicketEvent.Kind.PROGRESS_UPDATED, actor=actor, body=_check_body(body), next_step=next_step
    )


SATISFACTION_STATUSES = workflow.SATISFACTION_STATUSES


def _score(value: Any, field: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed(_("A score is required."), fields={field: _("This field is required.")})
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or not str(value).isdigit()
        or not 1 <= int(value) <= 5
    ):
        raise ValidationFailed(_("Scores are whole numbers from 1 to 5."), fields={field: _("Enter 1 to 5.")})
    return int(value)


@transaction.atomic
def record_satisfaction(
    ticket: Ticket,
    *,
    actor: User,
    score: Any,
    timeliness: Any = None,
    attitude: Any = None,
    effectiveness: Any = None,
    comment: str = "",
) -> Satisfaction:
    """Record the callback verdict; a score of 2 or less reopens the ticket (二次处理) automatically."""
    if not actor.has_perm("tickets.record_satisfaction"):
        raise PermissionDenied(_("You may not record satisfaction."))
    ticket = _lock(ticket, None)
    satisfaction = save_satisfaction(
        ticket,
        actor=actor,
        score=score,
        timeliness=timeliness,
        attitude=attitude,
        effectiveness=effectiveness,
        comment=comment,
    )
    if workflow.is_unsatisfied(satisfaction.score):
        reopen_unsatisfied(ticket, actor=actor, reason=_("Customer unsatisfied (score %d)") % satisfaction.score)
    return satisfaction


def save_satisfaction(
    ticket: Ticket,
    *,
    actor: User | None,
    score: Any,
    timeliness: Any = None,
    attitude: Any = None,
    effectiveness: Any = None,
    comment: str = "",
    is_solved: bool | None = None,
    via: str = "agent",
) -> Satisfaction:
    """Validate and store one verdict on a locked ticket after resolution, on the timeline; never reopens."""
    _ensure_writable(ticket)
    if ticket.status not in SATISFACTION_STATUSES:
        raise IllegalTransition(_("Satisfaction is recorded after the ticket is resolved."))
    if len(comment or "") > 2000:
        raise ValidationFailed(_("The comment is too long."), fields={"comment": _("At most 2000 characters.")})
    satisfaction = Satisfaction.objects.create(
        ticket=ticket,
        score=_score(score, "score", required=True) or 0,
        timeliness=_score(timeliness, "timeliness", required=False),
        attitude=_score(attitude, "attitude", required=False),
        effectiveness=_score(effectiveness, "effectiveness", required=False),
        comment=comment or "",
        is_solved=is_solved,
        via=via,
        cycle=ticket.reopen_count,
        recorded_by=actor,
    )
    extra: dict[str, Any] = {} if via == "agent" else {"solved": is_solved, "via": via}
    record_event(
        ticket,
        TicketEvent.Kind.SATISFACTION_RECORDED,
        actor=actor,
        body=comment or "",
        score=satisfaction.score,
        timeliness=satisfaction.timeliness,
        attitude=satisfaction.attitude,
        effectiveness=satisfaction.effectiveness,
        **extra,
    )
    return satisfaction


def reopen_unsatisfied(ticket: Ticket, *, actor: User | None, reason: str) -> None:
    """Second processing (二次处理) of a locked ticket: priority up one level, owner by rule, supervisor told."""
    data = _apply_reopen(ticket, actor, {"reason": reason})
    save_and_record(
        ticket,
        TicketEvent.Kind.REOPENED,
        actor=actor,
        to_status=Status.REOPENED,
        body=data.pop("body"),
        automatic=True,
        **data,
    )
    route_ticket(ticket, trigger=Trigger.UNSATISFIED)
    notify_second_processing(ticket)


def close_confirmed_or_silent(ticket: Ticket, *, outcome: str, reason: str, actor: User | None = None) -> bool:
    """Close a locked, resolved ticket on the customer's verdict or silence; False while approval is missing."""
    _ensure_writable(ticket)
    if ticket.status not in {Status.RESOLVED, Status.NOTIFIED}:
        raise IllegalTransition(_("Only a resolved ticket can be closed on the customer's answer."))
    if ticket.approval_role and ticket.approved_at is None:
        return False
    ticket.closed_at, ticket.close_outcome = timezone.now(), outcome
    save_and_record(
        ticket,
        TicketEvent.Kind.CLOSED,
        actor=actor,
        to_status=Status.CLOSED,
        body=reason,
        outcome=outcome,
        automatic=True,
    )
    return True


def archive_closed_ticket(ticket: Ticket) -> bool:
    """Archive a locked, closed ticket automatically (the configured delay after the loop closed)."""
    if ticket.status != Status.CLOSED or ticket.is_archived:
        return False
    ticket.is_archived, ticket.archived_at = True, timezone.now()
    save_and_record(ticket, TicketEvent.Kind.ARCHIVED, actor=None, automatic=True)
    return True


def lock_ticket(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock, for services in other apps that change it."""
    return _lock(ticket, None)


@transaction.atomic
def archive_ticket(ticket: Ticket, *, actor: User) -> Ticket:
    """Archive a closed ticket (归档): it stays readable and becomes read-only."""
    if not actor.has_perm("tickets.archive_ticket"):
        raise PermissionDenied(_("You may not archive tickets."))
    ticket = _lock(ticket, None)
    if ticket.status != Status.CLOSED or ticket.is_archived:
        raise IllegalTransition(_("Only closed tickets that are not archived yet can be archived."))
    ticket.is_archived, ticket.archived_at = True, timezone.now()
    save_and_record(ticket, TicketEvent.Kind.ARCHIVED, actor=actor)
    return ticket


@transaction.atomic
def approve_ticket(ticket: Ticket, *, actor: User, note: str = "") -> Ticket:
    """The second approver a routing rule required (e.g. the service director) signs the handling off."""
    ticket = _lock(ticket, None)
    _ensure_writable(ticket)
    if not ticket.approval_role:
        raise IllegalTransition(_("This ticket needs no approval."))
    if ticket.approved_at is not None:
        raise IllegalTransition(_("This ticket is already approved."))
    if not (actor.is_superuser or actor.groups.filter(name=ticket.approval_role).exists()):
        raise PermissionDenied(_("Only the %(role)s may approve this ticket.") % {"role": ticket.approval_role})
    ticket.approved_by, ticket.approved_at = actor, timezone.now()
    save_and_record(ticket, TicketEvent.Kind.APPROVED, actor=actor, body=note.strip(), role=ticket.approval_role)
    return ticket
