"""Downloading a ticket's file: only for those who may see the ticket, never run by the browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBase

from loopdesk.accounts.http import AuthedRequest
from loopdesk.attachments.checks import INLINE_IMAGES
from loopdesk.attachments.models import Attachment
from loopdesk.core.errors import NotFound
from loopdesk.tickets import selectors as ticket_selectors


@login_required
def download(request: AuthedRequest, number: str, pk: str) -> HttpResponseBase:
    try:
        ticket = ticket_selectors.get_ticket_for(request.user, number)
    except NotFound as exc:
        raise Http404 from exc
    attachment = Attachment.objects.filter(pk=pk, ticket=ticket).first()
    if attachment is None:
        raise Http404
    return file_response(attachment, inline_asked=request.GET.get("inline") == "1")


def file_response(attachment: Attachment, *, inline_asked: bool) -> FileResponse:
    """The stored file as a download (an image inline only when asked), sandboxed, never sniffed or cached."""
    inline = inline_asked and attachment.content_type in INLINE_IMAGES
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
