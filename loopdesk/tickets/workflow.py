"""The closed loop as a state machine: statuses, allowed transitions and who may perform them. Pure."""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(enum.StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    NOTIFIED = "notified"
    CLOSED = "closed"
    REOPENED = "reopened"


STATUS_LABELS = {
    Status.NEW: _("Registered"),
    Status.TRIAGED: _("Classified"),
    Status.ASSIGNED: _("Assigned"),
    Status.ACCEPTED: _("Accepted"),
    Status.IN_PROGRESS: _("In progress"),
    Status.WAITING_CUSTOMER: _("Waiting on customer"),
    Status.RESOLVED: _("Resolved"),
    Status.NOTIFIED: _("Customer notified"),
    Status.CLOSED: _("Closed"),
    Status.REOPENED: _("Reopened"),
}

OPEN_STATUSES = frozenset(Status) - {Status.CLOSED}


@dataclass(frozen=True)
class Transition:
    """Moving a ticket to `to`: from which statuses, by whom, and with which input fields required."""

    to: Status
    sources: frozenset[Status]
    label: str | Promise
    permission: str | None = None  # a holder may perform it on any ticket it can see
    owner_may: bool = False  # the ticket's owner may perform it without the permission
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


_WORK = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.REOPENED})

TRANSITIONS: dict[Status, Transition] = {
    t.to: t
    for t in [
        Transition(
            Status.TRIAGED,
            frozenset({Status.NEW}),
            _("Classify"),
            "tickets.triage_ticket",
            required=("category", "priority"),
            optional=("tags", "involves_staff", "is_major_complaint"),
        ),
        Transition(
            Status.ASSIGNED,
            frozenset({Status.NEW, Status.TRIAGED, Status.ASSIGNED}) | _WORK,
            _("Assign"),
            "tickets.assign_ticket",
            required=("owner",),
            optional=("department", "category", "priority", "note"),
        ),
        Transition(
            Status.ACCEPTED,
            frozenset({Status.ASSIGNED}),
            _("Accept"),
            "tickets.work_any_ticket",
            owner_may=True,
        ),
        Transition(
            Status.IN_PROGRESS,
            frozenset({Status.ACCEPTED, Status.WAITING_CUSTOMER, Status.REOPENED}),
            _("Start work"),
            "tickets.work_any_ticket",
            owner_may=True,
            optional=("note",),
        ),
        Transition(
            Status.WAITING_CUSTOMER,
            frozenset({Status.IN_PROGRESS}),
            _("Wait for customer"),
            "tickets.work_any_ticket",
            owner_may=True,
            required=("note",),
        ),
        Transition(
            Status.RESOLVED,
            frozenset({Status.IN_PROGRESS, Status.WAITING_CUSTOMER}),
            _("Resolve"),
            "tickets.work_any_ticket",
            owner_may=True,
            required=("root_cause", "solution", "result"),
        ),
        Transition(
            Status.NOTIFIED,
            frozenset({Status.RESOLVED}),
            _("Customer notified"),
            "tickets.notify_customer",
            owner_may=True,
            required=("message",),
            optional=("method",),
        ),
        Transition(
            Status.CLOSED,
            frozenset({Status.NOTIFIED}),
            _("Close"),
            "tickets.close_ticket",
            optional=("reason",),
        ),
        Transition(
            Status.REOPENED,
            frozenset({Status.RESOLVED, Status.NOTIFIED, Status.CLOSED}),
            _("Reopen (second processing)"),
            "tickets.reopen_ticket",
            required=("reason",),
            optional=("owner",),
        ),
    ]
}


def transition_to(target: str) -> Transition | None:
    """The transition into `target`, or None when `target` is not a status one can move to."""
    try:
        return TRANSITIONS.get(Status(target))
    except ValueError:
        return None


def is_allowed_from(transition: Transition, status: str, *, is_archived: bool) -> bool:
    """Archived tickets are read-only; otherwise the source status decides."""
    return not is_archived and Status(status) in transition.sources


def may_perform(transition: Transition, *, is_owner: bool, permissions: Collection[str]) -> bool:
    """The owner may do owner steps; anyone else needs the transition's permission."""
    if transition.owner_may and is_owner:
        return True
    return transition.permission is not None and transition.permission in permissions


def available_transitions(
    status: str, *, is_archived: bool, is_owner: bool, permissions: Collection[str]
) -> list[Transition]:
    """Transitions this user may perform now, in loop order (one button each on the ticket page)."""
    return [
        t
        for t in TRANSITIONS.values()
        if is_allowed_from(t, status, is_archived=is_archived)
        and may_perform(t, is_owner=is_owner, permissions=permissions)
    ]


def missing_fields(transition: Transition, supplied: dict[str, object]) -> list[str]:
    """Required input fields that are absent or blank."""
    return [f for f in transition.required if supplied.get(f) in (None, "", [], ())]


ARRIVAL_STATUSES = frozenset(Status) - {Status.NEW, Status.CLOSED}  # an engineer can be sent on site


def may_record_arrival(status: str, *, is_archived: bool, is_owner: bool, permissions: Collection[str]) -> bool:
    """The owner (or someone who works any ticket) records the on-site arrival of an open, assigned ticket."""
    return (
        not is_archived
        and Status(status) in ARRIVAL_STATUSES
        and (is_owner or "tickets.work_any_ticket" in permissions)
    )


def may_change_priority(status: str, *, is_archived: bool, permissions: Collection[str]) -> bool:
    """Whoever classifies tickets may re-prioritise an open one."""
    return not is_archived and Status(status) in OPEN_STATUSES and "tickets.triage_ticket" in permissions


SATISFACTION_STATUSES = frozenset({Status.RESOLVED, Status.NOTIFIED, Status.CLOSED})


def may_record_satisfaction(status: str, *, is_archived: bool, permissions: Collection[str]) -> bool:
    """A callback's verdict is recorded once the ticket is resolved, until it is archived."""
    return not is_archived and Status(status) in SATISFACTION_STATUSES and "tickets.record_satisfaction" in permissions


def raised_rank(current_rank: int, ranks: Sequence[int]) -> int:
    """One level more urgent (lower rank number) among `ranks`; the most urgent stays where it is."""
    higher = [r for r in ranks if r < current_rank]
    return max(higher) if higher else current_rank


def is_unsatisfied(score: int, threshold: int = 2) -> bool:
    """A satisfaction score at or below the threshold reopens the ticket."""
    return score <= threshold


def may_decline(status: str, *, is_archived: bool, is_owner: bool) -> bool:
    """Only the new owner, before accepting, may hand a ticket back to the queue."""
    return not is_archived and is_owner and Status(status) == Status.ASSIGNED


def may_escalate(status: str, *, is_archived: bool, is_owner: bool, permissions: Collection[str]) -> bool:
    """The owner (or whoever works any ticket) may hand an open ticket up the line."""
    return (
        not is_archived and Status(status) in OPEN_STATUSES and (is_owner or "tickets.work_any_ticket" in permissions)
    )


def may_approve(approval_role: str, *, is_approved: bool, is_archived: bool, roles: Collection[str]) -> bool:
    """A holder of the role a routing rule named signs the handling off, once."""
    return bool(approval_role) and not is_approved and not is_archived and approval_role in roles
