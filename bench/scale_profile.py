"""Where one request's time goes: cProfile of N requests in-process against a database bench_scale.py loaded.

    SQLITE_PATH=/tmp/loopdesk-scale-.../scale.sqlite3 python bench/scale_profile.py create [--runs 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_scale python bench/scale_profile.py inbox

Runs through Django's test client (full middleware stack, no network) with DEBUG off, prints the statements
per request and the top functions by cumulative and by own time."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from common import QueryCounter  # noqa: E402
from django.test import Client  # noqa: E402

from loopdesk.accounts.models import ApiToken, User  # noqa: E402
from loopdesk.tickets.models import Category, Ticket  # noqa: E402


def requests(kind: str, auth: dict):
    dept = Ticket.objects.open().values_list("owner_department__code", flat=True).first()
    number = Ticket.objects.open().order_by("-id").values_list("number", flat=True).first()
    category = Category.objects.filter(is_active=True).values_list("code", flat=True).first()
    body = {
        "title": "XQG100-14 不脱水",
        "description": "洗衣机洗完不脱水，显示 E21。",
        "channel": "phone",
        "category": category,
        "priority": "P2",
        "customer": {"name": "压测客户", "phone": "13800001234"},
    }
    return {
        "create": lambda c: c.post("/api/v1/tickets", json.dumps(body), content_type="application/json", **auth),
        "inbox": lambda c: c.get(f"/api/v1/tickets?department={dept}&open_only=true&sort=due&limit=25", **auth),
        "ticket": lambda c: c.get(f"/api/v1/tickets/{number}", **auth),
        "page": lambda c: c.get(f"/tickets/{number}"),
        "hello": lambda c: c.get("/hello"),
    }[kind]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["create", "inbox", "ticket", "page", "hello"])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--statements", action="store_true", help="list the statements of the requests")
    args = parser.parse_args()
    user = User.objects.get(username="supervisor")
    _, raw = ApiToken.issue(user, "profile")
    client = Client()
    client.force_login(user)
    send = requests(args.kind, {"HTTP_AUTHORIZATION": f"Bearer {raw}"})
    send(client)  # warm-up
    profile = cProfile.Profile()
    with QueryCounter(by_statement=args.statements) as queries:
        start = time.perf_counter()
        profile.enable()
        for _ in range(args.runs):
            response = send(client)
        profile.disable()
        elapsed = time.perf_counter() - start
    print(f"{args.kind}: status {response.status_code}, {elapsed / args.runs * 1000:.1f} ms per request, "
          f"{queries.count / args.runs:.1f} statements and {queries.seconds / args.runs * 1000:.1f} ms in the database")  # fmt: skip
    for sql, count, spent in queries.top(60):
        print(f"{count / args.runs:5.1f} × {spent / count * 1000:6.2f} ms  {' '.join(sql.split())[:150]}")
    for order, restriction in (("cumulative", "loopdesk/"), ("tottime", "")):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats(order)
        stats.print_stats(restriction, 40) if restriction else stats.print_stats(25)
        print(out.getvalue())


if __name__ == "__main__":
    main()
