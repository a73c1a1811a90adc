"""Periodic jobs and leases shared by every worker on every machine, through the database."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    """One periodic job; `next_run_at` is claimed by a single conditional UPDATE, so one enqueue per interval."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    next_run_at = models.DateTimeField(_("next run"), default=timezone.now)
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name


class JobLease(models.Model):
    """Held by one process until `held_until`; a crashed holder's lease simply expires."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    holder = models.CharField(_("holder"), max_length=64, blank=True)
    held_until = models.DateTimeField(_("held until"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("job lease")
        verbose_name_plural = _("job leases")

    def __str__(self) -> str:
        return self.name
