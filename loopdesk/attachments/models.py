"""Files kept with a ticket: stored under generated names outside the web root, named only for display."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def file_storage() -> FileSystemStorage:
    return FileSystemStorage(
        location=settings.LOOPDESK_FILES_DIR, file_permissions_mode=0o640, directory_permissions_mode=0o750
    )


def stored_path(instance: Attachment, filename: str) -> str:
    return f"{instance.pk.hex[:2]}/{instance.pk.hex}"  # never a name the sender chose


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    is_inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    file = models.FileField(upload_to=stored_path, storage=file_storage, max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
