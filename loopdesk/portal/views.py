"""Customer portal pages (no password) and the two agent actions; each view parses, checks, calls one service."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loopdesk.accounts.http import AuthedRequest
from loopdesk.attachments.views import file_response
from loopdesk.core.client_ip import client_ip
from loopdesk.core.errors import DomainError, NotFound, ValidationFailed
from loopdesk.core.forms import add_domain_error
from loopdesk.core.middleware import CSP
from loopdesk.core.rate_limits import RateLimited
from loopdesk.portal import origins, selectors, services, wording
from loopdesk.portal.forms import (
    LostLinkForm,
    ReplyForm,
    ReportForm,
    SuggestionVerdictForm,
    VerdictForm,
    incoming_files,
)
from loopdesk.portal.models import CustomerLink, WidgetSite
from loopdesk.tickets import selectors as ticket_selectors
from loopdesk.tickets.workflow import Status

SESSION_KEY = "portal_links"
DRAFT_KEY = "portal_suggestion_draft"
FORM_SALT = "loopdesk.portal.form"
VERDICT_STATUSES = {Status.RESOLVED, Status.NOTIFIED}


def private(view: Callable) -> Callable:
    """Portal pages show a customer's data or a fresh link: never cached."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def token_page(view: Callable) -> Callable:
    """A URL that holds a token: no Referer at all (R02). Such pages post no form: under `no-referrer` the
    browser sends `Origin: null`, which the CSRF check refuses, so the sign-in form posts the token elsewhere."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = private(view)(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response._has_been_logged = True  # type: ignore[attr-defined]  # Django's 4xx log line would hold the token
        return response

    return wrapper


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/link_invalid.html", status=404)


def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = render(request, "portal/rate_limited.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _link_ids(request: HttpRequest) -> list[int]:
    return [int(i) for i in request.session.get(SESSION_KEY, []) if str(i).isdigit()]


def _grant(request: HttpRequest, link: CustomerLink) -> None:
    """Exchange a used token for a session cookie that carries only the link's id (a new session id, R02)."""
    ids = [i for i in _link_ids(request) if i != link.pk][-19:] + [link.pk]
    request.session.cycle_key()
    request.session[SESSION_KEY] = ids


def _new_form_key() -> str:
    return signing.dumps(secrets.token_urlsafe(24), salt=FORM_SALT)


def _form_key_nonce(value: str) -> str | None:
    try:
        return signing.loads(value, salt=FORM_SALT, max_age=settings.LOOPDESK_IDEMPOTENCY_HOURS * 3600)
    except signing.BadSignature:
        return None


def _with_fresh_key(form: ReportForm, posted: QueryDict) -> ReportForm:
    """The rejected form again, with what was typed and a new one-time key."""
    data = posted.copy()
    data["form_key"] = _new_form_key()
    fresh = ReportForm(data)
    fresh.is_valid()
    for name, errors in form.errors.items():
        for error in errors:  # the service's and the key's errors; the form's own came back by themselves
            if (name == "__all__" or name in fresh.fields) and error not in fresh.errors.get(name, []):
                fresh.add_error(None if name == "__all__" else name, error)
    return fresh


# --- reporting ---------------------------------------------------------------------------------------


