"""Admin for widget sites (key and allowed origins), customer links (revoke only) and phone sign-in requests."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit
from loopdesk.portal.models import CustomerLink, SignInRequest, SuggestionVerdict, WidgetSite
from loopdesk.portal.origins import invalid_origins


class WidgetSiteForm(forms.ModelForm):
    class Meta:
        model = WidgetSite
        fields = ["name", "allowed_origins", "is_active"]

    def clean_allowed_origins(self):
        value = self.cleaned_data["allowed_origins"]
        bad = invalid_origins(value)
        if bad:
            raise forms.ValidationError(
                _("Not an origin (scheme://host[:port], no path or wildcard): %s") % ", ".join(bad[:5])
            )
        return value


@admin.register(WidgetSite)
class WidgetSiteAdmin(admin.ModelAdmin):
    form = WidgetSiteForm
    list_display = ["name", "public_key", "is_active", "created_at"]
    readonly_fields = ["public_key", "created_at"]


@admin.register(CustomerLink)
class CustomerLinkAdmin(admin.ModelAdmin):
    list_display = ["kind", "ticket", "customer", "created_at", "used_at", "expires_at", "revoked_at"]
    list_filter = ["kind"]
    fields = ("kind", "ticket", "customer", "created_at", "used_at", "expires_at", "revoked_at", "revoked_by")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected links"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now(), revoked_by=request.user)
        record_audit(
            action=AuditEntry.Action.TOKEN_REVOKED,
            actor=request.user,
            request=request,
            object_type="portal_link",
            reason=_("%d customer links revoked in the admin") % count,
        )


@admin.register(SignInRequest)
class SignInRequestAdmin(admin.ModelAdmin):
    list_display = ["customer", "created_at", "handled_at"]
    readonly_fields = ["customer", "created_at"]


@admin.register(SuggestionVerdict)
class SuggestionVerdictAdmin(admin.ModelAdmin):
    list_display = ["ticket", "is_adopted", "decided_by", "decided_at"]
    readonly_fields = ["ticket", "is_adopted", "reason", "decided_by", "decided_at"]

    def has_add_permission(self, request):
        return False
