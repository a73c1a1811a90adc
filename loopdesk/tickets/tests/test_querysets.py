"""visible_to(user): the one gate for tickets, as a matrix of users × tickets."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from loopdesk.accounts.models import Department
from loopdesk.testing.factories import TicketFactory, UserFactory
from loopdesk.tickets.models import Ticket


@pytest.fixture
def world(db):
    """Users of several roles and departments, and tickets owned or registered in different places."""
    dept = {d.code: d for d in Department.objects.all()}
    users = {
        "agent": UserFactory(username="agent", role="agent", department=dept["cs"]),
        "engineer": UserFactory(username="engineer", role="engineer", department=dept["support"]),
        "colleague": UserFactory(username="colleague", role="engineer", department=dept["support"]),
        "dev": UserFactory(username="dev", role="engineer", department=dept["rnd"]),
        "loner": UserFactory(username="loner", role="engineer", department=None),
        "quality": UserFactory(username="quality", role="quality_manager", department=dept["quality"]),
        "techlead": UserFactory(username="techlead", role="tech_lead", department=dept["support"]),
        "inactive": UserFactory(username="inactive", role="supervisor", department=dept["cs"], is_active=False),
    }
    tickets = {
        "unassigned": TicketFactory(created_by=users["agent"]),
        "engineer's": TicketFactory(owner=users["engineer"], owner_department=dept["support"]),
        "support's": TicketFactory(owner=users["colleague"], owner_department=dept["support"]),
        "dev's": TicketFactory(owner=users["dev"], owner_department=dept["rnd"]),
        "registered by engineer": TicketFactory(created_by=users["engineer"]),
        "loner's": TicketFactory(owner=users["loner"]),
    }
    return users, tickets


ALL = {"unassigned", "engineer's", "support's", "dev's", "registered by engineer", "loner's"}
EXPECTED = {
    "agent": ALL,  # 客服部 sees every ticket
    "quality": ALL,  # view_all_tickets
    "techlead": ALL,  # view_all_tickets
    "engineer": {"engineer's", "support's", "registered by engineer"},  # own, department, registered
    "colleague": {"engineer's", "support's"},  # department only
    "dev": {"dev's"},
    "loner": {"loner's"},  # no department: own only
    "inactive": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_visibility_matrix(world, who, expected):
    users, tickets = world
    visible = set(Ticket.objects.visible_to(users[who]).values_list("pk", flat=True))
    assert visible == {tickets[name].pk for name in expected}


@pytest.mark.django_db
@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_nobody_sees_nothing(world, user):
    assert not Ticket.objects.visible_to(user).exists()


@pytest.mark.django_db
def test_visible_to_adds_no_duplicates_and_composes(world):
    users, tickets = world
    qs = Ticket.objects.visible_to(users["engineer"]).open()
    assert qs.count() == len(set(qs.values_list("pk", flat=True))) == 3


@pytest.mark.django_db
def test_open_and_due_before(world):
    _, tickets = world
    now = timezone.now()
    Ticket.objects.filter(pk=tickets["dev's"].pk).update(due_at=now - dt.timedelta(hours=1))
    Ticket.objects.filter(pk=tickets["loner's"].pk).update(due_at=now - dt.timedelta(hours=1), status="closed")
    assert list(Ticket.objects.due_before(now)) == [tickets["dev's"]]
    assert Ticket.objects.open().count() == len(ALL) - 1
