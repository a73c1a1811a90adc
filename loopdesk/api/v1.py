"""API v1 wiring: one NinjaAPI with token auth, the strict JSON parser, the error shape, and the routers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger

from loopdesk.api.auth import TokenAuth
from loopdesk.api.errors import install_error_handlers, respond
from loopdesk.api.parser import StrictJsonParser
from loopdesk.customers.api import router as customers_router
from loopdesk.portal.api import router as portal_router
from loopdesk.reports.api import router as reports_router
from loopdesk.routing.api import router as routing_router
from loopdesk.search.api import router as search_router
from loopdesk.sla.api import router as sla_router
from loopdesk.surveys.api import router as surveys_router
from loopdesk.tickets.api import router as tickets_router


def _query_is_clean(request: HttpRequest) -> bool:
    """The raw query string is valid UTF-8 without NUL bytes (Django would silently replace bad bytes)."""
    raw = unquote_to_bytes(request.META.get("QUERY_STRING", "").replace("+", " "))
    try:
        return "\x00" not in raw.decode("utf-8")
    except UnicodeDecodeError:
        return False


def guarded(view: Callable) -> Callable:
    """Refuse NUL bytes and broken UTF-8 in the URL (400) and answer 405 in the standard shape."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "\x00" in request.path_info or not _query_is_clean(request):
            return respond("validation_error", _("The URL contains invalid characters."), 400)
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = respond("method_not_allowed", _("This method is not allowed here."), 405)
            response["Allow"] = allowed
        return response

    return wrapper


class LoopDeskAPI(NinjaAPI):
    def create_response(self, request: HttpRequest, data, *args, **kwargs) -> HttpResponse:
        response = super().create_response(request, data, *args, **kwargs)
        if getattr(request, "idempotent_replay", False):
            response["Idempotent-Replayed"] = "true"
        return response

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = guarded(pattern.callback)
        return urls


api = LoopDeskAPI(
    title="LoopDesk API",
    version="1",
    description="After-sales service tickets: create, look up, move through the closed loop.",
    auth=TokenAuth(),
    parser=StrictJsonParser(),
    urls_namespace="api-v1",
    # served from our own static files ("ninja" is in INSTALLED_APPS); no online validator badge either
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)
api.add_router("", tickets_router)
api.add_router("", customers_router)
api.add_router("", sla_router)
api.add_router("", routing_router)
api.add_router("", portal_router)  # public: its own per-site key, not a user token
api.add_router("", surveys_router)
api.add_router("", reports_router)
api.add_router("", search_router)
