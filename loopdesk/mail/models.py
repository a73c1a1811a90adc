"""Mailboxes fetched over IMAP and every message they delivered, kept as raw bytes before anything else."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """One IMAP folder LoopDesk reads; new mail becomes tickets in the chosen department and category."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (loopback or test only)")

    class ClosedPolicy(models.TextChoices):
        REOPEN = "reopen", _("Reopen the ticket")
        NEW = "new", _("Open a new linked ticket")

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices, default=Security.SSL)
    username = models.CharField(_("login"), max_length=255)
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    move_to = models.CharField(
        _("move processed mail to"), max_length=255, blank=True, help_text=_("Empty: mark as read and leave it.")
    )
    address = models.EmailField(_("address"), blank=True, help_text=_("Our address: mail from it is never imported."))
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    closed_policy = models.CharField(
        _("reply to a closed ticket"), max_length=8, choices=ClosedPolicy.choices, default=ClosedPolicy.REOPEN
    )
    thread_window_days = models.PositiveSmallIntegerField(_("thread by sender and subject within (days)"), default=14)
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    last_fetch_at = models.DateTimeField(_("last fetched"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name


class InboundMessage(models.Model):
    """One received message: raw bytes first (checksummed), then what became of it."""

    class State(models.TextChoices):
        STORED = "stored", _("Stored, not processed yet")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored (auto-reply, bounce or our own)")
        QUARANTINED = "quarantined", _("Quarantined")

    class Outcome(models.TextChoices):
        NONE = "", "—"
        CREATED = "created", _("New ticket")
        APPENDED = "appended", _("Reply on a ticket")
        LINKED = "linked", _("New ticket linked to a closed one")
        DUPLICATE = "duplicate", _("The same message again")

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    raw = models.BinaryField()
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.STORED)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True, default="")
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    reused_message_id = models.BooleanField(
        _("Message-ID reused"), default=False, help_text=_("Another message with other content had this Message-ID.")
    )
    from_address = models.CharField(_("from"), max_length=320, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    thread_subject = models.CharField(max_length=255, blank=True)
    auto_kind = models.CharField(max_length=16, blank=True)
    encoding_problem = models.BooleanField(_("encoding problem"), default=False)
    has_html = models.BooleanField(default=False)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_messages"
    )
    flagged_on_server = models.BooleanField(default=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], condition=models.Q(uid__isnull=False), name="one_row_per_uid"
            )
        ]
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_state"),
            models.Index(fields=["from_address", "thread_subject"], name="inbound_sender_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class EmailTemplate(models.Model):
    """The email sent to a customer at one moment of the SOP, in Chinese and English; editable by admins."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Registration received")
        ACCEPTED = "accepted", _("Owner accepted")
        REPLY = "reply", _("Reply from an agent")
        PLAN = "plan", _("Plan proposed for confirmation")
        PROGRESS = "progress", _("Progress update")
        RESOLVED = "resolved", _("Resolved, with cause and fix")
        SURVEY = "survey", _("Satisfaction survey invitation")

    kind = models.CharField(_("moment"), max_length=16, choices=Kind.choices, unique=True)
    is_active = models.BooleanField(_("send"), default=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200)
    body_zh = models.TextField(_("body (Chinese)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("body (English)"))

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")

    def __str__(self) -> str:
        return self.get_kind_display()
