"""What each event adds to the counters, and how a ticket's counts move between dimensions."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loopdesk.reports.metrics import Dimensions, difference, event_counts, events_counts, merged, ticket_counts

UTC, SHANGHAI = dt.UTC, ZoneInfo("Asia/Shanghai")
RECEIVED = dt.datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai, 1 March
LATER = RECEIVED + dt.timedelta(hours=1, seconds=5.9)  # 00:30 on 2 March in Shanghai


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("resolved", {}, {"resolved": 1, "resolution_seconds": 3605}),
        ("closed", {"outcome": "confirmed"}, {"closed": 1, "closed_confirmed": 1}),
        ("closed", {"outcome": "no_response"}, {"closed": 1, "closed_no_response": 1}),
        ("closed", {}, {"closed": 1}),
        ("reopened", {"reason": "x"}, {"reopened": 1}),
        ("sla_breached", {"level": 2}, {"breached": 1}),
        ("satisfaction_recorded", {"score": 2}, {"satisfaction_count": 1, "satisfaction_sum": 2, "dissatisfied": 1}),
        ("satisfaction_recorded", {"score": 3}, {"satisfaction_count": 1, "satisfaction_sum": 3, "dissatisfied": 0}),
        ("satisfaction_recorded", {}, {}),
        ("replied", {}, {}),
        ("created", {}, {}),
    ],
)
def test_event_counts(kind, data, expected):
    assert {k: v for k, v in event_counts(kind, data, LATER, RECEIVED).items() if v or k in expected} == expected


def test_days_are_local_days():
    counts = ticket_counts(Dimensions(RECEIVED, 1, 2), [("resolved", {}, LATER)], SHANGHAI)

    assert counts[(dt.date(2026, 3, 1), 1, 2)] == {"opened": 1}
    assert counts[(dt.date(2026, 3, 2), 1, 2)]["resolved"] == 1


def test_moving_a_ticket_subtracts_under_the_old_dimensions_and_adds_under_the_new():
    events = [("resolved", {}, LATER)]
    old = ticket_counts(Dimensions(RECEIVED, 1, 2), events, SHANGHAI)
    new = ticket_counts(Dimensions(RECEIVED, 1, 5), events + [("reopened", {}, LATER)], SHANGHAI)

    moved = difference(new, old)

    day1, day2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
    assert moved[(day1, 1, 2)] == {"opened": -1}
    assert moved[(day1, 1, 5)] == {"opened": 1}
    assert moved[(day2, 1, 2)] == {"resolved": -1, "resolution_seconds": -3605}
    assert moved[(day2, 1, 5)] == {"resolved": 1, "resolution_seconds": 3605, "reopened": 1}


def test_nothing_changes_when_nothing_moved():
    counts = ticket_counts(Dimensions(RECEIVED, 1, 2), [("closed", {}, LATER)], SHANGHAI)

    assert difference(counts, counts) == {}


def test_the_events_of_one_call_add_without_a_second_receipt():
    events = [("created", {}, RECEIVED), ("routed", {}, RECEIVED), ("resolved", {}, LATER), ("reopened", {}, LATER)]

    counts = events_counts(Dimensions(RECEIVED, 1, 2), events, SHANGHAI)

    assert counts == {(dt.date(2026, 3, 2), 1, 2): {"resolved": 1, "resolution_seconds": 3605, "reopened": 1}}


def test_merged_sums_the_changes_of_several_tickets_and_drops_what_cancels_out():
    day = dt.date(2026, 3, 2)
    parts = [{(day, 1, 2): {"opened": 1, "resolved": 1}}, {(day, 1, 2): {"opened": -1}, (day, 1, 5): {"opened": 1}}]

    assert merged(parts) == {(day, 1, 2): {"resolved": 1}, (day, 1, 5): {"opened": 1}}
    assert merged([{(day, 1, 2): {"opened": 1}}, {(day, 1, 2): {"opened": -1}}]) == {}
