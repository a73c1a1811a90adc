"""Admin for calendars and SLA policies: validated on save, recorded as revisions, previewable."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loopdesk.core.admin_base import ReadOnlyAdmin
from loopdesk.core.errors import DomainError
from loopdesk.sla import calendar_data, selectors, services
from loopdesk.sla.calendars import validate_ranges
from loopdesk.sla.forms import PreviewForm
from loopdesk.sla.models import (
    BusinessCalendar,
    CalendarDate,
    CalendarYear,
    EscalationLevel,
    SlaClock,
    SlaPolicy,
    SlaPolicyRevision,
    SlaTarget,
    WorkingPeriod,
)
from loopdesk.tickets.workflow import STATUS_LABELS, Status


def _warn_about_calendars(request: HttpRequest) -> None:
    for warning in selectors.calendar_warnings():
        messages.warning(
            request,
            gettext(
                "Calendar “%(calendar)s” has no holiday data for %(years)s. Enter the State Council's holidays and "
                "make-up workdays as dates, then confirm the year; until then clocks reaching those days show "
                "“calendar not confirmed”."
            )
            % {"calendar": warning.calendar, "years": ", ".join(map(str, warning.years))},
        )


class CalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["code", "name", "name_en", "timezone", "is_24x7", "holiday_source", "makeup_weekday"]

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"]
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(gettext("Unknown time zone: %s") % name) from exc
        return name


class PeriodFormSet(forms.BaseInlineFormSet):
    """Working ranges of one weekday must not overlap, and each must end after it starts."""

    def clean(self) -> None:
        super().clean()
        by_day: dict[int, list[tuple[int, int]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("starts_at") or data.get("ends_at") is None:
                continue
            period = WorkingPeriod(weekday=data["weekday"], starts_at=data["starts_at"], ends_at=data["ends_at"])
            by_day.setdefault(data["weekday"], []).append(period.minutes)
        for weekday, ranges in sorted(by_day.items()):
            problems = validate_ranges(ranges)
            if problems:
                raise forms.ValidationError(
                    gettext("%(day)s: %(problem)s")
                    % {"day": WorkingPeriod(weekday=weekday).get_weekday_display(), "problem": problems[0]}
                )


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = PeriodFormSet
    extra = 0


class CalendarDateInline(admin.TabularInline):
    model = CalendarDate
    extra = 1


class CalendarYearInline(admin.TabularInline):
    model = CalendarYear
    extra = 0
    readonly_fields = ("year", "confirmed_by", "confirmed_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """Edits here move the due times of open clocks counting in the calendar (recomputed by the worker)."""

    form = CalendarForm
    list_display = ("code", "name", "timezone", "is_24x7", "holiday_source", "data_until")
    inlines = [WorkingPeriodInline, CalendarDateInline, CalendarYearInline]
    actions = ["confirm_next_year"]

    @admin.display(description=_("holiday data until"))
    def data_until(self, obj: BusinessCalendar) -> str:
        last = calendar_data.known_until(obj, set(obj.confirmed_years.values_list("year", flat=True)))
        return last.isoformat() if last else "—"

    def changelist_view(self, request, extra_context=None):
        _warn_about_calendars(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            _warn_about_calendars(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.touch_calendar(form.instance)

    @admin.action(description=_("Confirm the next year without official data (after entering its dates)"))
    def confirm_next_year(self, request, queryset):
        for calendar in queryset:
            try:
                confirmation = services.confirm_calendar_year(calendar, actor=request.user)
            except DomainError as exc:
                messages.error(request, f"{calendar}: {exc.message}")
            else:
                messages.success(
                    request,
                    gettext("%(calendar)s: %(year)d confirmed.") % {"calendar": calendar, "year": confirmation.year},
                )


class PolicyForm(forms.ModelForm):
    pausing_statuses = forms.MultipleChoiceField(
        label=_("statuses that pause the clocks"),
        choices=[
            (s.value, STATUS_LABELS[s])
            for s in (
                Status.WAITING_CUSTOMER,
                Status.ASSIGNED,
                Status.ACCEPTED,
                Status.IN_PROGRESS,
                Status.TRIAGED,
                Status.NEW,
            )
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SlaPolicy
        fields = ["code", "name", "is_active", "category", "channel", "customer_tier", "pausing_statuses", "preset"]


class TargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


class EscalationInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Saving publishes a new revision; tickets already running keep the revision they started with."""

    form = PolicyForm
    list_display = ("code", "name", "is_active", "category", "channel", "customer_tier", "current_revision")
    list_filter = ("is_active", "preset")
    readonly_fields = ("current_revision",)
    inlines = [TargetInline, EscalationInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        try:
            revision = services.publish_policy_revision(form.instance, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.info(request, gettext("Revision %d is in force for new tickets.") % revision.number)

    def get_urls(self):
        view = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", view, name="sla_slapolicy_preview"), *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """“A P1 received on 2026-09-30 17:40 is due …”: every milestone under the current policy."""
        form = PreviewForm(request.GET or None)
        result = None
        if form.is_bound and form.is_valid():
            try:
                result = selectors.preview_due_times(**form.preview_input())
            except DomainError as exc:
                form.add_error(None, str(exc.message))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("SLA preview"),
            "form": form,
            "policy": result[0] if result else None,
            "rows": result[1] if result else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "sla/admin_preview.html", context)


@admin.register(SlaPolicyRevision)
class SlaPolicyRevisionAdmin(ReadOnlyAdmin):
    list_display = ("policy", "number", "created_by", "created_at")
    list_filter = ("policy",)


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "milestone",
        "cycle",
        "state",
        "priority_code",
        "due_at",
        "is_breached",
        "escalation_level",
    )
    list_filter = ("state", "milestone", "is_breached")
    search_fields = ("ticket__number",)
    list_select_related = ("ticket",)
