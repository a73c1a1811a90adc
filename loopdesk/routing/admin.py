"""Admin for routing: rules with their conditions (checked before they go live), revisions, department
assignment settings and member profiles."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from loopdesk.accounts.models import User
from loopdesk.core.admin_base import ReadOnlyAdmin
from loopdesk.routing import rules
from loopdesk.routing.editing import delete_rule, draft_problems, record_rule_revision, target_problems
from loopdesk.routing.models import (
    AcknowledgementLapse,
    DepartmentRouting,
    MemberProfile,
    RoutingCondition,
    RoutingRule,
    RoutingRuleRevision,
)
from loopdesk.routing.selectors import rule_value


def _split(value: str) -> list[str]:
    return [v for part in (value or "").replace("，", ",").split(",") if (v := part.strip())]


class RuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "position",
            "is_active",
            "match_all",
            "continues",
            "continue_at",
            "set_department",
            "set_owner",
            "strategy",
            "member_role",
            "set_priority",
            "raise_priority",
            "add_tags",
            "watchers",
            "watcher_roles",
            "watcher_departments",
            "approver_role",
        ]

    def clean(self):
        data = super().clean()
        problems = target_problems(
            department=data.get("set_department"),
            owner=data.get("set_owner"),
            watchers=data.get("watchers") or [],
            roles=[*_split(data.get("watcher_roles", "")), data.get("member_role", ""), data.get("approver_role", "")],
            strategy=data.get("strategy", ""),
        )
        for department in data.get("watcher_departments") or []:
            if not department.members.filter(is_active=True).exists():
                problems.append(_("the department %s has no active members") % department)
        if problems:
            raise ValidationError(problems)
        has_lists = bool(data.get("watchers") or data.get("watcher_departments"))
        self.instance._has_list_actions = has_lists  # the condition formset checks the whole rule
        return data


class ConditionFormSet(forms.BaseInlineFormSet):
    """Checks the rule with its conditions against the other active rules before anything is saved."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            RoutingCondition(field=f.cleaned_data["field"], op=f.cleaned_data["op"], value=f.cleaned_data["value"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        rule = self.instance
        draft = rule_value(rule, kept)
        if getattr(rule, "_has_list_actions", False) and draft.actions.is_empty:
            draft = replace(draft, actions=rules.Actions(watchers=("form",)))
        problems = draft_problems(draft, is_active=rule.is_active)
        if problems:
            raise ValidationError(problems)


class ConditionInline(admin.TabularInline):
    model = RoutingCondition
    formset = ConditionFormSet
    extra = 1


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RuleForm
    inlines = [ConditionInline]
    list_display = ["position", "name", "is_active", "set_department", "strategy", "continues", "version", "updated_at"]
    list_display_links = ["name"]
    list_filter = ["is_active", "set_department"]
    ordering = ["position", "id"]
    autocomplete_fields = ["set_owner", "watchers"]
    filter_horizontal = ["watcher_departments"]
    fieldsets = [
        (None, {"fields": ["name", "position", "is_active", "match_all", "continues", "continue_at"]}),
        (
            _("Actions"),
            {
                "fields": [
                    "set_department",
                    "set_owner",
                    "strategy",
                    "member_role",
                    "set_priority",
                    "raise_priority",
                    "add_tags",
                    "watchers",
                    "watcher_roles",
                    "watcher_departments",
                    "approver_role",
                ]
            },
        ),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "set_owner":
            kwargs["queryset"] = User.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_rule_revision(form.instance, actor=request.user)

    def delete_model(self, request, obj):
        delete_rule(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            delete_rule(rule, actor=request.user)


@admin.register(RoutingRuleRevision)
class RoutingRuleRevisionAdmin(ReadOnlyAdmin):
    list_display = ["rule_name", "version", "changed_fields", "is_deletion", "changed_by", "changed_at"]
    list_filter = ["is_deletion"]
    search_fields = ["rule_name"]


@admin.register(DepartmentRouting)
class DepartmentRoutingAdmin(admin.ModelAdmin):
    list_display = ["department", "strategy", "default_cap", "ack_lapse_action", "is_default_queue"]
    list_editable = ["strategy", "default_cap", "ack_lapse_action"]


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "is_away", "away_until", "calendar", "cap", "product_lines", "last_assigned_at"]
    list_filter = ["is_away", "user__department"]
    list_editable = ["is_away", "cap"]
    search_fields = ["user__username", "user__display_name"]
    filter_horizontal = ["categories"]
    autocomplete_fields = ["user"]


@admin.register(AcknowledgementLapse)
class AcknowledgementLapseAdmin(ReadOnlyAdmin):
    list_display = ["clock", "action", "previous_owner", "handled_at"]
