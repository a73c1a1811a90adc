"""SLA write use-cases: publish policy revisions, keep clocks in step with tickets, escalate on time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loopdesk.accounts.models import User
from loopdesk.audit.services import record_audit
from loopdesk.core.errors import ValidationFailed
from loopdesk.notifications.services import enqueue_notification
from loopdesk.sla import calendar_data, policies, selectors
from loopdesk.sla.calendars import CalendarGap, CompiledCalendar
from loopdesk.sla.clocks import (
    MILESTONE_LABELS,
    Happening,
    Milestone,
    State,
    clock_facts,
    cycles_from,
    pauses_from,
)
from loopdesk.sla.models import (
    BusinessCalendar,
    CalendarYear,
    SlaClock,
    SlaEscalation,
    SlaPolicy,
    SlaPolicyRevision,
    TicketSla,
    new_revision_token,
)
from loopdesk.tickets.models import Ticket, TicketEvent

FINAL_STATES = (State.MET, State.CANCELLED)
WARNED, BREACH_REPORTED = 1, 2

# --- policies ---------------------------------------------------------------------------------------


def policy_definition(policy: SlaPolicy) -> dict[str, Any]:
    """The policy's rows as one plain dict (what a revision freezes)."""
    targets: dict[str, dict[str, dict[str, int]]] = {}
    for t in policy.targets.select_related("priority").order_by("priority__rank", "milestone"):
        targets.setdefault(t.priority.code, {})[t.milestone] = {
            "minutes": t.target_minutes,
            "calendar": t.calendar_id,
            "warn_percent": t.warn_percent,
        }
    return {
        "policy": policy.code,
        "name": policy.name,
        "pausing_statuses": list(policy.pausing_statuses or []),
        "targets": targets,
        "escalations": [
            {"level": e.level, "role": e.role, "delay_minutes": e.delay_minutes} for e in policy.escalations.all()
        ],
    }


@transaction.atomic
def publish_policy_revision(policy: SlaPolicy, *, actor: User | None = None) -> SlaPolicyRevision:
    """Freeze the policy as it is now; new tickets use it, running clocks keep theirs. Idempotent."""
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    definition = policy_definition(policy)
    problems = policies.definition_problems(
        definition, calendar_ids=set(BusinessCalendar.objects.values_list("pk", flat=True))
    )
    if problems:
        raise ValidationFailed(_("The SLA policy is not valid: %s") % "; ".join(problems))
    current = policy.current_revision
    if current is not None and current.definition == definition:
        return current
    number = (current.number if current else 0) + 1
    revision = SlaPolicyRevision.objects.create(policy=policy, number=number, definition=definition, created_by=actor)
    SlaPolicy.objects.filter(pk=policy.pk).update(current_revision=revision)
    policy.current_revision = revision
    if actor is not None:  # the install's own preset is not an admin's act
        record_audit(action="sla.policy_published", actor=actor, object_type="sla_policy", object_id=policy.code)
    return revision


def select_policy(ticket: Ticket) -> SlaPolicy | None:
    """The active policy whose conditions fit the ticket best."""
    return selectors.matching_policy(
        category=ticket.category.code if ticket.category else "",
        channel=ticket.channel,
        customer_tier=ticket.customer.tier,
    )


# --- calendars --------------------------------------------------------------------------------------


def touch_calendar(calendar: BusinessCalendar) -> None:
    """Mark the calendar changed: compiled copies rebuild, and open clocks counting in it are recomputed."""
    calendar.revision = new_revision_token()
    BusinessCalendar.objects.filter(pk=calendar.pk).update(revision=calendar.revision)
    from loopdesk.sla.tasks import recompute_calendar_clocks

    transaction.on_commit(lambda: recompute_calendar_clocks.enqueue(calendar.pk))


