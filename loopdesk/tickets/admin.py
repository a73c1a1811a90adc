from django.contrib import admin

from loopdesk.tickets.models import Category, Priority, Satisfaction, Tag, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "preset", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "rank", "is_active")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the services (and their events), never through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "status", "category", "priority", "owner", "received_at", "is_archived")
    list_filter = ("status", "category", "priority", "channel", "is_archived")
    search_fields = ("number", "title")
    list_select_related = ("category", "priority", "owner")


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "actor", "from_status", "to_status", "created_at")
    list_filter = ("kind",)
    list_select_related = ("ticket", "actor")


@admin.register(Satisfaction)
class SatisfactionAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "score", "timeliness", "attitude", "effectiveness", "recorded_by", "recorded_at")
    list_select_related = ("ticket", "recorded_by")
