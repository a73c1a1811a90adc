"""Mailboxes (the password is write-only) and every received message; quarantined ones can be filed again."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import Template, TemplateSyntaxError
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loopdesk.core.admin_base import ReadOnlyAdmin
from loopdesk.mail.models import EmailTemplate, InboundMessage, Mailbox
from loopdesk.mail.services import reprocess_message


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name", "is_active", "host", "port", "security", "username", "password", "folder", "move_to", "address",
            "department", "category", "closed_policy", "thread_window_days",
        ]  # fmt: skip

    def clean_password(self) -> str:
        return self.cleaned_data["password"] or (self.instance.password if self.instance.pk else "")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "is_active", "host", "folder", "department", "category", "last_fetch_at", "last_error")
    readonly_fields = ("uidvalidity", "last_uid", "last_fetch_at", "last_error")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    """Quarantined messages show the reason; the raw bytes can always be downloaded."""

    list_display = ("received_at", "state", "outcome", "from_address", "subject", "ticket", "error")
    list_filter = ("state", "outcome", "auto_kind", "encoding_problem", "mailbox")
    list_select_related = ("ticket",)
    search_fields = ("subject", "from_address", "message_id", "sha256")
    date_hierarchy = "received_at"
    exclude = ("raw",)
    readonly_fields = ("raw_download",)
    actions = ["reprocess"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw")

    def has_reprocess_permission(self, request):
        return request.user.has_perm("mail.change_inboundmessage")

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundMessage) -> str:
        url = reverse("admin:mail_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}">{} ({} B)</a>', url, _("Download"), obj.size)

    def get_urls(self):
        raw = path("<int:pk>/raw/", self.admin_site.admin_view(self.raw_view), name="mail_inboundmessage_raw")
        return [raw, *super().get_urls()]

    def raw_view(self, request, pk: int) -> HttpResponse:
        if not request.user.has_perm("mail.view_inboundmessage"):
            raise PermissionDenied
        message = get_object_or_404(InboundMessage, pk=pk)
        response = HttpResponse(bytes(message.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.action(description=_("File quarantined messages again"), permissions=["reprocess"])
    def reprocess(self, request, queryset):
        done = 0
        for message in queryset.filter(state=InboundMessage.State.QUARANTINED):
            if reprocess_message(message).state != InboundMessage.State.QUARANTINED:
                done += 1
        text = ngettext("%(count)d message filed.", "%(count)d messages filed.", done)
        messages.success(request, text % {"count": done})


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["is_active", "subject_zh", "body_zh", "subject_en", "body_en"]

    def clean(self):
        data = super().clean()
        for name in ("subject_zh", "body_zh", "subject_en", "body_en"):
            try:
                Template(data.get(name) or "")
            except TemplateSyntaxError as exc:
                self.add_error(name, _("This template has an error: %s") % exc)
        return data


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    """The customer emails of each SOP moment; Django template syntax: {{ number }}, {{ title }}, {{ customer }}…"""

    form = EmailTemplateForm
    list_display = ("kind", "is_active", "subject_zh", "subject_en")
    list_editable = ("is_active",)

    def has_add_permission(self, request):
        return False  # one per moment, created with the defaults

    def has_delete_permission(self, request, obj=None):
        return False
