"""The current request id, kept in a context variable so logs and error bodies can quote it."""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def current_request_id() -> str | None:
    return _request_id.get()
