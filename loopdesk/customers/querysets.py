"""Customer look-ups by the identifiers a caller can give on the phone."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from loopdesk.core.masking import normalize_phone


def normalize_email(address: str | None) -> str:
    """An address as the lower-case email indexes compare it."""
    return (address or "").strip().lower()


class CustomerQuerySet(models.QuerySet):
    def matching_identifier(self, value: str) -> CustomerQuerySet:
        """Exact match on phone (any contact), order/contract no., member no., serial no. or customer ID."""
        value = (value or "").strip()
        if not value:
            return self.none()
        q = (
            models.Q(public_id=value.upper())
            | models.Q(member_no=value)
            | models.Q(orders__order_no=value)
            | models.Q(orders__contract_no=value)
            | models.Q(assets__serial_no=value)
        )
        phone = normalize_phone(value)
        if len(phone) >= 5:
            q |= models.Q(phone=phone) | models.Q(contacts__phone=phone)
        if "@" in value:
            q |= models.Q(email_lower=value.lower())
            return self.annotate(email_lower=Lower("email")).filter(q).distinct()
        return self.filter(q).distinct()

    def with_email(self, address: str) -> CustomerQuerySet:
        """Customers with this email address, any case (served by the lower-case email index)."""
        return self.annotate(email_lower=Lower("email")).filter(email_lower=normalize_email(address))


class ContactQuerySet(models.QuerySet):
    def with_email(self, address: str) -> ContactQuerySet:
        """Contacts with this email address, any case (served by the lower-case email index)."""
        return self.annotate(email_lower=Lower("email")).filter(email_lower=normalize_email(address))
