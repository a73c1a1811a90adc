"""The outbox and the in-app notifications, read-only; dead letters can be retried (audited)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loopdesk.core.admin_base import ReadOnlyAdmin
from loopdesk.core.errors import DomainError
from loopdesk.notifications.models import Notification, OutboxMessage
from loopdesk.notifications.services import retry_message


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Every message with its state; failed ones show their last error and can be queued again."""

    list_display = ("created_at", "kind", "channel", "recipient", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "channel", "kind")
    list_select_related = ("recipient",)
    search_fields = ("subject", "kind", "dedupe_key", "event_id", "recipient__username", "address")
    date_hierarchy = "created_at"
    actions = ["retry"]

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description=_("Retry failed messages"), permissions=["retry"])
    def retry(self, request, queryset):
        done = 0
        for message in queryset.filter(status=OutboxMessage.Status.DEAD):
            try:
                retry_message(message, actor=request.user, request=request)
            except DomainError as exc:  # a concurrent retry got there first
                messages.error(request, str(exc.message))
            else:
                done += 1
        text = ngettext("%(count)d failed message queued again.", "%(count)d failed messages queued again.", done)
        messages.success(request, text % {"count": done})


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("title", "user__username")
