"""One DomainError family with stable codes; mapped once to the API error shape and once to forms."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request; `code` is stable, `message` is for people."""

    code = "domain_error"
    status = 400

    def __init__(self, message: Any, *, fields: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class IllegalTransition(Conflict):
    code = "illegal_transition"
