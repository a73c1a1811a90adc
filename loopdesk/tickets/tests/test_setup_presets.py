"""Switching the category preset activates exactly that seed's categories."""

import pytest
from django.core.management import call_command

from loopdesk.routing.models import RoutingCondition, RoutingRule
from loopdesk.routing.rules import ruleset_problems
from loopdesk.routing.selectors import known_values, stored_rules
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


@pytest.mark.django_db
def test_switching_categories_switches_the_routing_table_and_keeps_custom_rules():
    # given a custom rule next to preset 000's rules
    custom = RoutingRule.objects.create(name="门店自定义", position=5, add_tags="门店")
    RoutingCondition.objects.create(rule=custom, field="channel", op="eq", value="phone")
    # when the categories of seed 001 are chosen
    call_command("setup_presets", categories="001")
    # then the routing rules are seed 001's, they name only active categories, and the custom rule stays
    assert set(RoutingRule.objects.exclude(preset="").values_list("preset", flat=True)) == {"001"}
    active = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    named = RoutingCondition.objects.filter(field="category").values_list("value", flat=True)
    assert {v.strip() for value in named for v in value.split(",")} <= active
    assert RoutingRule.objects.filter(pk=custom.pk).exists()
    assert ruleset_problems(stored_rules(), known_values()) == {}
