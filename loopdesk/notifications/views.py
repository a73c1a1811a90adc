"""A user's in-app notifications: list, mark one read, mark all read (htmx swaps partials in place)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from loopdesk.accounts.http import AuthedRequest
from loopdesk.notifications import selectors, services
from loopdesk.notifications.models import Notification

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    """The user's own notifications, newest first; htmx requests get only the list."""
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "notifications/_list.html" if request.htmx else "notifications/list.html"
    return render(request, template, {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read (404 for anyone else's), then follow its link or stay."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.mark_read(notification, user=request.user)
    if request.htmx:
        context = {"n": notification, "unread": selectors.unread_count(request.user)}
        return render(request, "notifications/_read.html", context)
    if request.GET.get("stay") == "1":
        return redirect("notifications:list")
    return redirect(_link_of(request, notification))


@login_required
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    if request.htmx:
        page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(1)
        return render(request, "notifications/_list.html", {"page": page, "unread": 0, "badge_oob": True})
    return redirect("notifications:list")


def _link_of(request: AuthedRequest, notification: Notification) -> str:
    """The notification's own link if it stays on this site, else its ticket, else the list."""
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    if notification.ticket is not None:
        return reverse("tickets:detail", args=[notification.ticket.number])
    return reverse("notifications:list")
