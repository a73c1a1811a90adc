"""Forms of the routing screens: dry-run draft, decline, escalate, approve, reassign."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loopdesk.customers.models import Customer
from loopdesk.routing.rules import Trigger
from loopdesk.tickets.forms import category_choices, priority_choices
from loopdesk.tickets.models import Channel

TEXTAREA = forms.Textarea(attrs={"rows": 2})
ESCALATION_CHOICES = [
    ("senior_agent", _("Senior agent")),
    ("tech_lead", _("Tech lead")),
    ("aftersales_manager", _("After-sales manager")),
    ("service_director", _("Service director")),
    ("supervisor", _("Supervisor")),
]
TRIGGER_CHOICES = [
    (Trigger.CREATED.value, _("Registered")),
    (Trigger.CLASSIFIED.value, _("Classified")),
    (Trigger.REOPENED.value, _("Reopened")),
    (Trigger.UNSATISFIED.value, _("Unsatisfied survey (second processing)")),
]


class DryRunForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA, max_length=100_000)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    customer_tier = forms.ChoiceField(label=_("Customer tier"), choices=Customer.Tier.choices)
    customer_industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    product = forms.CharField(label=_("Product"), required=False, max_length=200)
    model = forms.CharField(label=_("Model"), required=False, max_length=100)
    tags = forms.CharField(label=_("Keywords"), required=False, max_length=400)
    involves_staff = forms.BooleanField(label=_("Involves staff (copy HR)"), required=False)
    is_major_complaint = forms.BooleanField(label=_("Major complaint (reputation risk)"), required=False)
    received_at = forms.DateTimeField(label=_("Received at"), required=False)
    trigger = forms.ChoiceField(label=_("When"), choices=TRIGGER_CHOICES)
    include_inactive = forms.BooleanField(label=_("Include inactive (draft) rules"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["priority"].choices = priority_choices()

    def draft(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [t for part in data["tags"].replace("，", ",").split(",") if (t := part.strip())]
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why do you decline?"), widget=TEXTAREA, max_length=2000)


class EscalateForm(forms.Form):
    to_role = forms.ChoiceField(label=_("Escalate to"), choices=ESCALATION_CHOICES)
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=2000)
    cause = forms.ChoiceField(
        choices=[("manual", _("Escalation")), ("kb_no_answer", _("No answer in the knowledge base"))],
        initial="manual",
        widget=forms.HiddenInput,
    )


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA, max_length=2000)


class ReassignForm(forms.Form):
    owner = forms.CharField(max_length=150)
    version = forms.IntegerField(required=False)
