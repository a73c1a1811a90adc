"""Every API error in one shape: {"error": {"code", "message", "fields", "request_id"}} (R33)."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from loopdesk.core.error_pages import error_body
from loopdesk.core.errors import DomainError

logger = logging.getLogger("loopdesk.api")

PYDANTIC_MESSAGES = {
    "missing": lambda: _("This field is required."),
    "extra_forbidden": lambda: _("This field is not accepted."),
    "string_too_long": lambda: _("The value is too long."),
    "string_too_short": lambda: _("This field is required."),
    "too_long": lambda: _("Too many items."),
    "timezone_aware": lambda: _("Give the time with a time zone, e.g. 2024-03-15T09:30:00+08:00."),
}


def respond(code: str, message: str, status: int, fields: dict | None = None) -> HttpResponse:
    return JsonResponse(
        error_body(code, str(message), fields), status=status, json_dumps_params={"ensure_ascii": False}
    )


def field_path(loc: tuple | list) -> str:
    """('body', 'payload', 'customer', 'name') -> 'customer.name'; query params keep their name."""
    parts = [str(p) for p in loc]
    while parts and parts[0] in {"body", "query", "path", "header", "payload", "filters"}:
        parts.pop(0)
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(exc.code, str(exc.message), exc.status, {k: str(v) for k, v in exc.fields.items()})

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = {}
        for error in exc.errors:
            message = PYDANTIC_MESSAGES.get(error.get("type", ""), lambda: _("The value is not valid."))()
            fields[field_path(error.get("loc", ()))] = message
        return respond("validation_error", _("Some fields are not valid."), 400, fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond("unauthenticated", _("A valid API token is required."), 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        body_error = getattr(request, "body_error", None)
        if body_error is not None:
            return domain_error(request, body_error)
        return respond("bad_request", _("The request could not be understood."), exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond("not_found", _("Not found."), 404)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond("payload_too_large", _("The request is too large."), 413)

    @api.exception_handler(TooManyFieldsSent)
    def too_many(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond("payload_too_large", _("The request has too many fields."), 413)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        from django.db import DatabaseError, InterfaceError, OperationalError

        if isinstance(exc, OperationalError | InterfaceError) or type(exc) is DatabaseError:
            logger.error("database unavailable: %s", type(exc).__name__)
            return respond("service_unavailable", _("The service is temporarily unavailable."), 503)
        logger.exception("unhandled API error")
        return respond("server_error", _("Something went wrong on our side. Please try again."), 500)
