"""The open-work counts the ticket table's triggers keep equal a count of the tickets after any write, whatever
the path (ORM saves, bulk updates, inserts, deletes), and a rebuild gives the same table."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import Count, Min, Sum
from django.utils import timezone

from loopdesk.accounts.models import Department
from loopdesk.routing import open_work as triggers
from loopdesk.routing.models import OpenWork
from loopdesk.routing.selectors import WORK_STATUSES, open_work, waiting_tickets, workload
from loopdesk.testing.factories import CustomerFactory, TicketFactory, UserFactory
from loopdesk.tickets.models import Priority, Ticket
from loopdesk.tickets.workflow import Status


def counted(user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """What open_work used to compute: every open ticket of these owners, counted."""
    rows = (
        Ticket.objects.filter(owner_id__in=user_ids, status__in=WORK_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"), load=Sum("priority__workload_weight"))
    )
    return {r["owner_id"]: (r["n"], r["load"] or r["n"]) for r in rows}


def table() -> set[tuple[int, int, int]]:
    return set(OpenWork.objects.filter(n__gt=0).values_list("owner_id", "priority_key", "n"))


def test_the_triggers_count_the_statuses_routing_calls_work():
    assert set(triggers.WORK_STATUSES) == {str(s) for s in WORK_STATUSES}


@pytest.mark.django_db
def test_counts_follow_every_kind_of_write_and_a_rebuild_agrees():
    rng = random.Random(20261203)  # noqa: S311 (test data)
    owners = [UserFactory(username=f"owner{i}").pk for i in range(4)]
    priorities = [*Priority.objects.values_list("pk", flat=True), None]
    statuses = [s.value for s in Status]
    customer = CustomerFactory()
    tickets = [TicketFactory(customer=customer) for _ in range(12)]
    ids = [t.pk for t in tickets]
    for step in range(300):
        pk = rng.choice(ids)
        action = rng.random()
        if action < 0.35:  # a status change, the way services save
            ticket = Ticket.objects.get(pk=pk)
            ticket.status = rng.choice(statuses)
            ticket.save(update_fields=["status"])
        elif action < 0.6:  # an owner change, or none
            Ticket.objects.filter(pk=pk).update(owner_id=rng.choice([*owners, None]))
        elif action < 0.75:
            Ticket.objects.filter(pk=pk).update(priority_id=rng.choice(priorities))
        elif action < 0.85:  # several columns in one statement, for several tickets
            Ticket.objects.filter(pk__in=rng.sample(ids, 3)).update(
                owner_id=rng.choice(owners), status=rng.choice(statuses), priority_id=rng.choice(priorities)
            )
        elif action < 0.93 and len(ids) > 4:
            Ticket.objects.filter(pk=pk).delete()
            ids.remove(pk)
        else:
            ticket = TicketFactory(
                customer=customer,
                owner_id=rng.choice(owners),
                status=rng.choice(statuses),
                priority_id=rng.choice(priorities),
            )
            ids.append(ticket.pk)
        assert open_work(owners) == counted(owners), f"step {step}"
    maintained = table()
    assert maintained  # the walk left open work to count
    with connection.cursor() as cursor:
        triggers.rebuild(cursor)
    assert table() == maintained


@pytest.mark.django_db
def test_an_unchanged_ticket_saved_again_changes_nothing():
    owner = UserFactory(username="owner")
    ticket = TicketFactory(owner=owner, status=Status.ASSIGNED)
    assert open_work([owner.pk]) == {owner.pk: (1, ticket.priority.workload_weight)}
    ticket.title = "改了标题"
    ticket.save()
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.ASSIGNED)
    assert OpenWork.objects.get(owner_id=owner.pk).n == 1


@pytest.mark.django_db
def test_a_bulk_load_with_the_triggers_suspended_ends_with_the_right_counts():
    owner = UserFactory(username="owner")
    TicketFactory(owner=owner, status=Status.ASSIGNED)
    with connection.cursor() as cursor, triggers.suspended(cursor):
        TicketFactory(owner=owner, status=Status.IN_PROGRESS)
        TicketFactory(owner=owner, status=Status.CLOSED)
        assert OpenWork.objects.get(owner_id=owner.pk).n == 1  # nothing counted while suspended
    assert (
        open_work([owner.pk])
        == counted([owner.pk])
        == {owner.pk: (2, 2 * Priority.objects.get(code="P2").workload_weight)}
    )
    TicketFactory(owner=owner, status=Status.ASSIGNED)  # and the triggers are back
    assert open_work([owner.pk])[owner.pk][0] == 3


@pytest.mark.django_db
def test_the_workload_page_agrees_with_a_count_of_the_tickets():
    """Counts by priority from the trigger-kept table, the oldest assignment from the partial index: the same
    as grouping the tickets themselves, for work with and without a priority or an assignment time."""
    department = Department.objects.create(code="wl", name="工作量")
    members = [UserFactory(username=f"m{i}", department=department) for i in range(3)]
    outsider = UserFactory(username="outsider")
    rng = random.Random(7)  # noqa: S311 (test data)
    priorities = [*Priority.objects.all(), None]
    statuses = [s.value for s in Status]
    customer = CustomerFactory()
    start = timezone.now() - dt.timedelta(days=30)
    for i in range(60):
        TicketFactory(
            customer=customer,
            owner=rng.choice([*members, outsider, None]),
            status=rng.choice(statuses),
            priority=rng.choice(priorities),
            assigned_at=rng.choice([None, start + dt.timedelta(hours=i)]),
            owner_department=rng.choice([department, None]),
        )
    rows = {m.user.pk: m for m in workload(department)}
    assert set(rows) == {m.pk for m in members}
    for member in members:
        work = Ticket.objects.filter(owner=member, status__in=WORK_STATUSES)
        expected = dict(work.values("priority__code").annotate(n=Count("id")).values_list("priority__code", "n"))
        assert rows[member.pk].by_priority == {code or "-": n for code, n in expected.items()}
        assert rows[member.pk].open_count == work.count()
        assert rows[member.pk].oldest_waiting == work.aggregate(m=Min("assigned_at"))["m"]
    waiting = waiting_tickets(department)
    expected = Ticket.objects.filter(owner_department=department, status__in=WORK_STATUSES, owner__isnull=False)
    assert {t.pk for t in waiting} == set(expected.values_list("pk", flat=True))
    assert [t.assigned_at for t in waiting] == list(
        expected.order_by("assigned_at").values_list("assigned_at", flat=True)
    )
