"""Write use-cases for callback tasks (回访任务): open one when the SLA callback milestone starts, record each
call, reveal the phone to the assigned agent only, and hand the answers to record_customer_verdict."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loopdesk.accounts.models import User
from loopdesk.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from loopdesk.customers.services import revealed_value
from loopdesk.notifications.services import enqueue_notification
from loopdesk.sla.clocks import Milestone
from loopdesk.sla.models import TicketSla
from loopdesk.surveys import scale
from loopdesk.surveys.models import CallbackAttempt, CallbackTask, SurveyInvitation
from loopdesk.surveys.services import close_as_no_response, record_customer_verdict, settings_for
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.events import clocks_synced_once, record_event
from loopdesk.tickets.models import Satisfaction, Ticket, TicketEvent

CALLER_GROUP = "agent"  # 客服专员 make the callbacks (DOMAIN: satisfaction & callback)


def has_callback_target(ticket: Ticket) -> bool:
    """True when the ticket's SLA revision sets a callback target for its priority."""
    if ticket.priority is None:
        return False
    sla = TicketSla.objects.select_related("revision").filter(ticket_id=ticket.pk).first()
    if sla is None:
        return False
    targets = sla.revision.definition.get("targets", {}).get(ticket.priority.code, {})
    return Milestone.CALLBACK.value in targets


def choose_caller(ticket: Ticket) -> User | None:
    """The agent of the owner department (else any agent) with the fewest open callbacks; else the owner."""
    agents = User.objects.filter(is_active=True, groups__name=CALLER_GROUP)
    pools = [agents.filter(department_id=ticket.owner_department_id)] if ticket.owner_department_id else []
    for pool in [*pools, agents]:
        loads = list(
            pool.annotate(open=Count("callback_tasks", filter=Q(callback_tasks__state=CallbackTask.State.OPEN)))
            .values_list("pk", "open", "username")
            .distinct()
        )
        pk = scale.fairest_agent(loads)
        if pk is not None:
            return User.objects.get(pk=pk)
    return ticket.owner or ticket.created_by


def open_callback_task(ticket: Ticket, *, started_at: dt.datetime | None = None) -> CallbackTask | None:
    """Open this cycle's callback task once, in the caller's transaction; None without a callback target."""
    if not has_callback_target(ticket):
        return None
    caller = choose_caller(ticket)
    if caller is None:
        return None
    try:
        with transaction.atomic():
            task = CallbackTask.objects.create(
                ticket=ticket, cycle=ticket.reopen_count, assignee=caller, started_at=started_at or timezone.now()
            )
    except IntegrityError:
        return None
    with translation.override(settings.LANGUAGE_CODE):  # the timeline is written in the site language
        body = _("Callback by %(agent)s") % {"agent": caller}
    record_event(
        ticket, TicketEvent.Kind.CALLBACK_CREATED, actor=None, body=body, assignee=caller.username, cycle=task.cycle
    )
    enqueue_notification(
        kind="surveys.callback",
        recipient=caller,
        subject=_("Callback to make: %(number)s") % {"number": ticket.number},
        body=ticket.title,
        ticket=ticket,
        url=reverse("surveys:callback", args=[task.pk]),
        dedupe_key=f"callback:{task.pk}",
    )
    return task


def _may_work(task: CallbackTask, actor: User) -> bool:
    return task.assignee_id == actor.pk or actor.has_perm("tickets.assign_ticket")


def _lock_open(task: CallbackTask, actor: User) -> CallbackTask:
    task = CallbackTask.objects.select_for_update().select_related("ticket").get(pk=task.pk)
    if not _may_work(task, actor):
        raise PermissionDenied(_("This callback is assigned to someone else."))
    if task.state != CallbackTask.State.OPEN:
        raise IllegalTransition(_("This callback is finished."))
    return task


@transaction.atomic
@clocks_synced_once()
def record_callback_attempt(
    task: CallbackTask, *, outcome: str, actor: User, call_at: dt.datetime | None = None, note: str = ""
) -> CallbackAttempt:
    """One call that did not reach the customer; after the configured failures the task ends unreachable."""
    task = _lock_open(task, actor)
    if outcome not in scale.FAILED | {scale.AttemptOutcome.CALL_LATER}:
        raise ValidationFailed(_("Choose what came of the call."), fields={"outcome": _("Unknown outcome.")})
    if outcome == scale.AttemptOutcome.CALL_LATER and (call_at is None or call_at <= timezone.now()):
        raise ValidationFailed(_("Give the time to call back."), fields={"call_at": _("Enter a time in the future.")})
    if len(note) > 500:
        raise ValidationFailed(_("The note is too long."), fields={"note": _("At most 500 characters.")})
    attempt = CallbackAttempt.objects.create(task=task, outcome=outcome, call_at=call_at, note=note, made_by=actor)
    task.call_at = call_at if outcome == scale.AttemptOutcome.CALL_LATER else None
    outcomes = list(task.attempts.values_list("outcome", flat=True))
    unreachable = scale.is_unreachable(outcomes, max_failed=settings_for(task.ticket).callback_max_attempts)
    if unreachable:
        task.state, task.finished_at = CallbackTask.State.UNREACHABLE, timezone.now()
    task.save(update_fields=["call_at", "state", "finished_at"])
    record_event(
        task.ticket,
        TicketEvent.Kind.CALLBACK_ATTEMPTED,
        actor=actor,
        body=note,
        outcome=outcome,
        call_at=call_at.isoformat() if call_at else None,
        unreachable=unreachable,
    )
    if unreachable:
        _no_response_path(task.ticket)
    return attempt


def _no_response_path(ticket: Ticket) -> None:
    """An unreachable customer: the ticket closes as no response unless a survey link is still waiting."""
    ticket = ticket_services.lock_ticket(ticket)
    waiting = SurveyInvitation.objects.filter(
        ticket=ticket,
        cycle=ticket.reopen_count,
        used_at__isnull=True,
        closed_silent_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()
    if not waiting:
        close_as_no_response(ticket, reason=_("The customer could not be reached for the callback"))


@transaction.atomic
def record_callback_answers(
    task: CallbackTask,
    *,
    actor: User,
    solved: bool | None,
    score: int | None,
    answers: dict | None = None,
    comment: str = "",
) -> Satisfaction | None:
    """The customer answered the callback script: the call is recorded and the verdict closes the loop."""
    task = _lock_open(task, actor)
    CallbackAttempt.objects.create(task=task, outcome=scale.AttemptOutcome.REACHED, made_by=actor)
    task.state, task.finished_at, task.call_at = CallbackTask.State.ANSWERED, timezone.now(), None
    task.save(update_fields=["state", "finished_at", "call_at"])
    return record_customer_verdict(
        task.ticket, solved=solved, score=score, via="callback", answers=answers, comment=comment, actor=actor
    )


def may_reveal_phone(task: CallbackTask, actor: User) -> bool:
    """Only the agent the callback is assigned to sees the customer's phone number."""
    return task.assignee_id == actor.pk and task.state == CallbackTask.State.OPEN


def reveal_callback_phone(task: CallbackTask, *, actor: User, reason: str = "", request=None) -> str:
    """The customer's phone in clear for the assigned agent; every reveal is audited like any PII reveal."""
    if not may_reveal_phone(task, actor):
        raise PermissionDenied(_("Only the agent assigned to this callback may see the phone number."))
    return revealed_value(
        task.ticket.customer,
        field="phone",
        actor=actor,
        reason=reason or _("Callback for %(number)s") % {"number": task.ticket.number},
        request=request,
    )
