"""After migrate, every SOP role exists as a group holding its key permissions, and the departments exist."""

import pytest
from django.contrib.auth.models import Group

from loopdesk.accounts.models import Department
from loopdesk.accounts.roles import DEPARTMENTS, ROLES
from loopdesk.accounts.services import create_staff_user, sync_roles

# role: (permissions it must hold, permissions it must not hold)
KEY = {
    "agent": (
        {"tickets.add_ticket", "tickets.add_reply", "tickets.record_satisfaction"},
        {"tickets.assign_ticket", "customers.reveal_pii", "tickets.view_all_tickets"},
    ),
    "senior_agent": (
        {"tickets.triage_ticket", "tickets.add_ticket"},
        {"tickets.assign_ticket", "tickets.archive_ticket"},
    ),
    "supervisor": (
        {"tickets.assign_ticket", "tickets.view_all_tickets", "tickets.archive_ticket", "customers.reveal_pii"},
        set(),
    ),
    "aftersales_manager": ({"tickets.assign_ticket", "tickets.reopen_ticket", "customers.reveal_pii"}, set()),
    "service_director": ({"tickets.view_all_tickets", "customers.reveal_pii"}, set()),
    "engineer": (
        {"tickets.view_ticket", "tickets.add_reply"},
        {"tickets.view_all_tickets", "tickets.work_any_ticket", "customers.reveal_pii", "tickets.close_ticket"},
    ),
    "tech_lead": (
        {"tickets.assign_ticket", "tickets.view_all_tickets", "tickets.work_any_ticket"},
        {"customers.reveal_pii"},
    ),
    "quality_manager": (
        {"tickets.view_all_tickets", "tickets.view_ticket"},
        {"tickets.add_ticket", "tickets.add_reply", "customers.reveal_pii"},
    ),
    "admin": ({"accounts.change_user", "customers.reveal_pii", "tickets.assign_ticket"}, set()),
}


def held(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_is_covered_here():
    assert set(KEY) == set(ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(KEY))
def test_role_group_holds_its_key_permissions(role):
    must, must_not = KEY[role]
    permissions = held(Group.objects.get(name=role))
    assert must <= permissions
    assert not (must_not & permissions)
    assert permissions == set(ROLES[role][1])  # exactly the role's list, every name resolved


@pytest.mark.django_db
def test_sync_is_idempotent_and_repairs_drift():
    group = Group.objects.get(name="agent")
    group.permissions.clear()
    sync_roles()
    sync_roles()
    assert held(group) == set(ROLES["agent"][1])
    assert Group.objects.filter(name="agent").count() == 1


@pytest.mark.django_db
def test_the_sop_departments_exist():
    assert set(Department.objects.values_list("code", "name", "sees_all_tickets")) == {
        (code, name, sees_all) for code, name, _en, sees_all in DEPARTMENTS
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "is_staff", "is_superuser"), [("agent", False, False), ("supervisor", True, False), ("admin", True, True)]
)
def test_staff_users_get_one_role(role, is_staff, is_superuser):
    user = create_staff_user(
        username="u", password="pw-123456", role=role, department=Department.objects.get(code="cs")
    )
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser)
    assert user.check_password("pw-123456")


@pytest.mark.django_db
def test_unknown_roles_are_refused():
    with pytest.raises(ValueError):
        create_staff_user(username="u", password="pw", role="janitor", department=None)
