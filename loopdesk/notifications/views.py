"""A user's in-app notifications: list, mark one read, mark all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from loopdesk.accounts.http import AuthedRequest
from loopdesk.notifications import selectors, services
from loopdesk.notifications.models import Notification


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notifications_for(request.user, unread_only=unread_only), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read and follow its link (404 for anyone else's)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(notification, user=request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    return redirect("notifications:list")
