"""The weekly statistics page: a table of weeks × categories for report readers, errors on the page."""

import datetime as dt

import pytest
from django.urls import reverse

from loopdesk.reports.services import add_to_daily_stats
from loopdesk.tickets.models import Category

URL = reverse("reports:weekly")


@pytest.fixture
def counted(db):
    hardware = Category.objects.get(code="hardware_fault")
    add_to_daily_stats({(dt.date(2026, 3, 3), hardware.pk, 0): {"opened": 7, "resolved": 3}})


@pytest.mark.django_db
def test_the_page_shows_weeks_and_categories(client, supervisor, counted, django_assert_max_num_queries):
    client.force_login(supervisor)

    with django_assert_max_num_queries(12):
        response = client.get(URL, {"from": "2026-03-02", "to": "2026-03-22"}, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert "2026-W10" in html and "2026-W12" in html and "Hardware fault" in html
    assert 'data-testid="reports-link"' in html
    assert ">7 <span" in html


@pytest.mark.django_db
def test_htmx_gets_only_the_table(client, supervisor, counted):
    client.force_login(supervisor)

    response = client.get(URL, {"from": "2026-03-02", "to": "2026-03-08"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"<html" not in response.content and b'data-testid="weekly-categories"' in response.content


@pytest.mark.django_db
def test_a_bad_period_is_a_400_with_the_reason(client, supervisor):
    client.force_login(supervisor)

    response = client.get(URL, {"from": "2026-03-09", "to": "2026-03-02"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert b"The start date is after the end date." in response.content


@pytest.mark.django_db
def test_the_default_period_is_the_last_eight_weeks(client, supervisor):
    client.force_login(supervisor)

    response = client.get(URL)

    assert response.status_code == 200 and response.content.count(b"-W") >= 8


@pytest.mark.django_db
def test_agents_get_403_and_no_link(client, agent):
    client.force_login(agent)

    assert client.get(URL).status_code == 403
    assert b"reports-link" not in client.get(reverse("tickets:inbox")).content
