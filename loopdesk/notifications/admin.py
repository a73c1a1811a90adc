from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loopdesk.core.errors import DomainError
from loopdesk.notifications.models import Notification, OutboxMessage
from loopdesk.notifications.services import retry_message


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly):
    """The outbox and its dead letters; failed messages show their last error and can be retried."""

    list_display = ("created_at", "kind", "channel", "recipient", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "channel", "kind")
    search_fields = ("subject", "kind", "event_id")
    actions = ["retry"]

    @admin.action(description=_("Retry failed messages"))
    def retry(self, request, queryset):
        done = 0
        for message in queryset.filter(status=OutboxMessage.Status.DEAD):
            try:
                retry_message(message, actor=request.user)
                done += 1
            except DomainError as exc:
                messages.error(request, str(exc.message))
        messages.success(request, gettext("%d messages queued again.") % done)


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
