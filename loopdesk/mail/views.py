"""An email's HTML, sanitised when shown and framed so that nothing in it can run or call home."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse

from loopdesk.accounts.http import AuthedRequest
from loopdesk.attachments.models import Attachment
from loopdesk.core.errors import NotFound
from loopdesk.mail.htmltext import sanitize_html
from loopdesk.mail.models import InboundMessage
from loopdesk.mail.parsing import parse_message
from loopdesk.tickets import selectors as ticket_selectors

CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
_CID = re.compile(r"""(["'])cid:([^"']+)\1""", re.IGNORECASE)


@login_required
def message_html(request: AuthedRequest, number: str, pk: int) -> HttpResponse:
    try:
        ticket = ticket_selectors.get_ticket_for(request.user, number)
    except NotFound as exc:
        raise Http404 from exc
    message = InboundMessage.objects.filter(pk=pk, ticket=ticket).first()
    if message is None:
        raise Http404
    parsed = parse_message(bytes(message.raw))
    images = {
        a.content_id: reverse("attachments:download", args=[ticket.number, a.pk]) + "?inline=1"
        for a in Attachment.objects.filter(ticket=ticket).exclude(content_id="")
    }
    clean = sanitize_html(parsed.html) if parsed.html else ""  # cid: images survive; then point them at our files
    body = _CID.sub(lambda m: f"{m.group(1)}{images.get(m.group(2), '')}{m.group(1)}", clean)
    page = f'<!doctype html><meta charset="utf-8"><body>{body}</body>'
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-store"
    return response
