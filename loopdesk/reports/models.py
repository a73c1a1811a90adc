"""Per-day statistics of tickets, pre-aggregated for the weekly and monthly analysis (数据分析 / 复盘)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Dimension columns hold the primary key of the category and the department, 0 for "none": a plain
# integer (not a nullable foreign key) so that one unique key covers every row and an upsert always meets
# its row (NULLs never conflict in a unique index, on PostgreSQL or on SQLite).
NONE = 0


class DailyStat(models.Model):
    """Counters of one local day for one category × department; kept by the write path.

    Priority and channel are not dimensions: each would multiply the rows a year's report reads (see decision 0009)."""

    day = models.DateField(_("day"))
    category_key = models.IntegerField(_("category"), default=NONE)
    department_key = models.IntegerField(_("department"), default=NONE)
    opened = models.IntegerField(_("received"), default=0)
    resolved = models.IntegerField(_("resolved"), default=0)
    resolution_seconds = models.BigIntegerField(_("seconds from receipt to resolution"), default=0)
    closed = models.IntegerField(_("closed"), default=0)
    closed_confirmed = models.IntegerField(_("closed, confirmed by the customer"), default=0)
    closed_no_response = models.IntegerField(_("closed, no response"), default=0)
    reopened = models.IntegerField(_("reopened"), default=0)
    breached = models.IntegerField(_("SLA breaches"), default=0)
    satisfaction_count = models.IntegerField(_("satisfaction answers"), default=0)
    satisfaction_sum = models.IntegerField(_("sum of satisfaction scores"), default=0)
    dissatisfied = models.IntegerField(_("dissatisfied answers"), default=0)

    class Meta:
        verbose_name = _("daily statistics")
        verbose_name_plural = _("daily statistics")
        permissions = [("view_reports", "Can see reports and statistics")]
        constraints = [
            models.UniqueConstraint(fields=["day", "category_key", "department_key"], name="dailystat_day_dims")
        ]
        indexes = [models.Index(fields=["department_key", "day"], name="dailystat_dept_day")]

    def __str__(self) -> str:
        return f"{self.day}:{self.category_key}/{self.department_key}"


class TicketStatKey(models.Model):
    """Under which receipt time and dimensions a ticket's events are counted now, to move them when those change."""

    ticket_id = models.BigIntegerField(primary_key=True)
    received_at = models.DateTimeField()
    category_key = models.IntegerField(default=NONE)
    department_key = models.IntegerField(default=NONE)

    class Meta:
        verbose_name = _("ticket statistics key")
        verbose_name_plural = _("ticket statistics keys")
