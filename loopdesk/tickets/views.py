"""Agent UI for tickets: parse input, authorise through selectors, call one service, answer."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loopdesk.accounts.http import AuthedRequest
from loopdesk.core.errors import DomainError, NotFound
from loopdesk.core.forms import add_domain_error
from loopdesk.customers.models import Customer
from loopdesk.customers.presentation import customer_fields
from loopdesk.customers.services import register_customer, reveal_customer_field
from loopdesk.routing.forms import ApproveForm, DeclineForm, EscalateForm
from loopdesk.sla import selectors as sla_selectors
from loopdesk.tickets import selectors, services, workflow
from loopdesk.tickets.forms import (
    SIDE_GROUPS,
    SIDE_STEPS,
    InboxFilterForm,
    NewTicketForm,
    OnsiteForm,
    PriorityForm,
    ProgressForm,
    ReplyForm,
    RevealForm,
    SatisfactionForm,
    TransitionForm,
    transition_initial,
)

PAGE_SIZE = 50


def _ticket_or_404(request: AuthedRequest, number: str):
    try:
        return selectors.get_ticket_for(request.user, number)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    """The agent's ticket list with filters and sorting; htmx requests get only the table."""
    form = InboxFilterForm(request.GET or None)
    filters = selectors.InboxFilters()
    if form.is_bound and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        filters = selectors.InboxFilters(**data)
    cursor, offset = request.GET.get("cursor", ""), _legacy_offset(request.GET.get("page"))
    try:
        page = selectors.inbox_page(request.user, filters, limit=PAGE_SIZE, cursor=cursor, offset=offset)
    except DomainError as exc:
        add_domain_error(form, exc)
        page = selectors.inbox_page(request.user, selectors.InboxFilters(), limit=PAGE_SIZE)
    badges = sla_selectors.badges_for(page.items)
    for ticket in page.items:
        ticket.sla_badge = badges.get(ticket.pk)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "is_first_page": not (cursor or offset),
        "count_cap": selectors.COUNT_CAP,
    }
    template = "tickets/_inbox_table.html" if request.htmx else "tickets/inbox.html"
    return render(request, template, context)


def _legacy_offset(raw: str | None) -> int:
    """Old `?page=N` links still work (by offset); the pager itself now hands out cursors."""
    if raw and raw.isascii() and raw.isdigit() and 1 < int(raw) <= 10_000:
        return (int(raw) - 1) * PAGE_SIZE
    return 0


