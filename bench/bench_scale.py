"""Scale benchmark (issue 7): N tickets loaded in bulk, then a production server measured over HTTP (make bench-scale).

    python bench/bench_scale.py [--tickets 1000000] [--seconds 10]      # SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_scale python bench/bench_scale.py

Phases: a fresh database with the demo's users, departments, categories and priorities; customers, assets,
orders, tickets and events through bulk paths (bench/scale_data.py); the apps' own rebuilds of derived data
(search index, daily statistics); then `loopdesk serve` (gunicorn, production settings) and `loopdesk worker`
as separate processes, and bench/scale_client.py as the load process on 127.0.0.1. The server also answers the
floor under W1 (bench/floor_urls.py), measured last and its rows deleted after. Writes
bench/results/scale-<engine>-<N>.json and .md and prints the table. docs/scale.md explains how to read it."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/loopdesk_scale"
SERVER_SETTINGS = "floor_settings"
FLOOR = "W1 floor: token, customer, number, ticket row c=32"
TARGETS = {
    "W1 c=32": "≥ 400/s, p99 < 150 ms",
    "W2": "p95 < 50 ms",
    "W3": "p95 < 100 ms",
    "W4": "p95 < 50 ms",
    "W5 year": "< 200 ms",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured workload")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(BENCH / "results"))
    parser.add_argument("--sqlite-path", default="", help="SQLite file to load into and keep (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="skip loading when this database holds a finished load")
    parser.add_argument("--only", default="", help="measure only workloads whose name matches this regex")
    return parser.parse_args(argv)


def prepare_environment(sqlite_path: str = "") -> dict[str, str]:
    """SQLite in a temp dir unless DATABASE_URL names a PostgreSQL database whose name says scale or bench."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = sqlite_path or str(Path(tempfile.mkdtemp(prefix="loopdesk-scale-")) / "scale.sqlite3")
        os.environ["SQLITE_PATH"] = str(Path(path).resolve())
        return {"SQLITE_PATH": os.environ["SQLITE_PATH"]}
    name = urllib.parse.urlparse(url).path.lstrip("/")
    if "scale" not in name and "bench" not in name:
        sys.exit(f"refusing to wipe {name!r}: use a database whose name contains 'scale' or 'bench'")
    import psycopg

    admin = re.sub(r"/[^/]*$", "/postgres", url)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return {"DATABASE_URL": url}


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    import django

    django.setup()


