"""Rate counters: a window per scope and key, shared through the database, pruned once no window needs them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from loopdesk.core import rate_limits as throttle
from loopdesk.core.models import RateHit


@pytest.mark.django_db
def test_a_scope_allows_its_count_then_says_how_long_to_wait(settings):
    settings.LOOPDESK_PORTAL_LIMITS = {"signin_ip": (2, 600)}
    throttle.check_and_hit("signin_ip", "10.0.0.1")
    throttle.check_and_hit("signin_ip", "10.0.0.1")
    with pytest.raises(throttle.RateLimited) as refused:
        throttle.check_and_hit("signin_ip", "10.0.0.1")
    assert 590 <= refused.value.retry_after <= 601 and refused.value.status == 429
    throttle.check("signin_ip", "10.0.0.2")  # another address has its own budget
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=601)):
        throttle.check("signin_ip", "10.0.0.1")


@pytest.mark.django_db
def test_contacts_are_counted_by_digest_and_old_rows_pruned(monkeypatch):
    monkeypatch.setattr(throttle, "PRUNE_ONE_IN", 10**12)  # no chance pruning inside hit() while counting here
    throttle.hit("signin_contact", "li@example.com")
    assert not RateHit.objects.filter(key__contains="li@").exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        throttle.hit("signin_contact", "li@example.com")
        assert throttle.prune() == 1
    assert RateHit.objects.count() == 1
