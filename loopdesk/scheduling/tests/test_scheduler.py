"""The scheduler thread: enqueues due jobs every tick, survives errors, stops promptly."""

from __future__ import annotations

import time

import pytest

from loopdesk.scheduling.models import PeriodicJob
from loopdesk.scheduling.scheduler import Scheduler

JOBS = {"outbox": {"task": "loopdesk.notifications.tasks.deliver_outbox", "every": 30}}

# A tick manages its thread's connection like a worker does (closing it after errors), so these tests
# run outside a test transaction.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@transactional
def test_one_tick_enqueues_the_due_jobs(settings):
    settings.LOOPDESK_PERIODIC_JOBS = JOBS
    scheduler = Scheduler(tick=1)
    assert scheduler.run_once() == ["outbox"]
    assert scheduler.run_once() == []


@transactional
def test_a_failing_tick_is_logged_and_the_next_one_runs(settings, caplog):
    # given a configuration the scheduler cannot even read
    settings.LOOPDESK_PERIODIC_JOBS = ["not", "a", "mapping"]
    scheduler = Scheduler(tick=1)
    # then the tick logs the error instead of raising
    assert scheduler.run_once() == []
    assert "scheduler tick failed" in caplog.text
    # and once the configuration is fixed, the next tick works
    settings.LOOPDESK_PERIODIC_JOBS = JOBS
    assert scheduler.run_once() == ["outbox"]


@transactional
def test_the_thread_ticks_until_stopped(settings):
    # given a scheduler thread ticking every 50 ms
    settings.LOOPDESK_PERIODIC_JOBS = JOBS
    scheduler = Scheduler(tick=0.05)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while scheduler.ticks < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        # when it is stopped
        started = time.monotonic()
        scheduler.stop()
    # then it stops at once, after having enqueued the job
    assert not scheduler.is_alive() and time.monotonic() - started < 2
    assert scheduler.ticks >= 3 and PeriodicJob.objects.get(name="outbox").last_enqueued_at is not None
