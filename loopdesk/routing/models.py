"""Routing rules with their conditions and revisions, department assignment settings and member profiles."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loopdesk.routing.rules import FIELDS, OP_LABELS, Strategy

STRATEGY_CHOICES = [
    (Strategy.MANUAL.value, _("Manual (a supervisor picks)")),
    (Strategy.ROUND_ROBIN.value, _("Round-robin among members on duty")),
    (Strategy.LEAST_OPEN.value, _("Least open work (weighted by priority)")),
    (Strategy.SKILLS.value, _("Skills (category and product line)")),
    (Strategy.PREVIOUS_OWNER.value, _("Back to the previous owner")),
]


class AckLapseAction(models.TextChoices):
    REASSIGN = "reassign", _("Reassign by the department's strategy")
    ESCALATE = "escalate", _("Escalate to the supervisor")


class DepartmentRouting(models.Model):
    """How a department assigns its queue, and what happens when an owner does not acknowledge in time."""

    department = models.OneToOneField(
        "accounts.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="routing"
    )
    strategy = models.CharField(_("assignment strategy"), max_length=20, choices=STRATEGY_CHOICES, default="manual")
    default_cap = models.PositiveSmallIntegerField(
        _("default cap"), null=True, blank=True, help_text=_("Most open tickets per member; empty means no cap.")
    )
    ack_lapse_action = models.CharField(
        _("when the owner does not acknowledge in time"),
        max_length=16,
        choices=AckLapseAction.choices,
        default=AckLapseAction.REASSIGN,
    )
    is_default_queue = models.BooleanField(
        _("default queue"), default=False, help_text=_("Tickets that no rule matches go here.")
    )
    assignments_made = models.PositiveBigIntegerField(default=0, editable=False)  # the round-robin clock

    class Meta:
        verbose_name = _("department assignment settings")
        verbose_name_plural = _("department assignment settings")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default_queue"], condition=models.Q(is_default_queue=True), name="one_default_queue"
            )
        ]

    def __str__(self) -> str:
        return str(self.department)


class MemberProfile(models.Model):
    """A member's availability, cap and skills for automatic assignment."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="member_profile"
    )
    is_away = models.BooleanField(_("away"), default=False, help_text=_("Leave, training, sick: takes no new work."))
    away_until = models.DateTimeField(_("away until"), null=True, blank=True)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("On duty only within these hours; empty means always on duty."),
    )
    cap = models.PositiveSmallIntegerField(
        _("cap"), null=True, blank=True, help_text=_("Most open tickets at once; empty uses the department's.")
    )
    categories = models.ManyToManyField(
        "tickets.Category", verbose_name=_("skills: categories"), blank=True, related_name="+"
    )
    product_lines = models.CharField(
        _("skills: product lines"), max_length=255, blank=True, help_text=_("Comma-separated, e.g. 扫地机, X100.")
    )
    last_assigned_at = models.DateTimeField(_("last assigned at"), null=True, blank=True, editable=False)
    last_assigned_seq = models.PositiveBigIntegerField(default=0, editable=False)  # department's count then

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def product_list(self) -> list[str]:
        return [p for part in self.product_lines.replace("，", ",").split(",") if (p := part.strip())]

    def is_away_at(self, moment) -> bool:
        return self.is_away and (self.away_until is None or self.away_until > moment)


class RoutingRule(models.Model):
    """One ordered routing rule: when its conditions hold, its actions apply (分派规则)."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=100, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    match_all = models.BooleanField(
        _("all conditions must hold"), default=True, help_text=_("Untick: any one condition is enough.")
    )
    continues = models.BooleanField(
        _("continue after matching"), default=False, help_text=_("Also evaluate the rules after this one.")
    )
    continue_at = models.ForeignKey(
        "self",
        verbose_name=_("continue at rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("set department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    strategy = models.CharField(
        _("assignment strategy"),
        max_length=20,
        choices=STRATEGY_CHOICES,
        blank=True,
        help_text=_("Empty uses the department's strategy."),
    )
    member_role = models.CharField(
        _("only members with role"), max_length=32, blank=True, help_text=_("e.g. agent for junior agents.")
    )
    set_priority = models.ForeignKey(
        "tickets.Priority",
        verbose_name=_("set priority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raise_priority = models.BooleanField(_("raise priority one level"), default=False)
    add_tags = models.CharField(_("add keywords"), max_length=255, blank=True)
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("add watchers"), blank=True, related_name="+"
    )
    watcher_roles = models.CharField(
        _("notify roles"), max_length=255, blank=True, help_text=_("Comma-separated roles, e.g. service_director.")
    )
    watcher_departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("copy departments"), blank=True, related_name="+"
    )
    approver_role = models.CharField(_("second approver role"), max_length=32, blank=True)
    preset = models.CharField(_("preset"), max_length=16, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}" if self.pk else self.name


FIELD_CHOICES = [(name, label) for name, (_kind, label) in FIELDS.items()]
OP_CHOICES = [(op.value, label) for op, label in OP_LABELS.items()]


class RoutingCondition(models.Model):
    """One condition of a rule: field, operator, value (lists comma-separated)."""

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(_("field"), max_length=32, choices=FIELD_CHOICES)
    op = models.CharField(_("operator"), max_length=16, choices=OP_CHOICES)
    value = models.CharField(_("value"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value}"


class RoutingRuleRevision(models.Model):
    """Who changed a rule, when, and what: the rule as saved plus the fields that changed. Append-only."""

    rule = models.ForeignKey(RoutingRule, null=True, on_delete=models.SET_NULL, related_name="revisions")
    rule_name = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(default=dict)
    changed_fields = models.JSONField(default=list)
    is_deletion = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("routing rule revision")
        verbose_name_plural = _("routing rule revisions")

    def __str__(self) -> str:
        return f"{self.rule_name} v{self.version}"


class RulesetVersion(models.Model):
    """One row whose token changes whenever any rule changes, so workers reload their compiled rules."""

    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("rule set version")


class AcknowledgementLapse(models.Model):
    """The owner did not acknowledge within the target; handled once per acknowledgement clock cycle."""

    clock = models.OneToOneField("sla.SlaClock", on_delete=models.CASCADE, related_name="ack_lapse")
    action = models.CharField(max_length=16, choices=AckLapseAction.choices)
    previous_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement lapse")
        verbose_name_plural = _("acknowledgement lapses")


class OpenWork(models.Model):
    """How many tickets in a work status each owner holds, per priority (0: none): kept by database triggers on
    the ticket table (migration routing.0002, `open_work.py`), so routing reads a few rows, not every open ticket."""

    owner_id = models.BigIntegerField()
    priority_key = models.BigIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner_id", "priority_key"], name="uniq_open_work")]
