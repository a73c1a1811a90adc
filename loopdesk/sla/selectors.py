"""SLA reads for screens and the API: badges, a ticket's clocks, what is about to breach, previews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.core.errors import ValidationFailed
from loopdesk.sla import calendar_data
from loopdesk.sla.badges import Badge, badge_for
from loopdesk.sla.clocks import MILESTONE_LABELS, RULES, Cycle, Milestone, State, clock_facts
from loopdesk.sla.models import BusinessCalendar, SlaClock, SlaPolicy, TicketSla
from loopdesk.sla.policies import PolicyConditions, first_matching_policy
from loopdesk.tickets.models import Priority, Ticket

OPEN_STATES = (State.RUNNING, State.PAUSED, State.UNKNOWN)


def _badge(clock: SlaClock, now: dt.datetime) -> Badge:
    calendar = calendar_data.compiled(clock.calendar)
    return badge_for(
        state=clock.state,
        milestone=clock.milestone,
        due_at=clock.due_at,
        warn_at=clock.warn_at,
        ended_at=clock.ended_at,
        remaining_when_paused=clock.remaining_seconds,
        calendar=calendar,
        now=now,
    )


def _headline(clocks: Sequence[SlaClock]) -> SlaClock | None:
    """The clock a ticket is judged by now: the next due running one, else a paused or unknown one."""
    running = [c for c in clocks if c.state == State.RUNNING and c.due_at is not None]
    if running:
        return min(running, key=lambda c: c.due_at or dt.datetime.max.replace(tzinfo=dt.UTC))
    for state in (State.UNKNOWN, State.PAUSED):
        for clock in clocks:
            if clock.state == state:
                return clock
    return None


def badges_for(tickets: Iterable[Ticket], *, now: dt.datetime | None = None) -> dict[int, Badge]:
    """One badge per ticket that has an open clock; one query for the whole page."""
    now = now or timezone.now()
    ids = [t.pk for t in tickets]
    by_ticket: dict[int, list[SlaClock]] = {}
    for clock in SlaClock.objects.filter(ticket_id__in=ids, state__in=OPEN_STATES).select_related("calendar"):
        by_ticket.setdefault(clock.ticket_id, []).append(clock)
    badges = {}
    for ticket_id, clocks in by_ticket.items():
        headline = _headline(clocks)
        if headline is not None:
            badges[ticket_id] = _badge(headline, now)
    return badges


@dataclass(frozen=True)
class ClockView:
    clock: SlaClock
    badge: Badge

    @property
    def label(self) -> str:
        return self.clock.label


def clocks_of(ticket: Ticket, *, now: dt.datetime | None = None) -> list[ClockView]:
    """Every clock of the ticket, open ones first by due time, for the ticket page and the API."""
    now = now or timezone.now()
    # no ORDER BY: the sort below decides (milestone and cycle are unique per ticket), and the model's ordering
    # would join the ticket table only to order by its receipt time
    clocks = list(SlaClock.objects.filter(ticket_id=ticket.pk).select_related("calendar").order_by())
    clocks.sort(key=lambda c: (c.state not in OPEN_STATES, c.due_at is None, c.due_at or now, c.milestone, c.cycle))
    return [ClockView(c, _badge(c, now)) for c in clocks]


def policy_of(ticket: Ticket) -> TicketSla | None:
    return TicketSla.objects.select_related("revision__policy").filter(ticket_id=ticket.pk).first()


def due_and_policy_of(ticket: Ticket) -> tuple[dt.datetime | None, TicketSla | None]:
    """The ticket's stored due time (the clock sync writes it with an UPDATE) and its policy, in one query."""
    row = (
        Ticket.objects.select_related("sla__revision__policy")
        .only("due_at", "sla__revision__number", "sla__revision__policy__code", "sla__revision__policy__name")
        .get(pk=ticket.pk)
    )
    return row.due_at, getattr(row, "sla", None)  # no SLA row: the reverse one-to-one raises AttributeError


