"""Keeping files with a ticket after the checks; refused files are named with the reason, never stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from loopdesk.attachments import checks
from loopdesk.attachments.models import Attachment
from loopdesk.tickets.models import Ticket, TicketEvent

REASONS = {
    "too_large": lambda: _("larger than %d MB") % (checks.MAX_FILE_BYTES // 1024 // 1024),
    "active_content": lambda: _("a type that could run code (refused)"),
    "not_allowed": lambda: _("a file type that is not accepted"),
    "content_mismatch": lambda: _("its content does not match its name"),
    "too_many": lambda: _("more than %d files") % checks.MAX_FILES,
    "total_too_large": lambda: _("the files together exceed %d MB") % (checks.MAX_TOTAL_BYTES // 1024 // 1024),
}


@dataclass(frozen=True)
class Incoming:
    name: str  # already a safe display name
    content: bytes
    content_id: str = ""
    is_inline: bool = False


@dataclass(frozen=True)
class Refused:
    name: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.name}: {REASONS[self.reason]()}"


def keep_files(
    ticket: Ticket, files: list[Incoming], *, event: TicketEvent | None = None, is_public: bool = True
) -> tuple[list[Attachment], list[Refused]]:
    """Store the files that pass the checks (in the caller's transaction); list the others with the reason."""
    kept: list[Attachment] = []
    refused: list[Refused] = []
    total = 0
    for incoming in files:
        if len(kept) >= checks.MAX_FILES:
            refused.append(Refused(incoming.name, "too_many"))
            continue
        if total + len(incoming.content) > checks.MAX_TOTAL_BYTES:
            refused.append(Refused(incoming.name, "total_too_large"))
            continue
        verdict = checks.check_file(incoming.name, incoming.content[:8192], len(incoming.content))
        if not verdict.ok:
            refused.append(Refused(incoming.name, verdict.reason))
            continue
        attachment = Attachment(
            ticket=ticket,
            event=event,
            name=incoming.name,
            content_type=verdict.content_type,
            size=len(incoming.content),
            sha256=hashlib.sha256(incoming.content).hexdigest(),
            is_inline=incoming.is_inline,
            content_id=incoming.content_id[:255],
            is_public=is_public,
        )
        attachment.file.save(attachment.pk.hex, ContentFile(incoming.content), save=False)
        attachment.save()
        kept.append(attachment)
        total += len(incoming.content)
    return kept, refused
