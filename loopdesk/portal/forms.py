"""Portal forms: shape only (lengths, choices); the rules are in services and shared with the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loopdesk.attachments.services import Incoming
from loopdesk.mail.decoding import safe_filename
from loopdesk.portal.services import Report
from loopdesk.tickets.models import Demand

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def incoming_files(uploaded) -> list[Incoming]:
    return [Incoming(name=safe_filename(f.name), content=f.read()) for f in uploaded or []]


class ReportForm(forms.Form):
    """报告问题: the SOP's intake fields, mobile-first, no password."""

    form_key = forms.CharField(widget=forms.HiddenInput, max_length=200)
    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    product = forms.CharField(label=_("Product"), max_length=200, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial_no = forms.CharField(label=_("Serial no."), max_length=100, required=False)
    order_no = forms.CharField(label=_("Order no."), max_length=64, required=False)
    description = forms.CharField(
        label=_("What happened?"), widget=TEXTAREA, max_length=20_000,
        help_text=_("What you saw, any error message, and what you were doing."),
    )  # fmt: skip
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    customer_tried = forms.CharField(
        label=_("What have you tried?"), widget=TEXTAREA, max_length=20_000, required=False
    )
    demand = forms.ChoiceField(
        label=_("What would you like us to do?"), required=False, choices=[("", "—"), *Demand.choices]
    )
    demand_detail = forms.CharField(label=_("Anything else you expect"), max_length=255, required=False)
    attachments = MultipleFileField(
        label=_("Photos or files"),
        help_text=_("Up to 20 files, 25 MB each, 50 MB together. Programs and web pages are refused."),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or "").strip() and not data.get("email") and "email" not in self.errors:
            message = _("Give a phone number or an email address so we can reach you.")
            self.add_error("phone", message)
            self.add_error("email", message)
        return data

    def report(self) -> Report:
        data = self.cleaned_data
        text = {k: (data.get(k) or "").strip() for k in Report.__dataclass_fields__ if k != "occurred_at"}
        return Report(occurred_at=data.get("occurred_at"), **text)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=TEXTAREA, max_length=20_000)
    attachments = MultipleFileField(label=_("Photos or files"))


class LostLinkForm(forms.Form):
    identifier = forms.CharField(
        label=_("Your email address or phone number"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip


class VerdictForm(forms.Form):
    comment = forms.CharField(label=_("Anything to add? (optional)"), widget=TEXTAREA, max_length=2000, required=False)


class SuggestionVerdictForm(forms.Form):
    adopted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Adopted")), ("0", _("Not adopted"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason (the customer reads it)"), widget=TEXTAREA, max_length=2000)
