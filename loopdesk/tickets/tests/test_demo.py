"""The demo fills an empty database with tickets in every state, and refuses a non-empty one."""

import pytest
from django.core.management import call_command

from loopdesk.tickets import demo_data
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
