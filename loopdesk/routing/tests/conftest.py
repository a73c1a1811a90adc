"""Fixtures for routing tests: a department with members on a given strategy, and tickets opened into it."""

from __future__ import annotations

import pytest

from loopdesk.accounts.models import Department
from loopdesk.routing.models import DepartmentRouting, MemberProfile
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services as ticket_services

BASE = {"channel": "phone", "title": "扫地机器人无法充电", "description": "放回底座后指示灯不亮"}


@pytest.fixture
def support_team(db):
    """Return a function making n engineers in technical support with a strategy (and optional caps)."""

    def make(n: int, *, strategy: str = "round_robin", cap: int | None = None, prefix: str = "eng"):
        department = Department.objects.get(code="support")
        DepartmentRouting.objects.filter(department=department).update(strategy=strategy, default_cap=cap)
        return [UserFactory(username=f"{prefix}{i}", role="engineer", department=department) for i in range(n)]

    return make


@pytest.fixture
def open_hardware(customer, agent):
    """Open a classified hardware-fault ticket (routed to technical support by the default preset)."""

    def make(**extra):
        fields = {"category": "hardware_fault", "priority": "P2", **BASE, **extra}
        return ticket_services.open_ticket(actor=agent, customer=customer, **fields)

    return make


def away(user, *, until=None) -> None:
    MemberProfile.objects.update_or_create(user=user, defaults={"is_away": True, "away_until": until})
