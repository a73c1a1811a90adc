"""Tickets, their append-only events, satisfaction records, and the category/priority data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loopdesk.tickets.querysets import OPEN, WORK, TicketQuerySet
from loopdesk.tickets.workflow import STATUS_LABELS, Status


class LabelledMixin:
    name: str
    name_en: str

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return self.label


class Category(LabelledMixin, models.Model):
    """A problem category (硬件故障, 功能故障, ...); which set is active comes from a seed preset."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    preset = models.CharField(_("preset"), max_length=16, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Priority(LabelledMixin, models.Model):
    """A priority level; rank 1 is the most urgent."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=32, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    workload_weight = models.PositiveSmallIntegerField(
        _("workload weight"), default=1, help_text=_("How much one open ticket of this priority counts in workload.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")


class Tag(models.Model):
    """A keyword tag on tickets (关键词), used for search and weekly statistics."""

    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone hotline")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web portal")
    CHAT = "chat", _("Online chat")
    APP = "app", _("App feedback")
    SOCIAL = "social", _("Social media")
    WALK_IN = "walk_in", _("Store / walk-in")
    PLATFORM = "platform", _("Third-party platform")
    API = "api", _("API")
    SURVEY = "survey", _("Survey")


class Demand(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    APOLOGY = "apology", _("Apology")
    EXPLANATION = "explanation", _("Explanation")
    COMPENSATION = "compensation", _("Compensation")
    OTHER = "other", _("Other")


class CloseOutcome(models.TextChoices):
    """Why a ticket closed; reports count the customer's silence apart from a confirmed loop."""

    CONFIRMED = "confirmed", _("Customer confirmed (闭环)")
    NO_RESPONSE = "no_response", _("No response from the customer")
    BY_AGENT = "by_agent", _("Closed by an agent")


class Result(models.TextChoices):
    FULLY = "fully", _("Fully resolved")
    PARTIALLY = "partially", _("Partially resolved")
    RETURNED = "returned_to_factory", _("Returned to factory")
    NOT_RESOLVED = "not_resolved", _("Not resolved")


STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]


