"""Routing and assignment use-cases: route a ticket, assign by strategy within caps, decline, escalate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loopdesk.accounts.models import Department, User
from loopdesk.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.notifications.services import enqueue_notification
from loopdesk.routing import assignment, rules
from loopdesk.routing.models import AckLapseAction, AcknowledgementLapse, DepartmentRouting, MemberProfile
from loopdesk.routing.rules import Strategy, Trigger
from loopdesk.routing.selectors import (
    active_rules,
    candidates,
    default_queue,
    members,
    open_work,
    positions,
    priority_weights,
    routing_of,
    ticket_facts,
    value_labels,
)
from loopdesk.sla.clocks import Milestone, State
from loopdesk.sla.models import SlaClock
from loopdesk.tickets.events import record_event, save_and_record
from loopdesk.tickets.models import Priority, Tag, Ticket, TicketEvent
from loopdesk.tickets.workflow import Status, may_decline, may_escalate, raised_rank

ESCALATION_ROLES = ("senior_agent", "supervisor", "tech_lead", "aftersales_manager", "service_director")
ASSIGNABLE_FROM = frozenset({Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.REOPENED})


# --- capacity ------------------------------------------------------------------------------------------


def _locked_profile(user: User) -> MemberProfile:
    MemberProfile.objects.get_or_create(user=user)
    return MemberProfile.objects.select_for_update().get(user=user)


def ensure_capacity(user: User, *, ticket: Ticket) -> MemberProfile:
    """Lock the member's profile and refuse when one more ticket would exceed their cap."""
    profile = _locked_profile(user)
    cap = profile.cap
    if cap is None and user.department_id is not None:
        cap = (
            DepartmentRouting.objects.filter(department_id=user.department_id)
            .values_list("default_cap", flat=True)
            .first()
        )
    if cap is None or ticket.owner_id == user.pk:
        return profile
    count, _load = open_work([user.pk]).get(user.pk, (0, 0))
    if count >= cap:
        raise Conflict(
            _("%(user)s already has %(count)d open tickets (cap %(cap)d).")
            % {"user": user, "count": count, "cap": cap},
            fields={"owner": _("This member is at their cap.")},
        )
    return profile


# --- assigning -----------------------------------------------------------------------------------------


def _assign(ticket: Ticket, owner: User, department: Department | None, *, actor: User | None, **data: Any) -> None:
    ticket.owner, ticket.owner_department = owner, department or owner.department
    ticket.assigned_at, ticket.accepted_at = timezone.now(), None
    save_and_record(
        ticket,
        TicketEvent.Kind.ASSIGNED,
        actor=actor,
        to_status=Status.ASSIGNED,
        owner=owner.username,
        department=ticket.owner_department.code if ticket.owner_department else "",
        automatic=actor is None,
        **data,
    )
    _notify(
        owner,
        ticket,
        kind="routing.assigned",
        subject=_("Ticket %(number)s was assigned to you; please acknowledge it") % {"number": ticket.number},
        key=f"assigned:{ticket.pk}:{ticket.version}",
    )


