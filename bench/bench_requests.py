"""Request latency of the main screens and API calls with the demo data loaded (make bench).

Runs against a fresh database: SQLite by default, PostgreSQL when DATABASE_URL is set. Loads the
demo, then times each request N times through Django's test client (full middleware stack, real
database, no network) and prints median and p95 in milliseconds as a Markdown table.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
if not os.environ.get("DATABASE_URL"):
    os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 30))


def measure(client: Client, url: str, **headers) -> tuple[float, float]:
    client.get(url, **headers)  # warm-up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, **headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    if os.environ.get("DATABASE_URL"):
        from django.db import connection

        with connection.cursor() as cursor:  # a clean schema for a repeatable run
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("load_demo", verbosity=0)
    demo_seconds = time.perf_counter() - start

    from loopdesk.accounts.models import ApiToken, User
    from loopdesk.tickets.models import Ticket

    supervisor = User.objects.get(username="supervisor")
    client = Client()
    client.force_login(supervisor)
    _, raw = ApiToken.issue(supervisor, "bench")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    number = Ticket.objects.order_by("-id").values_list("number", flat=True).first()
    phone = Ticket.objects.order_by("id").values_list("customer__phone", flat=True).first()
    cases = [
        ("inbox, page 1", "/", {}),
        ("inbox, open P1 by priority", "/?status=in_progress&priority=P1&sort=priority", {}),
        ("inbox, text search 支付", "/?q=%E6%94%AF%E4%BB%98", {}),
        ("ticket page", f"/tickets/{number}", {}),
        ("API list tickets (50)", "/api/v1/tickets?limit=50", auth),
        ("API get ticket", f"/api/v1/tickets/{number}", auth),
        ("API customer look-up by phone", f"/api/v1/customers/lookup?q={phone}", auth),
    ]
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"\n{engine}: {Ticket.objects.count()} tickets, demo loaded in {demo_seconds:.1f} s, {RUNS} runs each\n")
    print(f"| request ({engine}) | median ms | p95 ms |\n|---|---:|---:|")
    for label, url, headers in cases:
        median, p95 = measure(client, url, **headers)
        print(f"| {label} | {median:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
