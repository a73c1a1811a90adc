"""Suggestions (咨询建议): which tickets take a verdict and who may give it. Pure."""

from __future__ import annotations

from collections.abc import Collection

# Category codes of the presets that hold suggestions (000: 咨询建议, 001/004: 投诉建议).
SUGGESTION_CATEGORIES = frozenset({"inquiry_suggestion", "complaint_suggestion", "suggestion"})
PRODUCT_DEPARTMENT = "product"
DECIDING_ROLES = frozenset({"supervisor", "aftersales_manager", "service_director", "admin"})


def is_suggestion(category_code: str, owner_department_code: str) -> bool:
    """A suggestion category, or anything the product department owns."""
    return category_code in SUGGESTION_CATEGORIES or owner_department_code == PRODUCT_DEPARTMENT


def may_decide(*, department_code: str, roles: Collection[str], is_superuser: bool = False) -> bool:
    """Product department members and supervisors decide on suggestions."""
    return is_superuser or department_code == PRODUCT_DEPARTMENT or bool(DECIDING_ROLES & set(roles))