def assign_by_strategy(
    ticket: Ticket,
    department: Department,
    *,
    strategy: str = "",
    member_role: str = "",
    exclude: set[int] | None = None,
    actor: User | None = None,
    now: dt.datetime | None = None,
    first_assignment: bool = False,
    **data: Any,
) -> User | None:
    """Pick a member by strategy under the department's lock and assign; None leaves it in the queue.

    The members are read before the lock: a look without it that finds nobody with room (all away, at their
    caps, or a manual department) leaves the ticket in the queue without waiting for the lock, which would
    serialise every ticket of a department whose members are all full, as in a surge. Under the lock only what
    assignments change is read again: open work and round-robin positions. A member freed by a transaction
    that commits meanwhile gets queued tickets from `assign_queued_tickets` within a minute.

    `first_assignment`: the ticket was created in this call, so it has no earlier owner to look up."""
    now = now or timezone.now()
    exclude = set(exclude or ())
    users = {u.pk: u for u in members(department, role=member_role)}
    previous = ticket.owner_id if ticket.owner_id or first_assignment else _previous_owner(ticket)
    category = ticket.category.code if ticket.category else ""
    product = " ".join(p for p in (ticket.asset.product_name, ticket.asset.model) if p) if ticket.asset else ""
    people, weights = list(users.values()), priority_weights()

    def choose(setting: DepartmentRouting, moved: dict[int, float] | None = None) -> assignment.Pick:
        pool = candidates(people, default_cap=setting.default_cap, now=now, positions=moved, weights=weights)
        return assignment.choose_owner(
            strategy or setting.strategy,
            pool,
            exclude=exclude,
            category=category,
            product=product,
            previous_owner=previous,
        )

    unlocked = routing_of(department)
    if choose(unlocked).user_id is None:
        return None
    setting = DepartmentRouting.objects.select_for_update().get(pk=unlocked.pk)
    strategy, moved = strategy or setting.strategy, positions(people)
    while True:
        pick = choose(setting, moved)
        if pick.user_id is None:
            return None
        owner = users[pick.user_id]
        try:
            profile = ensure_capacity(owner, ticket=ticket)
        except Conflict:  # a manual assignment filled them up meanwhile
            exclude.add(owner.pk)
            continue
        break
    setting.assignments_made = F("assignments_made") + 1
    setting.save(update_fields=["assignments_made"])
    setting.refresh_from_db(fields=["assignments_made"])
    profile.last_assigned_seq, profile.last_assigned_at = setting.assignments_made, now
    profile.save(update_fields=["last_assigned_seq", "last_assigned_at"])
    _assign(ticket, owner, department, actor=actor, strategy=strategy, picked_by=pick.reason, **data)
    return owner


def _previous_owner(ticket: Ticket) -> int | None:
    usernames = [
        e.data.get("owner")
        for e in ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).order_by("-created_at", "-id")[:5]
    ]
    username = next((u for u in usernames if u), None)
    return User.objects.filter(username=username).values_list("pk", flat=True).first() if username else None


def _routed_role(ticket: Ticket) -> str:
    """The member role the last routing asked for (e.g. engineers only), reused when reassigning."""
    routed = ticket.events.filter(kind=TicketEvent.Kind.ROUTED).order_by("-id").values_list("data", flat=True).first()
    return (routed or {}).get("member_role", "")


def _decliners(ticket: Ticket) -> set[int]:
    return set(
        ticket.events.filter(kind=TicketEvent.Kind.DECLINED, actor__isnull=False).values_list("actor_id", flat=True)
    )


# --- routing -------------------------------------------------------------------------------------------


def route_ticket(
    ticket: Ticket, *, trigger: str, actor: User | None = None, now: dt.datetime | None = None
) -> rules.Decision:
    """Apply the matching rules to a locked ticket, record why, and assign when its department is automatic."""
    now = now or timezone.now()
    decision = rules.evaluate(active_rules(), ticket_facts(ticket, trigger=trigger, now=now))
    acts = decision.actions
    department = _department(acts.department) or (
        ticket.owner_department if ticket.owner_department_id else default_queue()
    )
    changes = _apply_actions(ticket, acts, department)
    with translation.override(settings.LANGUAGE_CODE):  # the timeline is written in the site language
        # the default queue's line names no value; a rule's mostly names the ticket's own category and priority
        in_hand = (ticket.category, ticket.priority)
        labels = value_labels(rules.named_codes(decision), in_hand=in_hand) if decision.matches else {}
        explained = [
            {"id": m.rule.id, "name": m.rule.name, "reasons": [rules.describe(c, labels) for c in m.reasons]}
            for m in decision.matches
        ]
        body = rules.explain(decision, labels)
    record_event(
        ticket,
        TicketEvent.Kind.ROUTED,
        actor=actor,
        body=body,
        trigger=trigger,
        rules=explained,
        department=department.code if department else "",
        member_role=acts.member_role,
        default_queue=decision.is_default,
        **changes,
    )
    _notify_watchers(ticket, changes.get("watchers", []))
    _assign_after_routing(ticket, decision, department, trigger=trigger, actor=actor, now=now)
    return decision


