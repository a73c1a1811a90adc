"""Record when periodic jobs start and finish, from the task signals (operational status only).

A signal is right here: the record is non-essential, and it covers every periodic task without the
task knowing. A receiver must never fail the task it observes, so errors are logged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished, task_started

from loopdesk.scheduling.services import record_job_finished, record_job_started

logger = logging.getLogger("loopdesk.scheduling")


@receiver(task_started, dispatch_uid="loopdesk.scheduling.job_started")
def note_job_started(sender: Any, task_result: TaskResult, **kwargs: Any) -> None:
    _quietly(lambda: record_job_started(task_result.task.module_path))


@receiver(task_finished, dispatch_uid="loopdesk.scheduling.job_finished")
def note_job_finished(sender: Any, task_result: TaskResult, **kwargs: Any) -> None:
    error = ""
    if task_result.status == TaskResultStatus.FAILED:
        error = _last_error(task_result) or "failed"
    _quietly(lambda: record_job_finished(task_result.task.module_path, error=error))


def _last_error(task_result: TaskResult) -> str:
    if not task_result.errors:
        return ""
    lines = task_result.errors[-1].traceback.strip().splitlines()
    return lines[-1] if lines else task_result.errors[-1].exception_class_path


def _quietly(record: Callable[[], int]) -> None:
    try:
        with transaction.atomic():  # a savepoint inside a caller's transaction keeps it usable
            record()
    except Exception:
        logger.warning("could not record a periodic job run", exc_info=True)
