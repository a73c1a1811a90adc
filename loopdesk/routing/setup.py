"""Apply a routing preset: the seed's rules replace earlier preset rules; custom rules stay. Idempotent."""

from __future__ import annotations

from django.db import transaction

from loopdesk.accounts.models import Department, User
from loopdesk.routing.editing import record_rule_revision
from loopdesk.routing.models import DepartmentRouting, MemberProfile, RoutingCondition, RoutingRule
from loopdesk.routing.presets import DEFAULT_QUEUE, ROUTING_PRESETS
from loopdesk.tickets.models import Category, Priority


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


@transaction.atomic
def configure_demo_routing() -> None:
    """The demo's assignment set-up: automatic strategies, caps, skills and one member away."""
    ensure_department_settings()
    strategies = {"cs": ("round_robin", 25), "support": ("skills", 30), "rnd": ("least_open", 40)}
    for code, (strategy, cap) in strategies.items():
        DepartmentRouting.objects.filter(department__code=code).update(strategy=strategy, default_cap=cap)
    skills = {
        "engineer1": (["hardware_fault"], "洗衣机, 冰箱, 门锁"),
        "engineer2": (["hardware_fault"], "扫地机器人, 净水器, 空调"),
        "dev1": (["software_problem"], "App, 固件"),
    }
    for username, (categories, products) in skills.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        profile, _created = MemberProfile.objects.get_or_create(user=user)
        profile.product_lines = products
        profile.save(update_fields=["product_lines"])
        profile.categories.set(Category.objects.filter(code__in=categories))
    away = User.objects.filter(username="agent2").first()  # on leave: the workload view shows it
    if away is not None:
        MemberProfile.objects.update_or_create(user=away, defaults={"is_away": True})
