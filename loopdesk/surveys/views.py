"""The public survey page (reached by token, no login) and the agents' callback queue and task pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loopdesk.accounts.http import AuthedRequest
from loopdesk.core import rate_limits
from loopdesk.core.client_ip import client_ip
from loopdesk.core.errors import Conflict, DomainError
from loopdesk.core.forms import add_domain_error
from loopdesk.core.masking import mask_name, mask_phone
from loopdesk.surveys import callbacks, selectors, services
from loopdesk.surveys.forms import AttemptForm, RevealForm, VerdictForm


def _private(response: HttpResponse, language: str = "") -> HttpResponse:
    """Pages reached by token: never cached, never leak the URL to another site, never log the path."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's 4xx log line would hold the token
    if language:  # the same cookie the staff pages' language switcher sets
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 86400)
    return response


def _chosen_language(request: HttpRequest) -> str:
    """`?lang=` from the page's language links: under no-referrer a form POST carries `Origin: null`,
    which Django's CSRF check (rightly) refuses, so the public page switches language by link."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        return ""
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


@csrf_exempt  # the 256-bit token in the URL is the capability; a forged cross-site POST cannot know it
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the SOP's questions; POST records the answer once per ticket cycle."""
    language = _chosen_language(request)
    ip = client_ip(request)
    wait = rate_limits.retry_after("bad_token_ip", ip)  # one budget with the portal's links
    if wait:
        response = render(request, "surveys/invalid.html", status=429)
        response["Retry-After"] = str(wait)
        return _private(response, language)
    check = services.check_token(token)
    invitation = check.invitation
    if check.is_used and request.method != "POST":
        invitation = None  # a used link opened again is no longer valid
    if invitation is None:
        rate_limits.hit("bad_token_ip", ip)
        return _private(render(request, "surveys/invalid.html", status=404), language)
    if check.is_used or check.is_answered:
        return _private(render(request, "surveys/answered.html"), language)
    form = VerdictForm(request.POST or None, scale_name=invitation.scale)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_survey(invitation, **form.verdict())
        except Conflict:
            return _private(render(request, "surveys/answered.html"), language)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _private(render(request, "surveys/thanks.html", {"verdict": form.verdict()}), language)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "ticket": invitation.ticket}
    return _private(render(request, "surveys/answer.html", context, status=status), language)


# --- callbacks (agents) -----------------------------------------------------------------------------


@login_required
@require_GET
def callback_queue(request: AuthedRequest) -> HttpResponse:
    """The agent's open callbacks, the soonest due first (supervisors may list everyone's)."""
    everyone = request.GET.get("all") == "1"
    tasks = list(selectors.callback_queue(request.user, everyone=everyone)[:200])
    for task in tasks:
        task.masked_phone = mask_phone(task.ticket.customer.phone)  # type: ignore[attr-defined]
        task.masked_customer = mask_name(task.ticket.customer.name)  # type: ignore[attr-defined]
    can_all = request.user.has_perm("tickets.assign_ticket")
    return render(request, "surveys/queue.html", {"tasks": tasks, "everyone": everyone, "can_all": can_all})


def _task_page(request: AuthedRequest, task, *, attempt_form=None, verdict_form=None, status: int = 200):
    scale_name = services.settings_for(task.ticket).scale
    context = {
        "task": task,
        "ticket": task.ticket,
        "masked_phone": mask_phone(task.ticket.customer.phone),
        "can_reveal": callbacks.may_reveal_phone(task, request.user),
        "is_open": task.state == task.State.OPEN,
        "attempt_form": attempt_form or AttemptForm(),
        "verdict_form": verdict_form or VerdictForm(scale_name=scale_name),
    }
    return render(request, "surveys/callback.html", context, status=status)


@login_required
@require_GET
def callback(request: AuthedRequest, pk: int) -> HttpResponse:
    """One callback: the masked phone, the script of questions, attempts so far."""
    return _task_page(request, selectors.get_callback_task_for(request.user, pk))


@login_required
@require_POST
def callback_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """The phone in clear for the assigned agent only, audited; htmx swaps it into the page."""
    task = selectors.get_callback_task_for(request.user, pk)
    form = RevealForm(request.POST)
    form.is_valid()
    try:
        value = callbacks.reveal_callback_phone(
            task, actor=request.user, reason=form.cleaned_data.get("reason", ""), request=request
        )
    except DomainError as exc:
        return render(request, "tickets/_reveal_error.html", {"error": exc.message}, status=exc.status)
    response = render(request, "tickets/_revealed.html", {"value": value, "field": "phone"})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def callback_attempt(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a call that did not reach the customer (no answer, call back later, wrong number)."""
    task = selectors.get_callback_task_for(request.user, pk)
    form = AttemptForm(request.POST)
    if form.is_valid():
        try:
            callbacks.record_callback_attempt(task, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The call is recorded."))
            return redirect("surveys:callback", pk=task.pk)
    return _task_page(request, task, attempt_form=form, status=400)


@login_required
@require_POST
def callback_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the customer's answers to the script; the verdict closes or reopens the ticket."""
    task = selectors.get_callback_task_for(request.user, pk)
    form = VerdictForm(request.POST, scale_name=services.settings_for(task.ticket).scale)
    if form.is_valid():
        try:
            callbacks.record_callback_answers(task, actor=request.user, **form.verdict())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("The customer's answers are recorded for %(number)s.") % {"number": task.ticket.number}
            )
            return redirect("surveys:callback_queue")
    return _task_page(request, task, verdict_form=form, status=400)
