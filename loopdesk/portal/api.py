"""The widget's report API: POST /api/v1/portal/reports with a per-site key; CORS only for the site's origins."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Router

from loopdesk.api.errors import respond
from loopdesk.api.parser import StrictJsonParser
from loopdesk.attachments.services import Incoming
from loopdesk.core.client_ip import client_ip
from loopdesk.core.errors import DomainError, ValidationFailed
from loopdesk.core.rate_limits import RateLimited
from loopdesk.mail.decoding import safe_filename
from loopdesk.portal import origins, selectors, services
from loopdesk.portal.models import WidgetSite

router = Router(tags=["portal"])

KEY_HEADER = "X-LoopDesk-Site-Key"
TEXT_FIELDS = [f for f in services.Report.__dataclass_fields__ if f != "occurred_at"]
ALLOWED_HEADERS = f"Content-Type, {KEY_HEADER}, Idempotency-Key"


class SiteRefused(DomainError):
    code = "unknown_site_key"
    status = 401


class OriginRefused(DomainError):
    code = "origin_not_allowed"
    status = 403


def _cors(response: HttpResponse, origin: str, allowed: bool) -> HttpResponse:
    response["Vary"] = "Origin"
    if origin and allowed:
        response["Access-Control-Allow-Origin"] = origins.normalize_origin(origin)
    return response


def _site(request: HttpRequest) -> WidgetSite:
    try:
        return services.get_site(request.headers.get(KEY_HEADER, ""))
    except DomainError as exc:
        raise SiteRefused(
            _("Unknown or inactive site key: send the key of an active widget site in %s.") % KEY_HEADER
        ) from exc


def _occurred(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={"occurred_at": _("Give the time with a time zone, e.g. 2024-03-15T09:30:00+08:00.")},
        )
    return parsed


def _json_files(items) -> list[Incoming]:
    if items in (None, []):
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed(
            _("Some fields are not valid."), fields={"attachments": _("A list of {name, content_base64}.")}
        )
    files = []
    for index, item in enumerate(items):
        try:
            content = base64.b64decode(str(item.get("content_base64", "")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed(
                _("Some fields are not valid."), fields={f"attachments.{index}": _("Not valid base64.")}
            ) from exc
        files.append(Incoming(name=safe_filename(str(item.get("name", ""))), content=content))
    return files


def _payload(request: HttpRequest) -> tuple[dict, list[Incoming]]:
    if (request.content_type or "").startswith("multipart/form-data"):
        data: dict = {k: request.POST.get(k) for k in request.POST}
        files = [Incoming(name=safe_filename(f.name), content=f.read()) for f in request.FILES.getlist("attachments")]
        return data, files
    data = StrictJsonParser()._parse(request)
    return data, _json_files(data.pop("attachments", None))


def _report(data: dict) -> services.Report:
    unknown = sorted(set(data) - set(TEXT_FIELDS) - {"occurred_at"})
    if unknown:
        raise ValidationFailed(_("Unknown fields."), fields={f: _("This field is not accepted.") for f in unknown})
    bad = [k for k in TEXT_FIELDS if data.get(k) is not None and not isinstance(data[k], str)]
    if bad:
        raise ValidationFailed(_("Some fields are not valid."), fields={k: _("Text expected.") for k in bad})
    text = {k: (data.get(k) or "").strip() for k in TEXT_FIELDS}
    return services.Report(occurred_at=_occurred(data.get("occurred_at")), **text)


@router.api_operation(["OPTIONS"], "/portal/reports", auth=None, include_in_schema=False)
def preflight(request: HttpRequest):
    """CORS preflight: allowed only for an origin some active widget site lists."""
    origin = request.headers.get("Origin", "")
    if not selectors.origin_is_registered(origin):
        return respond("origin_not_allowed", _("This origin may not call the report API."), 403)
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response["Access-Control-Max-Age"] = "600"
    return _cors(response, origin, True)


@router.post("/portal/reports", auth=None, summary="Report a problem from a widget site", response={201: dict})
def create_report(request: HttpRequest):
    """The embedded report form's API: the same fields and checks as the public form.

    Header `X-LoopDesk-Site-Key` (required) and `Idempotency-Key` (optional: a repeat within 24 h returns the
    same ticket). Body: JSON (attachments as `[{name, content_base64}]`) or multipart/form-data (`attachments`
    files). 201 → `{"number", "access_url", "duplicate"}`."""
    origin = request.headers.get("Origin", "")
    allowed = False
    try:
        site = _site(request)
        allowed = not origin or origins.is_allowed(origin, site.origins)
        if not allowed:
            raise OriginRefused(_("The origin %s is not allowed for this site key.") % origins.normalize_origin(origin))
        idempotency_key = request.headers.get("Idempotency-Key", "")
        if len(idempotency_key) > 200:
            raise ValidationFailed(
                _("The Idempotency-Key is too long."), fields={"Idempotency-Key": _("At most 200 characters.")}
            )
        data, files = _payload(request)
        receipt = services.submit_report(
            _report(data),
            files=files,
            submission_key=idempotency_key or secrets.token_urlsafe(24),
            ip=client_ip(request),
            site=site,
        )
    except DomainError as exc:
        response = respond(exc.code, str(exc.message), exc.status, {k: str(v) for k, v in exc.fields.items()})
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return _cors(response, origin, allowed)
    body = {
        "number": receipt.ticket.number,
        "access_url": request.build_absolute_uri(reverse("portal:portal_access", args=[receipt.token])),
        "duplicate": receipt.duplicate,
    }
    response = JsonResponse(body, status=200 if receipt.duplicate else 201)
    response["Cache-Control"] = "no-store"
    return _cors(response, origin, True)
