"""Append-only audit trail (R08): database triggers refuse UPDATE and DELETE on its rows."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who did what security-relevant thing to which object and field, from where, and why."""

    class Action(models.TextChoices):
        PII_REVEALED = "pii_revealed", _("PII revealed")
        LOGGED_IN = "logged_in", _("Logged in")
        LOGGED_OUT = "logged_out", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Login failed")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        ROLE_CHANGED = "role_changed", _("Role changed")
        EXPORTED = "exported", _("Exported")
        ACCESS_DENIED = "access_denied", _("Access denied")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    field = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"
