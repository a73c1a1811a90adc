"""open_ticket: registration numbers the ticket, stores the details and records CREATED."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from loopdesk.core.errors import ValidationFailed
from loopdesk.testing.factories import AssetFactory, CustomerFactory, OrderFactory
from loopdesk.tickets import services
from loopdesk.tickets.models import Ticket, TicketEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = {
    "channel": "phone",
    "title": "门锁指纹识别失败",
    "description": "指纹多次识别失败",
    "category": "hardware_fault",
}


@pytest.mark.django_db
def test_opening_numbers_the_ticket_and_records_created(agent, customer):
    # given a morning in Shanghai
    with time_machine.travel(dt.datetime(2024, 3, 15, 10, 17, 42, tzinfo=SHANGHAI), tick=False):
        # when two tickets are registered
        first = services.open_ticket(actor=agent, customer=customer, priority="P1", tags="指纹，门锁, 指纹", **BASE)
        second = services.open_ticket(actor=agent, customer=customer, **BASE)
    # then they get dense numbers of that day and the feedback time to the minute
    assert (first.number, second.number) == ("P20240315001", "P20240315002")
    assert first.status == "new" and first.priority.code == "P1" and first.category.code == "hardware_fault"
    assert first.received_at == dt.datetime(2024, 3, 15, 10, 17, tzinfo=SHANGHAI)
    assert sorted(first.tags.values_list("name", flat=True)) == ["指纹", "门锁"]
    assert first.created_by == agent and first.version == 1
    event, routed = first.events.order_by("id")
    assert routed.kind == TicketEvent.Kind.ROUTED and routed.data["rules"][0]["name"].startswith("硬件故障")
    assert (event.kind, event.actor, event.to_status, event.data) == (
        TicketEvent.Kind.CREATED,
        agent,
        "new",
        {"channel": "phone"},
    )


@pytest.mark.django_db
def test_the_day_of_the_number_is_the_local_day(agent, customer):
    # given 00:30 in Shanghai, still the previous day in UTC
    with time_machine.travel(dt.datetime(2024, 3, 15, 16, 30, tzinfo=dt.UTC), tick=False):
        ticket = services.open_ticket(actor=agent, customer=customer, **BASE)
    assert ticket.number == "P20240316001"


@pytest.mark.django_db
def test_details_and_product_are_stored(agent):
    # given a customer with a product and an order
    asset = AssetFactory()
    order = OrderFactory(customer=asset.customer)
    # when the agent records the problem details
    ticket = services.open_ticket(
        actor=agent,
        customer=asset.customer,
        asset=asset,
        order=order,
        frequency="每天",
        demand="repair",
        expected_timeline="三天内",
        occurred_at=None,
        **BASE,
    )
    # then they are on the ticket
    ticket.refresh_from_db()
    assert (ticket.asset, ticket.order, ticket.frequency, ticket.demand) == (asset, order, "每天", "repair")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"category": "nope"}, "category"),
        ({"priority": "P9"}, "priority"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"colour": "red"}, "colour"),
        ({"demand": "free_money"}, "demand"),
        ({"occurred_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}, "occurred_at"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_written(agent, customer, change, field):
    with pytest.raises(ValidationFailed) as error:
        services.open_ticket(actor=agent, customer=customer, **(BASE | change))
    assert field in error.value.fields
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["asset", "order"])
def test_another_customers_product_or_order_is_refused(agent, customer, kind):
    other = CustomerFactory()
    foreign = AssetFactory(customer=other) if kind == "asset" else OrderFactory(customer=other)
    with pytest.raises(ValidationFailed) as error:
        services.open_ticket(actor=agent, customer=customer, **{kind: foreign}, **BASE)
    assert kind in error.value.fields
