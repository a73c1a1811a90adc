"""The SOP's satisfaction questions (survey page and callback script) and the callback attempt form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loopdesk.surveys import scale

COMMENT_MAX = 1000
SOLVED_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
DIMENSIONS = (
    ("timeliness", _("How timely was our response?")),
    ("attitude", _("How was our staff's attitude?")),
    ("effectiveness", _("How effective was the solution?")),
)


class VerdictForm(forms.Form):
    """Overall score, three dimensions, "was the problem solved", and a comment, on the configured scale."""

    def __init__(self, *args, scale_name: str = scale.Scale.FIVE, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scale_name = scale_name
        options = [(str(value), label) for value, label in scale.choices(scale_name)]
        self.fields["solved"] = forms.ChoiceField(
            label=_("Was your problem solved?"), choices=SOLVED_CHOICES, widget=forms.RadioSelect
        )
        self.fields["score"] = forms.ChoiceField(
            label=_("Overall, how satisfied are you?"), choices=options, widget=forms.RadioSelect
        )
        for name, label in DIMENSIONS:
            self.fields[name] = forms.ChoiceField(
                label=label, choices=options, widget=forms.RadioSelect, required=False
            )
        self.fields["comment"] = forms.CharField(
            label=_("Anything else you want to tell us?"),
            required=False,
            max_length=COMMENT_MAX,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        )

    def verdict(self) -> dict:
        """The cleaned answers as record_customer_verdict takes them."""
        data = self.cleaned_data
        return {
            "solved": data["solved"] == "yes",
            "score": int(data["score"]),
            "answers": {name: int(data[name]) for name, _label in DIMENSIONS if data.get(name)},
            "comment": data.get("comment", "").strip(),
        }


class AttemptForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What came of the call?"),
        choices=[(o.value, scale.ATTEMPT_LABELS[o]) for o in scale.AttemptOutcome if o != scale.AttemptOutcome.REACHED],
    )
    call_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == scale.AttemptOutcome.CALL_LATER:
            when = data.get("call_at")
            if when is None:
                self.add_error("call_at", _("Give the time to call back."))
            elif when <= timezone.now():
                self.add_error("call_at", _("Enter a time in the future."))
        return data


class RevealForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