@transaction.atomic
def confirm_calendar_year(calendar: BusinessCalendar, *, actor: User, year: int | None = None) -> CalendarYear:
    """An admin confirms that `year` (default: the first one without data) is complete as entered."""
    last = calendar_data.known_until(calendar, set(calendar.confirmed_years.values_list("year", flat=True)))
    if last is None:
        raise ValidationFailed(_("This calendar does not use official holiday data; nothing to confirm."))
    year = last.year + 1 if year is None else year
    if year <= calendar_data.official_last_day().year:
        raise ValidationFailed(_("The official data already covers %d.") % year)
    if year > last.year + 1:
        raise ValidationFailed(_("Confirm %d first.") % (last.year + 1))
    confirmation, _created = CalendarYear.objects.get_or_create(
        calendar=calendar, year=year, defaults={"confirmed_by": actor}
    )
    record_audit(
        action="sla.calendar_year_confirmed",
        actor=actor,
        object_type="calendar",
        object_id=calendar.code,
        reason=str(year),
    )
    touch_calendar(calendar)
    return confirmation


# --- clocks -----------------------------------------------------------------------------------------


def _happenings(ticket: Ticket, events: list[TicketEvent] | None = None) -> list[Happening]:
    """The timeline as the clocks see it: read, or from `events` when they are all of the ticket's events."""
    facts: Iterable[tuple[dt.datetime, str, str, bool]]
    if events is None:
        rows = TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("created_at", "id")
        facts = rows.values_list("created_at", "kind", "to_status", "is_public")
    else:
        facts = [(e.created_at, e.kind, e.to_status, e.is_public) for e in sorted(events, key=_in_timeline_order)]
    return [
        Happening(at.replace(microsecond=0), kind, to_status or "", is_public)
        for at, kind, to_status, is_public in facts
    ]


def _in_timeline_order(event: TicketEvent) -> tuple:
    return (event.created_at, event.pk)


def _ensure_ticket_sla(ticket: Ticket, *, is_new: bool = False) -> TicketSla | None:
    existing = None if is_new else TicketSla.objects.select_related("revision").filter(ticket_id=ticket.pk).first()
    if existing is not None:
        return existing
    policy = select_policy(ticket)
    if policy is None or policy.current_revision is None:
        return None
    revision = policy.current_revision
    revision.policy = policy  # in hand: the answer that names the policy reads no more
    return TicketSla.objects.create(ticket=ticket, revision=revision)


def next_check_at(
    clock: SlaClock, levels: list[tuple[int, str, int]], calendar: CompiledCalendar
) -> dt.datetime | None:
    """When the sweep must next look at this clock: warning, breach, or the next escalation level."""
    if clock.state != State.RUNNING or clock.due_at is None:
        return None
    if clock.escalation_level < WARNED and clock.warn_at is not None and clock.warn_at < clock.due_at:
        return clock.warn_at
    if clock.escalation_level < BREACH_REPORTED:
        return clock.due_at
    for level, _role, delay in levels:
        if level > clock.escalation_level:
            try:
                return calendar.add(clock.due_at, delay * 60)
            except CalendarGap:
                return None
    return None


def _levels(revision: SlaPolicyRevision) -> list[tuple[int, str, int]]:
    return policies.escalation_schedule(revision.definition.get("escalations", []))


