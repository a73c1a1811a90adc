"""One mapping from DomainError to form errors, used by every form-handling view."""

from __future__ import annotations

from django import forms

from loopdesk.core.errors import DomainError


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Attach the error's field messages to the form's fields, the rest to the form as a whole."""
    placed = False
    for field, message in exc.fields.items():
        name = field.split(".")[-1]
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, str(exc.message))
