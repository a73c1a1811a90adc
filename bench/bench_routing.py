"""Routing and automatic assignment under load (make bench).

Runs against a fresh database: SQLite in a temporary directory by default, PostgreSQL when DATABASE_URL
is set (its public schema is dropped and migrated again, so the database name must contain "bench").

1. Rule evaluation: the seed preset plus generated rules, 200 active in all, ordered so that a hardware
   fault walks every generated rule (keywords, tags, product, time windows, "one of" lists, flags) before
   the preset's hardware rule matches: the worst case for first-match-wins. Timed per call:
   - `evaluate`: the pure walk over the compiled rules for the ticket's facts;
   - `facts + evaluate`: the ticket's facts taken from a loaded ticket, then the walk;
   - `active_rules + facts + evaluate`: with the per-process rule cache check (one small query);
   - `open_ticket`: the whole creation path for context (ticket, events, SLA clocks, routing, assignment).
2. Bursts through the API: a production server (gunicorn, 4 sync workers, DEBUG off) on 127.0.0.1 and a
   separate load process with 32 threads, each a keep-alive HTTP connection, POSTing classified hardware
   faults as fast as they are answered. Technical support has 8 engineers.
   - round-robin, no cap: every ticket is assigned, and the spread (max - min per engineer) must be <= 1;
   - least open work with a cap of 100 each: 800 are assigned, nobody holds more than 100, the rest wait
     in the department's queue.

Prints a Markdown table and writes var/bench_routing_<vendor>.json.

    uv run python bench/bench_routing.py                 # 1,000-ticket bursts
    uv run python bench/bench_routing.py --burst 200     # a quick run
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.pop("DEBUG", None)
SQLITE_DIR: Path | None = None
if not os.environ.get("DATABASE_URL"):
    SQLITE_DIR = Path(tempfile.mkdtemp(prefix="loopdesk-bench-routing-"))
    os.environ["SQLITE_PATH"] = str(SQLITE_DIR / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from common import fresh_database  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from loopdesk.testing.factories import CustomerFactory, UserFactory  # noqa: E402

RULES = 200
MEMBERS = 8
CONCURRENCY = 32
CAP = 100
EVAL_TARGET_MS = 1.0
TICKET = {
    "title": "扫地机器人无法充电",
    "description": "放回底座后指示灯不亮，换了插座也一样",
    "channel": "api",
    "category": "hardware_fault",
    "priority": "P2",
    "customer": {"name": "张三丰", "phone": "13812345678"},
}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


# --- 1. rule evaluation ---------------------------------------------------------------------------------


def generated_condition(i: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Realistic conditions that a hardware fault about a robot vacuum does not meet."""
    kinds = [
        [("text", "contains_any", f"漏水{i}, 异味{i}, 噪音{i}")],
        [("tags", "has_any", f"促销{i}, 物流{i}")],
        [("product", "contains", f"冰箱{i}")],
        [("category", "eq", "software_issue"), ("channel", "in", "email,web")],
        [("customer_industry", "in", f"餐饮{i},酒店{i}")],
        [("is_major_complaint", "is_true", ""), ("priority", "eq", "P1")],
        [("time_of_day", "between", "03:00-03:01"), ("text", "contains_none", "充电")],
        [("model", "eq", f"XQG{i}-14")],
        [("category", "in", "complaint,inquiry"), ("tags", "has_all", f"退款{i}, 投诉")],
    ]
    return rng.choice(kinds)


def build_rules(count: int) -> int:
    from loopdesk.accounts.models import Department
    from loopdesk.routing.editing import record_rule_revision
    from loopdesk.routing.models import RoutingCondition, RoutingRule

    rng = random.Random(42)  # noqa: S311 (reproducible benchmark data, not security)
    preset = RoutingRule.objects.filter(is_active=True).count()
    departments = list(Department.objects.all())
    new = []
    for i in range(count - preset):
        new.append(RoutingRule(name=f"生成规则 {i}", position=i, set_department=rng.choice(departments)))
    for offset, rule in enumerate(RoutingRule.objects.filter(is_active=True).order_by("position", "id")):  # last
        rule.position = 10_000 + offset
        rule.save(update_fields=["position"])
    created = RoutingRule.objects.bulk_create(new)
    RoutingCondition.objects.bulk_create(
        RoutingCondition(rule=rule, field=f, op=op, value=v)
        for i, rule in enumerate(created)
        for f, op, v in generated_condition(i, rng)
    )
    for rule in created:
        with transaction.atomic():
            record_rule_revision(rule, actor=None)  # versioned as the admin would, and the rule-set cache bumped
    return RoutingRule.objects.filter(is_active=True).count()


