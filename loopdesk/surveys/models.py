"""Survey settings, survey invitations (tokens stored as SHA-256 only), callback tasks and their attempts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loopdesk.surveys.scale import ATTEMPT_LABELS, SCALE_LABELS, Scale
from loopdesk.tickets.models import Category, Ticket


class SurveySettings(models.Model):
    """How satisfaction is asked and when silence closes the loop; one default row, optionally one per category."""

    category = models.OneToOneField(
        Category,
        verbose_name=_("only category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_settings",
        help_text=_("Empty: the default for every category without its own row."),
    )
    scale = models.CharField(
        _("scale"), max_length=8, choices=[(s.value, label) for s, label in SCALE_LABELS.items()], default=Scale.FIVE
    )
    unsatisfied_threshold = models.PositiveSmallIntegerField(
        _("unsatisfied at or below"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("On the five-level scale (5 very satisfied … 1 very dissatisfied); three levels are 5/3/1."),
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("link valid (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=2, validators=[MaxValueValidator(10)])
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminders"), default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    no_response_close_days = models.PositiveSmallIntegerField(
        _("close as no response after (days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Counted from the invitation; never before the last reminder has gone out."),
    )
    archive_after_days = models.PositiveSmallIntegerField(
        _("archive a confirmed close after (days)"), default=7, validators=[MaxValueValidator(365)]
    )
    callback_max_attempts = models.PositiveSmallIntegerField(
        _("failed callback attempts before unreachable"), default=3, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(category__isnull=True), name="one_default_survey_settings"
            ),
        ]

    def __str__(self) -> str:
        return str(self.category) if self.category_id else str(_("Default"))


class SurveyInvitation(models.Model):
    """One survey link per ticket cycle (R27): single use, expiring, bound to the ticket; only its hash is kept."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="survey_invitations")
    cycle = models.PositiveSmallIntegerField(_("cycle"))  # the ticket's reopen_count when invited
    scale = models.CharField(_("scale"), max_length=8, default=Scale.FIVE)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    closed_silent_at = models.DateTimeField(_("closed as no response at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["ticket", "cycle"], name="one_survey_per_ticket_cycle")]
        indexes = [models.Index(fields=["used_at", "created_at"], name="survey_pending")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.cycle}"


class SurveyLink(models.Model):
    """One emailed link of an invitation (the first and each reminder); only the token's SHA-256 is stored."""

    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")

    def __str__(self) -> str:
        return f"{self.invitation_id}:{self.created_at:%Y-%m-%d %H:%M}"


class CallbackTask(models.Model):
    """A callback (回访任务) an agent owes the customer once the SLA callback milestone starts."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        UNREACHABLE = "unreachable", _("Unreachable")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callback_tasks")
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="callback_tasks"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    call_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("callback task")
        verbose_name_plural = _("callback tasks")
        constraints = [models.UniqueConstraint(fields=["ticket", "cycle"], name="one_callback_per_ticket_cycle")]
        indexes = [models.Index(fields=["assignee", "state"], name="callback_assignee_state")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.cycle}"


class CallbackAttempt(models.Model):
    """One call made for a callback task, whatever came of it."""

    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="attempts")
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=[(o.value, label) for o, label in ATTEMPT_LABELS.items()]
    )
    call_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at", "id"]
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")

    def __str__(self) -> str:
        return f"{self.task_id}:{self.outcome}"
