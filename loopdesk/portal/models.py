"""Customer access links, widget sites, one-time report submissions, rate counters and suggestion verdicts."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loopdesk.portal.origins import parse_origins


def new_site_key() -> str:
    return "ws_" + secrets.token_urlsafe(18)


class WidgetSite(models.Model):
    """A company site or app that embeds the report form; its key is public, its origins are the allowlist."""

    name = models.CharField(_("name"), max_length=100)
    public_key = models.CharField(_("public key"), max_length=40, unique=True, default=new_site_key)
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_("One origin per line, e.g. https://shop.example.com (scheme, host and port only)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("widget site")
        verbose_name_plural = _("widget sites")

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return parse_origins(self.allowed_origins)


class CustomerLink(models.Model):
    """A customer magic link (R02); only the SHA-256 of the token is stored."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Ticket access link")
        SIGNIN = "signin", _("Sign-in link")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="portal_links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_links",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    used_at = models.DateTimeField(_("first used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        indexes = [models.Index(fields=["ticket", "revoked_at"], name="portal_link_ticket")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"


class PortalSubmission(models.Model):
    """One report form or API submission by its one-time key (R28): a repeat returns the same ticket."""

    key_hash = models.CharField(max_length=64, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="portal_submissions")
    site = models.ForeignKey(WidgetSite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("portal submission")
        verbose_name_plural = _("portal submissions")


class SignInRequest(models.Model):
    """A customer asked for a sign-in link by phone and has no email on file: an agent calls back."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sign-in request by phone")
        verbose_name_plural = _("sign-in requests by phone")

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.created_at:%Y-%m-%d %H:%M}"


class SuggestionVerdict(models.Model):
    """The product department's decision on a suggestion (咨询建议): adopted or not, and why."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="suggestion_verdicts"
    )
    is_adopted = models.BooleanField(_("adopted"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("suggestion verdict")
        verbose_name_plural = _("suggestion verdicts")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{'adopted' if self.is_adopted else 'not adopted'}"
