"""Reads for routing: ticket facts, the compiled active rules, members as candidates, and the workload view."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from loopdesk.accounts.models import Department, User
from loopdesk.core import statements
from loopdesk.customers.models import Customer
from loopdesk.routing import assignment, rules
from loopdesk.routing.assignment import Candidate
from loopdesk.routing.models import DepartmentRouting, MemberProfile, OpenWork, RoutingRule, RulesetVersion
from loopdesk.sla import calendar_data
from loopdesk.sla.calendars import CalendarGap
from loopdesk.sla.models import BusinessCalendar
from loopdesk.tickets import querysets
from loopdesk.tickets.models import Category, Channel, Priority, Ticket

# Work a member is carrying: assigned to them and not yet resolved (the triggers of open_work.py count the same).
WORK_STATUSES = querysets.WORK_STATUSES
OPEN_ROWS, WORK_ROWS = querysets.OPEN_ROWS, querysets.WORK_ROWS


def ticket_facts(ticket: Ticket, *, trigger: str, now: dt.datetime | None = None) -> rules.LazyFacts:
    """The plain facts routing conditions look at; tags and business hours are read only if a rule asks."""
    asset = ticket.asset
    received = timezone.localtime(ticket.received_at)
    values = {
        "trigger": trigger,
        "category": ticket.category.code if ticket.category else "",
        "priority": ticket.priority.code if ticket.priority else "",
        "channel": ticket.channel,
        "customer_tier": ticket.customer.tier,
        "customer_industry": ticket.customer.industry,
        "weekday": str(received.isoweekday()),
        "product": asset.product_name if asset else "",
        "model": asset.model if asset else "",
        "text": f"{ticket.title}\n{ticket.description}",
        "time_of_day": received.hour * 60 + received.minute,
        "involves_staff": ticket.involves_staff,
        "is_major_complaint": ticket.is_major_complaint,
        "is_reopened": ticket.reopen_count > 0,
    }
    lazy = {
        "tags": lambda: [t.name for t in ticket.tags.all()] if ticket.pk else [],
        "in_business_hours": lambda: in_business_hours(received),
    }
    return rules.LazyFacts(values, lazy)


def in_business_hours(moment: dt.datetime) -> bool:
    """Within the default working calendar (weekday hours, holidays and 调休 make-up days)."""
    calendar = BusinessCalendar.objects.filter(is_24x7=False).order_by("pk").first()
    if calendar is None:
        return True
    try:
        return calendar_data.compiled(calendar).is_working(moment)
    except CalendarGap:
        return moment.isoweekday() <= 5


def known_values() -> dict[str, list[str]]:
    """Codes a choice condition may name; anything else is refused when a rule is saved."""
    return {
        "trigger": [t.value for t in rules.Trigger],
        "category": list(Category.objects.values_list("code", flat=True)),
        "priority": list(Priority.objects.values_list("code", flat=True)),
        "channel": list(Channel.values),
        "customer_tier": list(Customer.Tier.values),
        "weekday": [str(d) for d in range(1, 8)],
    }


def value_labels(
    codes: Mapping[str, set[str]] | None = None, *, in_hand: Iterable[Category | Priority | None] = ()
) -> dict[str, dict[str, str]]:
    """Display names for codes, so explanations read "category = 硬件故障": every category's and priority's, or
    those of `codes` (field → codes, from rules.named_codes), read only if not among the objects `in_hand`."""
    found: dict[str, dict[str, str]] = {"category": {}, "priority": {}}
    for obj in in_hand:
        if obj is not None:
            found[_LABELLED[type(obj)]][obj.code] = _label(obj)
    for model, field in _LABELLED.items():
        missing = None if codes is None else set(codes.get(field, ())) - set(found[field])
        if missing != set():
            rows = model.objects.all() if missing is None else model.objects.filter(code__in=missing)
            found[field].update((obj.code, _label(obj)) for obj in rows)
    return found | {
        "channel": {k: str(v) for k, v in Channel.choices},
        "customer_tier": {k: str(v) for k, v in Customer.Tier.choices},
        "trigger": {t.value: t.value for t in rules.Trigger},
    }


_LABELLED: dict[type[Category] | type[Priority], str] = {Category: "category", Priority: "priority"}


def _label(obj: Category | Priority) -> str:
    return f"{obj.code} {obj.label}" if isinstance(obj, Priority) else obj.label


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for part in value.replace("，", ",").split(",") if (v := part.strip()))


def rule_value(rule: RoutingRule, conditions: Iterable[Any] | None = None) -> rules.Rule:
    """A stored rule as a plain value; `conditions` lets a form check unsaved conditions."""
    conditions = rule.conditions.all() if conditions is None else conditions
    watchers = tuple(u.username for u in rule.watchers.all()) if rule.pk else ()
    departments = tuple(f"dept:{d.code}" for d in rule.watcher_departments.all()) if rule.pk else ()
    return rules.Rule(
        id=rule.pk or 0,
        name=rule.name,
        position=rule.position,
        conditions=tuple(rules.Condition(c.field, c.op, c.value) for c in conditions),
        match_all=rule.match_all,
        continues=rule.continues,
        continue_at=rule.continue_at_id,
        actions=rules.Actions(
            department=rule.set_department.code if rule.set_department is not None else "",
            owner=rule.set_owner.username if rule.set_owner is not None else "",
            strategy=rule.strategy,
            member_role=rule.member_role,
            priority=rule.set_priority.code if rule.set_priority is not None else "",
            raise_priority=rule.raise_priority,
            tags=_split(rule.add_tags),
            watchers=watchers + departments,
            watcher_roles=_split(rule.watcher_roles),
            approver_role=rule.approver_role,
        ),
    )


def stored_rules(*, include_inactive: bool = False) -> list[rules.Rule]:
    queryset = RoutingRule.objects.select_related("set_department", "set_owner", "set_priority").prefetch_related(
        "conditions", "watchers", "watcher_departments"
    )
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return [rule_value(r) for r in queryset]


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def active_rules() -> list[rules.Rule]:
    """The live rule set, compiled once per process and rule-set version (one small query otherwise)."""
    token = RulesetVersion.objects.values_list("token", flat=True).first()
    with _cache_lock:
        if token is not None and _cache.get("token") == token:
            return _cache["rules"]
    compiled = stored_rules()
    with _cache_lock:
        _cache.update(token=token, rules=compiled)
    return compiled


def default_queue() -> Department | None:
    """The department marked as the default queue, else the first one (read on every routing: built once)."""
    found = statements.instances(Department, _default_queue_statement(connection.vendor))
    return found[0] if found else Department.objects.order_by("pk").first()


@functools.cache
def _default_queue_statement(vendor: str) -> tuple[str, tuple]:
    return Department.objects.filter(routing__is_default_queue=True)[:1].query.sql_with_params()


def routing_of(department: Department) -> DepartmentRouting:
    return DepartmentRouting.objects.get_or_create(department=department)[0]


# --- members as candidates ------------------------------------------------------------------------------


def priority_weights() -> dict[int, int]:
    """Each priority's workload weight by id."""
    return dict(Priority.objects.values_list("pk", "workload_weight"))