@transaction.atomic(savepoint=False)  # part of its caller's write: nothing to roll back on its own
def sync_ticket_clocks(
    ticket: Ticket, *, now: dt.datetime | None = None, new_events: list[TicketEvent] | None = None
) -> list[SlaClock]:
    """Recompute the ticket's clocks from its events; finished clocks keep their record.

    `new_events`: the ticket was created in the running service call, which wrote its row through this instance
    and these are all its events; then nothing stored is read again (it has no policy and no clocks yet), and the
    instance gets its due time and `synced_sla` (policy and clocks) for the caller's answer."""
    now = now or timezone.now()
    is_new = new_events is not None
    if not is_new:
        if ticket.priority_id is None and not Ticket.objects.filter(pk=ticket.pk, priority__isnull=False).exists():
            return []  # not prioritised yet (an unclassified email or portal ticket): one narrow query
        ticket = Ticket.objects.select_related("priority", "category", "customer").get(pk=ticket.pk)
    if ticket.priority is None:
        return []
    ticket_sla = _ensure_ticket_sla(ticket, is_new=is_new)
    if ticket_sla is None:
        return []
    assert ticket.priority is not None
    definition = ticket_sla.revision.definition
    targets = definition["targets"].get(ticket.priority.code, {})
    happenings = _happenings(ticket, new_events)
    pauses = pauses_from(happenings, definition.get("pausing_statuses", []))
    calendars = calendar_data.compiled_calendars()
    levels = _levels(ticket_sla.revision)
    existing = {} if is_new else {(c.milestone, c.cycle): c for c in SlaClock.objects.filter(ticket_id=ticket.pk)}
    seen: set[tuple[str, int]] = set()
    for milestone, target in targets.items():
        calendar = calendars[target["calendar"]]
        for cycle in cycles_from(happenings, received_at=ticket.received_at, milestone=Milestone(milestone)):
            key = (milestone, cycle.number)
            seen.add(key)
            clock = existing.get(key)
            if clock is not None and clock.state in FINAL_STATES:
                continue
            values = clock_facts(cycle, target, calendar, pauses, now=now)
            if clock is None:
                clock = SlaClock(ticket=ticket, milestone=milestone, cycle=cycle.number)
                existing[key] = clock
            for field, value in values.items():
                setattr(clock, field, value)
            clock.priority_code = ticket.priority.code
            clock.next_check_at = next_check_at(clock, levels, calendar)
            clock.save()
    for key, clock in existing.items():
        if key not in seen and clock.state not in FINAL_STATES:  # the new priority has no such promise
            SlaClock.objects.filter(pk=clock.pk).update(state=State.CANCELLED, ended_at=now, next_check_at=None)
            clock.state = State.CANCELLED
    _update_ticket_due(ticket, existing.values())
    clocks = sorted(existing.values(), key=lambda c: (c.due_at is None, c.due_at or now, c.milestone))
    if is_new:
        ticket.synced_sla = SyncedSla(ticket_sla, clocks)
    return clocks


@dataclass(frozen=True)
class SyncedSla:
    """What a new ticket's clock sync wrote, kept on the instance (`synced_sla`) for the answer to its creator."""

    policy: TicketSla
    clocks: list[SlaClock]


def _update_ticket_due(ticket: Ticket, clocks: Any) -> None:
    running = [c.due_at for c in clocks if c.state == State.RUNNING and c.due_at is not None]
    due_at = min(running) if running else None
    if ticket.due_at != due_at:
        Ticket.objects.filter(pk=ticket.pk).update(due_at=due_at)
        ticket.due_at = due_at


def recompute_open_clocks(*, calendar_id: int | None = None, now: dt.datetime | None = None) -> int:
    """Recompute every ticket with an open clock (in one calendar, or all); returns tickets touched."""
    open_clocks = SlaClock.objects.filter(state__in=[State.RUNNING, State.PAUSED, State.UNKNOWN])
    if calendar_id is not None:
        open_clocks = open_clocks.filter(calendar_id=calendar_id)
    ticket_ids = sorted(set(open_clocks.values_list("ticket_id", flat=True)))
    for ticket_id in ticket_ids:
        sync_ticket_clocks(Ticket(pk=ticket_id), now=now)  # reloads the ticket
    return len(ticket_ids)


# --- the sweep: warnings, breaches and escalations --------------------------------------------------