def fresh_schema() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def load(args: argparse.Namespace, phases: dict) -> dict:
    """Every loading phase, timed; returns what the workloads need (ids, numbers, phones)."""
    import scale_data as sd
    from django.db import connection, transaction
    from django.utils import timezone

    from loopdesk.accounts.models import Department, User
    from loopdesk.core.bulk import foreign_keys_dropped, indexes_dropped
    from loopdesk.core.models import continue_numbering
    from loopdesk.customers.models import Asset, Customer, Order
    from loopdesk.routing import open_work
    from loopdesk.tickets import demo
    from loopdesk.tickets.models import Category, Priority, Ticket, TicketEvent

    with sd.timed(phases, "migrate"):
        fresh_schema()
    with sd.timed(phases, "demo (users, departments, categories, SLA, routing)"):
        demo.load_demo(seed=args.seed, customers=20, tickets=30)
    with sd.timed(phases, "read corpora"):
        text = sd.corpus()
    vendor = connection.vendor
    if vendor == "sqlite":
        with connection.cursor() as cursor:  # the load only; the server opens its own connections
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-400000")
    users_by_dept: dict[str, list[int]] = {}
    for user_id, dept_id in User.objects.filter(department__isnull=False).values_list("id", "department_id"):
        users_by_dept.setdefault(str(dept_id), []).append(user_id)
    customers = max(1000, args.tickets // 4)
    ctx = {
        "now": timezone.now(),
        "customers": customers,
        "customer_id": sd.next_id(Customer),
        "asset_id": sd.next_id(Asset),
        "order_id": sd.next_id(Order),
        "ticket_id": sd.next_id(Ticket),
        "event_id": sd.next_id(TicketEvent),
        "departments": [int(d) for d in users_by_dept],
        "users_by_dept": users_by_dept,
        "categories": list(Category.objects.filter(is_active=True).values_list("id", flat=True)),
        "priorities": list(Priority.objects.filter(is_active=True).values_list("id", flat=True)),
        "agent": User.objects.get(username="agent1").pk,
        "counters": sd.serials_used(Ticket.objects.values_list("number", flat=True)),
    }
    with (
        sd.timed(phases, f"customers, assets, orders ({customers:,} each)"),
        transaction.atomic(),
        foreign_keys_dropped(Customer, Asset, Order),  # PostgreSQL: checked once at the end, not row by row
        indexes_dropped(Customer, Asset, Order),  # built once from all the rows
    ):
        sd.load_people(ctx, customers, args.seed)
    plan = sd.Plan(tickets=args.tickets, seed=args.seed, vendor=vendor, now=ctx["now"], ctx=ctx)
    counts = {"tickets": 0, "events": 0}
    tmaker, emaker = sd.RowMaker(Ticket, vendor), sd.RowMaker(TicketEvent, vendor)
    with (
        sd.timed(phases, f"tickets and events ({args.tickets:,} tickets, generated in a 2nd process)"),
        connection.cursor() as cursor,
        open_work.suspended(cursor),  # the open-work counts are rebuilt once at the end, not kept row by row
        foreign_keys_dropped(Ticket, TicketEvent),  # PostgreSQL: one transaction, each key checked once at the end
        indexes_dropped(Ticket, TicketEvent),  # each index built once, not kept row by row
    ):
        for tickets, events in sd.ticket_chunks(plan, text, processes=2):
            with transaction.atomic():
                sd.Writer(tmaker).write(tickets)
                sd.Writer(emaker).write(events)
            counts["tickets"] += len(tickets)
            counts["events"] += len(events)
    with sd.timed(phases, "daily counters, 50-event timelines"), transaction.atomic():
        for prefix, day, last in sd.counters(plan):
            continue_numbering(prefix, dt.date.fromisoformat(day), last)
        timeline = list(
            Ticket.objects.filter(id__gte=ctx["ticket_id"])
            .open()
            .order_by("-id")
            .values_list("id", flat=True)[: sd.TIMELINE_TICKETS]
        )
        rows = sd.timeline_rows(ctx, timeline, text[0], args.seed)
        sd.Writer(emaker).write(rows)
        counts["events"] += len(rows)
    if vendor == "postgresql":
        with sd.timed(phases, "reset sequences"), connection.cursor() as cursor:
            for model in (Customer, Asset, Order, Ticket, TicketEvent):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    with sd.timed(phases, "analyze (the rebuilds' reads need the planner's statistics)"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    derived(phases)
    # PostgreSQL: VACUUM as well, as autovacuum does to a table that received a million inserts; until then every
    # index-only scan (the inbox's count over its partial index) reads the heap row by row (650 ms for 10,000).
    final = "vacuum analyze" if vendor == "postgresql" else "analyze"
    with sd.timed(phases, final), connection.cursor() as cursor:
        cursor.execute(final.upper())
    dept = Department.objects.get(
        pk=max(ctx["departments"], key=lambda d: Ticket.objects.open().filter(owner_department_id=d).count())
    )
    return {
        **counts,
        "timeline_number": Ticket.objects.get(pk=timeline[0]).number,
        "department": dept.code,
        "phones": list(Customer.objects.filter(id__gte=ctx["customer_id"]).values_list("phone", flat=True)[:50]),
        "categories": list(Category.objects.filter(is_active=True).values_list("code", flat=True)),
    }


def derived(phases: dict) -> None:
    """The apps' own bulk rebuilds; a missing one is reported as skipped."""
    import scale_data as sd

    try:
        from loopdesk.search.services import rebuild_search_index
    except ImportError:
        phases["search index: skipped (loopdesk.search.services.rebuild_search_index not importable)"] = None
    else:
        with sd.timed(phases, "search index (rebuild_search_index)"):
            started = time.monotonic()
            rebuild_search_index(progress=lambda done, total: search_progress(done, total, started))
    try:
        from loopdesk.reports.services import rebuild_daily_stats
    except ImportError:
        phases["daily statistics: skipped (not importable)"] = None
    else:
        with sd.timed(phases, "daily statistics (rebuild_daily_stats)"):
            rebuild_daily_stats()


def search_progress(done: int, total: int, started: float) -> None:
    if done == total or done % 100_000 < 1000:
        elapsed = time.monotonic() - started
        print(f"  search index: {done:,} of {total:,} ({elapsed:.1f} s)", file=sys.stderr, flush=True)


def server_env(args: argparse.Namespace, db_env: dict) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(db_env)
    env.update(
        DJANGO_SETTINGS_MODULE=SERVER_SETTINGS,  # production's, plus the floor under W1
        PYTHONPATH=os.pathsep.join([str(BENCH), *filter(None, [os.environ.get("PYTHONPATH")])]),
        SECRET_KEY="bench-only-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; TLS would end at the proxy in production
        HOST="127.0.0.1",
        PORT=str(args.port),
        WEB_CONCURRENCY=str(args.workers),
        # gthread: the sync worker closes every connection (no keep-alive); threads overlap database waits
        GUNICORN_CMD_ARGS=f"--worker-class gthread --threads {args.threads} --keep-alive 30 --backlog 256",
        LOG_LEVEL="WARNING",
    )
    return env


def start_processes(args: argparse.Namespace, db_env: dict, logdir: Path) -> tuple[subprocess.Popen, subprocess.Popen]:
    env = server_env(args, db_env)
    loopdesk = str(Path(sys.executable).with_name("loopdesk"))
    web = subprocess.Popen(  # noqa: S603
        [loopdesk, "serve"], env=env, cwd=ROOT, stdout=(logdir / "access.log").open("wb"), stderr=subprocess.STDOUT
    )
    worker = subprocess.Popen(  # noqa: S603
        [loopdesk, "worker"], env=env, cwd=ROOT, stdout=(logdir / "worker.log").open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status, _, _ = http_get(args.port, "/healthz")
            if status == 200:
                return web, worker
        except OSError:
            pass
        if web.poll() is not None:
            break
        time.sleep(0.2)
    web.kill()
    worker.kill()
    sys.exit(f"the server did not start; see {logdir / 'access.log'}")


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, response


def log_in(port: int, username: str, password: str) -> str:
    """A real login through the login form; returns the Cookie header of the session."""
    status, body, response = http_get(port, "/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
    )
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", ",".join(v for k, v in response.getheaders() if k == "Set-Cookie"))
    conn.close()
    if response.status != 302 or session is None:
        sys.exit(f"login failed: {response.status}")
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"


def search_queries(info: dict) -> list[str]:
    """20 fixed queries of the shapes in the issue; the mixed and phone ones come from the generated data."""
    phone_suffix = info["phones"][0][-4:]
    return [
        "支付",
        "物流",
        "退款",
        "漏水",
        "质量",
        "客服",  # 2-char Chinese
        "无法开机",
        "屏幕闪烁",
        "连不上网",
        "退款未到账",  # 4-char and more
        "XQG100-14 不脱水",
        "KFR-35GW 不制冷",
        "X2 Pro 无法开机",
        "BCD-520W 异响",  # model + symptom
        "credit report",
        "refund",
        "identity theft",
        "payment",  # English
        phone_suffix,
        info["phones"][1][-4:],  # phone suffix
    ]


def workloads(args: argparse.Namespace, info: dict, token: str, cookie: str) -> list[dict]:
    auth = {"Authorization": f"Bearer {token}"}
    secs = args.seconds
    inbox = f"/api/v1/tickets?department={info['department']}&open_only=true&sort=due&limit=25"
    creates = []
    for i in range(200):
        body = {
            "title": f"XQG100-14 不脱水 {i}",
            "description": "洗衣机洗完不脱水，显示 E21，已重启两次。",
            "channel": "phone",
            "category": info["categories"][i % len(info["categories"])],
            "priority": "P2",
            "customer": {"name": "压测客户", "phone": info["phones"][i % len(info["phones"])]},
        }
        creates.append(
            {
                "method": "POST",
                "path": "/api/v1/tickets",
                "headers": {**auth, "Content-Type": "application/json"},
                "body": json.dumps(body, ensure_ascii=False),
            }
        )
    today = dt.date.today()
    out = [reads(f"hello c={c}", c, secs, ["/hello"], {}) for c in (1, 8, 32)]
    for c in (1, 8, 32):
        out.append(
            {"name": f"W1 create ticket c={c}", "concurrency": c, "seconds": secs, "requests": creates, "expect": 201}
        )
    number = info["timeline_number"]
    year, month = today - dt.timedelta(days=365), today - dt.timedelta(days=30)
    reports = "/api/v1/reports/weekly-categories?from={}&to=" + str(today)
    floor = [{**r, "path": "/bench/floor"} for r in creates]
    cases = [("W2 inbox page 1", [inbox], auth)]
    cases += [(f"W2 inbox page 50 ({label})", [path], auth) for label, path in info["inbox_page_50"].items()]
    queries = ["/api/v1/search?q=" + urllib.parse.quote(q) for q in search_queries(info)]
    cases += [
        ("W3 search (20 queries)", queries, auth),
        ("W4 ticket API (50 events)", [f"/api/v1/tickets/{number}"], auth),
        ("W4 ticket page HTML (50 events)", [f"/tickets/{number}"], {"Cookie": cookie}),
        ("W5 weekly categories, month", [reports.format(month)], auth),
        ("W5 weekly categories, year", [reports.format(year)], auth),
    ]
    for c in (1, 8):  # latency alone, then throughput with a queue on both cores
        out += [reads(f"{name} c={c}", c, secs, paths, headers) for name, paths, headers in cases]
    # last: the reads above see no floor rows, and the rows are deleted after (delete_floor_rows)
    out.append({"name": FLOOR, "concurrency": 32, "seconds": secs, "requests": floor, "expect": 201})
    return out


def delete_floor_rows(after_id: int) -> int:
    """The floor's tickets: rows of their own (no event, search document or counter refers to them)."""
    from floor_urls import FLOOR_TITLE

    from loopdesk.tickets.models import Ticket

    rows = Ticket.objects.filter(pk__gt=after_id, title__startswith=FLOOR_TITLE)
    deleted, _ = rows.delete()
    return deleted


def reads(name: str, concurrency: int, seconds: float, paths: list[str], headers: dict) -> dict:
    requests = [{"method": "GET", "path": p, "headers": headers} for p in paths]
    return {"name": name, "concurrency": concurrency, "seconds": seconds, "requests": requests}


def page_50_paths(port: int, token: str, department: str) -> dict[str, str]:
    """Page 50 by offset, and by following next_cursor 49 times (or to the last page, if fewer)."""
    auth = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/tickets?department={department}&open_only=true&sort=due&limit=25"
    paths = {"offset": base + "&offset=1225"}
    cursor, page = "", 1
    while page < 50:
        status, body, _ = http_get(port, base + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""), auth)
        following = json.loads(body).get("next_cursor") if status == 200 else None
        if not following:
            break
        cursor, page = following, page + 1
    if cursor:
        paths[f"cursor, page {page}" if page < 50 else "cursor"] = base + f"&cursor={urllib.parse.quote(cursor)}"
    return paths


def peak_memory(web: subprocess.Popen, worker: subprocess.Popen) -> dict[str, int]:
    """VmHWM in KiB of the gunicorn master, each of its workers and the database worker."""

    def hwm(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    out = {"gunicorn master": hwm(web.pid)}
    children = Path(f"/proc/{web.pid}/task/{web.pid}/children").read_text().split()
    for i, pid in enumerate(children, 1):
        out[f"gunicorn worker {i}"] = hwm(int(pid))
    out["db worker (loopdesk worker)"] = hwm(worker.pid)
    return out


def database_size(db_env: dict) -> dict[str, int]:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return {"pg_database_size": cursor.fetchone()[0]}
    path = Path(db_env["SQLITE_PATH"])
    wal = path.with_name(path.name + "-wal")
    return {"sqlite file": path.stat().st_size, "sqlite wal": wal.stat().st_size if wal.exists() else 0}


def markdown(result: dict) -> str:
    m, engine = result["machine"], result["engine"]
    lines = [
        f"### {engine}, {result['tickets']:,} tickets ({result['events']:,} events)",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['memory']}; {m['database']}; Python {m['python']}, Django {m['django']}; "
        f"load average at start {m['load_average_at_start']}. Server: {result['server']}.",
        "",
        "| load phase | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {k} | {'—' if v is None else f'{v:.1f}'} |" for k, v in result["phases"].items()]
    lines += [f"| **total load** | **{result['load_seconds']:.1f}** |", ""]
    lines += [
        "| workload | c | requests | ok | req/s | p50 ms | p95 ms | p99 ms | client CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in result["workloads"]:
        statuses = "" if set(w["statuses"]) <= {"200", "201"} else f" (statuses {w['statuses']})"
        lines.append(
            f"| {w['name']}{statuses} | {w['concurrency']} | {w['requests']} | {w['ok']} | {w['throughput']:.0f} | "
            f"{w['p50_ms']:.1f} | {w['p95_ms']:.1f} | {w['p99_ms']:.1f} | {w['client_cpu_share']:.0%} |"
        )
    lines += ["", f"W1 at c=32 is {result['w1_of_hello']:.0%} of hello's throughput at c=32"]
    if result.get("w1_of_floor"):
        lines[-1] += f" and {result['w1_of_floor']:.0%} of the floor's (token, customer, number, ticket row)"
    lines[-1] += "."
    lines.append("")
    lines += ["| process | peak memory (VmHWM) |", "|---|---:|"]
    lines += [f"| {k} | {v / 1024:.0f} MiB |" for k, v in result["memory_kib"].items()]
    lines += ["", "| database | size |", "|---|---:|"]
    lines += [f"| {k} | {v / 1024 / 1024:.0f} MiB |" for k, v in result["database_bytes"].items()]
    return "\n".join(lines) + "\n"


def reuse_file(args: argparse.Namespace, db_env: dict) -> Path:
    """Where a finished load records what the workloads need, so `--reuse` can skip loading the same database."""
    if "SQLITE_PATH" in db_env:
        return Path(db_env["SQLITE_PATH"] + ".load.json")
    name = urllib.parse.urlparse(db_env["DATABASE_URL"]).path.lstrip("/")
    return Path(args.out) / f".load-{name}-{args.tickets}.json"


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    db_env = prepare_environment(args.sqlite_path)
    setup_django()
    import scale_data as sd
    from common import machine

    from loopdesk.accounts.models import ApiToken, User

    phases: dict = {}
    started = time.perf_counter()
    saved = reuse_file(args, db_env)
    if args.reuse and saved.exists():
        loaded = json.loads(saved.read_text())
        info, phases = loaded["info"], loaded["phases"]
        load_seconds = loaded["load_seconds"]
    else:
        saved.unlink(missing_ok=True)
        info = load(args, phases)
        load_seconds = time.perf_counter() - started
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps({"info": info, "phases": phases, "load_seconds": load_seconds}))
    from django.db import connection

    engine = connection.vendor
    _, token = ApiToken.issue(User.objects.get(username="supervisor"), "bench-scale")
    from loopdesk.tickets.models import Ticket

    last_ticket = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()  # the server is the database's user from here on
    logdir = Path(tempfile.mkdtemp(prefix="loopdesk-scale-logs-"))
    web, worker = start_processes(args, db_env, logdir)
    try:
        cookie = log_in(args.port, "supervisor", "demo-Supervisor-2026")
        info["inbox_page_50"] = page_50_paths(args.port, token, info["department"])
        chosen = [w for w in workloads(args, info, token, cookie) if re.search(args.only, w["name"])]
        spec = {"host": "127.0.0.1", "port": args.port, "workloads": chosen}
        client = subprocess.run(  # noqa: S603
            [sys.executable, str(BENCH / "scale_client.py")],
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            check=True,
        )
        measured = json.loads(client.stdout)
        memory = peak_memory(web, worker)
    finally:
        web.terminate()
        worker.terminate()
        web.wait(30)
        worker.wait(30)
    floor_rows_deleted = delete_floor_rows(last_ticket)
    by_name = {w["name"]: w for w in measured["workloads"]}
    hello = by_name.get("hello c=32", {}).get("throughput", 0.0)
    w1 = by_name.get("W1 create ticket c=32", {}).get("throughput", 0.0)
    floor = by_name.get(FLOOR, {}).get("throughput", 0.0)
    result = {
        "engine": engine,
        "tickets": info["tickets"],
        "events": info["events"],
        "machine": machine(),
        "server": f"gunicorn {args.workers} workers × gthread {args.threads} threads, {SERVER_SETTINGS} "
        "(config.settings.production and the floor's URL), plus 1 loopdesk worker",
        "phases": phases,
        "load_seconds": round(load_seconds, 1),
        "workloads": measured["workloads"],
        "client_cpu_seconds": measured["client_cpu_seconds"],
        "w1_of_hello": w1 / hello if hello else 0.0,
        "w1_of_floor": w1 / floor if floor else 0.0,
        "floor_rows_deleted": floor_rows_deleted,
        "memory_kib": memory,
        "database_bytes": database_size(db_env),
        "targets": TARGETS,
        "department": info["department"],
        "search_queries": search_queries(info),
        "logs": str(logdir),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"scale-{engine}-{args.tickets}{'-partial' if args.only else ''}"
    stem.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    table = markdown(result)
    stem.with_suffix(".md").write_text(table)
    print(table)
    del sd
    return result


if __name__ == "__main__":
    main()
