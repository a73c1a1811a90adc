"""Walk a ticket through the closed loop with the real services (tests and demo data share it)."""

from __future__ import annotations

from loopdesk.customers.models import Customer
from loopdesk.tickets import services
from loopdesk.tickets.models import Ticket

LOOP = ["new", "triaged", "assigned", "accepted", "in_progress", "resolved", "notified", "closed"]


def walk_ticket_to(
    status: str, *, supervisor, engineer, agent, customer: Customer | None = None, score: int = 5, **open_kwargs
) -> Ticket:
    """Open a ticket as `agent` and perform each step of the loop up to `status` (in LOOP order)."""
    if customer is None:
        from loopdesk.customers.services import register_customer

        customer = register_customer(name="王五", phone="13900001111")
    defaults = {
        "channel": "phone",
        "title": "支付失败",
        "description": "APP 支付时提示网络错误",
        "category": "software_problem",
        "priority": "P2",
    }
    ticket = services.open_ticket(actor=agent, customer=customer, **(defaults | open_kwargs))
    steps = {
        "triaged": lambda t: services.transition_ticket(t, to="triaged", actor=supervisor),
        "assigned": lambda t: services.transition_ticket(t, to="assigned", actor=supervisor, owner=engineer.username),
        "accepted": lambda t: services.transition_ticket(t, to="accepted", actor=engineer),
        "in_progress": lambda t: services.transition_ticket(t, to="in_progress", actor=engineer),
        "resolved": lambda t: services.transition_ticket(
            t, to="resolved", actor=engineer, root_cause="证书过期", solution="更新证书", result="fully"
        ),
        "notified": lambda t: services.transition_ticket(t, to="notified", actor=agent, message="已修复，请重试"),
        "closed": lambda t: _close(t, agent, score),
    }
    for step in LOOP[1 : LOOP.index(status) + 1]:
        ticket = steps[step](ticket)
    return ticket


def _close(ticket: Ticket, agent, score: int) -> Ticket:
    services.record_satisfaction(
        ticket, actor=agent, score=score, timeliness=score, attitude=score, effectiveness=score, comment="满意"
    )
    return services.transition_ticket(ticket, to="closed", actor=agent)