def open_work(user_ids: Iterable[int], *, weights: dict[int, int] | None = None) -> dict[int, tuple[int, int]]:
    """(open tickets, weighted load) per owner, from the counts the ticket table's triggers keep (open_work.py):
    a few rows per member, whatever the number of tickets. A ticket without a priority counts, without weight.

    `weights`: `priority_weights()` when the caller has them already."""
    weights = priority_weights() if weights is None else weights
    found: dict[int, tuple[int, int]] = {}
    for owner_id, priority_key, n in _open_work_rows(user_ids):
        count, load = found.get(owner_id, (0, 0))
        found[owner_id] = (count + n, load + n * weights.get(priority_key, 0))
    return {owner: (count, load or count) for owner, (count, load) in found.items()}


def _open_work_rows(user_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """(owner, priority id or 0, tickets) for these owners' work in hand, as the triggers count it."""
    rows = OpenWork.objects.filter(owner_id__in=list(user_ids), n__gt=0)
    return list(rows.values_list("owner_id", "priority_key", "n"))


def is_on_duty(profile: MemberProfile | None, now: dt.datetime) -> bool:
    """Not marked away, and within the member's working calendar when they have one."""
    if profile is None:
        return True
    if profile.is_away_at(now):
        return False
    if profile.calendar is None:
        return True
    try:
        return calendar_data.compiled(profile.calendar).is_working(now)
    except CalendarGap:
        return True


def members(department: Department, *, role: str = "") -> list[User]:
    queryset = User.objects.filter(department=department, is_active=True)
    if role:
        queryset = queryset.filter(groups__name=role)
    return list(queryset.select_related("member_profile__calendar").prefetch_related("member_profile__categories"))


def positions(users: list[User]) -> dict[int, float]:
    """The members' round-robin positions as they are now (read again under the department's lock: the last
    assignment moved them, and may have given a member their first profile)."""
    rows = MemberProfile.objects.filter(user_id__in=[u.pk for u in users]).values_list("user_id", "last_assigned_seq")
    return {user_id: float(seq) for user_id, seq in rows}


def _profile(user: User) -> MemberProfile | None:
    try:
        return user.member_profile
    except MemberProfile.DoesNotExist:
        return None


def candidates(
    users: list[User],
    *,
    default_cap: int | None,
    now: dt.datetime,
    positions: dict[int, float] | None = None,
    weights: dict[int, int] | None = None,
) -> list[Candidate]:
    """Members as the pure assigner sees them: duty, open work, cap, round-robin position and skills.

    `positions` (from `positions()`) replaces the round-robin positions the profiles were read with; `weights`
    are `priority_weights()` when the caller has them."""
    work = open_work((u.pk for u in users), weights=weights)
    result = []
    for user in users:
        profile = _profile(user)
        count, load = work.get(user.pk, (0, 0))
        if positions is not None:
            position = positions.get(user.pk)
        else:
            position = float(profile.last_assigned_seq) if profile else None
        result.append(
            Candidate(
                user_id=user.pk,
                on_duty=is_on_duty(profile, now),
                open_count=count,
                load=load,
                cap=(profile.cap if profile and profile.cap is not None else default_cap),
                last_assigned=position,
                categories=frozenset(c.code for c in profile.categories.all()) if profile else frozenset(),
                products=frozenset(profile.product_list) if profile else frozenset(),
            )
        )
    return result


@dataclass(frozen=True)
class MemberLoad:
    user: User
    on_duty: bool
    is_away: bool
    cap: int | None
    open_count: int
    by_priority: dict[str, int]
    oldest_waiting: dt.datetime | None


def workload(department: Department, *, now: dt.datetime | None = None) -> list[MemberLoad]:
    """The supervisor's view of one department: each member's duty, open work by priority, cap, oldest wait.

    The counts come from the trigger-kept open work, the oldest assignment from one index probe per member: a
    few rows whatever the number of tickets (counting the tickets took 26 ms warm, 127 ms cold at 1,000,000)."""
    now = now or timezone.now()
    users = members(department)
    setting = routing_of(department)
    ids = [u.pk for u in users]
    codes = dict(Priority.objects.values_list("pk", "code"))
    counts: dict[int, dict[str, int]] = {}
    for owner_id, priority_key, n in _open_work_rows(ids):
        by_priority = counts.setdefault(owner_id, {})
        code = codes.get(priority_key, "-")
        by_priority[code] = by_priority.get(code, 0) + n
    first = oldest_assignment(OuterRef("pk"))
    oldest = dict(User.objects.filter(pk__in=ids).annotate(oldest=first).values_list("pk", "oldest"))
    result = []
    for user in users:
        profile = _profile(user)
        by_priority = counts.get(user.pk, {})
        result.append(
            MemberLoad(
                user=user,
                on_duty=is_on_duty(profile, now),
                is_away=bool(profile and profile.is_away_at(now)),
                cap=profile.cap if profile and profile.cap is not None else setting.default_cap,
                open_count=sum(by_priority.values()),
                by_priority=by_priority,
                oldest_waiting=oldest.get(user.pk),
            )
        )
    return result


def oldest_assignment(owner) -> Subquery:
    """When the owner's longest-held open work was assigned: one probe of the partial index."""
    rows = Ticket.objects.filter(WORK_ROWS, owner=owner, assigned_at__isnull=False).order_by("assigned_at")
    return Subquery(rows.values("assigned_at")[:1])


def department_queue(department: Department) -> list[Ticket]:
    """Tickets of the department nobody owns yet, oldest first."""
    return list(
        Ticket.objects.filter(OPEN_ROWS, owner_department=department, owner__isnull=True)
        .select_related("category", "priority", "customer")
        .order_by("received_at")[:200]
    )


def waiting_tickets(department: Department) -> list[Ticket]:
    """Open work owned by the department's members, oldest assignment first (for one-click reassignment)."""
    return list(
        Ticket.objects.filter(WORK_ROWS, owner_department=department)
        .select_related("owner", "priority", "category")
        .order_by("assigned_at")[:200]
    )


@dataclass(frozen=True)
class DryRun:
    decision: rules.Decision
    explanation: str
    department: Department | None
    strategy: str
    would_assign_to: User | None
    assignment_reason: str
    priority: str


def dry_run(draft: dict[str, Any], *, include_inactive: bool = False, now: dt.datetime | None = None) -> DryRun:
    """Which rule a draft ticket would match, what it would do and who would get it; writes nothing."""
    now = now or timezone.now()
    received = draft.get("received_at") or now
    facts = {
        "trigger": draft.get("trigger") or rules.Trigger.CREATED,
        "category": draft.get("category", ""),
        "priority": draft.get("priority", ""),
        "channel": draft.get("channel", ""),
        "customer_tier": draft.get("customer_tier", ""),
        "customer_industry": draft.get("customer_industry", ""),
        "weekday": str(timezone.localtime(received).isoweekday()),
        "product": draft.get("product", ""),
        "model": draft.get("model", ""),
        "text": f"{draft.get('title', '')}\n{draft.get('description', '')}",
        "tags": list(draft.get("tags") or []),
        "time_of_day": timezone.localtime(received).hour * 60 + timezone.localtime(received).minute,
        "in_business_hours": in_business_hours(timezone.localtime(received)),
        "involves_staff": bool(draft.get("involves_staff")),
        "is_major_complaint": bool(draft.get("is_major_complaint")),
        "is_reopened": draft.get("trigger") in (rules.Trigger.REOPENED, rules.Trigger.UNSATISFIED),
    }
    ruleset = stored_rules(include_inactive=True) if include_inactive else active_rules()
    decision = rules.evaluate(ruleset, facts)
    acts = decision.actions
    department = (
        Department.objects.filter(code=acts.department).first() if acts.department else None
    ) or default_queue()
    strategy, owner, reason = acts.strategy, None, ""
    if department is not None:
        setting = routing_of(department)
        strategy = strategy or setting.strategy
        users = {u.pk: u for u in members(department, role=acts.member_role)}
        if acts.owner:
            owner, reason = User.objects.filter(username=acts.owner, is_active=True).first(), "rule_owner"
        else:
            pick = assignment.choose_owner(
                strategy,
                candidates(list(users.values()), default_cap=setting.default_cap, now=now),
                category=facts["category"],
                product=f"{facts['product']} {facts['model']}",
            )
            owner, reason = users.get(pick.user_id) if pick.user_id else None, pick.reason
    return DryRun(
        decision=decision,
        explanation=rules.explain(decision, value_labels()),
        department=department,
        strategy=strategy,
        would_assign_to=owner,
        assignment_reason=reason,
        priority=acts.priority,
    )
