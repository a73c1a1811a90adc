"""Forms of the agent UI; they validate shape only, business rules stay in services."""

from __future__ import annotations

from typing import NamedTuple

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loopdesk.accounts.models import Department, User
from loopdesk.tickets import workflow
from loopdesk.tickets.models import Category, Channel, Demand, Priority, Result
from loopdesk.tickets.selectors import SORTS
from loopdesk.tickets.services import DETAIL_FIELDS

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def category_choices(blank: bool = True):
    return ([("", "—")] if blank else []) + [(c.code, c.label) for c in Category.objects.filter(is_active=True)]


def priority_choices(blank: bool = True):
    return ([("", "—")] if blank else []) + [
        (p.code, f"{p.code} {p.label}") for p in Priority.objects.filter(is_active=True)
    ]


def owner_choices():
    users = User.objects.filter(is_active=True).select_related("department").order_by("department_id", "username")
    return [("", "—")] + [(u.username, f"{u} · {u.department or ''}") for u in users]


def department_choices():
    return [("", "—")] + [(d.code, d.label) for d in Department.objects.all()]


def filter_choices(everything: str) -> dict[str, list[tuple[str, str]]]:
    """The status, category, priority and department choices of a filter form, `everything` (no filter) first."""
    blank = [("", everything)]
    return {
        "status": blank + [(s.value, workflow.STATUS_LABELS[s]) for s in workflow.Status],
        "category": blank + category_choices(blank=False),
        "priority": blank + priority_choices(blank=False),
        "department": blank + department_choices()[1:],
    }


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    owner = forms.CharField(label=_("Owner"), required=False, max_length=150)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    open_only = forms.BooleanField(label=_("Open only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False)

    SORT_LABELS = {
        "received": _("Newest first"),
        "-received": _("Oldest first"),
        "priority": _("Most urgent first"),
        "-priority": _("Least urgent first"),
        "due": _("Due soonest"),
        "updated": _("Recently updated"),
        "number": _("Number"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in filter_choices(_("All")).items():
            self.fields[name].choices = choices
        self.fields["channel"].choices = [("", _("All"))] + list(Channel.choices)
        self.fields["sort"].choices = [(k, self.SORT_LABELS[k]) for k in SORTS]


class NewTicketForm(forms.Form):
    """Phone / walk-in registration: an existing customer (looked up) or a new one, and the problem."""

    customer_id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    customer_phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    customer_email = forms.EmailField(label=_("Email"), required=False)
    customer_company = forms.CharField(label=_("Company"), required=False, max_length=200)
    customer_industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    customer_address = forms.CharField(label=_("Address"), required=False, max_length=300)
    customer_member_no = forms.CharField(label=_("Member no."), required=False, max_length=64)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Symptom / description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=100_000
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    frequency = forms.CharField(label=_("Frequency"), required=False, max_length=100)
    impact_scope = forms.CharField(label=_("Scope of impact"), required=False, max_length=255)
    steps = forms.CharField(label=_("Steps to reproduce"), required=False, widget=TEXTAREA, max_length=20000)
    error_text = forms.CharField(label=_("Error message"), required=False, widget=TEXTAREA, max_length=20000)
    environment = forms.CharField(label=_("Environment"), required=False, max_length=255)
    customer_tried = forms.CharField(
        label=_("What the customer tried"), required=False, widget=TEXTAREA, max_length=20000
    )
    demand = forms.ChoiceField(label=_("Customer demand"), required=False, choices=[("", "—"), *Demand.choices])
    demand_detail = forms.CharField(label=_("Demand detail"), required=False, max_length=255)
    expected_timeline = forms.CharField(label=_("Expected timeline"), required=False, max_length=100)
    tags = forms.CharField(
        label=_("Keywords"), required=False, max_length=400, help_text=_("Separate keywords with commas.")
    )

    involves_staff = forms.BooleanField(label=_("Involves staff (copy HR)"), required=False)
    is_major_complaint = forms.BooleanField(label=_("Major complaint (reputation risk)"), required=False)

    CUSTOMER_FIELDS = ("name", "phone", "email", "company", "industry", "address", "member_no")
    DETAIL_FIELDS = DETAIL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["priority"].choices = priority_choices()

    def clean(self):
        data = super().clean()
        if not data.get("customer_id") and not data.get("customer_name"):
            self.add_error("customer_name", _("Pick a customer from the look-up or enter a new customer's name."))
        return data

    def customer_data(self) -> dict:
        return {f: self.cleaned_data.get(f"customer_{f}") or "" for f in self.CUSTOMER_FIELDS}

    def ticket_data(self) -> dict:
        data = {
            f: self.cleaned_data.get(f)
            for f in ("channel", "title", "description", "category", "priority", "tags", *self.DETAIL_FIELDS)
        }
        data = {k: v for k, v in data.items() if v not in (None, "")}
        return data | {f: bool(self.cleaned_data.get(f)) for f in ("involves_staff", "is_major_complaint")}


METHOD_CHOICES = [
    ("phone", _("Phone")),
    ("sms", _("SMS")),
    ("email", _("Email")),
    ("wechat", _("WeChat")),
    ("on_site", _("On site")),
]


def transition_field(name: str) -> forms.Field:
    """The form field for one transition input (see workflow.TRANSITIONS)."""
    makers = {
        "category": lambda: forms.ChoiceField(label=_("Category"), choices=category_choices()),
        "priority": lambda: forms.ChoiceField(label=_("Priority"), choices=priority_choices()),
        "tags": lambda: forms.CharField(label=_("Keywords"), max_length=400),
        "owner": lambda: forms.ChoiceField(label=_("Owner"), choices=owner_choices()),
        "department": lambda: forms.ChoiceField(label=_("Department"), choices=department_choices()),
        "note": lambda: forms.CharField(label=_("Note"), widget=TEXTAREA, max_length=20000),
        "root_cause": lambda: forms.CharField(label=_("Root cause"), widget=TEXTAREA, max_length=20000),
        "solution": lambda: forms.CharField(label=_("Solution"), widget=TEXTAREA, max_length=20000),
        "result": lambda: forms.ChoiceField(label=_("Result"), choices=[("", "—"), *Result.choices]),
        "message": lambda: forms.CharField(label=_("Message to the customer"), widget=TEXTAREA, max_length=20000),
        "method": lambda: forms.ChoiceField(label=_("How"), choices=METHOD_CHOICES),
        "reason": lambda: forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=2000),
        "involves_staff": lambda: forms.BooleanField(label=_("Involves staff (copy HR)")),
        "is_major_complaint": lambda: forms.BooleanField(label=_("Major complaint (reputation risk)")),
    }
    return makers[name]()


class TransitionForm(forms.Form):
    """Input of one transition: its required and optional fields plus the version being edited."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, transition: workflow.Transition, *args, **kwargs):
        kwargs["prefix"] = f"t-{transition.to}"
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in transition.required:
            self.fields[name] = transition_field(name)
        for name in transition.optional:
            field = transition_field(name)
            field.required = False
            self.fields[name] = field

    def service_input(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}


def transition_initial(ticket, transition: workflow.Transition) -> dict:
    """A blank transition form starts from the ticket's version and its current category, priority and owner."""
    initial = {"version": ticket.version}
    if "category" in transition.required + transition.optional and ticket.category_id:
        initial["category"] = ticket.category.code
    if "priority" in transition.required + transition.optional and ticket.priority_id:
        initial["priority"] = ticket.priority.code
    if "owner" in transition.required and ticket.owner_id:
        initial["owner"] = ticket.owner.username
    return initial


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=100_000)
    is_public = forms.TypedChoiceField(
        label=_("Visibility"),
        coerce=lambda v: v == "1",
        initial="1",
        choices=[("1", _("Public reply to the customer")), ("0", _("Internal note"))],
    )
    proposes_plan = forms.BooleanField(
        label=_("This reply proposes a plan for the customer to confirm (方案确认)"), required=False
    )


class ProgressForm(forms.Form):
    body = forms.CharField(label=_("Progress"), widget=TEXTAREA, max_length=100_000)
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=2000)


class PriorityForm(forms.Form):
    """Re-prioritise: the SLA clocks are recomputed from their original start."""

    priority = forms.ChoiceField(label=_("New priority"), choices=())
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [(p.code, f"{p.code} {p}") for p in Priority.objects.filter(is_active=True)]


class OnsiteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


SCORE_CHOICES = [
    (5, _("5 Very satisfied")),
    (4, _("4 Satisfied")),
    (3, _("3 Neutral")),
    (2, _("2 Unsatisfied")),
    (1, _("1 Very unsatisfied")),
]


class SatisfactionForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Overall"), coerce=int, choices=SCORE_CHOICES)
    timeliness = forms.TypedChoiceField(
        label=_("Timeliness"), coerce=int, required=False, empty_value=None, choices=[("", "—"), *SCORE_CHOICES]
    )
    attitude = forms.TypedChoiceField(
        label=_("Attitude"), coerce=int, required=False, empty_value=None, choices=[("", "—"), *SCORE_CHOICES]
    )
    effectiveness = forms.TypedChoiceField(
        label=_("Effectiveness"), coerce=int, required=False, empty_value=None, choices=[("", "—"), *SCORE_CHOICES]
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=TEXTAREA, max_length=2000)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class SideStep(NamedTuple):
    """A ticket-page action beside the loop's transitions: its form, its button and its submit label."""

    form: type[forms.Form]
    label: str | Promise
    submit: str | Promise


SIDE_STEPS = {
    "satisfaction": SideStep(SatisfactionForm, _("Record satisfaction (callback)"), _("Save satisfaction")),
    "priority": SideStep(PriorityForm, _("Change priority"), _("Change priority")),
    "onsite": SideStep(OnsiteForm, _("Arrived on site"), _("Record arrival")),
    "reply": SideStep(ReplyForm, _("Reply or internal note"), _("Add")),
    "progress": SideStep(ProgressForm, _("Progress update"), _("Add progress")),
}
SIDE_GROUPS = (("satisfaction",), ("priority", "onsite"), ("reply", "progress"))  # one card each on the page
