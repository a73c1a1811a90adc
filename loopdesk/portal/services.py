"""Portal use-cases: a customer reports a problem, opens it by link, replies, confirms; agents revoke and decide."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loopdesk.accounts.models import User
from loopdesk.attachments import checks
from loopdesk.attachments.services import REASONS, Incoming, keep_files
from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit
from loopdesk.core import rate_limits as throttle
from loopdesk.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from loopdesk.core.masking import normalize_phone
from loopdesk.customers.models import Asset, Contact, Customer, Order
from loopdesk.customers.services import find_or_register_customer
from loopdesk.mail.outbound import enqueue_customer_email
from loopdesk.notifications.models import OutboxMessage
from loopdesk.notifications.services import enqueue_notification
from loopdesk.portal import suggestions, tokens
from loopdesk.portal.models import CustomerLink, PortalSubmission, SignInRequest, SuggestionVerdict, WidgetSite
from loopdesk.portal.selectors import pending_plan
from loopdesk.tickets.events import record_event
from loopdesk.tickets.models import Channel, Demand, Ticket, TicketEvent
from loopdesk.tickets.services import open_ticket, record_customer_reply

SIGNIN_MINUTES = 10
SUGGESTION_DECIDED = TicketEvent.Kind.SUGGESTION_DECIDED  # public: the verdict and its reason
MAX_TEXT = 20_000
LIMITS = {"name": 100, "phone": 32, "email": 254, "product": 200, "model": 100, "serial_no": 100, "order_no": 64}


def access_days_after_close() -> int:
    return int(getattr(settings, "LOOPDESK_PORTAL_ACCESS_DAYS_AFTER_CLOSE", 30))


def public_url(path: str) -> str:
    """Absolute link for emails, from the configured public address (never from the request's Host)."""
    return getattr(settings, "LOOPDESK_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + path


# --- links ------------------------------------------------------------------------------------------


def issue_access_link(ticket: Ticket) -> str:
    """A new ticket access link (read and reply on this one ticket); returns the clear token, shown once."""
    raw, digest = tokens.new_token()
    CustomerLink.objects.create(
        kind=CustomerLink.Kind.ACCESS, token_hash=digest, ticket=ticket, customer=ticket.customer
    )
    return raw


def issue_signin_link(customer: Customer) -> str:
    """A single-use sign-in link for the contact, valid ten minutes; returns the clear token."""
    raw, digest = tokens.new_token()
    CustomerLink.objects.create(
        kind=CustomerLink.Kind.SIGNIN,
        token_hash=digest,
        customer=customer,
        expires_at=timezone.now() + dt.timedelta(minutes=SIGNIN_MINUTES),
    )
    return raw


def link_facts(link: CustomerLink) -> tokens.LinkFacts:
    ticket = link.ticket
    return tokens.LinkFacts(
        kind=link.kind,
        expires_at=link.expires_at,
        used_at=link.used_at,
        revoked_at=link.revoked_at,
        ticket_closed_at=ticket.closed_at if ticket else None,
        ticket_archived=bool(ticket and ticket.is_archived),
    )


def _usable_link(raw: str, kind: str) -> CustomerLink | None:
    """The link for this token if it is of `kind` and usable now; the same work whatever is wrong with it."""
    digest = tokens.digest(raw if tokens.is_well_formed(raw) else "-" + (raw or "")[:100])
    link = CustomerLink.objects.select_related("ticket", "customer").filter(token_hash=digest).first()
    stored = link.token_hash if link is not None else "0" * 64
    matches = tokens.same_digest(raw or "", stored) and tokens.is_well_formed(raw)
    usable = (
        link is not None
        and link.kind == kind
        and tokens.is_usable(link_facts(link), now=timezone.now(), access_days_after_close=access_days_after_close())
    )
    return link if matches and usable else None


def open_link(raw: str, *, kind: str, ip: str | None) -> CustomerLink:
    """Check a token from a URL: the link, or NotFound for every kind of bad token (429 after too many)."""
    throttle.check("bad_token_ip", ip)
    link = _usable_link(raw, kind)
    if link is not None and kind == CustomerLink.Kind.SIGNIN:
        # single use: only the request that flips used_at from empty wins
        won = CustomerLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        link = link if won else None
        if link is not None:
            link.refresh_from_db()
    elif link is not None and link.used_at is None:
        CustomerLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
    if link is None:
        throttle.hit("bad_token_ip", ip)
        raise NotFound(_("This link is no longer valid."))
    return link


def check_link(raw: str, *, kind: str, ip: str | None) -> None:
    """Whether a token would open (without using it up): the confirmation page of a sign-in link."""
    throttle.check("bad_token_ip", ip)
    if _usable_link(raw, kind) is None:
        throttle.hit("bad_token_ip", ip)
        raise NotFound(_("This link is no longer valid."))


def record_bad_link(ip: str | None) -> None:
    """A page reached without a valid grant counts like a bad token."""
    throttle.check("bad_token_ip", ip)
    throttle.hit("bad_token_ip", ip)


@transaction.atomic
def revoke_customer_links(ticket: Ticket, *, actor: User, request=None) -> int:
    """End every access link of this ticket and every sign-in of its customer at once (audited)."""
    if not (actor.has_perm("tickets.add_reply") or ticket.owner_id == actor.pk):
        raise PermissionDenied(_("You may not revoke this customer's links."))
    now = timezone.now()
    links = CustomerLink.objects.filter(revoked_at__isnull=True).filter(
        Q(ticket=ticket) | Q(kind=CustomerLink.Kind.SIGNIN, customer_id=ticket.customer_id)
    )
    count = links.update(revoked_at=now, revoked_by=actor)
    record_audit(
        action=AuditEntry.Action.TOKEN_REVOKED,
        actor=actor,
        request=request,
        object_type="portal_link",
        object_id=ticket.number,
        reason=_("%d customer links revoked") % count,
    )
    return count


# --- reporting a problem ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What a customer reports on the public form, the widget or the API (the SOP's intake fields)."""

    name: str
    description: str
    phone: str = ""
    email: str = ""
    product: str = ""
    model: str = ""
    serial_no: str = ""
    order_no: str = ""
    occurred_at: dt.datetime | None = None
    customer_tried: str = ""
    demand: str = ""
    demand_detail: str = ""


@dataclass
class Receipt:
    ticket: Ticket
    token: str
    duplicate: bool = False
    refused: list[str] = field(default_factory=list)


def _check_report(report: Report) -> None:
    errors: dict[str, str] = {}
    if not report.name.strip():
        errors["name"] = _("This field is required.")
    if not report.description.strip():
        errors["description"] = _("This field is required.")
    if not report.phone.strip() and not report.email.strip():
        errors["phone"] = errors["email"] = _("Give a phone number or an email address so we can reach you.")
    for name, limit in LIMITS.items():
        if len(getattr(report, name)) > limit:
            errors[name] = _("At most %d characters.") % limit
    for name in ("description", "customer_tried"):
        if len(getattr(report, name)) > MAX_TEXT:
            errors[name] = _("At most %d characters.") % MAX_TEXT
    if report.demand and report.demand not in Demand.values:
        errors["demand"] = _("Choose one of the listed options.")
    if report.occurred_at and report.occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("This time is in the future.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)


def check_files(files: list[Incoming]) -> None:
    """Refuse the whole submission when any file would be refused, naming each file, the reason and the limit."""
    problems, total = [], 0
    if len(files) > checks.MAX_FILES:
        problems.append(_("At most %d files.") % checks.MAX_FILES)
    for incoming in files:
        total += len(incoming.content)
        verdict = checks.check_file(incoming.name, incoming.content[:8192], len(incoming.content))
        if not verdict.ok:
            problems.append(f"{incoming.name}: {REASONS[verdict.reason]()}")
    if total > checks.MAX_TOTAL_BYTES:
        problems.append(REASONS["total_too_large"]())
    if problems:
        raise ValidationFailed(_("Some files cannot be accepted."), fields={"attachments": "; ".join(problems)})


def _title(description: str) -> str:
    first = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return first[:60] + ("…" if len(first) > 60 else "")


def _product_and_order(customer: Customer, report: Report) -> tuple[Asset | None, Order | None]:
    """Link the customer's own product and order; a new product is recorded, a foreign order never linked."""
    asset = None
    if report.serial_no:
        asset = Asset.objects.filter(customer=customer, serial_no=report.serial_no).first()
    if asset is None and (report.product or report.serial_no):
        asset = Asset.objects.create(
            customer=customer,
            product_name=report.product or report.model or report.serial_no,
            model=report.model,
            serial_no=report.serial_no,
        )
    order = Order.objects.filter(customer=customer, order_no=report.order_no).first() if report.order_no else None
    return asset, order


def _description(report: Report) -> str:
    facts = [
        (
            _("Product / model / serial no."),
            " / ".join(p for p in (report.product, report.model, report.serial_no) if p),
        ),
        (_("Order no."), report.order_no),
    ]
    lines = [f"{label}: {value}" for label, value in facts if value]
    return report.description.strip() + ("\n\n—— " + "\n".join(lines) if lines else "")


def submission_digest(key: str, site: WidgetSite | None) -> str:
    return tokens.digest(f"{site.pk if site else 'web'}:{key}")


def submit_report(
    report: Report, *, files: list[Incoming], submission_key: str, ip: str | None, site: WidgetSite | None = None
) -> Receipt:
    """Register the report as a web ticket with its files and an access link; the same key again gives the same ticket."""
    if not submission_key or len(submission_key) > 200:
        raise ValidationFailed(_("The form has expired. Please submit it again."), fields={"form_key": _("Missing.")})
    key_hash = submission_digest(submission_key, site)
    repeat = _repeat(key_hash)
    if repeat is not None:
        return repeat
    _check_report(report)
    check_files(files)
    throttle.check("report_ip", ip)
    throttle.check("report_global", "all")
    try:
        with transaction.atomic():
            receipt = _register(report, files, key_hash, site)
            throttle.hit("report_ip", ip)
            throttle.hit("report_global", "all")
    except IntegrityError:
        repeat = _repeat(key_hash)  # a concurrent double submit: the first one's ticket
        if repeat is None:
            raise
        return repeat
    return receipt


@transaction.atomic
def _repeat(key_hash: str) -> Receipt | None:
    since = timezone.now() - dt.timedelta(hours=settings.LOOPDESK_IDEMPOTENCY_HOURS)
    earlier = PortalSubmission.objects.select_related("ticket").filter(key_hash=key_hash, created_at__gte=since).first()
    if earlier is None:
        return None
    return Receipt(earlier.ticket, issue_access_link(earlier.ticket), duplicate=True)


def _register(report: Report, files: list[Incoming], key_hash: str, site: WidgetSite | None) -> Receipt:
    customer = find_or_register_customer(name=report.name, phone=report.phone, email=report.email)
    asset, order = _product_and_order(customer, report)
    ticket = open_ticket(
        actor=None,
        channel=Channel.WEB,
        title=_title(report.description),
        description=_description(report),
        customer=customer,
        asset=asset,
        order=order,
        occurred_at=report.occurred_at,
        customer_tried=report.customer_tried,
        demand=report.demand,
        demand_detail=report.demand_detail,
    )
    expired = timezone.now() - dt.timedelta(hours=settings.LOOPDESK_IDEMPOTENCY_HOURS)
    PortalSubmission.objects.filter(key_hash=key_hash, created_at__lt=expired).delete()  # an old use of the key
    PortalSubmission.objects.create(key_hash=key_hash, ticket=ticket, site=site)
    created = ticket.events.filter(kind=TicketEvent.Kind.CREATED).first()
    kept, refused = keep_files(ticket, files, event=created)
    raw = issue_access_link(ticket)
    if report.email:
        _email_link(ticket, raw)
    return Receipt(ticket, raw, refused=[r.message for r in refused])


def _email_link(ticket: Ticket, raw: str) -> None:
    url = public_url(f"/portal/t/{raw}")
    body = _(
        "Dear %(name)s,\n\nwe have registered your report as ticket %(number)s.\n"
        "Follow it, reply and add files here (keep this link private):\n%(url)s\n\n"
        "The link works until 30 days after the case is closed."
    ) % {"name": ticket.customer.name, "number": ticket.number, "url": url}
    enqueue_customer_email(
        ticket,
        kind="portal.access_link",
        subject=_("Your ticket %s: your private link") % ticket.number,
        body=body,
        dedupe_key=f"portal-access:{ticket.pk}",
        auto=True,
    )


# --- the customer on their ticket ---------------------------------------------------------------------


@transaction.atomic
def reply_as_customer(ticket: Ticket, *, body: str, files: list[Incoming], ip: str | None) -> TicketEvent:
    """A reply from the portal, with files; a closed ticket asks for a new report instead."""
    throttle.check_and_hit("reply_ip", ip)
    check_files(files)
    event = record_customer_reply(ticket, body=body, via="portal", reopen_closed=False)
    keep_files(ticket, files, event=event)
    return event


@transaction.atomic
def confirm_plan(ticket: Ticket, *, plan_event_id: int, ip: str | None) -> TicketEvent:
    """方案确认: the customer agrees to the plan of the latest public reply; recorded once on the timeline."""
    throttle.check_and_hit("reply_ip", ip)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    plan = pending_plan(ticket)
    if plan is None or plan.pk != plan_event_id:
        raise IllegalTransition(_("There is no plan waiting for your confirmation."))
    return record_customer_reply(
        ticket, body=_("I confirm the proposed plan."), via="portal", reopen_closed=False, plan_confirmed=plan.pk
    )


# --- lost link ---------------------------------------------------------------------------------------


def _contact_for(identifier: str) -> Customer | None:
    value = (identifier or "").strip()
    if "@" in value:
        return Customer.objects.filter(email__iexact=value).order_by("id").first()
    phone = normalize_phone(value)
    if len(phone) < 5:
        return None
    customer = Customer.objects.filter(phone=phone).order_by("id").first()
    if customer is None:
        contact = Contact.objects.select_related("customer").filter(phone=phone).order_by("id").first()
        customer = contact.customer if contact else None
    return customer


@transaction.atomic
def request_signin_link(identifier: str, *, ip: str | None) -> None:
    """Send a sign-in link if the contact exists; the caller answers the same either way (R03)."""
    throttle.check_and_hit("signin_ip", ip)
    customer = _contact_for(identifier)
    contact_key = f"customer:{customer.pk}" if customer else f"unknown:{identifier.strip().lower()}"
    allowed = throttle.retry_after("signin_contact", contact_key) == 0
    throttle.hit("signin_contact", contact_key)
    if customer is None or not allowed:
        return
    if not customer.email:
        SignInRequest.objects.create(customer=customer)  # an agent sees it and calls back
        return
    raw = issue_signin_link(customer)
    enqueue_notification(
        kind="portal.signin",
        recipient=None,
        subject=_("Your sign-in link"),
        body=_(
            "Open your tickets with this link within %(minutes)d minutes; it works once:\n%(url)s\n\n"
            "If you did not ask for it, ignore this email."
        )
        % {"minutes": SIGNIN_MINUTES, "url": public_url(f"/portal/signin/{raw}")},
        channel=OutboxMessage.Channel.EMAIL,
        payload={"to": customer.email, "auto": True},
    )


# --- suggestions --------------------------------------------------------------------------------------


@transaction.atomic
def decide_suggestion(ticket: Ticket, *, adopted: bool, reason: str, actor: User) -> SuggestionVerdict:
    """The product department adopts a suggestion or not, says why; the customer is told by email and on the portal."""
    roles = set(actor.groups.values_list("name", flat=True))
    department = actor.department.code if actor.department else ""
    if not suggestions.may_decide(department_code=department, roles=roles, is_superuser=actor.is_superuser):
        raise PermissionDenied(_("Only the product department or a supervisor decides on suggestions."))
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("category", "owner_department").get(pk=ticket.pk)
    )
    if ticket.is_archived:
        raise IllegalTransition(_("Archived tickets are read-only."))
    category = ticket.category.code if ticket.category else ""
    owner_department = ticket.owner_department.code if ticket.owner_department else ""
    if not suggestions.is_suggestion(category, owner_department):
        raise IllegalTransition(_("This ticket is not a suggestion."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise ValidationFailed(
            _("Give the reason for the decision."), fields={"reason": _("Between 1 and 2000 characters.")}
        )
    verdict = SuggestionVerdict.objects.create(ticket=ticket, is_adopted=adopted, reason=reason, decided_by=actor)
    record_event(ticket, SUGGESTION_DECIDED, actor=actor, body=reason, is_public=True, adopted=adopted)
    text = _("Your suggestion has been adopted.") if adopted else _("Your suggestion has not been adopted.")
    enqueue_customer_email(
        ticket,
        kind="portal.suggestion",
        subject=text,
        body=_("Dear %(name)s,\n\n%(text)s\n%(reason)s\n\nThank you for helping us improve.")
        % {"name": ticket.customer.name, "text": text, "reason": reason},
        dedupe_key=f"portal-suggestion:{verdict.pk}",
    )
    return verdict


def get_site(key: str) -> WidgetSite:
    site = WidgetSite.objects.filter(public_key=(key or "")[:40], is_active=True).first()
    if site is None:
        raise NotFound(_("Unknown or inactive site key."), code="unknown_site_key")
    return site
