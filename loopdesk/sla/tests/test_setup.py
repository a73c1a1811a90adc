"""SLA presets reproduce the seed tables and can be switched; running tickets keep their revision."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from loopdesk.sla.models import SlaPolicy, SlaTarget
from loopdesk.sla.setup import apply_sla_preset
from loopdesk.tickets.models import Priority

pytestmark = pytest.mark.django_db


def targets(code: str) -> dict[tuple[str, str], int]:
    policy = SlaPolicy.objects.get(code=f"preset-{code}")
    return {(t.priority.code, t.milestone): t.target_minutes for t in SlaTarget.objects.filter(policy=policy)}


def test_the_default_is_001_with_its_seed_table():
    table = targets("001")
    assert [table[(p, "first_response")] for p in ("P1", "P2", "P3")] == [120, 240, 480]
    assert [table[(p, "resolution")] for p in ("P1", "P2", "P3")] == [24 * 60, 48 * 60, 72 * 60]
    assert [table[(p, "result_report")] for p in ("P1", "P2", "P3")] == [30, 120, 24 * 60]
    assert table[("P1", "quick_ack")] == 15
    p1 = SlaTarget.objects.filter(policy__code="preset-001", priority__code="P1").first()
    assert p1 is not None and p1.calendar.code == "24x7"


def test_switching_to_002_brings_four_levels_and_deactivates_001():
    apply_sla_preset("002")
    assert list(Priority.objects.filter(is_active=True).values_list("name", flat=True)) == ["紧急", "高", "中", "低"]
    assert [targets("002")[(p, "first_response")] for p in ("P1", "P2", "P3", "P4")] == [120, 240, 360, 24 * 60]
    assert not SlaPolicy.objects.get(code="preset-001").is_active
    # and back: P4 is deactivated, never deleted
    apply_sla_preset("001")
    assert not Priority.objects.get(code="P4").is_active
    assert SlaPolicy.objects.get(code="preset-001").is_active


def test_003_has_the_on_site_promise_for_urgent_tickets():
    apply_sla_preset("003")
    assert targets("003")[("P1", "onsite")] == 24 * 60
    assert Priority.objects.get(code="P2").name == "普通"


def test_reapplying_a_preset_makes_no_new_revision():
    before = SlaPolicy.objects.get(code="preset-001").current_revision
    apply_sla_preset("001")
    assert SlaPolicy.objects.get(code="preset-001").current_revision == before


def test_the_command(capsys):
    call_command("setup_presets", "--sla", "000")
    assert "000" in capsys.readouterr().out
    with pytest.raises(Exception, match="choose"):
        call_command("setup_presets")
