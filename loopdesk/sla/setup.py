"""Apply an SLA preset: its calendars, priorities and policy; the other presets' policies go inactive."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from loopdesk.sla.models import BusinessCalendar, EscalationLevel, SlaPolicy, SlaTarget, WorkingPeriod
from loopdesk.sla.presets import (
    CALENDARS,
    DEFAULT_ESCALATIONS,
    DEFAULT_PAUSING_STATUSES,
    DEFAULT_WARN_PERCENT,
    SLA_PRESETS,
    calendar_for,
)
from loopdesk.sla.services import publish_policy_revision
from loopdesk.tickets.models import Priority


@transaction.atomic
def ensure_calendars() -> dict[str, BusinessCalendar]:
    """The preset calendars, created once; an admin's later edits are kept."""
    result = {}
    for code, data in CALENDARS.items():
        calendar, created = BusinessCalendar.objects.get_or_create(
            code=code,
            defaults={
                "name": data["name"],
                "name_en": data["name_en"],
                "is_24x7": data["is_24x7"],
                "holiday_source": data["holiday_source"],
            },
        )
        if created:
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(
                    calendar=calendar,
                    weekday=weekday,
                    starts_at=dt.time.fromisoformat(start),
                    ends_at=dt.time.fromisoformat(end),
                )
                for weekday, start, end in data["periods"]
            )
        result[code] = calendar
    return result


def _apply_priorities(preset: dict) -> dict[str, Priority]:
    codes = [code for code, *_ in preset["priorities"]]
    # Free the ranks first so that renumbering never collides with the unique rank constraint.
    for offset, priority in enumerate(Priority.objects.exclude(code__in=codes).order_by("rank")):
        Priority.objects.filter(pk=priority.pk).update(rank=100 + offset, is_active=False)
    result = {}
    for code, name, name_en, rank in preset["priorities"]:
        Priority.objects.filter(rank=rank).exclude(code=code).update(rank=200 + rank)
        result[code], _ = Priority.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "rank": rank, "is_active": True},
            create_defaults={
                "name": name,
                "name_en": name_en,
                "rank": rank,
                "is_active": True,
                "workload_weight": max(1, 4 - rank),  # P1 weighs 3, P2 2, the rest 1 (editable)
            },
        )
    return result


@transaction.atomic
def apply_sla_preset(code: str) -> SlaPolicy:
    """Make preset `code` the default policy (a new revision if its targets changed). Idempotent."""
    if code not in SLA_PRESETS:
        raise ValueError(f"unknown SLA preset {code!r}; choose one of {', '.join(sorted(SLA_PRESETS))}")
    preset = SLA_PRESETS[code]
    calendars = ensure_calendars()
    priorities = _apply_priorities(preset)
    policy, _ = SlaPolicy.objects.update_or_create(
        code=f"preset-{code}",
        defaults={"name": preset["name"], "preset": code, "is_active": True},
    )
    if not policy.pausing_statuses:
        policy.pausing_statuses = list(DEFAULT_PAUSING_STATUSES)
        policy.save(update_fields=["pausing_statuses"])
    policy.targets.all().delete()
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=priorities[priority_code],
            milestone=milestone,
            target_minutes=minutes,
            calendar=calendars[calendar_for(priority_code)],
            warn_percent=DEFAULT_WARN_PERCENT,
        )
        for priority_code, targets in preset["targets"].items()
        for milestone, minutes in targets.items()
    )
    if not policy.escalations.exists():
        EscalationLevel.objects.bulk_create(
            EscalationLevel(policy=policy, level=level, role=role, delay_minutes=delay)
            for level, role, delay in DEFAULT_ESCALATIONS
        )
    SlaPolicy.objects.filter(preset__gt="").exclude(pk=policy.pk).update(is_active=False)
    publish_policy_revision(policy)
    policy.refresh_from_db()
    return policy
