"""Closing the loop with the customer: survey invitations, the customer's verdict, reminders, silence, archive."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.core import tokens
from loopdesk.core.errors import Conflict, IllegalTransition, ValidationFailed
from loopdesk.surveys import scale
from loopdesk.surveys.models import CallbackTask, SurveyInvitation, SurveyLink, SurveySettings
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.events import clocks_synced_once, record_event
from loopdesk.tickets.models import CloseOutcome, Satisfaction, Ticket, TicketEvent
from loopdesk.tickets.workflow import Status

ANSWER_FIELDS = ("timeliness", "attitude", "effectiveness")
VIA = ("survey", "callback", "portal", "agent")
AWAITING = (Status.RESOLVED, Status.NOTIFIED)


def settings_for(ticket: Ticket) -> SurveySettings:
    """The survey settings of the ticket's category, else the default row (created on first use)."""
    if ticket.category_id:
        own = SurveySettings.objects.filter(category_id=ticket.category_id).first()
        if own is not None:
            return own
    return default_settings()


def default_settings() -> SurveySettings:
    """The default survey settings row, created with the built-in defaults on first use."""
    default = SurveySettings.objects.filter(category__isnull=True).first()
    return default or SurveySettings.objects.get_or_create(category=None)[0]


def survey_url(token: str) -> str:
    """The absolute survey link for a token (LOOPDESK_PUBLIC_URL + /s/<token>)."""
    base = getattr(settings, "LOOPDESK_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("surveys:answer", args=[token])


def _new_link(invitation: SurveyInvitation) -> str:
    token = tokens.new_token()
    SurveyLink.objects.create(invitation=invitation, token_hash=tokens.digest(token))
    return token


def _email_link(
    ticket: Ticket, invitation: SurveyInvitation, token: str, event: TicketEvent, *, reminder: bool
) -> None:
    from loopdesk.mail.customer_mail import email_customer  # mail reacts to ticket events; imported when used

    if not settings.LOOPDESK_CUSTOMER_EMAIL:
        return
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
    extra = {"link": survey_url(token), "expires": expires, "reminder": reminder}
    email_customer(ticket, "survey", event, extra=extra)


@transaction.atomic
def invite_to_survey(ticket: Ticket, *, now: dt.datetime | None = None) -> tuple[SurveyInvitation, str] | None:
    """Invite the customer to this cycle's survey once: a new 256-bit link by email, and a timeline event.

    Sent when the result is reported to the customer (resolved → notified): the SOP asks for satisfaction
    after the customer has heard what was done, and the callback milestone already covers the resolved step.
    Returns the invitation and its clear token (only ever held in memory), or None when one exists."""
    now = now or timezone.now()
    cfg = settings_for(ticket)
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                ticket=ticket,
                cycle=ticket.reopen_count,
                scale=cfg.scale,
                created_at=now,
                expires_at=now + dt.timedelta(days=cfg.link_valid_days),
            )
    except IntegrityError:
        return None
    token = _new_link(invitation)
    emailed = bool(settings.LOOPDESK_CUSTOMER_EMAIL and (ticket.customer.email or "").strip())
    event = record_event(
        ticket,
        TicketEvent.Kind.SURVEY_SENT,
        actor=None,
        cycle=invitation.cycle,
        expires_at=invitation.expires_at.isoformat(),
        channel="email" if emailed else "",  # without an address the callback asks the same questions
    )
    _email_link(ticket, invitation, token, event, reminder=False)
    return invitation, token


# --- the survey link ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenCheck:
    """What a presented survey token opens: nothing, or an invitation that may be used up or answered."""

    invitation: SurveyInvitation | None
    is_used: bool = False
    is_answered: bool = False  # this ticket cycle has a scored answer, by whatever path


def check_token(token: str, *, now: dt.datetime | None = None) -> TokenCheck:
    """Unknown, altered, expired, closed or earlier-cycle tokens open nothing. Every path does the same work:
    one digest, one indexed query (which also tells whether the cycle is answered), one constant-time compare."""
    now = now or timezone.now()
    token = token[:100]
    answered = Satisfaction.objects.filter(
        ticket_id=OuterRef("invitation__ticket_id"), cycle=OuterRef("invitation__ticket__reopen_count")
    )
    link = (
        SurveyLink.objects.select_related("invitation__ticket")
        .annotate(is_answered=Exists(answered))
        .filter(token_hash=tokens.digest(token))
        .first()
    )
    matches = tokens.same_digest(token, link.token_hash if link is not None else "0" * 64)
    if link is None or not matches:
        return TokenCheck(None)
    invitation = link.invitation
    if invitation.closed_silent_at is not None or invitation.expires_at <= now:
        return TokenCheck(None)
    if invitation.cycle != invitation.ticket.reopen_count or invitation.ticket.is_archived:
        return TokenCheck(None)
    return TokenCheck(invitation, invitation.used_at is not None, link.is_answered)  # type: ignore[attr-defined]