def clocks_at_risk(user, *, within: dt.timedelta, now: dt.datetime | None = None) -> list[ClockView]:
    """Running clocks the user may see that are breached, warned, or due within `within`, soonest first."""
    now = now or timezone.now()
    visible = Ticket.objects.visible_to(user).open()
    clocks = (
        SlaClock.objects.filter(ticket__in=visible)
        .filter(
            Q(state=State.RUNNING, due_at__lte=now + within)
            | Q(state=State.RUNNING, warn_at__lte=now)
            | Q(state=State.UNKNOWN)
        )
        .select_related("ticket__owner", "ticket__priority", "ticket__owner_department", "calendar")
        .order_by("due_at", "id")[:500]
    )
    return [ClockView(c, _badge(c, now)) for c in clocks]


@dataclass(frozen=True)
class CalendarWarning:
    calendar: BusinessCalendar
    years: list[int]


def calendar_warnings(*, today: dt.date | None = None) -> list[CalendarWarning]:
    """Calendars missing holiday data for this year or next (enter the State Council notice, then confirm)."""
    warnings = []
    for calendar in BusinessCalendar.objects.prefetch_related("confirmed_years"):
        years = calendar_data.uncovered_years(calendar, today=today)
        if years:
            warnings.append(CalendarWarning(calendar, years))
    return warnings


# --- preview ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    milestone: str
    label: str
    starts_on: str
    target_minutes: int
    calendar: str
    warn_at: dt.datetime | None
    due_at: dt.datetime | None
    gap_date: dt.date | None


def _starts_on(milestone: Milestone) -> str:
    rule = RULES[milestone]
    if rule.starts_at_receipt:
        return "received"
    return sorted(rule.starts)[0]


def preview_due_times(
    *,
    priority: str,
    received_at: dt.datetime,
    category: str = "",
    channel: str = "",
    customer_tier: str = "",
    pauses: Sequence[tuple[dt.datetime, dt.datetime]] = (),
) -> tuple[SlaPolicy, list[PreviewRow]]:
    """Every milestone's due time under the current policy for a ticket received at `received_at`.

    Milestones that start later (acknowledgement at assignment, callback at resolution) are shown
    as if they started at `received_at`; `starts_on` says when they really start.
    """
    if not Priority.objects.filter(code=priority, is_active=True).exists():
        raise ValidationFailed(_("Unknown priority."), fields={"priority": _("Unknown priority: %s") % priority})
    if received_at.tzinfo is None:
        raise ValidationFailed(_("Give the time with its time zone."), fields={"received_at": _("No time zone.")})
    for start, end in pauses:
        if end <= start:
            raise ValidationFailed(_("A pause must end after it starts."), fields={"pauses": _("Invalid interval.")})
    policy = matching_policy(category=category, channel=channel, customer_tier=customer_tier)
    if policy is None or policy.current_revision is None:
        raise ValidationFailed(_("No active SLA policy applies."))
    targets = policy.current_revision.definition["targets"].get(priority, {})
    calendars = {c.pk: c for c in BusinessCalendar.objects.all()}
    ordered_pauses: list[tuple[dt.datetime, dt.datetime | None]] = sorted((s, e) for s, e in pauses)
    rows = []
    for milestone in Milestone:
        target = targets.get(milestone.value)
        if target is None:
            continue
        calendar = calendars[target["calendar"]]
        cycle = Cycle(milestone, 1, received_at)
        facts = clock_facts(cycle, target, calendar_data.compiled(calendar), ordered_pauses, now=received_at)
        rows.append(
            PreviewRow(
                milestone.value,
                str(MILESTONE_LABELS[milestone]),
                _starts_on(milestone),
                target["minutes"],
                str(calendar),
                facts["warn_at"],
                facts["due_at"],
                facts["gap_date"],
            )
        )
    return policy, rows


def matching_policy(*, category: str, channel: str, customer_tier: str) -> SlaPolicy | None:
    """The active, published policy whose conditions fit best; None when none applies."""
    candidates = {
        p.pk: p
        for p in SlaPolicy.objects.filter(is_active=True, current_revision__isnull=False).select_related(
            "category", "current_revision"
        )
    }
    chosen = first_matching_policy(
        [
            PolicyConditions(p.pk, p.code, p.category.code if p.category else "", p.channel, p.customer_tier)
            for p in candidates.values()
        ],
        category=category,
        channel=channel,
        customer_tier=customer_tier,
    )
    return candidates[chosen.policy_id] if chosen else None
