"""The demo fills an empty database with tickets in every state, and refuses a non-empty one."""

import pytest
from django.core.management import call_command

from loopdesk.accounts.models import User
from loopdesk.customers.models import Customer
from loopdesk.routing.models import MemberProfile
from loopdesk.tickets import demo_data, services
from loopdesk.tickets.models import Category, Channel, Ticket
from loopdesk.tickets.workflow import Status


@pytest.mark.django_db
def test_demo_covers_every_status_and_channel(capsys):
    call_command("load_demo", tickets=150, customers=40)

    assert set(Ticket.objects.values_list("status", flat=True)) == {s.value for s in Status}
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Ticket.objects.filter(is_archived=True).exists()
    assert Ticket.objects.filter(reopen_count__gt=0).exists()
    assert "demo-Supervisor-2026" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_if_empty_leaves_existing_data_alone(walk_ticket, capsys):
    walk_ticket("new")
    call_command("load_demo", if_empty=True)
    assert Ticket.objects.count() == 1
    assert "not loaded" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_uses_every_category_of_the_active_preset():
    # given the seed 004's categories are active
    call_command("setup_presets", categories="004")
    # when the demo loads
    call_command("load_demo", tickets=30, customers=10)
    # then every ticket has an active category and each one is used
    active = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    assert set(Ticket.objects.values_list("category__code", flat=True)) == active


def test_demo_texts_fall_back_when_the_corpus_is_absent(tmp_path):
    assert demo_data.negative_lines(str(tmp_path / "missing.txt")) == demo_data.BUILTIN_NEGATIVE


@pytest.mark.django_db
def test_after_the_demo_new_tickets_are_assigned_automatically():
    # given the demo, with technical support on skills and 王工 covering robot vacuums
    call_command("load_demo", tickets=30, customers=10)
    desk = User.objects.get(username="agent1")
    customer = Customer.objects.first()
    # when a hardware fault about a robot vacuum is registered
    ticket = services.open_ticket(
        actor=desk, customer=customer, channel="phone", title="扫地机器人无法充电", description="指示灯不亮",
        category="hardware_fault", priority="P2",
    )  # fmt: skip
    # then it goes to 王工 by skills (product line), not to the on-leave 吴客服 or the queue
    ticket.refresh_from_db()
    assert ticket.owner.username == "engineer2" and ticket.status == "assigned"
    assert "扫地机器人" in MemberProfile.objects.get(user__username="engineer2").product_lines
    assert MemberProfile.objects.get(user__username="agent2").is_away
