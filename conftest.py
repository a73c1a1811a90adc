"""Fixtures for every app's tests: users per role and a ticket walked to a given status."""

from __future__ import annotations

import pytest

from loopdesk.testing.factories import CustomerFactory, UserFactory


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role="agent")


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor", role="supervisor")


@pytest.fixture
def engineer(db):
    from loopdesk.accounts.models import Department

    return UserFactory(username="engineer", role="engineer", department=Department.objects.get(code="support"))


@pytest.fixture
def customer(db):
    return CustomerFactory(name="李四", phone="13812345678")


@pytest.fixture
def walk_ticket(supervisor, engineer, agent):
    """Return a function that opens a ticket and walks it through the loop up to `status`."""
    from loopdesk.testing.walk import walk_ticket_to

    def walk(status: str, **kwargs):
        return walk_ticket_to(status, supervisor=supervisor, engineer=engineer, agent=agent, **kwargs)

    return walk