def sweep_sla_clocks(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Escalate every clock whose next check is due; returns escalations made. Safe to run twice."""
    now = now or timezone.now()
    ids = list(
        SlaClock.objects.filter(next_check_at__isnull=False, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(escalate_clock(clock_id, now=now) for clock_id in ids)


@transaction.atomic
def escalate_clock(clock_id: int, *, now: dt.datetime) -> int:
    """Perform the levels this clock has reached; each level happens at most once, ever."""
    clock = (
        SlaClock.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("calendar", "ticket__owner", "ticket__sla__revision")
        .filter(pk=clock_id, next_check_at__lte=now)
        .first()
    )
    if clock is None:  # another worker has it, or it no longer needs a look
        return 0
    ticket = clock.ticket
    levels = _levels(ticket.sla.revision)
    calendar = calendar_data.compiled(clock.calendar)
    made = 0
    for level, role in _reached_levels(clock, levels, calendar, now):
        made += _escalate(clock, ticket, level, role, now=now)
        clock.escalation_level = max(clock.escalation_level, level)
    if clock.due_at is not None and clock.due_at <= now:
        clock.is_breached = True
    clock.next_check_at = next_check_at(clock, levels, calendar)
    clock.save(update_fields=["escalation_level", "is_breached", "next_check_at"])
    return made


def _reached_levels(
    clock: SlaClock, levels: list[tuple[int, str, int]], calendar: CompiledCalendar, now: dt.datetime
) -> list[tuple[int, str]]:
    if clock.state != State.RUNNING or clock.due_at is None:
        return []
    if clock.due_at > now:
        warned = clock.warn_at is not None and clock.warn_at <= now and clock.escalation_level < WARNED
        return [(WARNED, "owner")] if warned else []
    reached = [] if clock.escalation_level >= BREACH_REPORTED else [(BREACH_REPORTED, "supervisor")]
    for level, role, delay in levels:
        if level <= clock.escalation_level:
            continue
        try:
            at = calendar.add(clock.due_at, delay * 60)
        except CalendarGap:
            break
        if at > now:
            break
        reached.append((level, role))
    return reached


EVENT_FOR_LEVEL = {WARNED: TicketEvent.Kind.SLA_WARNING, BREACH_REPORTED: TicketEvent.Kind.SLA_BREACHED}


def _escalate(clock: SlaClock, ticket: Ticket, level: int, role: str, *, now: dt.datetime) -> int:
    try:
        with transaction.atomic():
            SlaEscalation.objects.create(clock=clock, level=level, role=role, happened_at=now)
    except IntegrityError:
        return 0
    recipients = _recipients(ticket, role)
    milestone = Milestone(clock.milestone)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EVENT_FOR_LEVEL.get(level, TicketEvent.Kind.SLA_ESCALATED),
        created_at=now,
        data={
            "milestone": clock.milestone,
            "cycle": clock.cycle,
            "level": level,
            "role": role,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
            "notified": [u.username for u in recipients],
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _notification_subject(level, ticket, str(MILESTONE_LABELS[milestone]))
        body = _("Ticket %(number)s: %(title)s. Due %(due)s.") % {
            "number": ticket.number,
            "title": ticket.title,
            "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else "-",
        }
    for user in recipients:
        enqueue_notification(
            kind=f"sla.level{level}",
            recipient=user,
            subject=subject,
            body=body,
            ticket=ticket,
            url=reverse("tickets:detail", args=[ticket.number]),
            payload={"clock": clock.pk, "level": level, "milestone": clock.milestone},
            dedupe_key=f"sla:{clock.pk}:{level}:{user.pk}",
        )
    return 1


def _notification_subject(level: int, ticket: Ticket, milestone: str) -> str:
    if level == WARNED:
        return _("SLA warning: %(milestone)s for %(number)s is almost due") % {
            "milestone": milestone,
            "number": ticket.number,
        }
    if level == BREACH_REPORTED:
        return _("SLA breached: %(milestone)s for %(number)s") % {"milestone": milestone, "number": ticket.number}
    return _("SLA escalation (level %(level)d): %(milestone)s for %(number)s") % {
        "level": level,
        "milestone": milestone,
        "number": ticket.number,
    }


def _recipients(ticket: Ticket, role: str) -> list[User]:
    """Level 1 tells the owner; the others tell the role's holders (in the owner department first)."""
    if role == "owner" and ticket.owner is not None and ticket.owner.is_active:
        return [ticket.owner]
    group = "supervisor" if role == "owner" else role
    holders = User.objects.filter(is_active=True, groups__name=group)
    if ticket.owner_department_id is not None:
        in_department = holders.filter(Q(department_id=ticket.owner_department_id))
        if in_department.exists():
            holders = in_department
    return list(holders.distinct().order_by("pk"))
