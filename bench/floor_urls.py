"""The floor under W1, served only by the scale benchmark: the least work any create through this stack does.

POST /bench/floor with W1's body: authenticate the bearer token (the API's own TokenAuth), parse the JSON, find
or register the customer by phone (the API's own service), take the day's public number, insert the ticket row
and commit; answer 201 with the number. No routing, SLA clocks, events, search index, outbox, audit or detail
answer, and none of django-ninja's validation: W1 as a share of this is how much of the stack's floor the
product's create keeps. The rows carry FLOOR_TITLE and the benchmark deletes them after measuring."""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as product
from loopdesk.api.auth import TokenAuth
from loopdesk.core.models import next_public_number
from loopdesk.customers.services import find_or_register_customer
from loopdesk.tickets.models import Ticket

FLOOR_TITLE = "[bench floor] "
_auth = TokenAuth()


@csrf_exempt
@require_POST
def create_floor(request: HttpRequest) -> JsonResponse:
    user = _auth(request)  # django-ninja's bearer parsing, then the API's token check
    if user is None:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    data = json.loads(request.body)
    with transaction.atomic():
        customer = find_or_register_customer(**data["customer"])
        now = timezone.now()
        ticket = Ticket.objects.create(
            number=next_public_number("P", now=now),
            title=FLOOR_TITLE + data["title"],
            description=data["description"],
            channel=data["channel"],
            customer=customer,
            received_at=now.replace(second=0, microsecond=0),
            created_by=user,
        )
    return JsonResponse({"number": ticket.number}, status=201)


urlpatterns = [path("bench/floor", create_floor), *product]