def time_calls(fn, runs: int) -> list[float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_rules(runs: int) -> dict[str, Any]:
    from loopdesk.routing import rules
    from loopdesk.routing.selectors import active_rules, ticket_facts
    from loopdesk.tickets import services as ticket_services
    from loopdesk.tickets.models import Ticket

    active = build_rules(RULES)
    supervisor = UserFactory(username="bench-boss", role="supervisor")
    customer = CustomerFactory(name="张三丰", phone="13812345678")
    fields = {k: v for k, v in TICKET.items() if k != "customer"}
    opened = ticket_services.open_ticket(actor=supervisor, customer=customer, **fields)
    ticket = (
        Ticket.objects.select_related("category", "priority", "customer", "asset", "owner_department")
        .prefetch_related("tags")
        .get(pk=opened.pk)
    )
    compiled = active_rules()
    now = timezone.now()
    facts = ticket_facts(ticket, trigger="classified", now=now)
    decision = rules.evaluate(compiled, facts)
    walked = len(compiled)
    assert decision.matches and decision.matches[-1].rule.name != "", "the hardware rule must match"
    assert all(not m.rule.name.startswith("生成规则") for m in decision.matches), "a generated rule matched"

    results = {
        "active_rules": active,
        "matched": [m.rule.name for m in decision.matches],
        "evaluate": time_calls(lambda: rules.evaluate(compiled, facts), runs),
        "facts + evaluate": time_calls(
            lambda: rules.evaluate(compiled, ticket_facts(ticket, trigger="classified", now=now)), runs
        ),
        "active_rules + facts + evaluate": time_calls(
            lambda: rules.evaluate(active_rules(), ticket_facts(ticket, trigger="classified", now=now)), runs
        ),
        "open_ticket (whole creation)": time_calls(
            lambda: ticket_services.open_ticket(actor=supervisor, customer=customer, **fields), max(runs // 20, 50)
        ),
    }
    results["walked"] = walked
    return results


# --- 2. bursts through the API ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="4")
    env.pop("DEBUG", None)
    log = open(Path(tempfile.gettempdir()) / "loopdesk-bench-routing-server.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "loopdesk.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit("the server did not start; see the server log in the temporary folder")


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def burst(port: int, token: str, total: int) -> dict[str, Any]:
    """POST `total` tickets from CONCURRENCY threads, each on its own keep-alive connection."""
    body = json.dumps(TICKET, ensure_ascii=False).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    remaining = iter(range(total))
    lock = threading.Lock()
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    barrier = threading.Barrier(CONCURRENCY)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            start = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/tickets", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                statuses[status] += 1
                latencies.append(elapsed)
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for _ in range(CONCURRENCY):
            pool.submit(client)
    seconds = time.perf_counter() - start
    return {"statuses": dict(statuses), "seconds": seconds, "latencies": latencies}


def run_bursts(total: int) -> list[dict[str, Any]]:
    from loopdesk.accounts.models import ApiToken, Department, User
    from loopdesk.routing.models import DepartmentRouting, MemberProfile
    from loopdesk.tickets.models import Ticket

    support = Department.objects.get(code="support")
    members = [UserFactory(username=f"eng{i}", role="engineer", department=support) for i in range(MEMBERS)]
    token = ApiToken.issue(User.objects.get(username="bench-boss"), "bench")[1]
    scenarios = [("round_robin", None), ("least_open", CAP)]
    port = free_port()
    out = []
    for strategy, cap in scenarios:
        Ticket.objects.filter(owner__in=members).update(status="closed")  # the previous burst's work is done
        DepartmentRouting.objects.filter(department=support).update(strategy=strategy, default_cap=None)
        for m in members:
            MemberProfile.objects.update_or_create(user=m, defaults={"cap": cap})
        before = Ticket.objects.count()
        server = start_server(port)  # a fresh server per scenario: no cached setting survives
        try:
            result = burst(port, token, total)
        finally:
            stop_server(server)
        new = Ticket.objects.filter(pk__gt=0).order_by("-pk")[:total]
        new_ids = list(new.values_list("pk", flat=True))
        counts = Counter(
            Ticket.objects.filter(pk__in=new_ids, owner__in=members).values_list("owner__username", flat=True)
        )
        per_member = [counts.get(m.username, 0) for m in members]
        open_now = Counter(
            Ticket.objects.exclude(status="closed").filter(owner__in=members).values_list("owner__username", flat=True)
        )
        queued = Ticket.objects.filter(pk__in=new_ids, owner__isnull=True, owner_department=support).count()
        out.append(
            {
                "strategy": strategy,
                "cap": cap,
                "tickets": Ticket.objects.count() - before,
                "statuses": result["statuses"],
                "seconds": result["seconds"],
                "per_second": total / result["seconds"],
                "p50_ms": statistics.median(result["latencies"]),
                "p95_ms": percentile(result["latencies"], 0.95),
                "p99_ms": percentile(result["latencies"], 0.99),
                "per_member": per_member,
                "spread": max(per_member) - min(per_member),
                "most_open": max(open_now.values() or [0]),
                "queued": queued,
            }
        )
    return out


# --- report ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=1000, help="tickets per burst (default 1000)")
    parser.add_argument("--runs", type=int, default=5000, help="timed calls per rule measurement")
    args = parser.parse_args()
    vendor = connection.vendor
    fresh_database()
    rule_results = bench_rules(args.runs)
    bursts = run_bursts(args.burst)

    failures = []
    lines = [
        f"## Routing ({vendor}, {platform.python_version()}, {os.cpu_count()} cores)",
        "",
        f"{rule_results['active_rules']} active rules; the ticket walks {rule_results['walked']} compiled rules "
        f"and matches {', '.join(rule_results['matched'])}.",
        "",
        "| measurement | mean ms | median ms | p95 ms | target |",
        "|---|---:|---:|---:|---|",
    ]
    for name in ("evaluate", "facts + evaluate", "active_rules + facts + evaluate", "open_ticket (whole creation)"):
        samples = rule_results[name]
        mean = statistics.fmean(samples)
        target = f"mean < {EVAL_TARGET_MS} ms" if name == "facts + evaluate" else ""
        if target and mean >= EVAL_TARGET_MS:
            failures.append(f"{name}: mean {mean:.3f} ms")
        lines.append(
            f"| {name} | {mean:.3f} | {statistics.median(samples):.3f} | {percentile(samples, 0.95):.3f} | {target} |"
        )
    lines += [
        "",
        f"Bursts of {args.burst} tickets through POST /api/v1/tickets, {CONCURRENCY} client threads, "
        f"gunicorn 4 workers, {MEMBERS} engineers:",
        "",
        "| strategy | cap | 201s | tickets/s | p50 ms | p95 ms | p99 ms | per engineer | max−min | most open | queued |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for b in bursts:
        created = b["statuses"].get(201, 0)
        lines.append(
            f"| {b['strategy']} | {b['cap'] or '—'} | {created} | {b['per_second']:.0f} | {b['p50_ms']:.0f} | "
            f"{b['p95_ms']:.0f} | {b['p99_ms']:.0f} | {'/'.join(map(str, b['per_member']))} | {b['spread']} | "
            f"{b['most_open']} | {b['queued']} |"
        )
        if created != args.burst:
            failures.append(f"{b['strategy']}: {created} of {args.burst} requests succeeded: {b['statuses']}")
        if b["cap"] is None and b["spread"] > 1:
            failures.append(f"round-robin spread {b['spread']} > 1")
        if b["cap"] is not None and b["most_open"] > b["cap"]:
            failures.append(f"cap exceeded: {b['most_open']} > {b['cap']}")
    report = "\n".join(lines)
    print(report)
    data = {
        "vendor": vendor,
        "rules": {k: v for k, v in rule_results.items() if not isinstance(v, list) or k == "matched"},
        "timings_ms": {
            k: {"mean": statistics.fmean(v), "median": statistics.median(v), "p95": percentile(v, 0.95)}
            for k, v in rule_results.items()
            if isinstance(v, list) and k != "matched"
        },
        "bursts": [{k: v for k, v in b.items()} for b in bursts],
    }
    out = ROOT / "var" / f"bench_routing_{vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    if SQLITE_DIR is not None:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
    if failures:
        print("\nMISSED: " + "; ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
