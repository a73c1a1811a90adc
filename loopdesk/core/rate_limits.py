"""Rate limits for what anonymous customers reach (R26): the portal's forms and links and the survey links,
counted in the database so every process shares them; a bad portal or survey token counts in one budget."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.core.errors import DomainError
from loopdesk.core.models import RateHit


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


DEFAULTS = {
    "report_ip": (10, 3600),  # tickets created per client IP per hour
    "report_global": (500, 3600),  # tickets created through the portal per hour, all clients
    "bad_token_ip": (10, 600),  # wrong, expired or revoked links per IP per 10 minutes
    "signin_ip": (10, 3600),  # sign-in link requests per IP per hour
    "signin_contact": (3, 3600),  # sign-in links sent to one contact per hour (silently capped, R03)
    "reply_ip": (60, 3600),  # customer replies and confirmations per IP per hour
}


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(_("Too many attempts. Please try again in %d minutes.") % max(1, (retry_after + 59) // 60))
        self.retry_after = retry_after


def limit(scope: str) -> Limit:
    configured = getattr(settings, "LOOPDESK_PORTAL_LIMITS", {}).get(scope)
    count, seconds = configured or DEFAULTS[scope]
    return Limit(scope, int(count), int(seconds))


def key_for(value: str | None) -> str:
    """Contacts and addresses are counted by digest, never stored in the clear."""
    return hashlib.sha256((value or "-").strip().lower().encode()).hexdigest()


def retry_after(scope: str, value: str | None, *, now: dt.datetime | None = None) -> int:
    """0 when one more attempt is allowed now, otherwise seconds until the oldest counted one expires."""
    rule = limit(scope)
    now = now or timezone.now()
    times = list(
        RateHit.objects.filter(
            scope=scope, key=key_for(value), created_at__gte=now - dt.timedelta(seconds=rule.seconds)
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: rule.count]
    )
    if len(times) < rule.count:
        return 0
    return max(1, int((times[-1] + dt.timedelta(seconds=rule.seconds) - now).total_seconds()) + 1)


def check(scope: str, value: str | None) -> None:
    """Raise RateLimited when the scope's budget for `value` is spent."""
    wait = retry_after(scope, value)
    if wait:
        raise RateLimited(wait)


PRUNE_ONE_IN = 200  # about every 200th counted attempt also deletes the rows no window looks at any more


def hit(scope: str, value: str | None) -> None:
    RateHit.objects.create(scope=scope, key=key_for(value))
    if secrets.randbelow(PRUNE_ONE_IN) == 0:
        prune()


def prune(*, now: dt.datetime | None = None) -> int:
    """Delete counted attempts older than the longest window (one day at least)."""
    longest = max([86_400] + [limit(scope).seconds for scope in DEFAULTS])
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=longest)
    return RateHit.objects.filter(created_at__lt=cutoff).delete()[0]


def check_and_hit(scope: str, value: str | None) -> None:
    check(scope, value)
    hit(scope, value)
