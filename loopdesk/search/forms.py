from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loopdesk.accounts.models import Department
from loopdesk.tickets.models import STATUS_CHOICES, Category, Priority


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=500)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["status"].choices = anything + list(STATUS_CHOICES)
        self.fields["category"].choices = anything + [
            (c.code, c.label) for c in Category.objects.filter(is_active=True)
        ]
        self.fields["priority"].choices = anything + [
            (p.code, p.label) for p in Priority.objects.filter(is_active=True)
        ]
        self.fields["department"].choices = anything + [(d.code, d.label) for d in Department.objects.all()]
