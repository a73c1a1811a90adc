"""How a customer is shown to a user: masked unless the caller decided to reveal (and audited it)."""

from __future__ import annotations

from typing import Any

from loopdesk.core.masking import mask_address, mask_email, mask_name, mask_phone


def customer_fields(customer, *, reveal: bool) -> dict[str, Any]:
    """Identity and contact fields of a customer, masked unless `reveal`."""
    if reveal:
        name, phone, email, address = customer.name, customer.phone, customer.email, customer.address
    else:
        name, phone = mask_name(customer.name), mask_phone(customer.phone)
        email, address = mask_email(customer.email), mask_address(customer.address)
    return {
        "public_id": customer.public_id,
        "name": name,
        "phone": phone,
        "email": email,
        "address": address,
        "company": customer.company,
        "industry": customer.industry,
        "member_no": customer.member_no,
        "tier": customer.tier,
        "is_masked": not reveal,
    }
