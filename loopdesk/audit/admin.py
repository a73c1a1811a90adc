from django.contrib import admin

from loopdesk.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: audit entries are append-only in the database too."""

    list_display = ("created_at", "actor_name", "action", "object_type", "object_id", "field", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "=object_id", "=request_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
