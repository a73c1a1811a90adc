"""Masking of personal data for display (李*, 138****5678): pure functions over plain strings."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D+")


def normalize_phone(value: str) -> str:
    """Digits only, a leading +86/0086 country code removed, so look-ups match however it was typed."""
    digits = _DIGITS.sub("", value or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def mask_name(value: str) -> str:
    """Keep the first character (the family name), star the rest: 李四 -> 李*, 欧阳娜娜 -> 欧***."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 1:
        return "*"
    return value[0] + "*" * (len(value) - 1)


def mask_phone(value: str) -> str:
    """Mobile 13812345678 -> 138****5678; shorter numbers keep only their last 4 digits."""
    digits = normalize_phone(value)
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_email(value: str) -> str:
    """zhang.san@example.com -> z*******@example.com."""
    value = (value or "").strip()
    if "@" not in value:
        return mask_name(value)
    local, _, domain = value.partition("@")
    if not local:
        return "*@" + domain
    return local[0] + "*" * max(len(local) - 1, 1) + "@" + domain


def mask_address(value: str) -> str:
    """Keep the first 6 characters (province/city), star the rest."""
    value = (value or "").strip()
    if len(value) <= 6:
        return "*" * len(value)
    return value[:6] + "*" * min(len(value) - 6, 8)


MASKERS = {"name": mask_name, "phone": mask_phone, "email": mask_email, "address": mask_address}


def mask(kind: str, value: str) -> str:
    """Mask `value` as a field of `kind` (name, phone, email, address)."""
    return MASKERS[kind](value)
