"""Reads for the callback queue and task page, with what the templates need already joined."""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from loopdesk.accounts.models import User
from loopdesk.sla.clocks import Milestone
from loopdesk.sla.models import SlaClock
from loopdesk.surveys.models import CallbackTask


def _with_due(tasks: QuerySet[CallbackTask]) -> QuerySet[CallbackTask]:
    clock_due = (
        SlaClock.objects.filter(ticket_id=OuterRef("ticket_id"), milestone=Milestone.CALLBACK)
        .order_by("-cycle")
        .values("due_at")[:1]
    )
    return tasks.annotate(due_at=Subquery(clock_due), next_at=Coalesce("call_at", Subquery(clock_due), "started_at"))


def callback_queue(user: User, *, everyone: bool = False) -> QuerySet[CallbackTask]:
    """Open callbacks of this agent (or of everyone, for supervisors), the soonest due first."""
    tasks = CallbackTask.objects.filter(state=CallbackTask.State.OPEN)
    if not (everyone and user.has_perm("tickets.assign_ticket")):
        tasks = tasks.filter(assignee=user)
    return (
        _with_due(tasks)
        .select_related("ticket__customer", "ticket__priority", "ticket__category", "assignee")
        .order_by(F("next_at").asc(nulls_last=True), "id")
    )


def get_callback_task_for(user: User, pk: int) -> CallbackTask:
    """One callback task its assignee (or a supervisor) may open; anyone else gets 404."""
    tasks = CallbackTask.objects.all()
    if not user.has_perm("tickets.assign_ticket"):
        tasks = tasks.filter(assignee=user)
    task = (
        _with_due(tasks)
        .select_related(
            "ticket__customer", "ticket__priority", "ticket__category", "ticket__owner_department", "assignee"
        )
        .prefetch_related("attempts__made_by")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task