def _report(request: HttpRequest, *, site: WidgetSite | None, template: str) -> HttpResponse:
    context: dict = {"site": site, "lang": translation.get_language()}
    if request.method != "POST":
        context["form"] = ReportForm(initial={"form_key": _new_form_key()})
        return render(request, template, context)
    form = ReportForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        nonce = _form_key_nonce(form.cleaned_data["form_key"])
        if nonce is None:
            form.add_error(None, _("The form has expired. Please check your entries and submit again."))
        else:
            try:
                receipt = services.submit_report(
                    form.report(),
                    files=incoming_files(form.cleaned_data.get("attachments")),
                    submission_key=nonce,
                    ip=client_ip(request),
                    site=site,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
                if isinstance(exc, RateLimited):
                    context["retry_after"] = exc.retry_after
            else:
                link = request.build_absolute_uri(reverse("portal:portal_access", args=[receipt.token]))
                return render(
                    request, template.replace("report", "received"), context | {"receipt": receipt, "link": link}
                )
    context["form"] = _with_fresh_key(form, request.POST)
    context["has_files"] = bool(request.FILES)
    response = render(request, template, context, status=status)
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response


@private
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The public 报告问题 form."""
    return _report(request, site=None, template="portal/report.html")


def _embed_headers(response: HttpResponse, site: WidgetSite | None) -> HttpResponse:
    ancestors = origins.frame_ancestors(site.origins if site else [])
    response["Content-Security-Policy"] = CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    return response


@private
@xframe_options_exempt
@csrf_exempt  # inside a third-party frame no first-party cookie arrives; the signed one-time key guards the post
@require_http_methods(["GET", "POST"])
def embed(request: HttpRequest, key: str) -> HttpResponse:
    """The report form inside a company's page; only the site's allowed origins may frame it."""
    try:
        site = services.get_site(key)
    except NotFound:
        return _embed_headers(render(request, "portal/embed_unknown.html", status=404), None)
    lang = request.GET.get("lang", "")
    if lang in dict(settings.LANGUAGES):
        translation.activate(lang)
    return _embed_headers(_report(request, site=site, template="portal/embed_report.html"), site)


# --- links -------------------------------------------------------------------------------------------


@token_page
@require_GET
def access(request: HttpRequest, token: str) -> HttpResponse:
    """A ticket access link: checked, exchanged for the session, then the ticket page without the token."""
    try:
        link = services.open_link(token, kind=CustomerLink.Kind.ACCESS, ip=client_ip(request))
    except RateLimited as exc:
        return _rate_limited(request, exc)
    except NotFound:
        return _invalid_link(request)
    _grant(request, link)
    assert link.ticket is not None
    return redirect("portal:portal_ticket", number=link.ticket.number)


@token_page
@require_GET
def signin(request: HttpRequest, token: str) -> HttpResponse:
    """A sign-in link asks to continue (mail scanners that open links do not use it up)."""
    try:
        services.check_link(token, kind=CustomerLink.Kind.SIGNIN, ip=client_ip(request))
    except RateLimited as exc:
        return _rate_limited(request, exc)
    except NotFound:
        return _invalid_link(request)
    return render(request, "portal/signin.html", {"token": token})


@private
@csrf_exempt  # posted from the no-referrer page (Origin: null); the single-use 256-bit token is the proof
@require_POST
def signin_use(request: HttpRequest) -> HttpResponse:
    """Use the sign-in token once and exchange it for the session."""
    try:
        link = services.open_link(request.POST.get("token", ""), kind=CustomerLink.Kind.SIGNIN, ip=client_ip(request))
    except RateLimited as exc:
        return _rate_limited(request, exc)
    except NotFound:
        return _invalid_link(request)
    _grant(request, link)
    return redirect("portal:portal_my")


@private
@require_http_methods(["GET", "POST"])
def lost(request: HttpRequest) -> HttpResponse:
    """找回链接: the answer is the same whether or not we know the contact (R03)."""
    form = LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_signin_link(form.cleaned_data["identifier"], ip=client_ip(request))
        except RateLimited as exc:
            return _rate_limited(request, exc)
        return render(request, "portal/lost_sent.html")
    return render(request, "portal/lost.html", {"form": form}, status=400 if form.is_bound else 200)


@private
@require_GET
def my_tickets(request: HttpRequest) -> HttpResponse:
    customer = selectors.signed_in_customer(_link_ids(request))
    if customer is None:
        return _invalid_link(request)
    tickets = [(t, wording.customer_status(t.status)) for t in selectors.customer_tickets(customer)]
    return render(request, "portal/my_tickets.html", {"tickets": tickets})


# --- the customer's ticket ---------------------------------------------------------------------------


def _ticket_or_none(request: HttpRequest, number: str):
    return selectors.ticket_for_session(_link_ids(request), number)


def _ticket_context(ticket, **forms) -> dict:
    return {
        "ticket": ticket,
        "status_text": wording.customer_status(ticket.status),
        "entries": selectors.customer_timeline(ticket),
        "plan": selectors.pending_plan(ticket) if not ticket.is_archived else None,
        "can_verdict": ticket.status in VERDICT_STATUSES and not ticket.is_archived,
        "can_reply": ticket.status != Status.CLOSED and not ticket.is_archived,
        "suggestion": selectors.latest_verdict(ticket),
        "files": selectors.public_attachments(ticket),
        "department": ticket.owner_department.label if ticket.owner_department else "",
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "verdict_form": forms.get("verdict_form") or VerdictForm(),
    }


def _customer_ticket_view(view: Callable) -> Callable:
    """Resolve the session's ticket; anything else is the same "link no longer valid" page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, number: str, *args, **kwargs) -> HttpResponseBase:
        ticket = _ticket_or_none(request, number)
        if ticket is None:
            try:
                services.record_bad_link(client_ip(request))
            except RateLimited as exc:
                return _rate_limited(request, exc)
            return _invalid_link(request)
        return view(request, ticket, *args, **kwargs)

    return private(wrapper)


@_customer_ticket_view
@require_GET
def ticket_page(request: HttpRequest, ticket) -> HttpResponse:
    return render(request, "portal/ticket.html", _ticket_context(ticket))


def _rerender(request: HttpRequest, ticket, status: int, **forms) -> HttpResponse:
    ticket.refresh_from_db()
    return render(request, "portal/ticket.html", _ticket_context(ticket, **forms), status=status)


@_customer_ticket_view
@require_POST
def reply(request: HttpRequest, ticket) -> HttpResponse:
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply_as_customer(
                ticket,
                body=form.cleaned_data["body"],
                files=incoming_files(form.cleaned_data.get("attachments")),
                ip=client_ip(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            response = _rerender(request, ticket, exc.status, reply_form=form)
            if isinstance(exc, RateLimited):
                response["Retry-After"] = str(exc.retry_after)
            return response
        messages.success(request, _("Thank you, your message has been added."))
        return redirect("portal:portal_ticket", number=ticket.number)
    return _rerender(request, ticket, 400, reply_form=form)


@_customer_ticket_view
@require_POST
def confirm_plan(request: HttpRequest, ticket) -> HttpResponse:
    plan_id = request.POST.get("plan", "")
    try:
        services.confirm_plan(ticket, plan_event_id=int(plan_id) if plan_id.isdigit() else 0, ip=client_ip(request))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you, you have confirmed the plan."))
    return redirect("portal:portal_ticket", number=ticket.number)


@_customer_ticket_view
@require_POST
def verdict(request: HttpRequest, ticket) -> HttpResponse:
    """确认已解决 / 未解决: handed to the surveys' closing-the-loop service."""
    form = VerdictForm(request.POST)
    solved = {"1": True, "0": False}.get(request.POST.get("solved", ""))
    if not form.is_valid() or solved is None or ticket.status not in VERDICT_STATUSES:
        return _rerender(request, ticket, 400, verdict_form=form)
    from loopdesk.surveys.services import record_customer_verdict  # the surveys app owns closing the loop

    try:
        record_customer_verdict(ticket, solved=solved, score=None, via="portal", comment=form.cleaned_data["comment"])
    except DomainError as exc:
        add_domain_error(form, exc)
        return _rerender(request, ticket, exc.status, verdict_form=form)
    messages.success(
        request,
        _("Thank you for confirming.") if solved else _("We are sorry. We will handle your case again."),
    )
    return redirect("portal:portal_ticket", number=ticket.number)


@_customer_ticket_view
@require_GET
def download(request: HttpRequest, ticket, pk) -> HttpResponseBase:
    attachment = selectors.public_attachments(ticket).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return file_response(attachment, inline_asked=request.GET.get("inline") == "1")


# --- agent side --------------------------------------------------------------------------------------


def _agent_ticket(request: AuthedRequest, number: str):
    try:
        return ticket_selectors.get_ticket_for(request.user, number)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_POST
def revoke_links(request: AuthedRequest, number: str) -> HttpResponse:
    ticket = _agent_ticket(request, number)
    try:
        count = services.revoke_customer_links(ticket, actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%d customer links revoked.") % count)
    return redirect("tickets:detail", number=number)


@login_required
@require_POST
def decide_suggestion(request: AuthedRequest, number: str) -> HttpResponse:
    ticket = _agent_ticket(request, number)
    form = SuggestionVerdictForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("Choose adopted or not adopted and give the reason."))
        services.decide_suggestion(
            ticket, adopted=form.cleaned_data["adopted"], reason=form.cleaned_data["reason"], actor=request.user
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        # the ticket page is the tickets app's: the typed text comes back through the session, once
        request.session[DRAFT_KEY] = {"number": number, "adopted": request.POST.get("adopted", ""),
                                      "reason": request.POST.get("reason", "")[:2000]}  # fmt: skip
    else:
        messages.success(request, _("The decision was recorded and the customer told."))
    return redirect("tickets:detail", number=number)
