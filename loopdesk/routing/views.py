"""Routing screens: the rule dry-run, the supervisor's workload view with one-click reassignment, and the
owner's decline / escalate / approve actions on the ticket page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loopdesk.accounts.http import AuthedRequest
from loopdesk.accounts.models import Department
from loopdesk.core.errors import DomainError, NotFound
from loopdesk.core.forms import add_domain_error
from loopdesk.routing import selectors, services
from loopdesk.routing.forms import ApproveForm, DeclineForm, DryRunForm, EscalateForm, ReassignForm
from loopdesk.tickets import selectors as ticket_selectors
from loopdesk.tickets import services as ticket_services


@login_required
@permission_required("tickets.assign_ticket", raise_exception=True)
def dry_run(request: AuthedRequest) -> HttpResponse:
    """Try a draft ticket against the rules (optionally with inactive drafts) before a rule goes live."""
    form = DryRunForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        draft = form.draft()
        result = selectors.dry_run(draft, include_inactive=draft.pop("include_inactive"))
    return render(request, "routing/dry_run.html", {"form": form, "result": result})


@login_required
@permission_required("tickets.assign_ticket", raise_exception=True)
def workload(request: AuthedRequest) -> HttpResponse:
    """Members of one department with duty, open work by priority, cap and oldest wait; the queue; reassign."""
    departments = list(Department.objects.all())
    code = request.GET.get("department") or (request.user.department.code if request.user.department else "")
    department = next((d for d in departments if d.code == code), departments[0] if departments else None)
    if department is None:
        raise Http404
    rows = selectors.workload(department)
    context = {
        "departments": departments,
        "department": department,
        "setting": selectors.routing_of(department),
        "rows": rows,
        "queue": selectors.department_queue(department),
        "waiting": selectors.waiting_tickets(department),
        "members": [r.user for r in rows],
    }
    return render(request, "routing/workload.html", context)


@login_required
@permission_required("tickets.assign_ticket", raise_exception=True)
@require_POST
def reassign(request: AuthedRequest, number: str) -> HttpResponse:
    """One click on the workload view: give this ticket to that member (their cap is respected)."""
    ticket = _ticket_or_404(request, number)
    form = ReassignForm(request.POST)
    back = redirect(f"{_workload_url()}?department={request.POST.get('department', '')}")
    if not form.is_valid():
        messages.error(request, _("Choose a member."))
        return back
    try:
        ticket_services.transition_ticket(
            ticket,
            to="assigned",
            actor=request.user,
            owner=form.cleaned_data["owner"],
            expected_version=form.cleaned_data["version"],
            note=_("Reassigned from the workload view"),
        )
        messages.success(request, _("%(number)s assigned to %(owner)s.") % {"number": number, **form.cleaned_data})
    except DomainError as exc:
        messages.error(request, f"{number}: {exc.message}")
    return back


def _workload_url() -> str:
    return reverse("routing:workload")


def _ticket_or_404(request: AuthedRequest, number: str):
    try:
        return ticket_selectors.get_ticket_for(request.user, number)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _ticket_action(request: AuthedRequest, number: str, form_class, perform, title: str) -> HttpResponse:
    """Run one owner action; a refusal shows the form again with the input kept and the reason."""
    ticket = _ticket_or_404(request, number)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(ticket, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Done: %s.") % title)
            return redirect("tickets:detail", number=number)
        except DomainError as exc:
            add_domain_error(form, exc)
    context = {"ticket": ticket, "form": form, "title": title, "action": request.path}
    return render(request, "routing/ticket_action.html", context, status=400)


@login_required
@require_POST
def decline(request: AuthedRequest, number: str) -> HttpResponse:
    return _ticket_action(request, number, DeclineForm, services.decline_ticket, _("Decline"))


@login_required
@require_POST
def escalate(request: AuthedRequest, number: str) -> HttpResponse:
    return _ticket_action(request, number, EscalateForm, services.escalate_ticket, _("Escalate"))


@login_required
@require_POST
def approve(request: AuthedRequest, number: str) -> HttpResponse:
    return _ticket_action(request, number, ApproveForm, ticket_services.approve_ticket, _("Approve"))
