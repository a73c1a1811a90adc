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


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of strings (values or keys) holding a NUL byte, which PostgreSQL text cannot store."""
    found, stack = [], [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            found.append(where or "body")
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                if "\x00" in key:
                    found.append(child_path)
                else:
                    stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(item))
    return sorted(found)


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
        charset = (request.content_params or {}).get("charset", "utf-8").lower()
        if content_type != "application/json" or charset not in {"utf-8", "utf8"}:
            raise UnsupportedMediaType(_("Send the request body as application/json in UTF-8."))
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValidationFailed(_("The request body is not valid JSON."), code="malformed_json") from exc
        if nesting_depth(data, settings.LOOPDESK_MAX_JSON_DEPTH) > settings.LOOPDESK_MAX_JSON_DEPTH:
            raise ValidationFailed(_("The JSON is nested too deeply."), code="too_deep")
        if not isinstance(data, dict):
            raise ValidationFailed(_("The request body must be a JSON object."))
        if bad := nul_paths(data):
            raise ValidationFailed(
                _("Text may not contain NUL characters."), fields={p: _("Invalid characters.") for p in bad[:20]}
            )
        return data
