"""The request type of pages and API calls behind login: `user` is a staff User, htmx details attached."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from loopdesk.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
    idempotent_replay: bool
