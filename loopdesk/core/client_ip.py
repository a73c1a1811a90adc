"""The client's address: X-Forwarded-For is believed only from a configured trusted proxy (R26)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    if remote and remote in settings.LOOPDESK_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            remote = forwarded
    try:
        return str(ipaddress.ip_address(remote)) if remote else None
    except ValueError:
        return None