class Ticket(models.Model):
    """One piece of customer feedback and everything done about it, numbered P + date + serial."""

    # Not a field: what the clock sync of the service call that created this instance wrote (sla.services.SyncedSla)
    synced_sla: Any

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("symptom / description"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=Status.NEW)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    asset = models.ForeignKey(
        "customers.Asset",
        verbose_name=_("product / asset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    order = models.ForeignKey(
        "customers.Order",
        verbose_name=_("order / contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # Problem details from the seed forms.
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    frequency = models.CharField(_("frequency"), max_length=100, blank=True)
    impact_scope = models.CharField(_("scope of impact"), max_length=255, blank=True)
    steps = models.TextField(_("steps to reproduce"), blank=True)
    error_text = models.TextField(_("error message"), blank=True)
    environment = models.CharField(_("environment"), max_length=255, blank=True)
    customer_tried = models.TextField(_("what the customer tried"), blank=True)
    demand = models.CharField(_("customer demand"), max_length=16, choices=Demand.choices, blank=True)
    demand_detail = models.CharField(_("demand detail"), max_length=255, blank=True)
    expected_timeline = models.CharField(_("expected timeline"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # Handling.
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    priority = models.ForeignKey(
        Priority,
        verbose_name=_("priority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("keywords"), blank=True, related_name="tickets")
    involves_staff = models.BooleanField(_("involves staff"), default=False)
    is_major_complaint = models.BooleanField(
        _("major complaint"),
        default=False,
        help_text=_("Reputation risk (重大投诉); reported to the service director."),
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("watchers"), blank=True, related_name="watched_tickets"
    )
    approval_role = models.CharField(
        _("approval needed from"), max_length=32, blank=True, help_text=_("Role whose holder must approve closing.")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    owner_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tickets",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    result = models.CharField(_("result"), max_length=24, choices=Result.choices, blank=True)
    resolved_at = models.DateTimeField(_("actual completion"), null=True, blank=True)
    notified_at = models.DateTimeField(_("customer notified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_outcome = models.CharField(
        _("close outcome"), max_length=16, choices=CloseOutcome.choices, blank=True, db_index=True
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("view_all_tickets", "Can see every ticket"),
            ("triage_ticket", "Can classify tickets"),
            ("assign_ticket", "Can assign tickets"),
            ("work_any_ticket", "Can act on tickets owned by others"),
            ("notify_customer", "Can record the result reported to the customer"),
            ("close_ticket", "Can close tickets"),
            ("reopen_ticket", "Can reopen tickets"),
            ("record_satisfaction", "Can record satisfaction after a callback"),
            ("archive_ticket", "Can archive closed tickets"),
            ("add_reply", "Can add replies and notes"),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="ticket_status_received"),
            models.Index(fields=["owner", "status"], name="ticket_owner_status"),
            models.Index(fields=["owner_department", "status"], name="ticket_dept_status"),
            models.Index(fields=["status", "due_at"], name="ticket_status_due"),
            # the inbox (docs/decisions/0009): open tickets by next SLA due, of one department or of all, read
            # as ordered index ranges; a partial index holds only the open tickets and carries querysets.OPEN;
            # status rides along so the capped count is answered from the index alone (SQLite re-checks it)
            models.Index(
                fields=["owner_department", "due_at", "id", "status"], condition=OPEN, name="ticket_open_dept_due"
            ),
            models.Index(fields=["due_at", "id", "status"], condition=OPEN, name="ticket_open_due"),
            models.Index(fields=["-received_at", "-id"], name="ticket_received"),
            models.Index(fields=["customer", "-received_at", "-id"], name="ticket_customer_received"),
            # the supervisor's workload page: each member's oldest assignment, the department's waiting work and
            # its unowned queue, oldest first, as index ranges rather than every open ticket of the department
            models.Index(fields=["owner", "assigned_at"], condition=WORK, name="ticket_work_owner_assigned"),
            models.Index(fields=["owner_department", "assigned_at"], condition=WORK, name="ticket_work_dept_assigned"),
            models.Index(
                fields=["owner_department", "received_at"],
                condition=OPEN & models.Q(owner__isnull=True),
                name="ticket_queue_dept_received",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[Status(self.status)])

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class TicketEvent(models.Model):
    """One thing that happened to a ticket; append-only (database triggers refuse UPDATE/DELETE)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        TRIAGED = "triaged", _("Classified")
        ASSIGNED = "assigned", _("Assigned")
        ACCEPTED = "accepted", _("Accepted")
        STARTED = "started", _("Work started")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        NOTIFIED = "notified", _("Customer notified")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        ARCHIVED = "archived", _("Archived")
        REPLIED = "replied", _("Public reply")
        NOTE_ADDED = "note_added", _("Internal note")
        PROGRESS_UPDATED = "progress_updated", _("Progress update")
        SATISFACTION_RECORDED = "satisfaction_recorded", _("Satisfaction recorded")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        ONSITE_ARRIVED = "onsite_arrived", _("Engineer arrived on site")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        SLA_ESCALATED = "sla_escalated", _("SLA escalated")
        ROUTED = "routed", _("Routed")
        DECLINED = "declined", _("Declined by the owner")
        ESCALATED = "escalated", _("Escalated")
        APPROVED = "approved", _("Approved")
        WATCHER_ADDED = "watcher_added", _("Watcher added")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        CUSTOMER_EMAILED = "customer_emailed", _("Email to the customer")
        SURVEY_SENT = "survey_sent", _("Satisfaction survey sent")
        SURVEY_REMINDED = "survey_reminded", _("Survey reminder sent")
        CUSTOMER_CONFIRMED = "customer_confirmed", _("Customer confirmed the result")
        CALLBACK_CREATED = "callback_created", _("Callback task created")
        CALLBACK_ATTEMPTED = "callback_attempted", _("Callback attempt")
        SUGGESTION_DECIDED = "suggestion_decided", _("Suggestion adopted or not")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    body = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"


class Satisfaction(models.Model):
    """The customer's verdict taken on a callback (回访): 1-5 overall plus three dimensions."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="satisfactions")
    score = models.PositiveSmallIntegerField(_("overall score"))
    timeliness = models.PositiveSmallIntegerField(_("timeliness"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True)
    effectiveness = models.PositiveSmallIntegerField(_("effectiveness"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    is_solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    via = models.CharField(_("taken by"), max_length=16, blank=True)  # survey, callback, portal, agent
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=0)  # the ticket's reopen_count when answered
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("satisfaction record")
        verbose_name_plural = _("satisfaction records")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.score}"
