"""Admin for survey settings (editable), invitations (read-only, no token material) and callback tasks."""

from django.contrib import admin

from loopdesk.surveys.models import CallbackAttempt, CallbackTask, SurveyInvitation, SurveySettings


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    """How satisfaction is asked: the default row and optional per-category rows."""

    list_display = (
        "__str__", "scale", "unsatisfied_threshold", "link_valid_days", "reminder_count",
        "reminder_interval_days", "no_response_close_days", "archive_after_days", "callback_max_attempts",
    )  # fmt: skip


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    """Survey links sent; the tokens are never shown (only their hashes exist, and those stay hidden)."""

    list_display = (
        "ticket",
        "cycle",
        "scale",
        "created_at",
        "expires_at",
        "used_at",
        "reminders_sent",
        "closed_silent_at",
    )
    list_filter = ("scale",)
    search_fields = ("ticket__number",)
    list_select_related = ("ticket",)
    fields = ("ticket", "cycle", "scale", "created_at", "expires_at", "used_at", "reminders_sent", "last_reminded_at",
              "closed_silent_at")  # fmt: skip
    readonly_fields = fields


class CallbackAttemptInline(admin.TabularInline):
    model = CallbackAttempt
    extra = 0
    can_delete = False
    fields = ("made_at", "outcome", "call_at", "note", "made_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallbackTask)
class CallbackTaskAdmin(admin.ModelAdmin):
    """Callback tasks; a supervisor may hand an open one to another agent."""

    list_display = ("ticket", "cycle", "assignee", "state", "started_at", "call_at", "finished_at")
    list_filter = ("state",)
    search_fields = ("ticket__number", "assignee__username")
    list_select_related = ("ticket", "assignee")
    fields = ("ticket", "cycle", "assignee", "state", "started_at", "call_at", "finished_at")
    readonly_fields = ("ticket", "cycle", "state", "started_at", "call_at", "finished_at")
    inlines = [CallbackAttemptInline]
    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False