def is_cycle_answered(ticket: Ticket) -> bool:
    """True once this ticket cycle has a scored answer (by survey, callback or portal)."""
    return Satisfaction.objects.filter(ticket_id=ticket.pk, cycle=ticket.reopen_count).exists()


@transaction.atomic
def submit_survey(
    invitation: SurveyInvitation, *, score: int, solved: bool, answers: dict, comment: str
) -> Satisfaction | None:
    """The customer's survey answer: one per cycle; the link is used up."""
    locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.used_at is not None:
        raise Conflict(_("This survey has already been answered. Thank you!"))
    satisfaction = record_customer_verdict(
        locked.ticket, solved=solved, score=score, via="survey", answers=answers, comment=comment
    )
    return satisfaction


# --- the verdict ------------------------------------------------------------------------------------


def _answers(answers: dict | None) -> dict[str, Any]:
    unknown = sorted(set(answers or {}) - set(ANSWER_FIELDS))
    if unknown:
        raise ValidationFailed(_("Unknown answers."), fields={f: _("This field is not accepted.") for f in unknown})
    return {k: v for k, v in (answers or {}).items() if v not in (None, "")}


@transaction.atomic
@clocks_synced_once()
def record_customer_verdict(
    ticket: Ticket,
    *,
    solved: bool | None,
    score: int | None,
    via: str,
    answers: dict | None = None,
    comment: str = "",
    actor=None,
) -> Satisfaction | None:
    """Record the customer's answer and close the loop: unsatisfied or not solved → second processing;
    satisfied → closed (闭环), archived later; solved without a score → only the confirmation is recorded.

    `score` is on the five-level scale (5 very satisfied … 1 very dissatisfied); `answers` may hold the
    timeliness, attitude and effectiveness scores; `actor` is None when the customer answers."""
    if via not in VIA:
        raise ValidationFailed(_("Unknown channel."), fields={"via": _("Unknown channel.")})
    if solved is None and score is None:
        raise ValidationFailed(_("Say whether the problem is solved."), fields={"solved": _("This field is required.")})
    ticket = ticket_services.lock_ticket(ticket)
    if ticket.status not in ticket_services.SATISFACTION_STATUSES or ticket.is_archived:
        raise IllegalTransition(_("The customer's verdict is recorded after the ticket is resolved."))
    if score is not None and is_cycle_answered(ticket):
        raise Conflict(_("This survey has already been answered. Thank you!"))
    cfg = settings_for(ticket)
    satisfaction = None
    if score is not None:
        satisfaction = ticket_services.save_satisfaction(
            ticket, actor=actor, score=score, comment=comment, is_solved=solved, via=via, **_answers(answers)
        )
    else:
        record_event(ticket, TicketEvent.Kind.CUSTOMER_CONFIRMED, actor=actor, body=comment, solved=solved, via=via)
    low = satisfaction is not None and scale.is_unsatisfied(satisfaction.score, cfg.unsatisfied_threshold)
    if low or solved is False:
        cancel_open_callbacks(ticket)
        reason = (
            _("Customer unsatisfied (score %d)") % satisfaction.score
            if low and satisfaction is not None
            else _("The customer says the problem is not solved")
        )
        ticket_services.reopen_unsatisfied(ticket, actor=actor, reason=reason)
    elif satisfaction is not None and ticket.status in AWAITING:
        ticket_services.close_confirmed_or_silent(
            ticket, outcome=CloseOutcome.CONFIRMED, reason=_("The customer is satisfied"), actor=actor
        )
    return satisfaction


def finish_cycle(ticket: Ticket) -> None:
    """The cycle is answered: its survey link is used up and its open callback is done."""
    now = timezone.now()
    SurveyInvitation.objects.filter(ticket=ticket, cycle=ticket.reopen_count, used_at__isnull=True).update(used_at=now)
    CallbackTask.objects.filter(ticket=ticket, cycle=ticket.reopen_count, state=CallbackTask.State.OPEN).update(
        state=CallbackTask.State.ANSWERED, finished_at=now
    )


