"""The demo fills an empty database with tickets in every state, and refuses a non-empty one."""

import pytest
from django.core.management import call_command

from loopdesk.tickets.models import Channel, Ticket
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
