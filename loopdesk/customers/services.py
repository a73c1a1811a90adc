"""Write use-cases for customers: register, find-or-register from intake data, audited PII reveal."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit
from loopdesk.core.errors import PermissionDenied, ValidationFailed
from loopdesk.core.masking import normalize_phone
from loopdesk.core.models import next_public_number
from loopdesk.customers.models import Customer
from loopdesk.customers.selectors import first_customer

CUSTOMER_FIELDS = ("name", "phone", "email", "company", "industry", "address", "member_no", "tier")
REVEALABLE = {"name", "phone", "email", "address"}


def _clean(fields: dict) -> dict:
    unknown = sorted(set(fields) - set(CUSTOMER_FIELDS))
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: _("This field is not accepted.") for f in unknown})
    data = {k: (v or "").strip() for k, v in fields.items()}
    if "name" in data and not data["name"]:
        raise ValidationFailed(_("The customer's name is required."), fields={"name": _("This field is required.")})
    if data.get("phone"):
        digits = normalize_phone(data["phone"])
        if not 5 <= len(digits) <= 20:
            raise ValidationFailed(
                _("The phone number is not valid."),
                fields={"phone": _("Enter a phone number of 5 to 20 digits.")},
            )
    if data.get("email") and ("@" not in data["email"] or any(c in data["email"] for c in "\r\n\x00 <>")):
        raise ValidationFailed(_("The email address is not valid."), fields={"email": _("Enter a valid email.")})
    if "tier" in data and data["tier"] not in Customer.Tier.values:
        data["tier"] = Customer.Tier.STANDARD
    return data


def register_customer(**fields) -> Customer:
    """A new customer with a public ID C + date + serial.

    The checks come before the transaction, so a caller's transaction needs no savepoint around it."""
    data = _clean(fields)
    if not data.get("name"):
        raise ValidationFailed(_("The customer's name is required."), fields={"name": _("This field is required.")})
    if data.get("member_no") and Customer.objects.filter(member_no=data["member_no"]).exists():
        raise ValidationFailed(
            _("This member no. belongs to another customer."), fields={"member_no": _("Already registered.")}
        )
    with transaction.atomic(savepoint=False):  # the serial and the row: both or neither
        return Customer.objects.create(public_id=next_public_number("C"), **data)


def find_or_register_customer(**fields) -> Customer:
    """The existing customer with this phone or email (phone first), or a newly registered one."""
    data = _clean(fields)
    phone, email = normalize_phone(data.get("phone", "")), data.get("email", "")
    lookups = [(kind, value) for kind, value in (("phone", phone), ("email", email)) if value]
    found = first_customer(*lookups)  # phone before email, one statement
    if found is not None:
        return found
    return register_customer(**data)


@transaction.atomic
def update_customer(customer: Customer, **fields) -> Customer:
    data = _clean(fields)
    for key, value in data.items():
        setattr(customer, key, value)
    customer.save()
    if data.keys() & {"name", "company", "phone"}:  # the search index holds them for the customer's tickets
        from loopdesk.search.services import reindex_customer

        reindex_customer(customer.pk)
    return customer


def reveal_customer_field(
    customer: Customer, *, field: str, actor, reason: str = "", request=None, context: str = ""
) -> str:
    """The clear value of one PII field, for holders of the reveal permission; every reveal is audited."""
    if field not in REVEALABLE:
        raise ValidationFailed(_("This field cannot be revealed."), fields={"field": _("Unknown field.")})
    if not actor.has_perm("customers.reveal_pii"):
        raise PermissionDenied(_("You may not reveal customer data."))
    return revealed_value(customer, field=field, actor=actor, reason=reason or context, request=request)


def revealed_value(customer: Customer, *, field: str, actor, reason: str, request=None) -> str:
    """Audit one reveal the caller has allowed, and give the clear value: every path to clear PII ends here."""
    record_audit(
        action=AuditEntry.Action.PII_REVEALED,
        actor=actor,
        request=request,
        object_type="customer",
        object_id=customer.public_id,
        field=field,
        reason=reason[:500],
    )
    return getattr(customer, field)
