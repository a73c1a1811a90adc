from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from loopdesk.accounts.models import ApiToken, Department, User
from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "sees_all_tickets")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "department", "employee_no", "is_active", "is_staff")
    list_filter = ("department", "groups", "is_active", "is_staff")
    search_fields = ("username", "display_name", "employee_no", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("LoopDesk", {"fields": ("display_name", "department", "employee_no")}),
    )

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:  # role changes are audited (R08)
            record_audit(
                action=AuditEntry.Action.ROLE_CHANGED,
                actor=request.user,
                request=request,
                object_type="user",
                object_id=form.instance.pk,
                reason=f"{sorted(before)} -> {sorted(after)}",
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if obj.revoked_at:
                record_audit(
                    action=AuditEntry.Action.TOKEN_REVOKED,
                    actor=request.user,
                    request=request,
                    object_type="api_token",
                    object_id=obj.pk,
                )
            return
        token, raw = ApiToken.issue(obj.user, obj.name)
        obj.pk = token.pk
        record_audit(
            action=AuditEntry.Action.TOKEN_CREATED,
            actor=request.user,
            request=request,
            object_type="api_token",
            object_id=token.pk,
            reason=f"for {obj.user}",
        )
        messages.warning(request, f"New token (shown once): {raw}")
