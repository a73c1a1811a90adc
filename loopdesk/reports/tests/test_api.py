"""GET /api/v1/reports/weekly-categories: weeks × categories from the daily table, for report readers only."""

import datetime as dt

import pytest

from loopdesk.accounts.models import Department
from loopdesk.reports.services import add_to_daily_stats
from loopdesk.testing.factories import UserFactory
from loopdesk.tickets.models import Category

URL = "/api/v1/reports/weekly-categories"


@pytest.fixture
def stats(db):
    """Two ISO weeks of counts: hardware 3 + 1 in week 10 (support, cs), software 1 in week 11."""
    hardware, software = Category.objects.get(code="hardware_fault"), Category.objects.get(code="software_problem")
    support, cs = Department.objects.get(code="support"), Department.objects.get(code="cs")
    add_to_daily_stats(
        {
            (dt.date(2026, 3, 2), hardware.pk, support.pk): {"opened": 3, "resolved": 2, "resolution_seconds": 7200},
            (dt.date(2026, 3, 8), hardware.pk, cs.pk): {"opened": 1, "reopened": 1, "breached": 1},
            (dt.date(2026, 3, 9), software.pk, support.pk): {
                "opened": 1,
                "satisfaction_count": 2,
                "satisfaction_sum": 7,
                "dissatisfied": 1,
            },
            (dt.date(2026, 3, 20), software.pk, support.pk): {"opened": 50},  # outside the period asked
        }
    )


def cell(row, code):
    return next(c for c in row["cells"] if c["category"] == code)


@pytest.mark.django_db
def test_weeks_by_category_with_shares_and_totals(api_client, supervisor, stats):
    response = api_client(supervisor).get(URL, {"from": "2026-03-02", "to": "2026-03-15"})

    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["department"]) == ("2026-03-02", "2026-03-15", None)
    assert [w["week"] for w in body["weeks"]] == ["2026-W10", "2026-W11"]
    first, second = body["weeks"]
    assert cell(first, "hardware_fault")["opened"] == 4 and cell(first, "hardware_fault")["share"] == 1.0
    assert cell(first, "hardware_fault")["avg_resolution_hours"] == 1.0
    assert (first["total"]["reopened"], first["total"]["breached"]) == (1, 1)
    assert cell(second, "software_problem")["avg_satisfaction"] == 3.5 and second["total"]["opened"] == 1
    assert body["total"]["opened"] == 5 and cell(body, "hardware_fault")["share"] == 0.8
    assert {"code": "hardware_fault", "label": "Hardware fault"} in body["categories"]


@pytest.mark.django_db
def test_a_department_and_a_partial_week(api_client, supervisor, stats):
    body = api_client(supervisor).get(URL, {"from": "2026-03-04", "to": "2026-03-09", "department": "cs"}).json()

    assert [(w["week"], w["start"], w["end"]) for w in body["weeks"]] == [
        ("2026-W10", "2026-03-04", "2026-03-08"),
        ("2026-W11", "2026-03-09", "2026-03-09"),
    ]
    assert body["department"] == "cs" and body["total"]["opened"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"from": "2024-01-01", "to": "2026-01-02"}, "to"),
        ({"from": "2026-03-01", "to": "2026-03-02", "department": "nope"}, "department"),
        ({"from": "2026-03-01", "to": "2026-03-02", "sort": "x"}, "sort"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, supervisor, params, field):
    response = api_client(supervisor).get(URL, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error" and field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_errors_speak_the_callers_language(api_client, supervisor):
    params = {"from": "2026-03-01", "to": "2026-03-02", "week": "1"}
    zh = api_client(supervisor, language="zh-hans").get(URL, params)
    en = api_client(supervisor, language="en").get(URL, params)

    assert (zh.status_code, en.status_code) == (400, 400)
    assert zh.json()["error"]["message"] == "存在未知的查询参数。"
    assert en.json()["error"]["message"] == "Unknown query parameters."


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "engineer", "senior_agent"])
def test_only_report_readers_may_ask(api_client, role):
    user = UserFactory(username=f"r-{role}", role=role)

    response = api_client(user).get(URL, {"from": "2026-03-02", "to": "2026-03-15"})

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["quality_manager", "service_director", "admin"])
def test_managers_and_quality_may_read_reports(api_client, role):
    user = UserFactory(username=f"r-{role}", role=role)

    assert api_client(user).get(URL, {"from": "2026-03-02", "to": "2026-03-15"}).status_code == 200


@pytest.mark.django_db
def test_a_year_costs_the_same_few_queries_as_a_week(api_client, supervisor, stats, django_assert_max_num_queries):
    client = api_client(supervisor)
    client.get(URL, {"from": "2026-03-02", "to": "2026-03-08"})  # token and permission caches warm

    with django_assert_max_num_queries(6):
        year = client.get(URL, {"from": "2025-03-10", "to": "2026-03-15", "department": "support"})

    assert year.status_code == 200 and len(year.json()["weeks"]) == 53
