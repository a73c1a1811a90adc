"""The demo: users for every role, customers with products and orders, tickets walked through the loop
with the real services at past times (time-machine), so timelines look like months of work."""

from __future__ import annotations

import datetime as dt
import random

import time_machine
from django.db import transaction
from django.utils import timezone

from loopdesk.accounts.models import Department, User
from loopdesk.accounts.services import create_staff_user
from loopdesk.core.models import next_public_number
from loopdesk.customers.models import Asset, Contact, Customer, Order
from loopdesk.portal.demo_data import create_demo_widget_site
from loopdesk.routing.setup import configure_demo_routing
from loopdesk.tickets import demo_data as data
from loopdesk.tickets import services
from loopdesk.tickets.models import Category, Channel, Demand, Ticket

USERS = [  # username, password, role, department, display name
    ("admin", "demo-Admin-2026", "admin", "cs", "系统管理员"),
    ("director", "demo-Director-2026", "service_director", "cs", "赵总监"),
    ("manager", "demo-Manager-2026", "aftersales_manager", "cs", "钱经理"),
    ("supervisor", "demo-Supervisor-2026", "supervisor", "cs", "孙主管"),
    ("senior", "demo-Senior-2026", "senior_agent", "cs", "李资深"),
    ("agent1", "demo-Agent-2026", "agent", "cs", "周客服"),
    ("agent2", "demo-Agent-2026", "agent", "cs", "吴客服"),
    ("engineer1", "demo-Engineer-2026", "engineer", "support", "郑工"),
    ("engineer2", "demo-Engineer-2026", "engineer", "support", "王工"),
    ("dev1", "demo-Engineer-2026", "engineer", "rnd", "冯工"),
    ("techlead", "demo-Techlead-2026", "tech_lead", "support", "陈技术负责人"),
    ("quality", "demo-Quality-2026", "quality_manager", "quality", "褚质量经理"),
]
# How far along the loop tickets get, with weights: a spread over every status.
TARGETS = [
    ("new", 8),
    ("triaged", 6),
    ("assigned", 8),
    ("accepted", 6),
    ("in_progress", 14),
    ("waiting_customer", 7),
    ("resolved", 8),
    ("notified", 8),
    ("closed", 28),
    ("reopened", 7),
]
LOOP = ["new", "triaged", "assigned", "accepted", "in_progress", "resolved", "notified", "closed"]


def is_empty() -> bool:
    """No ticket and no user yet (migrations create neither), so the demo cannot mix with real data."""
    return not Ticket.objects.exists() and not User.objects.exists()


def create_users() -> dict[str, User]:
    departments = {d.code: d for d in Department.objects.all()}
    return {
        username: create_staff_user(
            username=username,
            password=password,
            role=role,
            department=departments[dept],
            display_name=name,
            employee_no=f"E{i + 1:04d}",
        )
        for i, (username, password, role, dept, name) in enumerate(USERS)
    }


def create_customers(rng: random.Random, count: int) -> list[Customer]:
    customers = []
    for i in range(count):
        customer = Customer.objects.create(
            public_id=next_public_number("C"),
            name=rng.choice(data.SURNAMES) + rng.choice(data.GIVEN),
            phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            email=f"user{i:04d}@example.com",
            company=rng.choice(data.COMPANIES),
            industry=rng.choice(data.INDUSTRIES),
            address=f"{rng.choice(data.CITIES)}{rng.randint(1, 999)}号",
            member_no=f"M{100000 + i}",
            tier=rng.choice(["standard"] * 6 + ["vip", "key"]),
        )
        if customer.company and rng.random() < 0.5:
            Contact.objects.create(
                customer=customer,
                name=rng.choice(data.SURNAMES) + rng.choice(data.GIVEN),
                phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                role=rng.choice(["采购", "店长", "IT 负责人", "财务"]),
            )
        for _ in range(rng.randint(1, 2)):
            product, model = rng.choice(data.PRODUCTS)
            bought = timezone.localdate() - dt.timedelta(days=rng.randint(30, 900))
            asset = Asset.objects.create(
                customer=customer,
                product_name=product,
                model=model,
                serial_no=f"SN{rng.randrange(10**8):08d}",
                purchased_on=bought,
                warranty_ends_on=bought + dt.timedelta(days=730),
            )
            Order.objects.create(
                customer=customer,
                asset=asset,
                order_no=f"DD{rng.randrange(10**10):010d}",
                contract_no=f"HT{rng.randrange(10**6):06d}" if customer.company else "",
                ordered_on=bought,
            )
        customers.append(customer)
    return customers


