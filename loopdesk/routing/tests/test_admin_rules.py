"""Editing rules in the admin: bad rules are refused with a message naming the problem; saves are versioned."""

import pytest

from loopdesk.accounts.models import Department
from loopdesk.audit.models import AuditEntry
from loopdesk.routing.models import RoutingRule, RoutingRuleRevision
from loopdesk.routing.selectors import active_rules
from loopdesk.testing.factories import UserFactory

ADD = "/admin/routing/routingrule/add/"


def rule_post(name="测试规则", conditions=(("category", "eq", "hardware_fault"),), **fields):
    data = {
        "name": name,
        "position": "5",
        "is_active": "on",
        "match_all": "on",
        "strategy": "",
        "member_role": "",
        "add_tags": "",
        "watcher_roles": "",
        "approver_role": "",
        "conditions-TOTAL_FORMS": str(len(conditions)),
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
    }
    for i, (field, op, value) in enumerate(conditions):
        data |= {f"conditions-{i}-field": field, f"conditions-{i}-op": op, f"conditions-{i}-value": value}
    return data | fields


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def errors_of(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("conditions", "extra", "message"),
    [
        ((("colour", "eq", "red"),), {}, "colour"),
        ((("category", "contains_any", "x"),), {}, "does not apply"),
        ((("category", "eq", "no_such_category"),), {}, "no_such_category"),
        ((("category", "eq", "hardware_fault"), ("category", "eq", "software_problem")), {}, "never match"),
        ((("involves_staff", "is_true", ""), ("involves_staff", "is_false", "")), {}, "never match"),
        ((("time_of_day", "between", "09:00-09:00"),), {}, "empty"),
        ((("category", "eq", "hardware_fault"),), {"set_department": ""}, "does nothing"),
        ((("category", "eq", "hardware_fault"),), {"member_role": "wizard"}, "wizard"),
    ],
)
def test_bad_rules_are_refused_with_the_problem_named(staff, conditions, extra, message):
    support = Department.objects.get(code="support")
    UserFactory(username="eng", department=support)
    data = rule_post(conditions=conditions, set_department=str(support.pk)) | extra
    response = staff.post(ADD, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and message in errors_of(response)
    assert not RoutingRule.objects.filter(name="测试规则").exists()


@pytest.mark.django_db
def test_inactive_owners_and_empty_departments_are_refused(staff):
    gone = UserFactory(username="gone", is_active=False)
    empty = Department.objects.get(code="quality")
    response = staff.post(ADD, rule_post(set_department=str(empty.pk)), HTTP_ACCEPT_LANGUAGE="en")
    assert "has no active members" in errors_of(response)
    response = staff.post(ADD, rule_post(set_owner=str(gone.pk)), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not RoutingRule.objects.filter(name="测试规则").exists()


@pytest.mark.django_db
def test_a_circular_continue_chain_is_refused(staff):
    first = RoutingRule.objects.order_by("position").first()
    support = Department.objects.get(code="support")
    UserFactory(username="eng", department=support)
    data = rule_post(position="900", continues="on", continue_at=str(first.pk), set_department=str(support.pk))
    response = staff.post(ADD, data, HTTP_ACCEPT_LANGUAGE="en")
    assert "circular" in errors_of(response) and first.name in errors_of(response)


@pytest.mark.django_db
def test_a_rule_behind_a_catch_all_is_refused_as_unreachable(staff):
    support = Department.objects.get(code="support")
    UserFactory(username="eng", department=support)
    assert staff.post(ADD, rule_post(name="兜底", conditions=(), set_department=str(support.pk))).status_code == 302
    response = staff.post(ADD, rule_post(set_department=str(support.pk)) | {"position": "6"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "never be reached" in errors_of(response)


@pytest.mark.django_db
def test_saving_goes_live_and_is_versioned_and_audited(staff, admin_user):
    support = Department.objects.get(code="support")
    UserFactory(username="eng", department=support)
    before = len(active_rules())
    response = staff.post(ADD, rule_post(set_department=str(support.pk)))
    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="测试规则")
    assert len(active_rules()) == before + 1  # the cached rule set reloads at once
    # when it is edited
    edit = rule_post(name="测试规则 v2", set_department=str(support.pk)) | {"position": "7"}
    edit |= {"conditions-INITIAL_FORMS": "0"}
    assert staff.post(f"/admin/routing/routingrule/{rule.pk}/change/", edit).status_code == 302
    revisions = list(RoutingRuleRevision.objects.filter(rule=rule).order_by("version"))
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[1].changed_by == admin_user and set(revisions[1].changed_fields) >= {"name", "position"}
    assert AuditEntry.objects.filter(action="routing.rule_saved", object_id=str(rule.pk)).count() == 2
    # and deleting leaves a final revision
    staff.post(f"/admin/routing/routingrule/{rule.pk}/delete/", {"post": "yes"})
    assert RoutingRuleRevision.objects.filter(rule_name="测试规则 v2", is_deletion=True).exists()
