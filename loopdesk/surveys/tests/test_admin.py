"""The admin edits survey settings, lists invitations read-only without token material, and callback tasks."""

import pytest
from django.urls import reverse

from loopdesk.surveys.models import CallbackTask, SurveyInvitation, SurveyLink, SurveySettings
from loopdesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_settings_are_editable_and_validated(admin_client):
    url = reverse("admin:surveys_surveysettings_add")
    data = {
        "scale": "three", "unsatisfied_threshold": "1", "link_valid_days": "14", "reminder_count": "1",
        "reminder_interval_days": "2", "no_response_close_days": "5", "archive_after_days": "3",
        "callback_max_attempts": "2",
    }  # fmt: skip
    assert admin_client.post(url, data).status_code == 302
    saved = SurveySettings.objects.get(category=None)
    assert (saved.scale, saved.unsatisfied_threshold, saved.link_valid_days) == ("three", 1, 14)
    bad = admin_client.post(url, data | {"unsatisfied_threshold": "9", "link_valid_days": "0"})
    assert bad.status_code == 200 and SurveySettings.objects.count() == 1
    assert {"unsatisfied_threshold", "link_valid_days"} <= set(bad.context["adminform"].form.errors)


def test_invitations_are_read_only_and_show_no_token_hash(admin_client, walk_ticket):
    ticket = walk_ticket("notified")
    invitation = SurveyInvitation.objects.get(ticket=ticket)
    digest = SurveyLink.objects.get(invitation=invitation).token_hash
    listing = admin_client.get(reverse("admin:surveys_surveyinvitation_changelist"))
    assert listing.status_code == 200 and ticket.number in listing.content.decode()
    page = admin_client.get(reverse("admin:surveys_surveyinvitation_change", args=[invitation.pk]))
    assert page.status_code == 200 and digest not in page.content.decode()
    assert admin_client.get(reverse("admin:surveys_surveyinvitation_add")).status_code == 403
    assert admin_client.post(reverse("admin:surveys_surveyinvitation_delete", args=[invitation.pk])).status_code == 403


def test_callback_tasks_are_listed_with_their_attempts(admin_client, walk_ticket):
    ticket = walk_ticket("resolved")
    task = CallbackTask.objects.get(ticket=ticket)
    assert ticket.number in admin_client.get(reverse("admin:surveys_callbacktask_changelist")).content.decode()
    assert admin_client.get(reverse("admin:surveys_callbacktask_change", args=[task.pk])).status_code == 200
