from django.contrib import admin

from loopdesk.core.admin_base import ReadOnlyAdmin
from loopdesk.tickets.models import Category, Priority, Satisfaction, Tag, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Which categories are active is configuration; `setup_presets` switches a whole seed preset."""

    list_display = ("code", "name", "name_en", "preset", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    list_filter = ("is_active", "preset")
    search_fields = ("code", "name", "name_en")


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "rank", "is_active")
    list_filter = ("is_active",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


class EventInline(admin.TabularInline):
    model = TicketEvent
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "is_public", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Read-only: every change of a ticket is a service call that records an event."""

    list_display = (
        "number",
        "title",
        "status",
        "category",
        "priority",
        "channel",
        "owner_department",
        "owner",
        "received_at",
        "is_archived",
    )
    list_filter = ("status", "category", "priority", "channel", "owner_department", "is_archived")
    search_fields = ("=number", "title", "=customer__public_id", "tags__name")
    list_select_related = ("category", "priority", "owner", "owner_department")
    date_hierarchy = "received_at"
    inlines = [EventInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "actor", "from_status", "to_status", "is_public", "created_at")
    list_filter = ("kind", "is_public")
    search_fields = ("=ticket__number", "actor__username")
    list_select_related = ("ticket", "actor")
    date_hierarchy = "created_at"


@admin.register(Satisfaction)
class SatisfactionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "score", "timeliness", "attitude", "effectiveness", "recorded_by", "recorded_at")
    list_filter = ("score",)
    search_fields = ("=ticket__number",)
    list_select_related = ("ticket", "recorded_by")
    date_hierarchy = "recorded_at"
