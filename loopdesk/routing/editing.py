"""Saving routing rules: checks that refuse a rule set that cannot work, and the revision trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from loopdesk.accounts.models import Department, User
from loopdesk.accounts.roles import ROLES
from loopdesk.audit.services import record_audit
from loopdesk.routing import rules
from loopdesk.routing.models import RoutingRule, RoutingRuleRevision, RulesetVersion
from loopdesk.routing.selectors import known_values, rule_value, stored_rules


def target_problems(
    *,
    department: Department | None,
    owner: User | None,
    watchers: Iterable[User] = (),
    roles: Iterable[str] = (),
    strategy: str = "",
) -> list[str]:
    """Targets that could never take a ticket: inactive users, empty departments, unknown roles."""
    problems = []
    if owner is not None and not owner.is_active:
        problems.append(_("the owner %s is not an active user") % owner)
    if department is not None and not department.members.filter(is_active=True).exists():
        problems.append(_("the department %s has no active members") % department)
    for user in watchers:
        if not user.is_active:
            problems.append(_("the watcher %s is not an active user") % user)
    for role in roles:
        if role and role not in ROLES:
            problems.append(_("unknown role “%s”") % role)
    if strategy and strategy not in rules.Strategy.__members__.values():
        problems.append(_("unknown strategy “%s”") % strategy)
    return problems


def draft_problems(draft: rules.Rule, *, is_active: bool) -> list[str]:
    """What is wrong with this draft rule, checked together with the other active rules."""
    others = [r for r in stored_rules() if r.id != draft.id]
    known = known_values()
    if not is_active:
        found = [p for c in draft.conditions for p in rules.condition_problems(c, known)]
        return found
    draft_id = draft.id or -1
    checked = rules.ruleset_problems([*others, _with_id(draft, draft_id)], known)
    return checked.get(draft_id, [])


def _with_id(rule: rules.Rule, rule_id: int) -> rules.Rule:
    return replace(rule, id=rule_id)


def snapshot(rule: RoutingRule) -> dict[str, Any]:
    value = rule_value(rule)
    return {
        "name": rule.name,
        "position": rule.position,
        "is_active": rule.is_active,
        "match_all": rule.match_all,
        "continues": rule.continues,
        "continue_at": rule.continue_at_id,
        "conditions": [[c.field, c.op, c.value] for c in value.conditions],
        "actions": {k: list(v) if isinstance(v, tuple) else v for k, v in value.actions.__dict__.items()},
    }


def _bump_ruleset() -> None:
    RulesetVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


@transaction.atomic
def record_rule_revision(rule: RoutingRule, *, actor: User | None) -> RoutingRuleRevision:
    """After a rule was saved (with its conditions): freeze a revision listing what changed, audit it."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    current = snapshot(rule)
    last = rule.revisions.order_by("-version").first()
    before = last.snapshot if last else {}
    changed = sorted(k for k in current if before.get(k) != current[k])
    rule.version += 1
    rule.save(update_fields=["version"])
    revision = RoutingRuleRevision.objects.create(
        rule=rule,
        rule_name=rule.name,
        version=rule.version,
        snapshot=current,
        changed_fields=changed,
        changed_by=actor,
    )
    _bump_ruleset()
    if actor is not None:  # presets are installed by the system; their revisions carry no actor
        record_audit(
            action="routing.rule_saved",
            actor=actor,
            object_type="routing_rule",
            object_id=str(rule.pk),
            reason=f"v{rule.version}: {', '.join(changed)}",
        )
    return revision


@transaction.atomic
def delete_rule(rule: RoutingRule, *, actor: User | None) -> None:
    """Delete a rule; its revisions stay, with a final deletion entry."""
    RoutingRuleRevision.objects.create(
        rule=rule,
        rule_name=rule.name,
        version=rule.version + 1,
        snapshot=snapshot(rule),
        changed_fields=["deleted"],
        is_deletion=True,
        changed_by=actor,
    )
    record_audit(
        action="routing.rule_deleted", actor=actor, object_type="routing_rule", object_id=str(rule.pk), reason=rule.name
    )
    rule.delete()
    _bump_ruleset()
