"""Choosing the SLA policy for a ticket and checking a policy definition. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loopdesk.sla.clocks import Milestone
from loopdesk.tickets.workflow import Status


@dataclass(frozen=True)
class PolicyConditions:
    """A policy's conditions; empty values match anything."""

    policy_id: int
    code: str
    category: str = ""
    channel: str = ""
    customer_tier: str = ""

    @property
    def specificity(self) -> int:
        return sum(bool(v) for v in (self.category, self.channel, self.customer_tier))

    def matches(self, *, category: str, channel: str, customer_tier: str) -> bool:
        return (
            (not self.category or self.category == category)
            and (not self.channel or self.channel == channel)
            and (not self.customer_tier or self.customer_tier == customer_tier)
        )


def first_matching_policy(
    policies: Iterable[PolicyConditions], *, category: str, channel: str, customer_tier: str
) -> PolicyConditions | None:
    """The most specific matching policy; among equals, the one whose code sorts first."""
    matching = [p for p in policies if p.matches(category=category, channel=channel, customer_tier=customer_tier)]
    if not matching:
        return None
    return min(matching, key=lambda p: (-p.specificity, p.code))


def definition_problems(definition: Mapping[str, Any], *, calendar_ids: set[int]) -> list[str]:
    """Everything wrong with a policy definition; empty when it can be published."""
    problems = []
    for status in definition.get("pausing_statuses", []):
        if status not in Status.__members__.values():
            problems.append(f"unknown status {status!r} in pausing statuses")
        elif status in (Status.RESOLVED, Status.NOTIFIED, Status.CLOSED):
            problems.append(f"status {status!r} cannot pause clocks (follow-up clocks run in it)")
    for priority, targets in definition.get("targets", {}).items():
        for milestone, target in targets.items():
            if milestone not in Milestone.__members__.values():
                problems.append(f"{priority}: unknown milestone {milestone!r}")
            if not isinstance(target.get("minutes"), int) or target["minutes"] <= 0:
                problems.append(f"{priority} {milestone}: the target must be a positive number of minutes")
            if not 1 <= int(target.get("warn_percent", 0)) <= 99:
                problems.append(f"{priority} {milestone}: the warning threshold must be 1-99 %")
            if target.get("calendar") not in calendar_ids:
                problems.append(f"{priority} {milestone}: unknown calendar")
    levels = [e["level"] for e in definition.get("escalations", [])]
    if len(levels) != len(set(levels)):
        problems.append("two escalation steps have the same level")
    return problems


def escalation_schedule(escalations: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, int]]:
    """(level, role, business minutes after the breach), in level order."""
    return sorted((int(e["level"]), str(e["role"]), int(e["delay_minutes"])) for e in escalations)
