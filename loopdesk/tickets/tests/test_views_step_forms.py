"""The ticket page shows each step as a button and fetches its form when the agent opens it (GET step_form)."""

import pytest
from django.urls import reverse

from loopdesk.tickets import services
from loopdesk.tickets.models import Ticket

EVENTS = 50
TEMPLATES_PER_PAGE = 45  # was ~175 while every step's form was rendered with the page


def form_url(ticket, step):
    return reverse("tickets:step_form", args=[ticket.number]) + f"?step={step}"


def htmx_get(client, url, **headers):
    return client.get(url, HTTP_HX_REQUEST="true", **headers)


@pytest.fixture
def ui(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture
def long_ticket(walk_ticket, supervisor, engineer, agent):
    """A ticket in progress with a timeline of at least 50 events by different people."""
    ticket = walk_ticket("in_progress")
    people = [supervisor, engineer, agent]
    while ticket.events.count() < EVENTS:
        n = ticket.events.count()
        services.add_reply(ticket, body=f"回复 {n}", actor=people[n % 3], is_public=n % 2 == 0)
        services.add_progress_update(ticket, body=f"进度 {n}", actor=engineer, next_step="继续")
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.django_db
def test_the_page_renders_buttons_and_no_step_form(ui, long_ticket):
    response = ui.get(reverse("tickets:detail", args=[long_ticket.number]))

    page = response.content.decode()
    assert response.status_code == 200 and page.count("回复 ") >= 10
    for step in ["assigned", "waiting_customer", "resolved", "priority", "onsite", "reply", "progress"]:
        assert f'data-testid="action-{step}"' in page and f'hx-get="{form_url(long_ticket, step)}"' in page
    assert "/transition/" not in page and 'name="t-resolved-root_cause"' not in page
    assert "tickets/_step_form.html" not in [t.name for t in response.templates]
    assert len(response.templates) <= TEMPLATES_PER_PAGE


@pytest.mark.django_db
def test_opening_a_step_fetches_its_form(ui, long_ticket):
    response = htmx_get(ui, form_url(long_ticket, "resolved"))

    part = response.content.decode()
    assert response.status_code == 200 and "<html" not in part
    assert f'action="{reverse("tickets:transition", args=[long_ticket.number, "resolved"])}"' in part
    for name in ["version", "root_cause", "solution", "result"]:
        assert f'name="t-resolved-{name}"' in part
    assert f'value="{long_ticket.version}"' in part and "确认" in part


@pytest.mark.django_db
def test_a_step_form_starts_from_the_ticket_and_speaks_the_users_language(ui, long_ticket, engineer):
    response = htmx_get(ui, form_url(long_ticket, "assigned"), HTTP_ACCEPT_LANGUAGE="en")

    part = response.content.decode()
    assert "Owner" in part and "Confirm" in part
    assert f'<option value="{engineer.username}" selected>' in part


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "field"),
    [("reply", "body"), ("progress", "next_step"), ("priority", "reason"), ("onsite", "note")],
)
def test_the_side_steps_are_fetched_too(ui, long_ticket, step, field):
    part = htmx_get(ui, form_url(long_ticket, step)).content.decode()

    assert f'action="{reverse(f"tickets:{step}", args=[long_ticket.number])}"' in part
    assert f'name="{field}"' in part


@pytest.mark.django_db
def test_without_htmx_the_page_comes_with_that_form_open(ui, long_ticket):
    response = ui.get(form_url(long_ticket, "resolved"))

    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert 'name="t-resolved-root_cause"' in page and page.count('<details class="action" open>') == 1


@pytest.mark.django_db
def test_a_ticket_one_may_not_see_is_404(client, engineer, walk_ticket):
    ticket = walk_ticket("new")
    client.force_login(engineer)

    assert htmx_get(client, form_url(ticket, "reply")).status_code == 404


@pytest.mark.django_db
def test_a_step_one_may_not_perform_is_403(client, agent, walk_ticket):
    ticket = walk_ticket("new")
    client.force_login(agent)

    assert htmx_get(client, form_url(ticket, "triaged")).status_code == 403  # agents do not classify
    assert htmx_get(client, form_url(ticket, "priority")).status_code == 403
    assert htmx_get(client, form_url(ticket, "reply")).status_code == 200


@pytest.mark.django_db
def test_a_step_not_open_in_this_status_is_403_and_an_unknown_one_404(ui, walk_ticket):
    ticket = walk_ticket("new")

    assert htmx_get(ui, form_url(ticket, "closed")).status_code == 403
    assert htmx_get(ui, form_url(ticket, "bogus")).status_code == 404
    assert htmx_get(ui, reverse("tickets:step_form", args=[ticket.number])).status_code == 404


@pytest.mark.django_db
def test_a_rejected_step_comes_back_open_with_its_input_and_errors(ui, long_ticket):
    url = reverse("tickets:transition", args=[long_ticket.number, "resolved"])
    data = {
        "t-resolved-version": long_ticket.version,
        "t-resolved-root_cause": "我写的根因",
        "t-resolved-result": "fully",
    }

    response = ui.post(url, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "我写的根因" in page and "此项为必填项。" in page
    assert page.count('<details class="action" open>') == 1 and 'name="t-resolved-solution"' in page
    assert 'name="t-assigned-owner"' not in page  # the other steps stay buttons


@pytest.mark.django_db
def test_a_rejected_reply_comes_back_open_with_its_input(ui, long_ticket):
    url = reverse("tickets:reply", args=[long_ticket.number])

    response = ui.post(url, {"body": "", "is_public": "0", "proposes_plan": "on"}, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 400 and "This field is required." in page
    assert '<option value="0" selected>' in page and 'name="proposes_plan" id="id_proposes_plan" checked' in page