class Walker:
    """Moves one ticket along the loop, one step per call, each at a later past moment.

    Call `later()` outside `at()`: inside, the clock is frozen at the step's moment."""

    def __init__(self, rng: random.Random, users: dict[str, User], start: dt.datetime, complaints: list[str]):
        self.rng, self.users, self.moment, self.complaints = rng, users, start, complaints

    def later(self, low: float = 0.2, high: float = 12.0) -> bool:
        self.moment += dt.timedelta(hours=self.rng.uniform(low, high))
        return self.moment < timezone.now() - dt.timedelta(minutes=5)

    def at(self):
        return time_machine.travel(self.moment, tick=False)


def walk(ticket: Ticket, target: str, w: Walker, owner: User) -> None:
    rng, users = w.rng, w.users
    boss, desk = users["supervisor"], users[rng.choice(["agent1", "agent2"])]
    stop = "resolved" if target == "reopened" else ("in_progress" if target == "waiting_customer" else target)
    for step in LOOP[1 : LOOP.index(stop) + 1]:
        if not w.later():
            return
        with w.at():
            _step(ticket, step, rng, boss, desk, owner)
    if target in {"waiting_customer", "reopened"} and w.later():
        with w.at():
            if target == "waiting_customer":
                services.transition_ticket(
                    ticket, to="waiting_customer", actor=owner, note="请客户提供购买凭证和故障照片"
                )
            else:
                services.transition_ticket(ticket, to="notified", actor=desk, message="问题已处理，请您确认")
                if rng.random() < 0.5:  # the customer calls back before the survey: reopened by hand, same owner
                    services.transition_ticket(ticket, to="reopened", actor=desk, reason=rng.choice(w.complaints))
                    return
                score = rng.choice([1, 2])
                services.record_satisfaction(
                    ticket,
                    actor=desk,
                    score=score,
                    timeliness=score,
                    attitude=3,
                    effectiveness=score,
                    comment=rng.choice(w.complaints),
                )
        if target == "reopened" and rng.random() < 0.5:
            _second_processing(ticket, w, rng.choice(["engineer2", "techlead", "dev1"]))


def _second_processing(ticket: Ticket, w: Walker, new_owner: str) -> None:
    """二次处理: the manager hands the reopened ticket to someone else, who starts again."""
    if not w.later():
        return
    with w.at():
        services.transition_ticket(
            ticket, to="assigned", actor=w.users["manager"], owner=new_owner, note="客户不满意，转交二次处理"
        )
    if w.later() and w.rng.random() < 0.7:
        with w.at():
            services.transition_ticket(ticket, to="accepted", actor=w.users[new_owner])
            services.transition_ticket(ticket, to="in_progress", actor=w.users[new_owner], note="重新排查")


def _step(ticket, step, rng, boss, desk, owner) -> None:
    if step == "triaged":
        services.transition_ticket(ticket, to="triaged", actor=boss)
    elif step == "assigned":
        services.transition_ticket(ticket, to="assigned", actor=boss, owner=owner.username)
    elif step == "accepted":
        services.transition_ticket(ticket, to="accepted", actor=owner)
    elif step == "in_progress":
        services.transition_ticket(ticket, to="in_progress", actor=owner)
        services.add_reply(ticket, body=rng.choice(data.REPLIES), actor=desk, is_public=True)
        if rng.random() < 0.5:
            services.add_reply(ticket, body=rng.choice(data.NOTES), actor=owner, is_public=False)
        services.add_progress_update(ticket, body=rng.choice(data.PROGRESS), actor=owner, next_step="继续跟进")
    elif step == "resolved":
        cause, fix = rng.choice(data.ROOT_CAUSES)
        services.transition_ticket(
            ticket,
            to="resolved",
            actor=owner,
            root_cause=cause,
            solution=fix,
            result=rng.choice(["fully"] * 5 + ["partially", "returned_to_factory"]),
        )
    elif step == "notified":
        services.transition_ticket(
            ticket, to="notified", actor=desk, message="您好，问题已处理完毕，原因和方案如下，请确认。", method="phone"
        )
    elif step == "closed":
        score = rng.choice([5, 5, 5, 4, 4, 3])
        if rng.random() < 0.4:  # the customer answered the survey link: the loop closes itself
            from loopdesk.surveys.services import record_customer_verdict

            answers = {"timeliness": score, "attitude": rng.choice([4, 5]), "effectiveness": score}
            record_customer_verdict(
                ticket, solved=True, score=score, via="survey", answers=answers, comment=data.COMMENTS[score]
            )
            return
        services.record_satisfaction(
            ticket,
            actor=desk,
            score=score,
            timeliness=score,
            attitude=rng.choice([4, 5]),
            effectiveness=score,
            comment=data.COMMENTS[score],
        )
        services.transition_ticket(ticket, to="closed", actor=desk)


