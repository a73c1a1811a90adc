"""Forms for the SLA preview (admin and agent UI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loopdesk.tickets.models import Category, Channel, Priority

MAX_PAUSES = 50


def _priority_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.code} {p}") for p in Priority.objects.filter(is_active=True)]


def _category_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(c.code, str(c)) for c in Category.objects.filter(is_active=True)]


class PreviewForm(forms.Form):
    """A draft ticket: priority, category, channel, when it was received, and optional pauses."""

    priority = forms.ChoiceField(label=_("Priority"), choices=_priority_choices)
    category = forms.ChoiceField(label=_("Category"), choices=_category_choices, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    pauses = forms.CharField(
        label=_("Pauses (one per line: start / end)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-10-08 10:00 / 2026-10-09 15:00"}),
    )

    def clean_pauses(self) -> list[tuple[dt.datetime, dt.datetime]]:
        lines = [line.strip() for line in self.cleaned_data["pauses"].splitlines() if line.strip()]
        if len(lines) > MAX_PAUSES:
            raise forms.ValidationError(gettext("At most %d pauses.") % MAX_PAUSES)
        pauses = []
        for line in lines:
            try:
                start, end = (dt.datetime.fromisoformat(part.strip()) for part in line.split("/"))
            except ValueError as exc:
                raise forms.ValidationError(
                    gettext("Cannot read “%s”: write two times separated by “/”.") % line[:80]
                ) from exc
            start, end = (timezone.make_aware(t) if timezone.is_naive(t) else t for t in (start, end))
            if end <= start:
                raise forms.ValidationError(gettext("The pause “%s” ends before it starts.") % line[:80])
            pauses.append((start, end))
        return pauses

    def preview_input(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "priority": data["priority"],
            "category": data.get("category") or "",
            "channel": data.get("channel") or "",
            "received_at": data["received_at"],
            "pauses": data["pauses"],
        }
