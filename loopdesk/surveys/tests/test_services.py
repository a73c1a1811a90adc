"""Invitations, the customer's verdict and the periodic follow-up, with the real services and outbox."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from loopdesk.core.errors import Conflict, IllegalTransition, ValidationFailed
from loopdesk.core.tokens import digest as token_digest
from loopdesk.notifications.models import OutboxMessage
from loopdesk.sla.models import SlaClock
from loopdesk.surveys import services
from loopdesk.surveys.models import CallbackTask, SurveyInvitation, SurveyLink, SurveySettings
from loopdesk.surveys.tests.conftest import survey_path
from loopdesk.tickets.models import CloseOutcome, Satisfaction, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def kinds(ticket):
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


def test_reporting_the_result_sends_one_survey_per_cycle(notified):
    invitation = SurveyInvitation.objects.get(ticket=notified)
    assert invitation.cycle == 0 and invitation.used_at is None
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=30)  # R27 default
    token = survey_path(notified).removeprefix("/s/")
    link = SurveyLink.objects.get(invitation=invitation)
    assert link.token_hash == token_digest(token) and token not in link.token_hash
    email = OutboxMessage.objects.get(ticket=notified, kind="customer.survey")
    assert email.payload["to"] == "zhao@example.com" and "/s/" + token in email.body
    sent = notified.events.get(kind=TicketEvent.Kind.SURVEY_SENT)
    assert token not in str(sent.data) and TicketEvent.Kind.CUSTOMER_EMAILED in kinds(notified)
    assert sent.data["channel"] == "email" and sent.actor is None
    assert services.invite_to_survey(notified) is None  # once per cycle
    assert SurveyInvitation.objects.filter(ticket=notified).count() == 1


def test_the_link_opens_its_invitation_only(notified):
    token = survey_path(notified).removeprefix("/s/")
    check = services.check_token(token)
    assert check.invitation.ticket == notified and (check.is_used, check.is_answered) == (False, False)
    assert services.check_token(token[:-1] + ("x" if token[-1] != "x" else "y")).invitation is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert services.check_token(token).invitation is None


def test_a_satisfied_answer_closes_the_loop(notified):
    invitation = services.check_token(survey_path(notified).removeprefix("/s/")).invitation
    satisfaction = services.submit_survey(
        invitation, score=5, solved=True, answers={"timeliness": 4, "attitude": 5, "effectiveness": 5}, comment="很好"
    )
    ticket = Ticket.objects.get(pk=notified.pk)
    assert ticket.status == "closed" and ticket.close_outcome == CloseOutcome.CONFIRMED and not ticket.is_archived
    assert (satisfaction.via, satisfaction.is_solved, satisfaction.cycle, satisfaction.recorded_by) == (
        "survey", True, 0, None
    )  # fmt: skip
    assert satisfaction.timeliness == 4
    closed = ticket.events.get(kind=TicketEvent.Kind.CLOSED)
    assert closed.actor is None and closed.data["outcome"] == "confirmed"
    assert SurveyInvitation.objects.get(pk=invitation.pk).used_at is not None
    assert CallbackTask.objects.get(ticket=ticket).state == CallbackTask.State.ANSWERED
    with pytest.raises(Conflict):
        services.submit_survey(invitation, score=1, solved=False, answers={}, comment="")
    assert Satisfaction.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(("score", "solved"), [(2, True), (1, True), (4, False), (None, False)])
def test_unsatisfied_or_not_solved_reopens_as_second_processing(notified, supervisor, score, solved):
    before = Ticket.objects.select_related("priority").get(pk=notified.pk)
    services.record_customer_verdict(notified, solved=solved, score=score, via="portal", comment="还是不行")
    ticket = Ticket.objects.select_related("priority").get(pk=notified.pk)
    assert ticket.reopen_count == 1 and ticket.status in {"reopened", "assigned"}  # routed by rule
    assert ticket.priority.rank == before.priority.rank - 1  # P2 → P1
    reopened = ticket.events.get(kind=TicketEvent.Kind.REOPENED)
    assert reopened.data["automatic"] is True and reopened.data["priority"] == {"from": "P2", "to": "P1"}
    assert TicketEvent.Kind.ROUTED in kinds(ticket)  # the owner is chosen again by rule (UNSATISFIED trigger)
    assert OutboxMessage.objects.filter(kind="routing.second_processing", recipient=supervisor).exists()
    resolution = SlaClock.objects.filter(ticket=ticket, milestone="resolution").order_by("-cycle").first()
    assert resolution.state == "running" and resolution.started_at == reopened.created_at.replace(microsecond=0)
    assert CallbackTask.objects.get(ticket=ticket).state in {CallbackTask.State.ANSWERED, CallbackTask.State.CANCELLED}
    # the old link belongs to the previous cycle now
    assert services.check_token(survey_path(notified).removeprefix("/s/")).invitation is None


def test_solved_without_a_score_only_records_the_confirmation(notified):
    assert services.record_customer_verdict(notified, solved=True, score=None, via="portal") is None
    ticket = Ticket.objects.get(pk=notified.pk)
    assert ticket.status == "notified"
    confirmed = ticket.events.get(kind=TicketEvent.Kind.CUSTOMER_CONFIRMED)
    assert confirmed.data == {"solved": True, "via": "portal"} and confirmed.actor is None
    assert SurveyInvitation.objects.get(ticket=ticket).used_at is None  # the survey stays open


def test_threshold_and_scale_come_from_the_settings(notified):
    SurveySettings.objects.update_or_create(category=None, defaults={"unsatisfied_threshold": 3})
    services.record_customer_verdict(notified, solved=True, score=3, via="survey")
    assert Ticket.objects.get(pk=notified.pk).reopen_count == 1


def test_bad_verdicts_are_refused(notified, walk_ticket):
    with pytest.raises(ValidationFailed):
        services.record_customer_verdict(notified, solved=None, score=None, via="survey")
    with pytest.raises(ValidationFailed):
        services.record_customer_verdict(notified, solved=True, score=6, via="survey")
    with pytest.raises(ValidationFailed):
        services.record_customer_verdict(notified, solved=True, score=5, via="fax")
    with pytest.raises(ValidationFailed):
        services.record_customer_verdict(notified, solved=True, score=5, via="survey", answers={"price": 1})
    with pytest.raises(IllegalTransition):
        services.record_customer_verdict(walk_ticket("in_progress"), solved=True, score=5, via="survey")
    assert Ticket.objects.get(pk=notified.pk).status == "notified"


def test_archive_after_the_configured_delay(notified):
    services.record_customer_verdict(notified, solved=True, score=5, via="survey")
    closed_at = Ticket.objects.get(pk=notified.pk).closed_at
    with time_machine.travel(closed_at + dt.timedelta(days=6)):
        assert services.sweep_surveys()["archived"] == 0
    with time_machine.travel(closed_at + dt.timedelta(days=7, minutes=1)):
        assert services.sweep_surveys()["archived"] == 1
        assert services.sweep_surveys()["archived"] == 0  # idempotent
    ticket = Ticket.objects.get(pk=notified.pk)
    assert ticket.is_archived and ticket.events.filter(kind=TicketEvent.Kind.ARCHIVED, actor=None).count() == 1


def test_reminders_then_no_response(notified):
    sent_at = SurveyInvitation.objects.get(ticket=notified).created_at
    first_link = survey_path(notified)
    with time_machine.travel(sent_at + dt.timedelta(days=1)):
        assert services.sweep_surveys() == {"reminded": 0, "closed": 0, "archived": 0}
    with time_machine.travel(sent_at + dt.timedelta(days=3, minutes=1)):
        assert services.sweep_surveys()["reminded"] == 1
        assert services.sweep_surveys()["reminded"] == 0  # each reminder once
    reminder = OutboxMessage.objects.filter(ticket=notified, kind="customer.survey").order_by("-id").first()
    assert "提醒" in reminder.subject or "Reminder" in reminder.subject
    assert survey_path(notified) != first_link
    assert services.check_token(first_link.removeprefix("/s/")).invitation is not None  # earlier links still work
    with time_machine.travel(sent_at + dt.timedelta(days=6, minutes=1)):
        assert services.sweep_surveys()["reminded"] == 1
    with time_machine.travel(sent_at + dt.timedelta(days=9)):
        assert services.sweep_surveys() == {"reminded": 0, "closed": 0, "archived": 0}
    with time_machine.travel(sent_at + dt.timedelta(days=10, minutes=1)):
        assert services.sweep_surveys()["closed"] == 1
        assert services.sweep_surveys()["closed"] == 0
    ticket = Ticket.objects.get(pk=notified.pk)
    assert ticket.status == "closed" and ticket.close_outcome == CloseOutcome.NO_RESPONSE
    assert ticket.events.filter(kind=TicketEvent.Kind.SURVEY_REMINDED).count() == 2
    assert ticket.events.get(kind=TicketEvent.Kind.CLOSED).data["outcome"] == "no_response"
    assert Ticket.objects.filter(close_outcome=CloseOutcome.NO_RESPONSE).count() == 1  # what reports count
    with time_machine.travel(sent_at + dt.timedelta(days=30)):
        assert services.sweep_surveys()["archived"] == 0  # only confirmed closes archive themselves


def test_an_answered_survey_gets_no_reminders(notified):
    sent_at = SurveyInvitation.objects.get(ticket=notified).created_at
    services.record_customer_verdict(notified, solved=True, score=4, via="callback")
    with time_machine.travel(sent_at + dt.timedelta(days=3, minutes=1)):
        assert services.sweep_surveys()["reminded"] == 0


def test_a_link_that_expires_before_the_last_reminder_still_closes_as_no_response(notified):
    invitation = SurveyInvitation.objects.get(ticket=notified)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at + dt.timedelta(days=5))
    with time_machine.travel(invitation.created_at + dt.timedelta(days=3, minutes=1)):
        assert services.sweep_surveys()["reminded"] == 1
    with time_machine.travel(invitation.created_at + dt.timedelta(days=6, minutes=1)):
        assert services.sweep_surveys()["reminded"] == 0  # no reminder with a dead link
    with time_machine.travel(invitation.created_at + dt.timedelta(days=10, minutes=1)):
        assert services.sweep_surveys()["closed"] == 1
    assert Ticket.objects.get(pk=notified.pk).close_outcome == CloseOutcome.NO_RESPONSE


def test_without_an_email_address_the_invitation_waits_for_the_callback(walk_ticket, mailing):
    from loopdesk.testing.factories import CustomerFactory

    ticket = walk_ticket("notified", customer=CustomerFactory(email=""))
    assert ticket.events.get(kind=TicketEvent.Kind.SURVEY_SENT).data["channel"] == ""
    assert not OutboxMessage.objects.filter(ticket=ticket, kind="customer.survey").exists()
    assert CallbackTask.objects.filter(ticket=ticket, state=CallbackTask.State.OPEN).exists()
