from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from loopdesk.accounts.models import ApiToken, Department, LoginAttempt, User
from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit

LOOPDESK_FIELDS = ("display_name", "department", "employee_no")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "sees_all_tickets")
    list_filter = ("sees_all_tickets",)
    search_fields = ("code", "name", "name_en")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "department", "employee_no", "is_active", "is_staff")
    list_filter = ("department", "groups", "is_active", "is_staff")
    search_fields = ("username", "display_name", "employee_no", "email")
    list_select_related = ("department",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("LoopDesk", {"fields": LOOPDESK_FIELDS}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        ("LoopDesk", {"fields": (*LOOPDESK_FIELDS, "groups")}),
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
    """Issuing a token shows its clear value once, in a message; only the hash is stored."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "name", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        readonly = ("prefix", "key_hash", "created_at", "last_used_at")
        return readonly + ("user",) if obj is not None else readonly

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
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = token.pk, token.prefix, token.key_hash, token.created_at
        record_audit(
            action=AuditEntry.Action.TOKEN_CREATED,
            actor=request.user,
            request=request,
            object_type="api_token",
            object_id=token.pk,
            reason=f"for {obj.user}",
        )
        # Not in the message catalogue (owned by i18n); bilingual so every admin can read it.
        messages.warning(request, f"新令牌仅显示这一次，请立即复制 / New token, shown once: {raw}")


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Read-only: the throttle's record of login attempts."""

    list_display = ("created_at", "username", "ip", "succeeded")
    list_filter = ("succeeded",)
    search_fields = ("username", "ip")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
