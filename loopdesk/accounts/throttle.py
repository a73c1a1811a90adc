"""Login throttling per account and per client address over a sliding window (R01)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from loopdesk.accounts.models import LoginAttempt


def seconds_until_allowed(*, username: str, ip: str | None) -> int:
    """0 when a login may be tried now, otherwise how long to wait before the oldest failure expires."""
    window = dt.timedelta(seconds=settings.LOOPDESK_LOGIN_WINDOW_SECONDS)
    since = timezone.now() - window
    failures = LoginAttempt.objects.filter(succeeded=False, created_at__gte=since)
    checks = [(failures.filter(username=username.lower()), settings.LOOPDESK_LOGIN_MAX_PER_ACCOUNT)]
    if ip:
        checks.append((failures.filter(ip=ip), settings.LOOPDESK_LOGIN_MAX_PER_IP))
    wait = 0
    for attempts, limit in checks:
        times = list(attempts.order_by("-created_at").values_list("created_at", flat=True)[:limit])
        if len(times) >= limit:
            wait = max(wait, int((times[-1] + window - timezone.now()).total_seconds()) + 1)
    return wait


def record_attempt(*, username: str, ip: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], ip=ip, succeeded=succeeded)
