"""Parallel API requests on PostgreSQL: automatic assignment stays fair and nobody goes over their cap."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from loopdesk.accounts.models import ApiToken
from loopdesk.tickets.models import Ticket

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers and has no row locks: these races only exist on PostgreSQL")


TICKET = {
    "title": "扫地机器人无法充电",
    "description": "放回底座后指示灯不亮",
    "channel": "api",
    "category": "hardware_fault",
    "priority": "P2",
    "customer": {"name": "张三丰", "phone": "13812345678"},
}


def in_parallel(n_threads: int, work) -> list:
    barrier, results, lock = threading.Barrier(n_threads), [], threading.Lock()

    def run(i):
        barrier.wait()
        try:
            out = work(i)
            with lock:
                results.extend(out)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def bearer(user) -> str:
    return f"Bearer {ApiToken.issue(user, 'test')[1]}"


def test_parallel_ticket_creation_is_fair_and_respects_caps(supervisor, support_team):
    # given three engineers on round-robin with a cap of 6 open tickets each
    support_team(3, strategy="round_robin", cap=6)
    auth = bearer(supervisor)

    # when 6 clients create 24 tickets at the same moment
    def create(i):
        client = Client(HTTP_AUTHORIZATION=auth)
        return [client.post("/api/v1/tickets", TICKET, content_type="application/json").status_code for _ in range(4)]

    statuses = in_parallel(6, create)

    # then every request succeeded, 18 tickets were assigned 6/6/6, and 6 wait in the queue
    assert statuses == [201] * 24
    counts = Counter(Ticket.objects.filter(owner__isnull=False).values_list("owner__username", flat=True))
    assert counts == {"eng0": 6, "eng1": 6, "eng2": 6}
    assert Ticket.objects.filter(owner__isnull=True, owner_department__code="support").count() == 6


def test_parallel_round_robin_without_caps_differs_by_at_most_one(supervisor, support_team):
    support_team(4, strategy="round_robin")
    auth = bearer(supervisor)

    def create(i):
        client = Client(HTTP_AUTHORIZATION=auth)
        return [client.post("/api/v1/tickets", TICKET, content_type="application/json").status_code for _ in range(5)]

    assert in_parallel(6, create) == [201] * 30
    counts = Counter(Ticket.objects.values_list("owner__username", flat=True))
    assert sum(counts.values()) == 30 and max(counts.values()) - min(counts.values()) <= 1


def test_parallel_manual_assignments_cannot_overfill_a_member(supervisor, support_team, walk_ticket):
    support_team(1, strategy="manual", cap=2)
    numbers = [walk_ticket("triaged").number for _ in range(5)]
    auth = bearer(supervisor)

    def assign(i):
        client = Client(HTTP_AUTHORIZATION=auth)
        url = f"/api/v1/tickets/{numbers[i]}/transitions"
        return [client.post(url, {"to": "assigned", "owner": "eng0"}, content_type="application/json").status_code]

    statuses = in_parallel(5, assign)
    assert sorted(statuses) == [200, 200, 409, 409, 409]
    assert Ticket.objects.filter(owner__username="eng0").count() == 2


class DepartmentLockHolder:
    """Another connection holding technical support's routing row, as a create in the middle of a pick does."""

    def __init__(self):
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        from django.db import transaction

        from loopdesk.routing.models import DepartmentRouting

        try:
            with transaction.atomic():
                # of the routing row only: a plain FOR UPDATE of the join would also lock the department's row
                DepartmentRouting.objects.select_for_update(of=("self",)).get(department__code="support")
                self.locked.set()
                self.release.wait(30)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join()


def test_a_department_whose_members_are_all_full_queues_new_tickets_without_its_lock(supervisor, support_team):
    # given two engineers at their cap of one open ticket each
    support_team(2, strategy="round_robin", cap=1)
    client = Client(HTTP_AUTHORIZATION=bearer(supervisor))
    for _ in range(2):
        assert client.post("/api/v1/tickets", TICKET, content_type="application/json").status_code == 201
    assert Ticket.objects.filter(owner__isnull=False).count() == 2
    with connection.cursor() as cursor:  # waiting for the lock would fail the request instead of hanging
        cursor.execute("SET lock_timeout = '5s'")

    # when another transaction holds the department's routing row and a third ticket comes in
    with DepartmentLockHolder() as holder:
        response = client.post("/api/v1/tickets", TICKET, content_type="application/json")
        still_held = not holder.release.is_set()

    # then it was created and queued while the lock was still held
    assert response.status_code == 201 and still_held
    assert response.json()["owner"] is None
    assert Ticket.objects.filter(owner__isnull=True, owner_department__code="support").count() == 1


def test_a_department_with_room_assigns_under_its_lock(supervisor, support_team):
    # given an engineer with room
    support_team(1, strategy="round_robin", cap=5)
    auth = bearer(supervisor)
    done = threading.Event()
    statuses = []

    def create():
        try:
            statuses.append(
                Client(HTTP_AUTHORIZATION=auth)
                .post("/api/v1/tickets", TICKET, content_type="application/json")
                .status_code
            )
        finally:
            done.set()
            connection.close()

    # when a ticket comes in while another transaction holds the department's routing row
    with DepartmentLockHolder():
        creator = threading.Thread(target=create)
        creator.start()
        finished_while_held = done.wait(1.0)
    creator.join()

    # then the pick waited for the lock, and assigned once it was free
    assert not finished_while_held
    assert statuses == [201]
    assert Ticket.objects.get().owner.username == "eng0"
