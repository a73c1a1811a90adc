"""Periodic jobs and leases, read-only: when each job last ran, and its last error."""

from django.contrib import admin

from loopdesk.scheduling.models import JobLease, PeriodicJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodicJob)
class PeriodicJobAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "is_enabled",
        "next_run_at",
        "last_enqueued_at",
        "last_started_at",
        "last_finished_at",
        "last_error",
    )
    list_filter = ("is_enabled",)
    search_fields = ("name",)


@admin.register(JobLease)
class JobLeaseAdmin(ReadOnlyAdmin):
    list_display = ("name", "holder", "held_until")
    search_fields = ("name", "holder")
