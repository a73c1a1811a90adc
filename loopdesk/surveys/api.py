"""API v1 callback endpoints: the caller's queue, a failed call, and the customer's answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router

from loopdesk.accounts.http import AuthedRequest
from loopdesk.api.schemas import ErrorOut, Out, StrictIn
from loopdesk.core.masking import mask_phone
from loopdesk.surveys import callbacks, selectors
from loopdesk.surveys.models import CallbackTask

router = Router(tags=["callbacks"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Score = Field(default=None, ge=1, le=5)


class CallbackOut(Out):
    id: int
    ticket: str
    title: str
    state: str
    assignee: str
    phone: str  # masked; the clear number is revealed on the task page only, audited
    due_at: dt.datetime | None
    call_at: dt.datetime | None
    attempts: int


class AttemptIn(StrictIn):
    outcome: Literal["no_answer", "call_later", "wrong_number"]
    call_at: dt.datetime | None = None
    note: str = Field(default="", max_length=500)


class AnswersIn(StrictIn):
    solved: bool
    score: int = Field(ge=1, le=5)
    timeliness: int | None = Score
    attitude: int | None = Score
    effectiveness: int | None = Score
    comment: str = Field(default="", max_length=1000)


def _out(task: CallbackTask) -> dict:
    return {
        "id": task.pk,
        "ticket": task.ticket.number,
        "title": task.ticket.title,
        "state": task.state,
        "assignee": task.assignee.username,
        "phone": mask_phone(task.ticket.customer.phone),
        "due_at": getattr(task, "due_at", None),
        "call_at": task.call_at,
        "attempts": len(task.attempts.all()),
    }


@router.get("/callbacks", response={200: list[CallbackOut], **ERRORS})
def callback_queue(request: AuthedRequest):
    """The caller's open callbacks, the soonest due first."""
    return [_out(t) for t in selectors.callback_queue(request.user).prefetch_related("attempts")[:200]]


@router.post("/callbacks/{pk}/attempts", response={200: CallbackOut, **ERRORS})
def record_attempt(request: AuthedRequest, pk: int, payload: AttemptIn):
    """A call that did not reach the customer; enough of them end the task as unreachable."""
    task = selectors.get_callback_task_for(request.user, pk)
    callbacks.record_callback_attempt(task, actor=request.user, **payload.model_dump())
    return _out(selectors.get_callback_task_for(request.user, pk))


@router.post("/callbacks/{pk}/answers", response={200: CallbackOut, **ERRORS})
def record_answers(request: AuthedRequest, pk: int, payload: AnswersIn):
    """The customer's answers to the script; unsatisfied reopens the ticket, satisfied closes it."""
    task = selectors.get_callback_task_for(request.user, pk)
    data = payload.model_dump()
    answers = {k: data.pop(k) for k in ("timeliness", "attitude", "effectiveness")}
    callbacks.record_callback_answers(task, actor=request.user, answers=answers, **data)
    return _out(selectors.get_callback_task_for(request.user, pk))
