"""SLA on screens: badges in the inbox, clocks on the ticket page, the at-risk view, the admin."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from loopdesk.sla.models import BusinessCalendar, SlaPolicy, SlaPolicyRevision, WorkingPeriod
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets import services as tickets

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def ticket(agent, customer):
    with time_machine.travel(at(2025, 3, 4, 10, 0), tick=False):
        return tickets.open_ticket(
            actor=agent, customer=customer, channel="phone", title="不脱水", description="d", priority="P2"
        )


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_inbox_rows_show_the_sla_badge_and_sort_by_next_due(client, supervisor, ticket, django_assert_max_num_queries):
    client.force_login(supervisor)
    with time_machine.travel(at(2025, 3, 4, 14, 30), tick=False):
        page = client.get("/", {"sort": "due"}).content.decode()
    assert 'data-tone="warning"' in page and "0h30m" in page


def test_the_inbox_badges_cost_one_query_per_page(client, supervisor, agent, customer, django_assert_num_queries):
    def open_some(n):
        for _ in range(n):
            tickets.open_ticket(
                actor=agent, customer=customer, channel="phone", title="t", description="d", priority="P3"
            )

    def queries() -> list[str]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    client.force_login(supervisor)
    open_some(3)
    queries()  # warm the compiled calendar cache
    few = queries()
    open_some(10)
    many = queries()
    # then the badges of the whole page come from one query, however many rows it shows
    assert len(many) == len(few)
    assert sum("sla_slaclock" in sql for sql in many) == 1


def test_the_ticket_page_lists_every_clock(client, supervisor, ticket):
    client.force_login(supervisor)
    with time_machine.travel(at(2025, 3, 4, 16, 0), tick=False):
        page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-testid="sla-clocks"' in page
    assert 'data-milestone="resolution"' in page and 'data-tone="breached"' in page  # first response overdue


def test_a_supervisor_changes_the_priority_from_the_ticket_page(client, supervisor, ticket):
    client.force_login(supervisor)
    response = client.post(reverse("tickets:priority", args=[ticket.number]), {"priority": "P1", "reason": "停产"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority.code == "P1"


def test_a_refused_priority_change_keeps_the_input(client, supervisor, ticket):
    client.force_login(supervisor)
    response = client.post(reverse("tickets:priority", args=[ticket.number]), {"priority": "P2", "reason": "原因说明"})
    assert response.status_code == 400
    assert "原因说明" in response.content.decode()


def test_the_at_risk_view_lists_breached_clocks_for_supervisors_only(client, supervisor, agent, ticket):
    client.force_login(supervisor)
    with time_machine.travel(at(2025, 3, 4, 16, 0), tick=False):
        page = client.get(reverse("sla:at_risk")).content.decode()
    assert ticket.number in page
    client.force_login(agent)
    assert client.get(reverse("sla:at_risk")).status_code == 403


def test_the_at_risk_view_warns_about_unconfirmed_calendar_years(client, supervisor):
    client.force_login(supervisor)
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        page = client.get(reverse("sla:at_risk")).content.decode()
    assert 'data-testid="calendar-warning"' in page and "2027" in page


def test_the_admin_previews_a_due_time(client, root):
    client.force_login(root)
    response = client.get(reverse("admin:sla_slapolicy_preview"), {"priority": "P2", "received_at": "2026-09-30T17:40"})
    assert response.status_code == 200
    assert "2026-10-08 13:40" in response.content.decode()


def test_the_admin_rejects_overlapping_working_hours(client, root):
    client.force_login(root)
    calendar = BusinessCalendar.objects.get(code="cn_workday")
    periods = list(calendar.periods.all())
    data = {
        "code": calendar.code,
        "name": calendar.name,
        "name_en": calendar.name_en,
        "timezone": "Asia/Shanghai",
        "holiday_source": "cn",
        "makeup_weekday": "0",
        "periods-TOTAL_FORMS": str(len(periods) + 1),
        "periods-INITIAL_FORMS": str(len(periods)),
        "dates-TOTAL_FORMS": "0",
        "dates-INITIAL_FORMS": "0",
        "confirmed_years-TOTAL_FORMS": "0",
        "confirmed_years-INITIAL_FORMS": "0",
    }
    for i, p in enumerate(periods):
        data |= {
            f"periods-{i}-id": str(p.pk),
            f"periods-{i}-calendar": str(calendar.pk),
            f"periods-{i}-weekday": str(p.weekday),
            f"periods-{i}-starts_at": p.starts_at.strftime("%H:%M"),
            f"periods-{i}-ends_at": p.ends_at.strftime("%H:%M"),
        }
    n = len(periods)
    data |= {f"periods-{n}-weekday": "0", f"periods-{n}-starts_at": "11:00", f"periods-{n}-ends_at": "14:00"}
    response = client.post(reverse("admin:sla_businesscalendar_change", args=[calendar.pk]), data)
    assert response.status_code == 200  # the form comes back
    assert "overlaps" in response.content.decode()
    assert WorkingPeriod.objects.filter(calendar=calendar).count() == n
    data["timezone"] = "Mars/Olympus"
    assert (
        "Mars/Olympus"
        in client.post(reverse("admin:sla_businesscalendar_change", args=[calendar.pk]), data).content.decode()
    )


def test_saving_a_policy_in_the_admin_publishes_a_revision(client, root):
    client.force_login(root)
    policy = SlaPolicy.objects.get(code="preset-001")
    url = reverse("admin:sla_slapolicy_change", args=[policy.pk])
    form = client.get(url).context["adminform"].form
    targets = list(policy.targets.all())
    data = {
        "code": policy.code,
        "name": policy.name,
        "is_active": "on",
        "pausing_statuses": ["waiting_customer"],
        "preset": policy.preset,
        "channel": "",
        "customer_tier": "",
        "targets-TOTAL_FORMS": str(len(targets)),
        "targets-INITIAL_FORMS": str(len(targets)),
        "escalations-TOTAL_FORMS": "0",
        "escalations-INITIAL_FORMS": str(policy.escalations.count()),
    }
    assert form is not None
    for i, t in enumerate(targets):
        minutes = 30 if (t.priority.code, t.milestone) == ("P2", "first_response") else t.target_minutes
        data |= {
            f"targets-{i}-id": str(t.pk),
            f"targets-{i}-policy": str(policy.pk),
            f"targets-{i}-priority": str(t.priority_id),
            f"targets-{i}-milestone": t.milestone,
            f"targets-{i}-target_minutes": str(minutes),
            f"targets-{i}-calendar": str(t.calendar_id),
            f"targets-{i}-warn_percent": str(t.warn_percent),
        }
    for i, e in enumerate(policy.escalations.all()):
        data |= {
            f"escalations-{i}-id": str(e.pk),
            f"escalations-{i}-policy": str(policy.pk),
            f"escalations-{i}-level": str(e.level),
            f"escalations-{i}-role": e.role,
            f"escalations-{i}-delay_minutes": str(e.delay_minutes),
        }
    data["escalations-TOTAL_FORMS"] = str(policy.escalations.count())
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = SlaPolicyRevision.objects.filter(policy=policy).order_by("-number").first()
    assert latest.number == 2
    assert latest.definition["targets"]["P2"]["first_response"]["minutes"] == 30


def test_the_admin_confirms_the_next_year_without_official_data(client, root):
    client.force_login(root)
    calendars = BusinessCalendar.objects.filter(code__in=["cn_workday", "24x7"]).order_by("code")
    response = client.post(
        reverse("admin:sla_businesscalendar_changelist"),
        {"action": "confirm_next_year", "_selected_action": [c.pk for c in calendars]},
        follow=True,
    )
    page = response.content.decode()
    assert list(BusinessCalendar.objects.get(code="cn_workday").confirmed_years.values_list("year", flat=True)) == [
        2027
    ]
    assert "2027" in page  # confirmed for the working calendar; the 24×7 one is refused with the reason
    assert not BusinessCalendar.objects.get(code="24x7").confirmed_years.exists()
