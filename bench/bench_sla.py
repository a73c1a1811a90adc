"""The SLA engine under load: due-time arithmetic, the periodic sweep, one ticket's clock sync (make bench).

Runs against a fresh database: SQLite in a temporary directory by default, PostgreSQL when DATABASE_URL
is set (its public schema is dropped and migrated again, so the database name must contain "bench").

1. Due times: `CompiledCalendar.add` on the China working calendar (`cn_workday`, compiled by
   loopdesk.sla.calendar_data) for random start instants in 2025-2026 and random targets of 15 min to
   72 h, then `clocks.schedule` with no pause and with three pauses. Mean from one timed block, median
   and p95 from per-call timers (which add well under 0.1 µs each; see `timer_overhead_us`).
2. The sweep: N tickets (bulk-created) each with one running resolution clock whose warning falls in
   the next 30 days, then `sweep_sla_clocks(now=...)` with nothing due, with exactly 100 due and with
   exactly 1,000 due (each due clock gets its warning: an SlaEscalation, a TicketEvent and an outbox
   notification). The due state is restored between runs; the median run is reported.
3. `sync_ticket_clocks` on one ticket with a 50-event timeline (opened, triaged, assigned, accepted,
   then rounds of progress updates, replies and waiting-on-customer pauses, hours apart).

Prints a Markdown table and writes var/bench_sla_<vendor>.json.

    uv run python bench/bench_sla.py                  # 100,000 tickets
    uv run python bench/bench_sla.py --tickets 2000   # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import zoneinfo
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
SQLITE_DIR: Path | None = None
if not os.environ.get("DATABASE_URL"):
    SQLITE_DIR = Path(tempfile.mkdtemp(prefix="loopdesk-bench-sla-"))
    os.environ["SQLITE_PATH"] = str(SQLITE_DIR / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from common import QueryCounter, fresh_database, load_average, machine  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
SWEEP_SIZES = (100, 1000)
TIMELINE_EVENTS = 50
SYNC_RUNS = 50
SWEEP_TARGET_S = 1.0
ADD_TARGET_US = 50.0


# --- database and machine -----------------------------------------------------------------------------


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- timing helpers -----------------------------------------------------------------------------------


def timer_overhead_us() -> float:
    clock = time.perf_counter_ns
    samples = []
    for _ in range(10_000):
        t = clock()
        samples.append(clock() - t)
    return statistics.median(samples) / 1000


def time_calls(fn, cases: list[tuple]) -> dict[str, float]:
    """Mean per call from one timed block; median and p95 from per-call timers."""
    clock = time.perf_counter_ns
    for args in cases[:1000]:  # warm-up
        fn(*args)
    start = clock()
    for args in cases:
        fn(*args)
    mean = (clock() - start) / len(cases) / 1000
    samples = []
    for args in cases:
        t = clock()
        fn(*args)
        samples.append(clock() - t)
    samples.sort()
    return {
        "mean_us": mean,
        "median_us": statistics.median(samples) / 1000,
        "p95_us": samples[int(len(samples) * 0.95) - 1] / 1000,
        "max_us": samples[-1] / 1000,
        "calls": len(cases),
    }


def timed(fn) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# --- 1. due-time arithmetic ---------------------------------------------------------------------------


def bench_due_times(count: int, rng: random.Random) -> dict[str, Any]:
    from loopdesk.sla import calendar_data
    from loopdesk.sla.calendars import CalendarGap
    from loopdesk.sla.clocks import schedule
    from loopdesk.sla.models import BusinessCalendar

    row = BusinessCalendar.objects.get(code="cn_workday")
    started = time.perf_counter()
    calendar = calendar_data.compiled(row)
    compile_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    calendar_data.compiled(row)  # the per-process cache: a revision comparison
    cached_us = (time.perf_counter() - started) * 1e6

    first = dt.datetime(2025, 1, 1, tzinfo=SHANGHAI)
    span = int((dt.datetime(2027, 1, 1, tzinfo=SHANGHAI) - first).total_seconds())

    def draw() -> tuple[dt.datetime, int, list[tuple[dt.datetime, dt.datetime | None]]]:
        start = (first + dt.timedelta(seconds=rng.randrange(span))).astimezone(UTC)  # as the database gives it
        target = rng.randint(15, 72 * 60) * 60
        pauses: list[tuple[dt.datetime, dt.datetime | None]] = []
        cursor = start
        for _ in range(3):
            pause_start = cursor + dt.timedelta(minutes=rng.randint(5, 24 * 60))
            pause_end = pause_start + dt.timedelta(minutes=rng.randint(10, 48 * 60))
            pauses.append((pause_start, pause_end))
            cursor = pause_end
        return start, target, pauses

    # Cases whose arithmetic reaches 2027 (no official holiday data yet) raise CalendarGap; draw again.
    cases, excluded = [], 0
    while len(cases) < count:
        start, target, pauses = draw()
        try:
            calendar.add(start, target)
            schedule(calendar, start, target, pauses)
        except CalendarGap:
            excluded += 1
            continue
        cases.append((start, target, pauses))

    with_pauses = partial(schedule, calendar)
    add = time_calls(calendar.add, [(s, t) for s, t, _ in cases])
    no_pause = time_calls(with_pauses, [(s, t, ()) for s, t, _ in cases])
    three = time_calls(with_pauses, [(s, t, p) for s, t, p in cases])
    return {
        "calendar": {
            "code": "cn_workday",
            "intervals": len(calendar.starts),
            "first_day": calendar.first_day.isoformat(),
            "last_day": calendar.last_day.isoformat(),
            "compile_ms": compile_ms,
            "cached_lookup_us": cached_us,
        },
        "cases": count,
        "excluded_past_calendar_data": excluded,
        "timer_overhead_us": timer_overhead_us(),
        "add": add,
        "schedule_0_pauses": no_pause,
        "schedule_3_pauses": three,
    }


# --- 2. the sweep ---------------------------------------------------------------------------------------


def make_users():
    from loopdesk.accounts.models import Department
    from loopdesk.testing.factories import UserFactory

    return {
        "agent": UserFactory(username="bench-agent", role="agent"),
        "supervisor": UserFactory(username="bench-supervisor", role="supervisor"),
        "engineer": UserFactory(
            username="bench-engineer", role="engineer", department=Department.objects.get(code="support")
        ),
    }


def create_open_clocks(n: int, engineer, rng: random.Random) -> dict[str, Any]:
    """N in-progress tickets, each with a running resolution clock warning within the next 30 days."""
    from loopdesk.sla.models import BusinessCalendar, SlaClock, SlaPolicy, TicketSla
    from loopdesk.testing.factories import CustomerFactory
    from loopdesk.tickets.models import Category, Priority, Ticket

    customers = [CustomerFactory() for _ in range(5)]
    category = Category.objects.filter(is_active=True).order_by("sort_order", "pk").first()
    priority = Priority.objects.get(code="P2")
    calendar = BusinessCalendar.objects.get(code="cn_workday")
    revision = SlaPolicy.objects.get(code="preset-001").current_revision
    assert revision is not None
    target_minutes = revision.definition["targets"]["P2"]["resolution"]["minutes"]

    base = timezone.now().replace(second=0, microsecond=0)
    received = base - dt.timedelta(days=2)
    # Distinct whole seconds, so that "exactly k due" has one answer.
    offsets = rng.sample(range(60, 30 * 86400), n)
    # The due time follows the warning by at least 36 h, and by more than the span of the 1,000
    # earliest warnings, so that every due clock is warned and none is breached.
    lead = max(dt.timedelta(hours=36), dt.timedelta(days=30) * max(SWEEP_SIZES) / n + dt.timedelta(hours=1))

    started = time.perf_counter()
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(
                number=f"B{i:07d}",
                title=f"支付失败 {i}",
                description="APP 支付时提示网络错误",
                channel="phone",
                status="in_progress",
                customer=customers[i % len(customers)],
                category=category,
                priority=priority,
                owner=engineer,
                owner_department_id=engineer.department_id,
                received_at=received,
                assigned_at=received,
                accepted_at=received,
                created_at=received,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    TicketSla.objects.bulk_create([TicketSla(ticket=t, revision=revision) for t in tickets], batch_size=2000)
    clocks = []
    for ticket, offset in zip(tickets, offsets, strict=True):
        warn_at = base + dt.timedelta(seconds=offset)
        due_at = warn_at + lead + dt.timedelta(minutes=rng.randint(0, 36 * 60))
        clocks.append(
            SlaClock(
                ticket=ticket,
                milestone="resolution",
                cycle=1,
                state="running",
                priority_code="P2",
                calendar=calendar,
                target_minutes=target_minutes,
                warn_percent=75,
                started_at=received,
                warn_at=warn_at,
                due_at=due_at,
                next_check_at=warn_at,
            )
        )
    SlaClock.objects.bulk_create(clocks, batch_size=2000)
    create_s = time.perf_counter() - started
    started = time.perf_counter()
    analyze()
    analyze_s = time.perf_counter() - started
    order = sorted(range(n), key=offsets.__getitem__)
    return {
        "base": base,
        "ids": [clocks[i].pk for i in order],  # clock ids by warning time
        "warn_at": [base + dt.timedelta(seconds=offsets[i]) for i in order],
        "create_s": create_s,
        "analyze_s": analyze_s,
    }


def reset_due_state(clock_ids: list[int]) -> None:
    """Undo a sweep: the clocks are un-warned and due again, their escalations and notifications gone."""
    from loopdesk.notifications.models import OutboxMessage
    from loopdesk.sla.models import SlaClock, SlaEscalation

    SlaEscalation.objects.filter(clock_id__in=clock_ids).delete()
    OutboxMessage.objects.filter(dedupe_key__startswith="sla:").delete()
    SlaClock.objects.filter(pk__in=clock_ids).update(escalation_level=0, is_breached=False, next_check_at=F("warn_at"))


def bench_sweep(n: int, engineer, repeats: int, rng: random.Random) -> dict[str, Any]:
    from loopdesk.sla.models import SlaClock, SlaEscalation
    from loopdesk.sla.services import sweep_sla_clocks
    from loopdesk.tickets.models import TicketEvent

    data = create_open_clocks(n, engineer, rng)
    base, ids, warn_at = data["base"], data["ids"], data["warn_at"]
    result: dict[str, Any] = {
        "tickets": n,
        "setup": {"bulk_create_s": data["create_s"], "analyze_s": data["analyze_s"]},
        "plan": SlaClock.objects.filter(next_check_at__isnull=False, next_check_at__lte=base)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:5000]
        .explain(),
    }

    # (a) nothing due: the index lookup only
    samples = []
    for _ in range(max(20, repeats * 4)):
        elapsed, made = timed(lambda: sweep_sla_clocks(now=base))
        assert made == 0, made
        samples.append(elapsed)
    result["nothing_due"] = summary(samples, 0)

    from loopdesk.notifications.models import OutboxMessage

    for k in SWEEP_SIZES:
        due, now = ids[:k], warn_at[k - 1]
        assert k == n or warn_at[k] > now
        samples = []
        checks: dict[str, int] = {}
        for run in range(repeats):
            reset_due_state(due)
            events_before = TicketEvent.objects.filter(kind=TicketEvent.Kind.SLA_WARNING).count()
            elapsed, made = timed(partial(sweep_sla_clocks, now=now))
            assert made == k, (made, k)
            samples.append(elapsed)
            if run == 0:
                checks = {
                    "escalations_made": made,
                    "warnings": SlaEscalation.objects.filter(clock_id__in=due, level=1).count(),
                    "breaches": SlaEscalation.objects.filter(clock_id__in=due, level__gte=2).count(),
                    "warning_events": TicketEvent.objects.filter(kind=TicketEvent.Kind.SLA_WARNING).count()
                    - events_before,
                    "notifications": OutboxMessage.objects.filter(dedupe_key__startswith="sla:").count(),
                }
        reset_due_state(due)
        with QueryCounter() as queries:  # a separate run: counting costs a little
            elapsed, _ = timed(partial(sweep_sla_clocks, now=now))
        checks["queries_per_clock"] = round(queries.count / k, 1)
        checks["commits_per_clock"] = round(queries.commits / k, 1)
        checks["database_share"] = round(queries.seconds / elapsed, 2)
        reset_due_state(due)  # due again: the next, larger set includes them
        result[f"due_{k}"] = summary(samples, k) | {"checks": checks}
    return result


def summary(samples: list[float], items: int) -> dict[str, Any]:
    median = statistics.median(samples)
    return {
        "runs": len(samples),
        "median_ms": median * 1000,
        "min_ms": min(samples) * 1000,
        "max_ms": max(samples) * 1000,
        "median_ms_per_clock": median * 1000 / items if items else None,
    }


# --- 3. one ticket's clocks from a 50-event timeline --------------------------------------------------


def bench_sync(users: dict, rng: random.Random) -> dict[str, Any]:
    import time_machine

    from loopdesk.sla.models import SlaClock
    from loopdesk.sla.services import sync_ticket_clocks
    from loopdesk.testing.factories import CustomerFactory
    from loopdesk.tickets import services
    from loopdesk.tickets.models import TicketEvent

    agent, supervisor, engineer = users["agent"], users["supervisor"], users["engineer"]
    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)

    def at(step):
        nonlocal moment
        with time_machine.travel(moment, tick=False):
            result = step()
        moment += dt.timedelta(minutes=rng.randint(20, 4 * 60))
        return result

    customer = at(lambda: CustomerFactory())
    ticket = at(
        lambda: services.open_ticket(
            actor=agent,
            customer=customer,
            channel="phone",
            title="支付失败",
            description="APP 支付时提示网络错误",
            category="software_problem",
            priority="P2",
        )
    )
    ticket = at(lambda: services.transition_ticket(ticket, to="triaged", actor=supervisor))
    ticket = at(lambda: services.transition_ticket(ticket, to="assigned", actor=supervisor, owner=engineer.username))
    ticket = at(lambda: services.transition_ticket(ticket, to="accepted", actor=engineer))
    ticket = at(lambda: services.transition_ticket(ticket, to="in_progress", actor=engineer))
    rounds = [
        lambda t: services.add_progress_update(t, body="已复现，正在排查", actor=engineer, next_step="查看日志"),
        lambda t: services.add_reply(t, body="请提供支付截图", actor=engineer, is_public=True),
        lambda t: services.transition_ticket(t, to="waiting_customer", actor=engineer, note="等待客户截图"),
        lambda t: services.transition_ticket(t, to="in_progress", actor=engineer, note="客户已回复"),
        lambda t: services.add_reply(t, body="内部备注：与支付网关有关", actor=engineer, is_public=False),
    ]
    step = 0
    while TicketEvent.objects.filter(ticket=ticket).count() < TIMELINE_EVENTS:
        outcome = at(partial(rounds[step % len(rounds)], ticket))
        if not isinstance(outcome, TicketEvent):
            ticket = outcome
        step += 1
    events = TicketEvent.objects.filter(ticket=ticket).count()
    assert events == TIMELINE_EVENTS, events

    now = moment + dt.timedelta(hours=1)
    sync_ticket_clocks(ticket, now=now)  # warm-up
    samples = [timed(partial(sync_ticket_clocks, ticket, now=now))[0] for _ in range(SYNC_RUNS)]
    with QueryCounter() as queries:
        elapsed, clocks = timed(partial(sync_ticket_clocks, ticket, now=now))
    return {
        "events": events,
        "clocks": SlaClock.objects.filter(ticket=ticket).count(),
        "open_clocks": sum(c.is_open for c in clocks),
        "queries": queries.count,
        "commits": queries.commits,
        "database_share": round(queries.seconds / elapsed, 2),
        "runs": SYNC_RUNS,
        "median_ms": statistics.median(samples) * 1000,
        "min_ms": min(samples) * 1000,
        "max_ms": max(samples) * 1000,
    }


# --- report -------------------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    vendor, n = results["vendor"], results["tickets"]
    due, sweep, sync = results["due_times"], results["sweep"], results["sync"]
    lines = [
        f"| SLA engine ({vendor}, {n:,} tickets) | median | mean | runs | target |",
        "|---|---:|---:|---:|---|",
    ]

    def micro(label: str, key: str, target: bool) -> None:
        row = due[key]
        verdict = ""
        if target:
            verdict = f"< {ADD_TARGET_US:.0f} µs mean: " + ("met" if row["mean_us"] < ADD_TARGET_US else "MISSED")
        lines.append(
            f"| {label} | {row['median_us']:.1f} µs | {row['mean_us']:.1f} µs | {row['calls']:,} | {verdict} |"
        )

    cal = due["calendar"]
    lines.append(
        f"| compile `cn_workday` ({cal['first_day'][:4]}–{cal['last_day'][:4]}, {cal['intervals']:,} intervals), once per revision | "
        f"{cal['compile_ms']:.0f} ms | | 1 | |"
    )
    micro("`CompiledCalendar.add`, 15 min–72 h from a random instant in 2025–2026", "add", True)
    micro("`clocks.schedule`, no pause", "schedule_0_pauses", True)
    micro("`clocks.schedule`, 3 pauses", "schedule_3_pauses", True)
    row = sweep["nothing_due"]
    if "not_measurable" in row:
        lines.append(
            f"| `sweep_sla_clocks` and `sync_ticket_clocks` | not measurable yet | | | {row['not_measurable']} |"
        )
        return "\n".join(lines)
    met = "met" if row["median_ms"] < SWEEP_TARGET_S * 1000 else "MISSED"
    lines.append(
        f"| `sweep_sla_clocks`, nothing due (index lookup) | {row['median_ms']:.2f} ms | | {row['runs']} | < 1 s: {met} |"
    )
    for k in SWEEP_SIZES:
        row = sweep[f"due_{k}"]
        label = f"`sweep_sla_clocks`, {k:,} due (warning: escalation, event, notification each)"
        lines.append(
            f"| {label} | {row['median_ms']:.0f} ms ({row['median_ms_per_clock']:.2f} ms/clock, "
            f"{row['checks']['queries_per_clock']} queries/clock, {row['checks']['database_share']:.0%} waiting on the database) "
            f"| | {row['runs']} | |"
        )
    lines.append(
        f"| `sync_ticket_clocks`, one ticket, {sync['events']}-event timeline ({sync['clocks']} clocks, "
        f"{sync['queries']} queries, {sync['database_share']:.0%} waiting on the database) | {sync['median_ms']:.1f} ms | | {sync['runs']} | |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets with clocks (default 100000)")
    parser.add_argument("--cases", type=int, default=100_000, help="random due-time computations (default 100000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each sweep with clocks due (default 5)")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    if args.tickets < max(SWEEP_SIZES):
        parser.error(f"--tickets must be at least {max(SWEEP_SIZES)}")
    rng = random.Random(args.seed)  # noqa: S311 (reproducible benchmark data, not security)

    try:
        fresh_database()
        vendor = connection.vendor
        print(f"\n{vendor}: migrated; due-time arithmetic ({args.cases:,} cases)", flush=True)
        results: dict[str, Any] = {
            "vendor": vendor,
            "tickets": args.tickets,
            "seed": args.seed,
            "measured_at": timezone.now().isoformat(timespec="seconds"),
            "machine": machine(),
            "due_times": bench_due_times(args.cases, rng),
        }
        users = make_users()
        if importlib.util.find_spec("loopdesk.notifications.services") is None:
            # loopdesk.sla.services escalates through the notifications outbox: without it, nothing to time
            missing = {"not_measurable": "loopdesk.notifications.services does not exist yet"}
            results["sweep"] = {"nothing_due": missing} | {f"due_{k}": missing for k in SWEEP_SIZES}
            results["sync"] = missing
        else:
            print(f"{vendor}: {args.tickets:,} tickets with clocks, then the sweep", flush=True)
            results["sweep"] = bench_sweep(args.tickets, users["engineer"], args.repeats, rng)
            print(f"{vendor}: sync_ticket_clocks on a {TIMELINE_EVENTS}-event timeline", flush=True)
            results["sync"] = bench_sync(users, rng)
        results["machine"]["load_average_at_end"] = load_average()
    finally:
        connection.close()
        if SQLITE_DIR is not None:
            shutil.rmtree(SQLITE_DIR, ignore_errors=True)

    m = results["machine"]
    setup = results["sweep"].get("setup", {"bulk_create_s": float("nan")})
    print(
        f"\n{m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}, Django {m['django']}, {m['database']}; "
        f"load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at end"
    )
    print(f"bulk-created {args.tickets:,} tickets + clocks in {setup['bulk_create_s']:.1f} s\n")
    print(table(results))
    out = ROOT / "var" / f"bench_sla_{vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
