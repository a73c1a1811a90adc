"""Login and logout with throttling and audit (R01, R04, R08)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from loopdesk.accounts.throttle import record_attempt, seconds_until_allowed
from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit
from loopdesk.core.client_ip import client_ip


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")[:150]
        wait = seconds_until_allowed(username=username, ip=client_ip(request))
        if wait:
            response = render(request, "accounts/throttled.html", {"wait_minutes": (wait + 59) // 60}, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        record_attempt(username=form.get_user().get_username(), ip=client_ip(self.request), succeeded=True)
        record_audit(action=AuditEntry.Action.LOGGED_IN, actor=form.get_user(), request=self.request)
        return response

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")[:150]
        record_attempt(username=username, ip=client_ip(self.request), succeeded=False)
        record_audit(action=AuditEntry.Action.LOGIN_FAILED, actor_name=username, request=self.request)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            record_audit(action=AuditEntry.Action.LOGGED_OUT, actor=request.user, request=request)
        return super().post(request, *args, **kwargs)
