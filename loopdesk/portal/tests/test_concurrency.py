"""Parallel double submits make one ticket; a sign-in link used twice at once opens one session (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from loopdesk.core.errors import NotFound
from loopdesk.portal import services
from loopdesk.portal.models import CustomerLink
from loopdesk.portal.services import Report
from loopdesk.tickets.models import Ticket

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_parallel(work, n=4):
    barrier, results = threading.Barrier(n), []

    def run():
        barrier.wait()
        try:
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_parallel_double_submit_makes_one_ticket():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    report = Report(name="并发", phone="13700005555", description="同一表单提交四次")
    results = in_parallel(lambda: services.submit_report(report, files=[], submission_key="same", ip="10.0.0.9"))
    assert all(not isinstance(r, Exception) for r in results), results
    assert Ticket.objects.count() == 1
    assert {r.ticket.pk for r in results} == {Ticket.objects.get().pk}
    assert sum(not r.duplicate for r in results) == 1


def test_a_sign_in_link_used_twice_at_once_opens_once(customer):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    raw = services.issue_signin_link(customer)
    results = in_parallel(lambda: services.open_link(raw, kind=CustomerLink.Kind.SIGNIN, ip="10.0.0.8"))
    assert sum(isinstance(r, CustomerLink) for r in results) == 1
    assert sum(isinstance(r, NotFound) for r in results) == 3
