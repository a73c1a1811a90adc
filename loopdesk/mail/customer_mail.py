"""Emails to the customer at the SOP's moments: rendered from the editable templates, queued in the outbox."""

from __future__ import annotations

import re

from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from loopdesk.core.masking import mask_email
from loopdesk.mail.models import EmailTemplate, InboundMessage
from loopdesk.mail.outbound import enqueue_customer_email
from loopdesk.mail.services import message_being_filed
from loopdesk.mail.templates_default import DEFAULTS
from loopdesk.tickets.events import record_event
from loopdesk.tickets.models import Ticket, TicketEvent

MOMENTS: dict[str, str] = {
    TicketEvent.Kind.CREATED: EmailTemplate.Kind.RECEIVED,
    TicketEvent.Kind.ACCEPTED: EmailTemplate.Kind.ACCEPTED,
    TicketEvent.Kind.REPLIED: EmailTemplate.Kind.REPLY,
    TicketEvent.Kind.PROGRESS_UPDATED: EmailTemplate.Kind.PROGRESS,
    TicketEvent.Kind.RESOLVED: EmailTemplate.Kind.RESOLVED,
}
AUTOMATIC = {EmailTemplate.Kind.RECEIVED, EmailTemplate.Kind.ACCEPTED}  # never to bulk or list senders
_CJK = re.compile(r"[\u3400-\u9fff]")


def ensure_default_templates() -> None:
    for kind, (subject_zh, body_zh, subject_en, body_en) in DEFAULTS.items():
        EmailTemplate.objects.get_or_create(
            kind=kind,
            defaults={"subject_zh": subject_zh, "body_zh": body_zh, "subject_en": subject_en, "body_en": body_en},
        )


def language_for(ticket: Ticket) -> str:
    """English for a customer who writes without Chinese; otherwise the site language (zh-Hans)."""
    text = (
        " ".join(InboundMessage.objects.filter(ticket=ticket).order_by("-id").values_list("subject", flat=True)[:3])
        or f"{ticket.customer.name} {ticket.title}"
    )
    return "zh-hans" if _CJK.search(text) else "en"


def quote(text: str, who: str, when) -> str:
    header = (
        f"在 {timezone.localtime(when):%Y-%m-%d %H:%M}，{who} 写道："
        if _CJK.search(text)
        else (f"On {timezone.localtime(when):%Y-%m-%d %H:%M}, {who} wrote:")
    )
    return header + "\n" + "\n".join("> " + line for line in text.strip().splitlines()[:60])


def _render(source: str, context: dict) -> str:
    return Template("{% autoescape off %}" + source + "{% endautoescape %}").render(Context(context)).strip()


def context_for(ticket: Ticket, event: TicketEvent) -> dict:
    last = (
        ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED).order_by("-created_at", "-id").first()
        if event.kind == TicketEvent.Kind.REPLIED
        else None
    )
    return {
        "site": getattr(settings, "LOOPDESK_SITE_NAME", "LoopDesk"),
        "number": ticket.number,
        "title": ticket.title,
        "customer": ticket.customer.name,
        "department": str(ticket.owner_department or ""),
        "message": event.body,
        "next_step": event.data.get("next_step", ""),
        "root_cause": ticket.root_cause,
        "solution": ticket.solution,
        "quoted": quote(last.body, ticket.customer.name, last.created_at) if last is not None else "",
    }


def email_customer(ticket: Ticket, kind: str, event: TicketEvent, *, extra: dict | None = None) -> None:
    """Queue the moment's email (once per event) and put it on the timeline; nothing without an address.

    `extra` adds template values the event does not carry (the survey link), and never reaches the timeline."""
    template = EmailTemplate.objects.filter(kind=kind, is_active=True).first()
    if template is None or not ticket.customer.email:
        return
    filing = message_being_filed()
    bulk = filing is not None and filing.auto_kind == "bulk"
    if kind in AUTOMATIC and (bulk or InboundMessage.objects.filter(ticket=ticket, auto_kind="bulk").exists()):
        return  # RFC 3834: no automatic answer to bulk or list mail
    english = language_for(ticket) == "en"
    context = context_for(ticket, event) | (extra or {})
    try:
        subject = _render(template.subject_en if english else template.subject_zh, context)
        body = _render(template.body_en if english else template.body_zh, context)
    except TemplateSyntaxError:  # saved before the admin checked it: the built-in text is used
        subject_zh, body_zh, subject_en, body_en = DEFAULTS[kind]
        subject = _render(subject_en if english else subject_zh, context)
        body = _render(body_en if english else body_zh, context)
    subject = " ".join(subject.split())  # one line, whatever the template or the title held
    outbox = enqueue_customer_email(
        ticket, kind=f"customer.{kind}", subject=subject, body=body, dedupe_key=f"customer-mail:{event.pk}",
        auto=kind in AUTOMATIC,
    )  # fmt: skip
    if outbox is None:
        return
    record_event(
        ticket,
        TicketEvent.Kind.CUSTOMER_EMAILED,
        actor=None,
        body=subject,
        template=kind,
        outbox=str(outbox.event_id),
        to=mask_email(ticket.customer.email),
        cause=event.pk,
    )


def on_event_recorded(sender, event: TicketEvent, **kwargs) -> None:
    kind = MOMENTS.get(event.kind)
    if kind is None or not settings.LOOPDESK_CUSTOMER_EMAIL:
        return
    if event.kind == TicketEvent.Kind.REPLIED and not event.is_public:
        return
    if event.kind == TicketEvent.Kind.PROGRESS_UPDATED and "changed" in event.data:
        return  # a details edit, not a progress report
    if event.kind == TicketEvent.Kind.REPLIED and event.data.get("plan"):
        kind = EmailTemplate.Kind.PLAN
    email_customer(event.ticket, kind, event)
