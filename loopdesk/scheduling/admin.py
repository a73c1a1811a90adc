"""Periodic jobs and leases, read-only: when each job last ran, and its last error."""

from django.contrib import admin

from loopdesk.core.admin_base import ReadOnlyAdmin
from loopdesk.scheduling.models import JobLease, PeriodicJob


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
