"""Apply a routing preset: the seed's rules replace earlier preset rules; custom rules stay. Idempotent."""

from __future__ import annotations

from django.db import transaction

from loopdesk.accounts.models import Department, User
from loopdesk.routing.editing import record_rule_revision
from loopdesk.routing.models import DepartmentRouting, RoutingCondition, RoutingRule
from loopdesk.routing.presets import DEFAULT_QUEUE, ROUTING_PRESETS
from loopdesk.tickets.models import Priority


@transaction.atomic
def ensure_department_settings() -> None:
    """Every department has assignment settings; the service desk is the default queue unless one is set."""
    for department in Department.objects.all():
        DepartmentRouting.objects.get_or_create(department=department)
    if not DepartmentRouting.objects.filter(is_default_queue=True).exists():
        DepartmentRouting.objects.filter(department__code=DEFAULT_QUEUE).update(is_default_queue=True)


@transaction.atomic
def apply_routing_preset(preset: str, *, actor: User | None = None) -> list[RoutingRule]:
    """Replace the rules of earlier presets with this preset's; each new rule gets revision 1."""
    if preset not in ROUTING_PRESETS:
        raise ValueError(f"unknown routing preset {preset!r}; choose one of {', '.join(ROUTING_PRESETS)}")
    ensure_department_settings()
    RoutingRule.objects.exclude(preset="").delete()
    departments = {d.code: d for d in Department.objects.all()}
    created = []
    for position, spec in enumerate(ROUTING_PRESETS[preset], start=1):
        rule = RoutingRule.objects.create(
            name=spec["name"],
            position=position * 10,
            preset=preset,
            continues=spec.get("continues", False),
            set_department=departments.get(spec.get("department", "")),
            strategy=spec.get("strategy", ""),
            member_role=spec.get("member_role", ""),
            set_priority=Priority.objects.filter(code=spec.get("priority", "")).first(),
            raise_priority=spec.get("raise_priority", False),
            watcher_roles=spec.get("watcher_roles", ""),
            approver_role=spec.get("approver_role", ""),
        )
        rule.watcher_departments.set([departments[c] for c in spec.get("watcher_departments", []) if c in departments])
        RoutingCondition.objects.bulk_create(
            RoutingCondition(rule=rule, field=f, op=op, value=value) for f, op, value in spec["conditions"]
        )
        record_rule_revision(rule, actor=actor)
        created.append(rule)
    return created
