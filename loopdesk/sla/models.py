"""Business calendars, SLA policies with their recorded revisions, and per-ticket milestone clocks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loopdesk.sla.clocks import MILESTONE_LABELS, Milestone, State
from loopdesk.tickets.models import Channel, Priority, Ticket

MILESTONE_CHOICES = [(m.value, MILESTONE_LABELS[m]) for m in Milestone]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def new_revision_token() -> str:
    return uuid.uuid4().hex


class BusinessCalendar(models.Model):
    """Working hours per weekday, a time zone, holidays and make-up workdays (调休)."""

    class HolidaySource(models.TextChoices):
        NONE = "", _("None (weekly pattern and overrides only)")
        CHINA = "cn", _("China (State Council notices, chinesecalendar package)")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_24x7 = models.BooleanField(_("24×7"), default=False, help_text=_("Every minute counts; no holidays."))
    holiday_source = models.CharField(
        _("official holidays"), max_length=8, choices=HolidaySource.choices, default=HolidaySource.CHINA, blank=True
    )
    makeup_weekday = models.PositiveSmallIntegerField(
        _("make-up workdays use the hours of"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    # A new random token on every change: compiled copies in every process rebuild when it differs
    # (a counter could repeat after a rolled-back change and serve a stale copy).
    revision = models.CharField(max_length=32, default=new_revision_token, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class WorkingPeriod(models.Model):
    """One working range of one weekday (e.g. Monday 09:00–12:00); a day may have several."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def minutes(self) -> tuple[int, int]:
        end = self.ends_at.hour * 60 + self.ends_at.minute
        return self.starts_at.hour * 60 + self.starts_at.minute, end or 24 * 60


class CalendarDate(models.Model):
    """An admin's override for one date: a holiday or a working day, with its name."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (day off)")
        WORKDAY = "workday", _("Working day (调休 make-up day)")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_date_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """An admin's confirmation that a year past the official data is complete as entered."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="confirmed_years")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2004), MaxValueValidator(2100)])
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("confirmed year")
        verbose_name_plural = _("confirmed years")
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="calendar_year_unique")]

    def __str__(self) -> str:
        return str(self.year)


class SlaPolicy(models.Model):
    """Promises per priority for the tickets its conditions match; the most specific policy wins."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("only category"), null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField(_("only channel"), max_length=16, choices=Channel.choices, blank=True)
    customer_tier = models.CharField(_("only customer tier"), max_length=16, blank=True)
    pausing_statuses = models.JSONField(
        _("statuses that pause the clocks"), default=list, blank=True, help_text=_("e.g. waiting_customer")
    )
    preset = models.CharField(_("preset"), max_length=8, blank=True)
    current_revision = models.ForeignKey(
        "SlaPolicyRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """One promise: for this priority, this milestone within this much business time."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.ForeignKey(Priority, verbose_name=_("priority"), on_delete=models.PROTECT)
    milestone = models.CharField(_("milestone"), max_length=20, choices=MILESTONE_CHOICES)
    target_minutes = models.PositiveIntegerField(_("target (minutes)"), validators=[MinValueValidator(1)])
    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("counted in"), on_delete=models.PROTECT)
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of target)"), default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )

    class Meta:
        ordering = ["priority__rank", "milestone"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority", "milestone"], name="sla_target_unique"),
            models.CheckConstraint(condition=models.Q(target_minutes__gte=1), name="sla_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.priority} {self.get_milestone_display()} {self.target_minutes}′"


class EscalationLevel(models.Model):
    """After the breach (level 2, the supervisor), who else is told and after how much business time."""

    class Role(models.TextChoices):
        SUPERVISOR = "supervisor", _("Supervisor")
        AFTER_SALES_MANAGER = "aftersales_manager", _("After-sales manager")
        TECH_LEAD = "tech_lead", _("Tech lead")
        SERVICE_DIRECTOR = "service_director", _("Service director")

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(3), MaxValueValidator(9)])
    role = models.CharField(_("notify"), max_length=24, choices=Role.choices)
    delay_minutes = models.PositiveIntegerField(_("business minutes after the breach"))

    class Meta:
        ordering = ["level"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [models.UniqueConstraint(fields=["policy", "level"], name="escalation_level_unique")]

    def __str__(self) -> str:
        return f"L{self.level} {self.get_role_display()} +{self.delay_minutes}′"


class SlaPolicyRevision(models.Model):
    """A frozen copy of a policy as it was; running clocks keep the revision they started with."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    definition = models.JSONField(_("definition"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["policy", "-number"]
        verbose_name = _("SLA policy revision")
        verbose_name_plural = _("SLA policy revisions")
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="sla_revision_unique")]

    def __str__(self) -> str:
        return f"{self.policy} r{self.number}"


class TicketSla(models.Model):
    """Which policy revision a ticket's clocks run under (recorded when the ticket first has a priority)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="sla")
    revision = models.ForeignKey(SlaPolicyRevision, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")


STATE_CHOICES = [
    (State.RUNNING.value, _("Running")),
    (State.PAUSED.value, _("Paused")),
    (State.MET.value, _("Met")),
    (State.CANCELLED.value, _("No longer needed")),
    (State.UNKNOWN.value, _("Calendar not confirmed")),
]


class SlaClock(models.Model):
    """One cycle of one milestone's clock on one ticket, kept in step with the ticket's events."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    milestone = models.CharField(max_length=20, choices=MILESTONE_CHOICES)
    cycle = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=12, choices=STATE_CHOICES)
    priority_code = models.CharField(max_length=16)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    target_minutes = models.PositiveIntegerField()
    warn_percent = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    is_breached = models.BooleanField(default=False)
    paused_seconds = models.PositiveIntegerField(default=0)
    remaining_seconds = models.IntegerField(null=True, blank=True)  # frozen while paused
    gap_date = models.DateField(null=True, blank=True)  # first day the calendar has no confirmed data for
    escalation_level = models.PositiveSmallIntegerField(default=0)  # 1 warned, 2 breach reported, 3+ escalated
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ticket", "due_at", "id"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "milestone", "cycle"], name="sla_clock_unique"),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"], name="sla_clock_next_check", condition=models.Q(next_check_at__isnull=False)
            ),
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.milestone}#{self.cycle}"

    @property
    def label(self) -> str:
        return str(MILESTONE_LABELS[Milestone(self.milestone)])

    @property
    def is_open(self) -> bool:
        return self.state in (State.RUNNING, State.PAUSED, State.UNKNOWN)


class SlaEscalation(models.Model):
    """An escalation that happened; the unique constraint makes every level happen at most once."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=24)
    happened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clock", "level"]
        constraints = [models.UniqueConstraint(fields=["clock", "level"], name="sla_escalation_once")]
