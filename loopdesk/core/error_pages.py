"""The standard error answer: JSON for the API, a friendly page with the request id elsewhere."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from loopdesk.core.request_context import current_request_id

logger = logging.getLogger("loopdesk.errors")

MESSAGES = {
    "bad_request": lambda: _("The request could not be understood."),
    "forbidden": lambda: _("You do not have permission to do this."),
    "not_found": lambda: _("The page or object was not found."),
    "payload_too_large": lambda: _("The request is too large."),
    "rate_limited": lambda: _("Too many attempts. Please try again later."),
    "server_error": lambda: _("Something went wrong on our side. Please try again."),
    "service_unavailable": lambda: _("The service is temporarily unavailable. Please try again shortly."),
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "fields": fields or {},
            "request_id": current_request_id(),
        }
    }


def error_response(request: HttpRequest, status: int, code: str, message: str | None = None) -> HttpResponse:
    text = message or MESSAGES.get(code, MESSAGES["server_error"])()
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(error_body(code, text), status=status)
    html = render_to_string(
        "error.html", {"status": status, "message": text, "request_id": current_request_id()}, request=request
    )
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400, "bad_request")


def permission_denied(request, exception=None):
    return error_response(request, 403, "forbidden")


def page_not_found(request, exception=None):
    return error_response(request, 404, "not_found")


def server_error(request):
    logger.error("unhandled error on %s", request.path)
    return error_response(request, 500, "server_error")
