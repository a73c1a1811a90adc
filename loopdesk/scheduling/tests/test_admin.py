"""Periodic jobs and leases are visible, read-only, in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loopdesk.scheduling.models import JobLease, PeriodicJob
from loopdesk.scheduling.services import job_lease
from loopdesk.testing.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("model", [PeriodicJob, JobLease], ids=lambda m: m.__name__)
def test_the_admin_shows_them_read_only(client, model):
    # given a job and a lease
    PeriodicJob.objects.create(name="notifications.deliver", last_error="Boom")
    with job_lease("sla.sweep", ttl_seconds=60):
        pass
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    name = f"admin:scheduling_{model._meta.model_name}"
    obj = model.objects.get()
    # then the list and the record open, searchable, but cannot be written
    assert client.get(reverse(f"{name}_changelist"), {"q": "s"}).status_code == 200
    assert not client.get(reverse(f"{name}_change", args=[obj.pk])).context["has_change_permission"]
    assert client.get(reverse(f"{name}_add")).status_code == 403
