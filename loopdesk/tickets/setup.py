"""Apply a seed preset: exactly that preset's categories are active afterwards. Idempotent."""

from __future__ import annotations

from django.db import transaction

from loopdesk.tickets.models import Category, Priority
from loopdesk.tickets.presets import CATEGORY_PRESETS, PRIORITIES


@transaction.atomic
def apply_category_preset(preset: str) -> list[Category]:
    """Create/activate the preset's categories and deactivate all others (tickets keep theirs)."""
    if preset not in CATEGORY_PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(CATEGORY_PRESETS)}")
    active = []
    for order, (code, name, name_en) in enumerate(CATEGORY_PRESETS[preset]):
        category, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "preset": preset,
                "is_active": True,
                "sort_order": order,
            },
        )
        active.append(category)
    Category.objects.exclude(pk__in=[c.pk for c in active]).update(is_active=False)
    return active


@transaction.atomic
def ensure_default_priorities() -> None:
    for code, name, name_en, rank in PRIORITIES:
        Priority.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "rank": rank, "workload_weight": max(1, 4 - rank)}
        )
