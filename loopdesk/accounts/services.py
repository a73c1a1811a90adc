"""Write use-cases for the organisation: roles as groups, departments, staff users."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from loopdesk.accounts.models import Department, User
from loopdesk.accounts.roles import DEPARTMENTS, ROLES


def sync_roles() -> None:
    """Create or update one group per role with exactly the role's permissions (idempotent)."""
    perms = {f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")}
    for code, (_label, names) in ROLES.items():
        group, _ = Group.objects.get_or_create(name=code)
        group.permissions.set([perms[name] for name in names if name in perms])


def sync_departments() -> None:
    """Make sure the seven SOP departments exist."""
    for code, name, name_en, sees_all in DEPARTMENTS:
        Department.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sees_all_tickets": sees_all}
        )


def sync_roles_after_migrate(sender, app_config=None, **kwargs) -> None:
    if app_config is None or not app_config.name.startswith("loopdesk."):
        return  # after each LoopDesk app, so permissions of apps migrated later are granted too
    using = kwargs.get("using", "default")
    if using != "default":
        return
    sync_roles()
    sync_departments()


@transaction.atomic
def create_staff_user(
    *,
    username: str,
    password: str,
    role: str,
    department: Department | None,
    display_name: str = "",
    employee_no: str = "",
    email: str = "",
) -> User:
    """A staff user holding one role; the admin role also gets Django admin access."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role}")
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        department=department,
        display_name=display_name,
        employee_no=employee_no,
        is_staff=role in {"admin", "supervisor", "aftersales_manager", "service_director"},
        is_superuser=role == "admin",
    )
    user.groups.add(Group.objects.get(name=role))
    return user
