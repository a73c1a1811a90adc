"""Periodic jobs are enqueued once per interval, whoever asks; leases are exclusive."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from loopdesk.scheduling.models import PeriodicJob
from loopdesk.scheduling.services import enqueue_due_jobs, job_lease

JOBS = {"outbox": {"task": "loopdesk.notifications.tasks.deliver_outbox", "every": 30}}


@pytest.mark.django_db
def test_a_job_is_enqueued_once_per_interval(settings):
    settings.LOOPDESK_PERIODIC_JOBS = JOBS
    now = timezone.now()
    assert enqueue_due_jobs(now=now) == ["outbox"]
    assert enqueue_due_jobs(now=now + dt.timedelta(seconds=10)) == []
    assert enqueue_due_jobs(now=now + dt.timedelta(seconds=31)) == ["outbox"]


@pytest.mark.django_db
def test_a_disabled_job_is_not_enqueued(settings):
    settings.LOOPDESK_PERIODIC_JOBS = JOBS
    PeriodicJob.objects.create(name="outbox", is_enabled=False)
    assert enqueue_due_jobs() == []


@pytest.mark.django_db
def test_an_unknown_task_is_skipped_and_recorded_without_stopping_the_others(settings):
    settings.LOOPDESK_PERIODIC_JOBS = {"broken": {"task": "loopdesk.nowhere.task", "every": 60}, **JOBS}
    assert enqueue_due_jobs() == ["outbox"]
    assert "nowhere" in PeriodicJob.objects.get(name="broken").last_error


@pytest.mark.django_db
def test_a_lease_is_exclusive_until_released():
    with job_lease("sweep", ttl_seconds=60) as first, job_lease("sweep", ttl_seconds=60) as second:
        assert (first, second) == (True, False)
    with job_lease("sweep", ttl_seconds=60) as again:
        assert again


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_at_the_same_instant_enqueue_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    settings.LOOPDESK_PERIODIC_JOBS = JOBS
    PeriodicJob.objects.create(name="outbox")
    now, barrier, results = timezone.now(), threading.Barrier(6), []

    def run():
        barrier.wait()
        try:
            results.append(enqueue_due_jobs(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(len, results)) == [0, 0, 0, 0, 0, 1]
