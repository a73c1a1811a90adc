"""Health endpoints: liveness without dependencies, readiness with the database."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a trivial query, 503 otherwise; no details leak."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
def hello(request):
    """Plain "hello" through the whole middleware stack and nothing else: the ceiling of what the stack serves."""
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")
