"""Idempotency-Key handling for create endpoints: replay within 24 h, 409 when the body differs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.api.models import IdempotencyKey
from loopdesk.core.errors import Conflict, ValidationFailed

HEADER = "Idempotency-Key"


def request_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise ValidationFailed(
            _("The Idempotency-Key header is not valid."), fields={HEADER: _("1 to 255 printable characters.")}
        )
    return key


def payload_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def previous(user, key: str, digest: str) -> IdempotencyKey | None:
    """The still-valid record for this key, or None; a different request under the same key is a conflict."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.LOOPDESK_IDEMPOTENCY_HOURS)
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=cutoff).delete()
    record = IdempotencyKey.objects.select_related("ticket").filter(user=user, key=key).first()
    if record is not None and record.request_hash != digest:
        raise Conflict(
            _("This Idempotency-Key was already used for a different request."), code="idempotency_key_reused"
        )
    return record