@login_required
@permission_required("tickets.add_ticket", raise_exception=True)
def new_ticket(request: AuthedRequest) -> HttpResponse:
    """Register a phone or walk-in ticket; a rejected form comes back with every value kept."""
    form = NewTicketForm(request.POST or None, initial={"customer_id": request.GET.get("customer", "")})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                customer = _customer_for(form)
                ticket = services.open_ticket(actor=request.user, customer=customer, **form.ticket_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Ticket %s registered.") % ticket.number)
            return redirect("tickets:detail", number=ticket.number)
    chosen = _chosen_customer(form)
    return render(request, "tickets/new.html", {"form": form, "chosen": chosen})


def _customer_for(form: NewTicketForm) -> Customer:
    public_id = form.cleaned_data.get("customer_id")
    if public_id:
        customer = Customer.objects.filter(public_id=public_id).first()
        if customer is None:
            raise NotFound(_("Customer not found."), fields={"customer_id": _("Customer not found.")})
        return customer
    return register_customer(**form.customer_data())


def _chosen_customer(form: NewTicketForm) -> dict | None:
    public_id = form.data.get("customer_id") or form.initial.get("customer_id")
    customer = Customer.objects.filter(public_id=public_id).first() if public_id else None
    return customer_fields(customer, reveal=False) if customer else None


@dataclass
class Step:
    """One action button of the ticket page: where its form posts, and the form itself once it is shown."""

    key: str
    label: str | Promise
    action: str
    form_url: str
    submit: str | Promise = ""
    transition: workflow.Transition | None = None
    form: forms.Form | None = None  # None: fetched from `form_url` when the agent opens the step


def _step_groups(user, ticket) -> list[list[Step]]:
    """The steps `user` may take on `ticket` now, one list per card of the page (the transitions first).

    The page's buttons and the step-form endpoint both start from here, so a form is never handed out for a
    step the page would not offer."""
    permissions = user.get_all_permissions()
    is_owner, is_archived = ticket.owner_id == user.pk, ticket.is_archived
    transitions = workflow.available_transitions(
        ticket.status, is_archived=is_archived, is_owner=is_owner, permissions=permissions
    )
    offered = {
        "satisfaction": workflow.may_record_satisfaction(
            ticket.status, is_archived=is_archived, permissions=permissions
        ),
        "priority": workflow.may_change_priority(ticket.status, is_archived=is_archived, permissions=permissions),
        "onsite": workflow.may_record_arrival(
            ticket.status, is_archived=is_archived, is_owner=is_owner, permissions=permissions
        ),
        "reply": not is_archived,
        "progress": not is_archived and ticket.is_open,
    }
    return [[_transition_step(ticket, t) for t in transitions]] + [
        [_side_step(ticket, key) for key in group if offered[key]] for group in SIDE_GROUPS
    ]


def _transition_step(ticket, transition: workflow.Transition, form: forms.Form | None = None) -> Step:
    to = transition.to.value
    return Step(
        key=to,
        label=transition.label,
        action=reverse("tickets:transition", args=[ticket.number, to]),
        form_url=_form_url(ticket, to),
        transition=transition,
        form=form,
    )


def _side_step(ticket, key: str, form: forms.Form | None = None) -> Step:
    return Step(
        key=key,
        label=SIDE_STEPS[key].label,
        action=reverse(f"tickets:{key}", args=[ticket.number]),
        form_url=_form_url(ticket, key),
        submit=SIDE_STEPS[key].submit,
        form=form,
    )


def _form_url(ticket, key: str) -> str:
    return f"{reverse('tickets:step_form', args=[ticket.number])}?{urlencode({'step': key})}"


def _blank_form(ticket, step: Step) -> forms.Form:
    if step.transition is not None:
        return TransitionForm(step.transition, initial=transition_initial(ticket, step.transition))
    if step.key == "priority":
        return PriorityForm(initial={"expected_version": ticket.version})
    return SIDE_STEPS[step.key].form()


# The relations whose sections the ticket page shows only when they hold something.
PAGE_SECTIONS = (
    "tags",
    "watchers",
    "callback_tasks",
    "survey_invitations",
    "inbound_messages",
    "attachments",
    "satisfactions",
)


def _detail_context(request: AuthedRequest, ticket, shown: dict | None = None) -> dict:
    """Everything the ticket page shows; `shown` forms (a rejected, filled-in copy) are rendered open in place.

    The other steps render only their button: their form is fetched when the agent opens one (`step_form`)."""
    shown = dict(shown or {})
    user = request.user
    groups = _step_groups(user, ticket)
    for step in (step for group in groups for step in group):
        step.form = shown.pop(step.key, None)
    for key, form in shown.items():  # a refused step keeps its form and input on screen, with the reason
        if isinstance(form, TransitionForm):
            groups[0].append(_transition_step(ticket, form.transition, form))
        elif key in SIDE_STEPS:
            index = next(i for i, keys in enumerate(SIDE_GROUPS, start=1) if key in keys)
            groups[index].append(_side_step(ticket, key, form))
    is_owner, permissions = ticket.owner_id == user.pk, user.get_all_permissions()
    present = selectors.related_present(ticket, PAGE_SECTIONS)  # one statement instead of one per empty section
    return {
        "ticket": ticket,
        "customer": customer_fields(ticket.customer, reveal=False),
        "can_reveal": user.has_perm("customers.reveal_pii"),
        "events": selectors.timeline(ticket),
        "tags": list(ticket.tags.all()) if present["tags"] else [],
        "watchers": list(ticket.watchers.all()) if present["watchers"] else [],
        "has_callbacks": present["callback_tasks"] or present["survey_invitations"],
        "mail_messages": ticket.inbound_messages.defer("raw").order_by("received_at")
        if present["inbound_messages"]
        else [],
        "attachments": ticket.attachments.all() if present["attachments"] else [],
        "satisfactions": ticket.satisfactions.select_related("recorded_by") if present["satisfactions"] else [],
        "step_groups": groups,
        "clocks": sla_selectors.clocks_of(ticket),
        "ticket_sla": sla_selectors.policy_of(ticket),
        "calendar_warnings": sla_selectors.calendar_warnings(),
        "can_archive": ticket.status == workflow.Status.CLOSED
        and not ticket.is_archived
        and user.has_perm("tickets.archive_ticket"),
        "can_decline": workflow.may_decline(ticket.status, is_archived=ticket.is_archived, is_owner=is_owner),
        "can_escalate": workflow.may_escalate(
            ticket.status, is_archived=ticket.is_archived, is_owner=is_owner, permissions=permissions
        ),
        "can_approve": bool(ticket.approval_role)  # the roles cost a query; most tickets need no approval
        and workflow.may_approve(
            ticket.approval_role,
            is_approved=ticket.approved_at is not None,
            is_archived=ticket.is_archived,
            roles={g.name for g in user.groups.all()},
        ),
        "decline_form": DeclineForm(),
        "escalate_form": EscalateForm(),
        "approve_form": ApproveForm(),
    }


@login_required
@require_GET
def detail(request: AuthedRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


@login_required
@require_GET
def step_form(request: AuthedRequest, number: str) -> HttpResponse:
    """The form of one step (`?step=`), fetched when the agent opens it; without htmx, the page with it open."""
    ticket = _ticket_or_404(request, number)
    step = request.GET.get("step", "")
    if step not in SIDE_STEPS and workflow.transition_to(step) is None:
        raise Http404
    offered = next((s for group in _step_groups(request.user, ticket) for s in group if s.key == step), None)
    if offered is None:
        raise PermissionDenied
    form = _blank_form(ticket, offered)
    if not request.htmx:
        return render(request, "tickets/detail.html", _detail_context(request, ticket, {step: form}))
    offered.form = form
    return render(request, "tickets/_step_form.html", {"ticket": ticket, "step": offered})


def _rerender(request: AuthedRequest, ticket, key: str, form, status: int = 400) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket.number)
    response = render(request, "tickets/detail.html", _detail_context(request, ticket, {key: form}))
    response.status_code = status
    return response


@login_required
@require_POST
def transition(request: AuthedRequest, number: str, to: str) -> HttpResponse:
    """Perform one step of the loop from its button's form."""
    ticket = _ticket_or_404(request, number)
    step = workflow.transition_to(to)
    if step is None:
        raise Http404
    form = TransitionForm(step, request.POST)
    if not form.is_valid():
        return _rerender(request, ticket, step.to, form)
    try:
        services.transition_ticket(
            ticket, to=to, actor=request.user, expected_version=form.cleaned_data["version"], **form.service_input()
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return _rerender(request, ticket, step.to, form, status=exc.status)
    messages.success(request, _("Done: %s.") % step.label)
    return redirect("tickets:detail", number=number)


def _form_action(request: AuthedRequest, number: str, key: str, form_class, perform) -> HttpResponse:
    """Validate one small form on the ticket page and run its service; errors re-show the page with input."""
    ticket = _ticket_or_404(request, number)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(ticket, actor=request.user, **form.cleaned_data)
            return redirect("tickets:detail", number=number)
        except DomainError as exc:
            add_domain_error(form, exc)
    return _rerender(request, ticket, key, form)


@login_required
@require_POST
def reply(request: AuthedRequest, number: str) -> HttpResponse:
    return _form_action(request, number, "reply", ReplyForm, services.add_reply)


@login_required
@require_POST
def progress(request: AuthedRequest, number: str) -> HttpResponse:
    return _form_action(request, number, "progress", ProgressForm, services.add_progress_update)


@login_required
@require_POST
def satisfaction(request: AuthedRequest, number: str) -> HttpResponse:
    return _form_action(request, number, "satisfaction", SatisfactionForm, services.record_satisfaction)


@login_required
@require_POST
def change_priority(request: AuthedRequest, number: str) -> HttpResponse:
    return _form_action(request, number, "priority", PriorityForm, services.change_priority)


@login_required
@require_POST
def onsite(request: AuthedRequest, number: str) -> HttpResponse:
    return _form_action(request, number, "onsite", OnsiteForm, services.record_onsite_arrival)


@login_required
@require_POST
def archive(request: AuthedRequest, number: str) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    try:
        services.archive_ticket(ticket, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("tickets:detail", number=number)


@login_required
@require_POST
def reveal(request: AuthedRequest, number: str, field: str) -> HttpResponse:
    """The clear value of one customer field on this ticket, audited; htmx swaps it into the page."""
    ticket = _ticket_or_404(request, number)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render(request, "tickets/_reveal_error.html", {"form": form}, status=400)
    try:
        value = reveal_customer_field(
            ticket.customer,
            field=field,
            actor=request.user,
            request=request,
            reason=form.cleaned_data["reason"],
            context=ticket.number,
        )
    except DomainError as exc:
        return render(request, "tickets/_reveal_error.html", {"error": exc.message}, status=exc.status)
    response = render(request, "tickets/_revealed.html", {"value": value, "field": field})
    response["Cache-Control"] = "no-store"
    return response
