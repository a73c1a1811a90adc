"""The outbox admin: read-only, filters and search, and the audited retry of dead letters."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from loopdesk.audit.models import AuditEntry
from loopdesk.notifications import services
from loopdesk.notifications.models import Notification, OutboxMessage
from loopdesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboxmessage_changelist")


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def enqueue(user, channel="in_app"):
    message = services.enqueue_notification(kind="sla.level1", recipient=user, subject="预警", body="", channel=channel)
    services.deliver_message(message.pk)
    return message


def test_the_retry_action_queues_dead_letters_again(client, root, agent, django_capture_on_commit_callbacks):
    # given a dead letter and a sent message
    dead, sent = enqueue(agent), enqueue(agent)
    Notification.objects.filter(outbox=dead).delete()
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead", attempts=10)
    # when the administrator retries both from the list
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "retry", "_selected_action": [dead.pk, sent.pk]}, follow=True)
    # then only the dead letter was queued again, delivered, and audited
    assert "1" in " ".join(str(m) for m in response.context["messages"])
    dead.refresh_from_db()
    assert dead.status == "sent" and Notification.objects.filter(outbox=dead).exists()
    assert AuditEntry.objects.filter(action="outbox.retried", actor=root).count() == 1


def test_staff_without_change_permission_cannot_retry(client, agent):
    # given a dead letter and a staff member who may only view the outbox
    dead = enqueue(agent)
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead")
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(viewer)
    # then the list opens without the action, and posting it anyway changes nothing
    form = client.get(CHANGELIST).context["action_form"]
    assert form is None or "retry" not in dict(form.fields["action"].choices)
    client.post(CHANGELIST, {"action": "retry", "_selected_action": [dead.pk]})
    assert OutboxMessage.objects.get(pk=dead.pk).status == "dead"


def test_filters_and_search(client, root, agent):
    enqueue(agent, channel="email")
    for params in ({"status__exact": "pending"}, {"channel__exact": "email"}, {"kind": "sla.level1"}, {"q": "agent"}):
        response = client.get(CHANGELIST, params)
        assert response.status_code == 200 and response.context["cl"].result_count == 1, params


def test_messages_and_notifications_are_read_only(client, root, agent):
    message = enqueue(agent)
    for name, obj in (("outboxmessage", message), ("notification", Notification.objects.get(outbox=message))):
        page = client.get(reverse(f"admin:notifications_{name}_change", args=[obj.pk]))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        assert client.get(reverse(f"admin:notifications_{name}_add")).status_code == 403
