"""Periodic jobs are enqueued once per interval, whoever asks; leases are exclusive; runs are recorded."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loopdesk.scheduling.models import JobLease, PeriodicJob
from loopdesk.scheduling.services import (
    enqueue_due_jobs,
    job_lease,
    record_job_finished,
    record_job_started,
)

OUTBOX_TASK = "loopdesk.notifications.tasks.deliver_outbox"
JOBS = {"outbox": {"task": OUTBOX_TASK, "every": 30}}


@pytest.fixture
def jobs(settings):
    settings.LOOPDESK_PERIODIC_JOBS = JOBS
    return JOBS


@pytest.mark.django_db
def test_a_job_is_enqueued_once_per_interval(jobs):
    # given a job every 30 s that was never run
    now = timezone.now()
    # when schedulers ask at 0 s, 0 s again, 10 s and 31 s
    runs = [enqueue_due_jobs(now=now + dt.timedelta(seconds=s)) for s in (0, 0, 10, 31)]
    # then it is enqueued at 0 s and 31 s only
    assert runs == [["outbox"], [], [], ["outbox"]]
    job = PeriodicJob.objects.get(name="outbox")
    assert job.last_enqueued_at == now + dt.timedelta(seconds=31)
    assert job.next_run_at == now + dt.timedelta(seconds=61)


@pytest.mark.django_db
def test_the_job_row_is_created_on_first_use(jobs):
    assert not PeriodicJob.objects.exists()
    enqueue_due_jobs()
    assert list(PeriodicJob.objects.values_list("name", "is_enabled")) == [("outbox", True)]


@pytest.mark.django_db
def test_a_disabled_job_is_not_enqueued(jobs):
    PeriodicJob.objects.create(name="outbox", is_enabled=False)
    assert enqueue_due_jobs() == []
    assert PeriodicJob.objects.get(name="outbox").last_enqueued_at is None


@pytest.mark.django_db
def test_an_unknown_task_is_skipped_and_recorded_without_stopping_the_others(settings, caplog):
    # given a job whose task does not exist (yet) before a good one
    settings.LOOPDESK_PERIODIC_JOBS = {"broken": {"task": "loopdesk.nowhere.tasks.sweep", "every": 60}, **JOBS}
    now = timezone.now()
    # when the scheduler runs
    assert enqueue_due_jobs(now=now) == ["outbox"]
    # then the broken one is logged and recorded, and its interval is used up (one error per interval)
    broken = PeriodicJob.objects.get(name="broken")
    assert "nowhere" in broken.last_error and "loopdesk.nowhere.tasks.sweep" in caplog.text
    assert broken.next_run_at == now + dt.timedelta(seconds=60)
    assert enqueue_due_jobs(now=now + dt.timedelta(seconds=1)) == []


@pytest.mark.django_db
def test_a_path_that_is_not_a_task_is_skipped(settings):
    settings.LOOPDESK_PERIODIC_JOBS = {"odd": {"task": "loopdesk.scheduling.services.logger", "every": 60}, **JOBS}
    assert enqueue_due_jobs() == ["outbox"]
    assert "AttributeError" in PeriodicJob.objects.get(name="odd").last_error


@pytest.mark.django_db
def test_a_malformed_entry_is_skipped(settings):
    settings.LOOPDESK_PERIODIC_JOBS = {"no_interval": {"task": OUTBOX_TASK}, **JOBS}
    assert enqueue_due_jobs() == ["outbox"]


@pytest.mark.django_db
def test_the_enqueued_task_is_the_configured_one(jobs, settings):
    # given the database task backend (what workers use)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # when the job is due
    enqueue_due_jobs()
    # then one task result waits in the queue for a worker
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [(OUTBOX_TASK, "READY")]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_at_the_same_instant_enqueue_once(jobs, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    # given six schedulers on different machines, and the database task backend
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    PeriodicJob.objects.create(name="outbox")
    now, barrier, results, errors = timezone.now(), threading.Barrier(6), [], []

    def run():
        try:
            barrier.wait()
            results.append(enqueue_due_jobs(now=now))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when they all ask at the same instant
    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then exactly one enqueued the job, once
    assert errors == [] and sorted(map(len, results)) == [0, 0, 0, 0, 0, 1]
    assert DBTaskResult.objects.filter(task_path=OUTBOX_TASK).count() == 1


@pytest.mark.django_db
def test_runs_are_recorded_for_the_jobs_of_a_task(jobs):
    # given the job exists
    enqueue_due_jobs()
    started, finished = timezone.now(), timezone.now() + dt.timedelta(seconds=2)
    # when its task starts, then fails
    assert record_job_started(OUTBOX_TASK, now=started) == 1
    assert record_job_finished(OUTBOX_TASK, error="Boom", now=finished) == 1
    job = PeriodicJob.objects.get(name="outbox")
    assert (job.last_started_at, job.last_finished_at, job.last_error) == (started, finished, "Boom")
    # and a later success clears the error; tasks that are not periodic jobs touch nothing
    record_job_finished(OUTBOX_TASK)
    assert PeriodicJob.objects.get(name="outbox").last_error == ""
    assert record_job_started("loopdesk.notifications.tasks.deliver_message") == 0


@pytest.mark.django_db
def test_a_lease_is_exclusive_until_released():
    with job_lease("sweep", ttl_seconds=60) as first, job_lease("sweep", ttl_seconds=60) as second:
        assert (first, second) == (True, False)
        assert ":" in JobLease.objects.get(name="sweep").holder  # host:pid:random
    with job_lease("sweep", ttl_seconds=60) as again:
        assert again


@pytest.mark.django_db
def test_leases_with_different_names_are_independent():
    with job_lease("a", ttl_seconds=60) as a, job_lease("b", ttl_seconds=60) as b:
        assert a and b


@pytest.mark.django_db
def test_a_crashed_holders_lease_expires():
    # given a lease held by a process that died without releasing it
    now = timezone.now()
    JobLease.objects.create(name="sweep", holder="dead:1:x", held_until=now + dt.timedelta(seconds=120))
    # then nobody gets it until it expires, and anybody after
    with job_lease("sweep", ttl_seconds=60) as got:
        assert not got
    with time_machine.travel(now + dt.timedelta(seconds=121)), job_lease("sweep", ttl_seconds=60) as got:
        assert got


@pytest.mark.django_db
def test_releasing_does_not_free_a_lease_someone_else_took_over():
    # given a holder whose lease expired and was taken over while it was still working
    with job_lease("sweep", ttl_seconds=60, holder="slow") as got:
        assert got
        JobLease.objects.filter(name="sweep").update(holder="next", held_until=timezone.now() + dt.timedelta(hours=1))
    # then the slow holder's exit leaves the new holder's lease alone
    assert JobLease.objects.get(name="sweep").held_until > timezone.now() + dt.timedelta(minutes=59)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_processes_get_a_lease_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race only exists on PostgreSQL")
    # given six processes asking for one lease at the same instant, holding it until all have asked
    start, asked, results = threading.Barrier(6), threading.Barrier(6), []

    def run():
        try:
            start.wait()
            with job_lease("sweep", ttl_seconds=60) as got:
                results.append(got)
                asked.wait()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then exactly one got it
    assert sorted(results) == [False] * 5 + [True]
