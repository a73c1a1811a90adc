"""Ticket numbers stay unique and dense when many requests create tickets at once (PostgreSQL)."""

import re
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from loopdesk.customers.services import register_customer
from loopdesk.tickets import services

THREADS, PER_THREAD = 8, 10


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creation_gives_unique_dense_numbers(agent):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    customer = register_customer(name="并发测试", phone="13700000000")
    numbers, errors = [], []
    barrier = threading.Barrier(THREADS)

    def worker():
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                ticket = services.open_ticket(
                    actor=agent,
                    customer=customer,
                    channel="api",
                    title=f"并发 {i}",
                    description="x",
                    category="other",
                    priority="P3",
                )
                numbers.append(ticket.number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(numbers) == len(set(numbers)) == THREADS * PER_THREAD
    today = timezone.localdate().strftime("%Y%m%d")
    assert all(re.fullmatch(rf"P{today}\d{{3}}", n) for n in numbers)
    assert sorted(int(n[-3:]) for n in numbers) == list(range(1, THREADS * PER_THREAD + 1))
