"""The demo shows the closed loop's end: surveys answered, callbacks waiting, calls already tried."""

import pytest
from django.core.management import call_command

from loopdesk.surveys.models import CallbackAttempt, CallbackTask, SurveyInvitation
from loopdesk.tickets.models import CloseOutcome, Satisfaction, Ticket


@pytest.mark.django_db
def test_the_demo_has_answered_surveys_and_callback_tasks():
    call_command("load_demo", tickets=150, customers=40)
    assert Satisfaction.objects.filter(via="survey").exists()
    assert Ticket.objects.filter(close_outcome=CloseOutcome.CONFIRMED).exists()
    assert SurveyInvitation.objects.filter(used_at__isnull=True).exists()
    assert CallbackTask.objects.filter(state=CallbackTask.State.OPEN).exists()
    assert CallbackTask.objects.filter(state=CallbackTask.State.ANSWERED).exists()
    assert CallbackAttempt.objects.filter(outcome="no_answer").exists()
