"""API v1 wiring: one NinjaAPI with token auth, the strict JSON parser, the error shape, and the routers."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from loopdesk.api.auth import TokenAuth
from loopdesk.api.errors import install_error_handlers
from loopdesk.api.parser import StrictJsonParser
from loopdesk.customers.api import router as customers_router
from loopdesk.tickets.api import router as tickets_router


class LoopDeskAPI(NinjaAPI):
    def create_response(self, request: HttpRequest, data, *args, **kwargs) -> HttpResponse:
        response = super().create_response(request, data, *args, **kwargs)
        if getattr(request, "idempotent_replay", False):
            response["Idempotent-Replayed"] = "true"
        return response


api = LoopDeskAPI(
    title="LoopDesk API",
    version="1",
    description="After-sales service tickets: create, look up, move through the closed loop.",
    auth=TokenAuth(),
    parser=StrictJsonParser(),
    urls_namespace="api-v1",
)
install_error_handlers(api)
api.add_router("", tickets_router)
api.add_router("", customers_router)
