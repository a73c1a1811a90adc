"""Switching the category preset activates exactly that seed's categories."""

import pytest
from django.core.management import call_command

from loopdesk.tickets.models import Category


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("preset", "names"),
    [("001", ["功能故障", "服务体验", "咨询疑问", "投诉建议"]), ("004", ["售前咨询", "售后支持", "投诉建议", "其他"])],
)
def test_preset_switch(preset, names):
    call_command("setup_presets", categories=preset)
    assert list(Category.objects.filter(is_active=True).values_list("name", flat=True)) == names


@pytest.mark.django_db
def test_tickets_keep_a_deactivated_category(walk_ticket):
    ticket = walk_ticket("new")
    call_command("setup_presets", categories="001")
    ticket.refresh_from_db()
    assert ticket.category.code == "software_problem" and not ticket.category.is_active
