"""Reads for the notification list and the unread badge."""

from __future__ import annotations

from django.db.models import QuerySet

from loopdesk.accounts.models import User
from loopdesk.notifications.models import Notification


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first, with their tickets."""
    qs = Notification.objects.filter(user=user).select_related("ticket").order_by("-created_at", "-id")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (one indexed count)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