def _department(code: str) -> Department | None:
    return Department.objects.filter(code=code).first() if code else None


def _apply_actions(ticket: Ticket, acts: rules.Actions, department: Department | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    changed: list[str] = []
    if department is not None and ticket.owner_department_id != department.pk and ticket.owner_id is None:
        ticket.owner_department = department
        changed.append("owner_department")
    old = ticket.priority
    if acts.priority:
        ticket.priority = Priority.objects.filter(code=acts.priority, is_active=True).first() or ticket.priority
    if acts.raise_priority and ticket.priority is not None:
        ranks = list(Priority.objects.filter(is_active=True).values_list("rank", flat=True))
        ticket.priority = Priority.objects.get(rank=raised_rank(ticket.priority.rank, ranks))
    if ticket.priority != old and ticket.priority is not None:
        changes["priority"] = {"from": old.code if old else "", "to": ticket.priority.code}
        changed.append("priority")
    if acts.approver_role and not ticket.approval_role:
        ticket.approval_role = changes["approval_role"] = acts.approver_role
        changed.append("approval_role")
    if changed:  # part of the caller's step (one user action, one version): only what routing set
        ticket.save(update_fields=[*changed, "updated_at"])
    if acts.tags:
        ticket.tags.add(*[Tag.objects.get_or_create(name=n[:40])[0] for n in acts.tags])
        changes["tags"] = list(acts.tags)
    watchers = _watchers(acts)
    if watchers:
        ticket.watchers.add(*watchers)
        changes["watchers"] = [u.username for u in watchers]
    return changes


def _watchers(acts: rules.Actions) -> list[User]:
    usernames = [w for w in acts.watchers if not w.startswith("dept:")]
    departments = [w[5:] for w in acts.watchers if w.startswith("dept:")]
    found: list[User] = []
    if usernames:
        found += User.objects.filter(is_active=True, username__in=usernames)
    if departments:
        found += User.objects.filter(is_active=True, department__code__in=departments)
    if acts.watcher_roles:
        found += User.objects.filter(is_active=True, groups__name__in=acts.watcher_roles)
    return list({u.pk: u for u in found}.values())


def _assign_after_routing(
    ticket: Ticket, decision: rules.Decision, department: Department | None, *, trigger: str, actor, now
) -> None:
    acts = decision.actions
    if ticket.category_id is None or ticket.priority_id is None or ticket.status not in ASSIGNABLE_FROM:
        return  # only classified tickets get an owner; the department queue holds the rest
    reassigning = trigger in (Trigger.REOPENED, Trigger.UNSATISFIED)
    if ticket.owner_id is not None and not (reassigning and (acts.owner or acts.strategy or acts.department)):
        return  # reopened tickets stay with their owner unless a rule says otherwise
    if acts.owner:
        owner = User.objects.filter(username=acts.owner, is_active=True).first()
        if owner is not None:
            try:
                ensure_capacity(owner, ticket=ticket)
            except Conflict:
                owner = None
            else:
                _assign(ticket, owner, department, actor=actor, strategy="rule_owner")
                return
    if department is not None:
        created = trigger == Trigger.CREATED  # a ticket created in this call: nobody declined or owned it yet
        assign_by_strategy(
            ticket,
            department,
            strategy=acts.strategy,
            member_role=acts.member_role,
            exclude=set() if created else _decliners(ticket),
            actor=actor,
            now=now,
            first_assignment=created,
        )


def _notify(user: User, ticket: Ticket, *, kind: str, subject: str, key: str, body: str = "") -> None:
    enqueue_notification(
        kind=kind,
        recipient=user,
        subject=subject,
        body=body or ticket.title,
        ticket=ticket,
        url=reverse("tickets:detail", args=[ticket.number]),
        dedupe_key=f"{kind}:{key}:{user.pk}",
    )


def _notify_watchers(ticket: Ticket, usernames: list[str]) -> None:
    if not usernames:
        return
    for user in User.objects.filter(username__in=usernames):
        _notify(
            user,
            ticket,
            kind="routing.watching",
            subject=_("You were copied on ticket %(number)s") % {"number": ticket.number},
            key=str(ticket.pk),
        )


def supervisors_of(department: Department | None) -> list[User]:
    holders = User.objects.filter(is_active=True, groups__name="supervisor")
    if department is not None and holders.filter(department=department).exists():
        holders = holders.filter(department=department)
    return list(holders.distinct().order_by("pk"))


# --- owner actions: decline, escalate --------------------------------------------------------------------


def _lock(ticket: Ticket) -> Ticket:
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("category", "priority", "asset", "customer")
        .get(pk=ticket.pk)
    )
    if locked.is_archived:
        raise IllegalTransition(_("Archived tickets are read-only."))
    return locked