def create_tickets(rng: random.Random, users: dict[str, User], customers: list[Customer], count: int) -> None:
    targets = [t for t, weight in TARGETS for _ in range(weight)]
    categories = [c for c in Category.objects.filter(is_active=True).values_list("code", flat=True)]
    complaints = data.negative_lines()
    now = timezone.now()
    for i in range(count):
        category = categories[i % len(categories)] if i < len(categories) else rng.choice(categories)
        title, description, owner_name = rng.choice(data.FEEDBACK.get(category, data.FEEDBACK["other"]))
        if "complaint" in category or "experience" in category:
            description += "\n" + data.QUOTE + rng.choice(complaints)
        target = rng.choice(targets)
        days_back = rng.uniform(0.3, 8) if target in {"new", "triaged"} else rng.uniform(1, 60)
        received = now - dt.timedelta(days=days_back)
        customer = rng.choice(customers)
        asset = customer.assets.first()
        w = Walker(rng, users, received, complaints)
        with w.at():
            ticket = services.open_ticket(
                actor=users[rng.choice(["agent1", "agent2", "senior"])],
                customer=customer,
                asset=asset,
                channel=rng.choice(Channel.values),
                title=title,
                description=description,
                category=category,
                priority=rng.choice(["P1", "P2", "P2", "P3", "P3", "P3"]),
                tags=rng.sample(["支付", "指纹", "漏水", "配送", "账单", "固件", "态度", "退货"], k=rng.randint(0, 2)),
                demand=rng.choice(Demand.values),
                expected_timeline=rng.choice(["今天", "三天内", "本周内", ""]),
                impact_scope=rng.choice(["个人使用", "整个门店", "部分会员", ""]),
            )
        walk(ticket, target, w, users[owner_name])
        ticket.refresh_from_db()
        if ticket.status == "closed" and ticket.closed_at and ticket.closed_at < now - dt.timedelta(days=30):
            with time_machine.travel(ticket.closed_at + dt.timedelta(days=1), tick=False):
                services.archive_ticket(ticket, actor=users["supervisor"])


def _demo_callback_attempts(rng: random.Random) -> None:
    """A few open callbacks (回访) already had a call nobody answered."""
    from loopdesk.surveys.callbacks import record_callback_attempt
    from loopdesk.surveys.models import CallbackTask

    for task in CallbackTask.objects.filter(state=CallbackTask.State.OPEN).select_related("assignee")[:40]:
        if rng.random() < 0.3:
            record_callback_attempt(task, outcome="no_answer", actor=task.assignee, note="无人接听")


@transaction.atomic
def load_demo(*, seed: int = 2026, customers: int = 300, tickets: int = 400) -> list[tuple[str, str, str]]:
    """Fill an empty database; returns (username, password, role) of the demo users."""
    rng = random.Random(seed)  # noqa: S311 - demo data, deterministic on purpose
    users = create_users()
    people = create_customers(rng, customers)
    create_tickets(rng, users, people, tickets)
    _demo_callback_attempts(rng)
    create_demo_widget_site()
    configure_demo_routing()  # after the history, which was assigned by hand: new tickets are assigned automatically
    return [(u, p, r) for u, p, r, _d, _n in USERS]
