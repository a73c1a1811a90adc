"""Periodic job runs are recorded from the task signals, without failing the task."""

from __future__ import annotations

import pytest
from django_tasks import task

from loopdesk.scheduling.models import PeriodicJob
from loopdesk.scheduling.services import enqueue_due_jobs

pytestmark = pytest.mark.django_db


@task()
def failing_job() -> None:
    raise RuntimeError("the sweep hit a snag")


@task()
def quiet_job() -> int:
    return 1


PATH = f"{__name__}.%s"


def test_a_successful_run_records_its_start_and_finish(settings):
    # given a periodic job (tests run tasks immediately, as a worker would)
    settings.LOOPDESK_PERIODIC_JOBS = {"quiet": {"task": PATH % "quiet_job", "every": 60}}
    # when it is enqueued and runs
    enqueue_due_jobs()
    # then its run is recorded
    job = PeriodicJob.objects.get(name="quiet")
    assert job.last_started_at is not None and job.last_finished_at >= job.last_started_at
    assert job.last_error == ""


def test_a_failed_run_records_its_error(settings):
    settings.LOOPDESK_PERIODIC_JOBS = {"failing": {"task": PATH % "failing_job", "every": 60}}
    enqueue_due_jobs()
    job = PeriodicJob.objects.get(name="failing")
    assert job.last_finished_at is not None and "the sweep hit a snag" in job.last_error


def test_a_task_that_is_no_periodic_job_records_nothing(settings):
    settings.LOOPDESK_PERIODIC_JOBS = {}
    assert quiet_job.enqueue().return_value == 1
    assert not PeriodicJob.objects.exists()
