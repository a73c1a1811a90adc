"""Where one request's time goes: cProfile of N requests in-process against a database bench_scale.py loaded.

    SQLITE_PATH=/tmp/loopdesk-scale-.../scale.sqlite3 python bench/scale_profile.py create [--runs 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_scale python bench/scale_profile.py inbox

Runs through Django's test client (full middleware stack, no network) with DEBUG off, prints the statements
per request and the top functions by cumulative and by own time."""

from __future__ import annotations

import argparse
import cProfile
import gc
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
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from loopdesk.accounts.models import ApiToken, User  # noqa: E402
from loopdesk.tickets.models import Category, Ticket, TicketEvent  # noqa: E402


def timeline_number() -> str:
    """A ticket with a 50-event timeline, as W4 reads (the loader adds those events last, so among the newest)."""
    newest = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rows = (
        TicketEvent.objects.filter(id__gt=newest - 100_000)
        .values("ticket_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("ticket_id", flat=True)
    )
    return Ticket.objects.get(pk=rows[0]).number


def requests(kind: str, auth: dict, number: str = ""):
    dept = Ticket.objects.open().values_list("owner_department__code", flat=True).first()
    number = number or timeline_number()
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
    parser.add_argument("--number", default="", help="the ticket of `ticket` and `page` (default: one with 50 events)")
    parser.add_argument("--dump", default="", help="write the cProfile stats to this file")
    parser.add_argument("--no-profile", action="store_true", help="time the requests without cProfile")
    args = parser.parse_args()
    user = User.objects.get(username="supervisor")
    _, raw = ApiToken.issue(user, "profile")
    client = Client()
    client.force_login(user)
    send = requests(args.kind, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}, args.number)
    send(client)  # warm-up
    if os.environ.get("GC") == "freeze":  # as config/wsgi.py does in the server
        gc.collect()
        gc.freeze()
    elif os.environ.get("GC") == "off":
        gc.disable()
    profile = cProfile.Profile()
    with QueryCounter(by_statement=args.statements) as queries:
        start = time.perf_counter()
        if not args.no_profile:
            profile.enable()
        each = []
        for _ in range(args.runs):
            began = time.perf_counter()
            response = send(client)
            each.append(time.perf_counter() - began)
        profile.disable()
        elapsed = time.perf_counter() - start
    if args.dump:
        profile.dump_stats(args.dump)
    print(f"{args.kind}: status {response.status_code}, {elapsed / args.runs * 1000:.1f} ms per request, "
          f"{queries.count / args.runs:.1f} statements and {queries.seconds / args.runs * 1000:.1f} ms in the database")  # fmt: skip
    each.sort()
    print(
        "p50 {:.1f} ms, p95 {:.1f} ms, max {:.1f} ms".format(
            *(1000 * each[int(q * (len(each) - 1))] for q in (0.5, 0.95, 1))
        )
    )
    for sql, count, spent in queries.top(60):
        print(f"{count / args.runs:5.1f} × {spent / count * 1000:6.2f} ms  {' '.join(sql.split())[:150]}")
    for order, restriction in () if args.no_profile else (("cumulative", "loopdesk/"), ("tottime", "")):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats(order)
        stats.print_stats(restriction, 40) if restriction else stats.print_stats(25)
        print(out.getvalue())


if __name__ == "__main__":
    main()