def cancel_open_callbacks(ticket: Ticket) -> None:
    """The ticket reopened or closed: nobody needs to call the customer about the earlier result."""
    CallbackTask.objects.filter(ticket=ticket, state=CallbackTask.State.OPEN).update(
        state=CallbackTask.State.CANCELLED, finished_at=timezone.now()
    )


def close_as_no_response(ticket: Ticket, *, reason: str) -> bool:
    """Close a locked, resolved ticket whose customer never answered ("no response", counted apart)."""
    if ticket.status not in AWAITING or ticket.is_archived:
        return False
    return ticket_services.close_confirmed_or_silent(ticket, outcome=CloseOutcome.NO_RESPONSE, reason=reason)


# --- periodic: reminders, silence, archive ----------------------------------------------------------


def pending_invitation_ids(now: dt.datetime) -> list[int]:
    return list(
        SurveyInvitation.objects.filter(
            used_at__isnull=True, closed_silent_at__isnull=True, ticket__status__in=AWAITING
        ).values_list("pk", flat=True)[:500]
    )


@transaction.atomic
@clocks_synced_once()
def follow_up_invitation(invitation_id: int, *, now: dt.datetime | None = None) -> str:
    """Send the next due reminder, or close the ticket as no response when its time has come; idempotent.

    Returns what was done: "reminded", "closed", or "" (nothing due, or another worker holds the row)."""
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_for_update(skip_locked=True)
        .select_related("ticket")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.used_at or invitation.closed_silent_at:
        return ""
    ticket = invitation.ticket
    if ticket.status not in AWAITING or ticket.reopen_count != invitation.cycle:
        return ""
    cfg = settings_for(ticket)
    closes_at = scale.no_response_at(
        invitation.created_at,
        count=cfg.reminder_count,
        interval_days=cfg.reminder_interval_days,
        close_after_days=cfg.no_response_close_days,
    )
    if now >= closes_at and (invitation.reminders_sent >= cfg.reminder_count or invitation.expires_at <= now):
        ticket = ticket_services.lock_ticket(ticket)
        invitation.closed_silent_at = now
        invitation.save(update_fields=["closed_silent_at"])
        cancel_open_callbacks(ticket)
        close_as_no_response(ticket, reason=_("No answer to the satisfaction survey"))
        return "closed"
    due = scale.reminders_due(
        invitation.created_at,
        count=cfg.reminder_count,
        interval_days=cfg.reminder_interval_days,
        sent=invitation.reminders_sent,
        now=now,
    )
    if due <= 0 or invitation.expires_at <= now:
        return ""
    invitation.reminders_sent += due  # a worker that was down sends one reminder, not the missed ones
    invitation.last_reminded_at = now
    invitation.save(update_fields=["reminders_sent", "last_reminded_at"])
    token = _new_link(invitation)
    event = record_event(
        ticket, TicketEvent.Kind.SURVEY_REMINDED, actor=None, cycle=invitation.cycle, reminder=invitation.reminders_sent
    )
    _email_link(ticket, invitation, token, event, reminder=True)
    return "reminded"


def confirmed_ticket_ids_to_archive(now: dt.datetime) -> list[int]:
    rows = Ticket.objects.filter(
        status=Status.CLOSED, is_archived=False, close_outcome=CloseOutcome.CONFIRMED, closed_at__isnull=False
    ).values_list("pk", "closed_at", "category_id")[:500]  # closed_at is never null here (filtered)
    delays: dict[int | None, int] = {}
    due = []
    for pk, closed_at, category_id in rows:
        if category_id not in delays:
            own = SurveySettings.objects.filter(category_id=category_id).first() if category_id else None
            delays[category_id] = (own or default_settings()).archive_after_days
        if closed_at is not None and closed_at + dt.timedelta(days=delays[category_id]) <= now:
            due.append(pk)
    return due


@transaction.atomic
def archive_confirmed_ticket(ticket_id: int) -> bool:
    """Archive one ticket closed on the customer's confirmation (it becomes read-only); idempotent."""
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None or ticket.close_outcome != CloseOutcome.CONFIRMED:
        return False
    return ticket_services.archive_closed_ticket(ticket)


def sweep_surveys(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the periodic job: reminders, no-response closes, archiving after the delay."""
    now = now or timezone.now()
    done = {"reminded": 0, "closed": 0, "archived": 0}
    for pk in pending_invitation_ids(now):
        outcome = follow_up_invitation(pk, now=now)
        if outcome:
            done[outcome] += 1
    for pk in confirmed_ticket_ids_to_archive(now):
        done["archived"] += int(archive_confirmed_ticket(pk))
    return done