@transaction.atomic
def decline_ticket(ticket: Ticket, *, reason: str, actor: User) -> Ticket:
    """The new owner declines with a reason; the ticket returns to the department queue (or the next member)."""
    ticket = _lock(ticket)
    if ticket.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner may decline a ticket."))
    if not may_decline(ticket.status, is_archived=ticket.is_archived, is_owner=True):
        raise IllegalTransition(_("Only a ticket not yet accepted can be declined."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why you decline."), fields={"reason": _("This field is required.")})
    department = ticket.owner_department
    ticket.owner, ticket.assigned_at = None, None
    save_and_record(ticket, TicketEvent.Kind.DECLINED, actor=actor, to_status=Status.TRIAGED, body=reason.strip())
    if department is None:
        return ticket
    if assign_by_strategy(ticket, department, member_role=_routed_role(ticket), exclude=_decliners(ticket)) is None:
        for user in supervisors_of(department):
            _notify(
                user,
                ticket,
                kind="routing.queued",
                subject=_("Ticket %(number)s is back in the queue: the owner declined it") % {"number": ticket.number},
                key=f"{ticket.pk}:{ticket.version}",
                body=reason.strip(),
            )
    return ticket


def _holder_for(role: str, ticket: Ticket, *, exclude: set[int]) -> User | None:
    """An active holder of the role: in the ticket's department first, the least loaded on duty."""
    holders = list(
        User.objects.filter(is_active=True, groups__name=role)
        .exclude(pk__in=exclude)
        .select_related("member_profile__calendar")
    )
    if not holders:
        return None
    local = [u for u in holders if u.department_id == ticket.owner_department_id] or holders
    pool = candidates(local, default_cap=None, now=timezone.now())
    pick = assignment.choose_owner(Strategy.LEAST_OPEN, pool)
    if pick.user_id is None:  # everyone is away: escalation still needs a person
        pick = assignment.choose_owner(
            Strategy.LEAST_OPEN, [c.__class__(**{**c.__dict__, "on_duty": True, "cap": None}) for c in pool]
        )
    return next(u for u in local if u.pk == pick.user_id)


@transaction.atomic
def escalate_ticket(ticket: Ticket, *, to_role: str, reason: str, actor: User | None, cause: str = "manual") -> Ticket:
    """Hand the ticket up to a holder of `to_role` with a reason; the previous owner keeps watching."""
    if to_role not in ESCALATION_ROLES:
        raise ValidationFailed(_("Unknown escalation target."), fields={"to_role": _("Choose a listed role.")})
    if not (reason or "").strip():
        raise ValidationFailed(_("Give a reason for escalating."), fields={"reason": _("This field is required.")})
    ticket = _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise IllegalTransition(_("Closed tickets cannot be escalated."))
    if actor is not None and not may_escalate(
        ticket.status,
        is_archived=ticket.is_archived,
        is_owner=ticket.owner_id == actor.pk,
        permissions=actor.get_all_permissions(),
    ):
        raise PermissionDenied(_("Only the owner or a supervisor may escalate this ticket."))
    if ticket.category_id is None or ticket.priority_id is None:
        raise ValidationFailed(
            _("Classify the ticket before escalating it."),
            fields={"category": _("Required before assignment."), "priority": _("Required before assignment.")},
        )
    previous = ticket.owner
    target = _holder_for(to_role, ticket, exclude={previous.pk} if previous else set())
    if target is None:
        raise ValidationFailed(
            _("Nobody holds the role “%s”.") % to_role, fields={"to_role": _("No active holder of this role.")}
        )
    if previous is not None:
        ticket.watchers.add(previous)
    record_event(
        ticket,
        TicketEvent.Kind.ESCALATED,
        actor=actor,
        body=reason.strip(),
        to_role=to_role,
        cause=cause,
        to=target.username,
        previous_owner=previous.username if previous else "",
    )
    _assign(ticket, target, target.department or ticket.owner_department, actor=actor, escalated=True)
    return ticket


# --- acknowledgement lapses and the queue (run by the worker) ----------------------------------------------


def handle_acknowledgement_lapses(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Reassign or escalate every ticket whose owner did not acknowledge in time; once per clock cycle."""
    now = now or timezone.now()
    ids = list(
        SlaClock.objects.filter(
            milestone=Milestone.ACKNOWLEDGE,
            state=State.RUNNING,
            due_at__lte=now,
            ticket__status=Status.ASSIGNED,
            ack_lapse__isnull=True,
        ).values_list("pk", flat=True)[:limit]
    )
    return sum(_handle_lapse(clock_id, now=now) for clock_id in ids)


@transaction.atomic
def _handle_lapse(clock_id: int, *, now: dt.datetime) -> int:
    clock = SlaClock.objects.select_related("ticket").get(pk=clock_id)
    ticket = _lock(clock.ticket)
    if ticket.status != Status.ASSIGNED or ticket.owner_department is None:
        return 0
    action = routing_of(ticket.owner_department).ack_lapse_action
    try:
        with transaction.atomic():
            AcknowledgementLapse.objects.create(clock=clock, action=action, previous_owner=ticket.owner)
    except IntegrityError:
        return 0
    late = ticket.owner
    if action == AckLapseAction.REASSIGN:
        exclude = _decliners(ticket) | ({late.pk} if late else set())
        if (
            assign_by_strategy(
                ticket,
                ticket.owner_department,
                member_role=_routed_role(ticket),
                exclude=exclude,
                now=now,
                reason="ack_lapsed",
                previous_owner=late.username if late else "",
            )
            is not None
        ):
            return 1
    record_event(
        ticket,
        TicketEvent.Kind.ESCALATED,
        actor=None,
        body=_("The owner did not acknowledge in time."),
        to_role="supervisor",
        cause="ack_lapsed",
        previous_owner=late.username if late else "",
    )
    for user in supervisors_of(ticket.owner_department):
        _notify(
            user,
            ticket,
            kind="routing.ack_lapsed",
            subject=_("Ticket %(number)s was not acknowledged in time") % {"number": ticket.number},
            key=str(clock.pk),
        )
    return 1


def assign_queued_tickets(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Give classified tickets waiting in an automatic department's queue to whoever is now on duty."""
    now = now or timezone.now()
    automatic = DepartmentRouting.objects.exclude(strategy=Strategy.MANUAL).values_list("department_id", flat=True)
    ids = list(
        Ticket.objects.filter(
            owner__isnull=True,
            owner_department_id__in=list(automatic),
            status__in=(Status.NEW, Status.TRIAGED, Status.REOPENED),
            category__isnull=False,
            priority__isnull=False,
            is_archived=False,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    made = 0
    for pk in ids:
        with transaction.atomic():
            ticket = _lock(Ticket(pk=pk))
            if ticket.owner_id is None and ticket.owner_department is not None:
                made += (
                    assign_by_strategy(
                        ticket, ticket.owner_department, member_role=_routed_role(ticket), exclude=_decliners(ticket)
                    )
                    is not None
                )
    return made


def notify_second_processing(ticket: Ticket) -> None:
    """二次处理: the owner department's supervisors hear that an unsatisfied customer reopened the ticket."""
    for user in supervisors_of(ticket.owner_department):
        _notify(
            user,
            ticket,
            kind="routing.second_processing",
            subject=_("Second processing: the customer is unsatisfied with %(number)s") % {"number": ticket.number},
            key=f"{ticket.pk}:{ticket.reopen_count}",
        )
