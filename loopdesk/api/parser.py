"""Request body parsing with the limits of R13: JSON only, bounded nesting, clear 400/413/415."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from loopdesk.core.errors import DomainError, ValidationFailed


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


def nesting_depth(value: Any, limit: int) -> int:
    """Depth of nested lists/objects, computed iteratively and stopping once past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413


class StrictJsonParser(Parser):
    """Ninja turns any parser exception into a bare 400, so the precise error is kept on the request."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            return self._parse(request)
        except DomainError as exc:
            request.body_error = exc  # type: ignore[attr-defined]
            raise

    def _parse(self, request: HttpRequest) -> dict[str, Any]:
        try:
            body = request.body
        except RequestDataTooBig as exc:
            raise PayloadTooLarge(_("The request is too large.")) from exc
        if not body:
            return {}
        content_type = request.content_type or ""
        if content_type != "application/json":
            raise UnsupportedMediaType(_("Send the request body as application/json."))
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValidationFailed(_("The request body is not valid JSON."), code="malformed_json") from exc
        if nesting_depth(data, settings.LOOPDESK_MAX_JSON_DEPTH) > settings.LOOPDESK_MAX_JSON_DEPTH:
            raise ValidationFailed(_("The JSON is nested too deeply."), code="too_deep")
        if not isinstance(data, dict):
            raise ValidationFailed(_("The request body must be a JSON object."))
        return data
