"""The pure survey rules: scales, threshold, reminder schedule, callback give-up, fair choice."""

import datetime as dt

import pytest

from loopdesk.surveys import scale

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("variant", "answer", "stored"),
    [
        ("five", "5", 5),
        ("five", 1, 1),
        ("five", "3", 3),
        ("five", "0", None),
        ("five", "6", None),
        ("five", "x", None),
        ("five", None, None),
        ("five", "-1", None),
        ("three", "5", 5),
        ("three", "3", 3),
        ("three", "1", 1),
        ("three", "4", None),  # not one of 满意/基本满意/不满意
        ("three", "2", None),
    ],
)
def test_stored_score(variant, answer, stored):
    assert scale.stored_score(variant, answer) == stored


def test_choices_are_best_first_and_three_level_is_5_3_1():
    assert [v for v, _label in scale.choices("five")] == [5, 4, 3, 2, 1]
    assert [v for v, _label in scale.choices("three")] == [5, 3, 1]


@pytest.mark.parametrize(
    ("score", "threshold", "unsatisfied"),
    [
        (1, 2, True),
        (2, 2, True),
        (3, 2, False),
        (5, 2, False),
        (3, 3, True),
        (4, 3, False),
        (1, 1, True),
        (3, 1, False),
    ],
)
def test_threshold(score, threshold, unsatisfied):
    assert scale.is_unsatisfied(score, threshold) is unsatisfied


@pytest.mark.parametrize(
    ("count", "interval", "expected_days"),
    [(2, 3, [3, 6]), (0, 3, []), (1, 7, [7]), (3, 1, [1, 2, 3]), (2, 0, [])],
)
def test_reminder_times(count, interval, expected_days):
    times = scale.reminder_times(T0, count=count, interval_days=interval)
    assert times == [T0 + dt.timedelta(days=d) for d in expected_days]


@pytest.mark.parametrize(
    ("days_later", "sent", "due"),
    [(0, 0, 0), (2.9, 0, 0), (3, 0, 1), (4, 1, 0), (6, 1, 1), (7, 0, 2), (30, 2, 0)],
)
def test_reminders_due(days_later, sent, due):
    now = T0 + dt.timedelta(days=days_later)
    assert scale.reminders_due(T0, count=2, interval_days=3, sent=sent, now=now) == due


@pytest.mark.parametrize(
    ("count", "interval", "close_after", "expected_days"),
    [(2, 3, 10, 10), (2, 3, 4, 6), (0, 3, 5, 5), (3, 5, 1, 15)],
)
def test_no_response_never_before_the_last_reminder(count, interval, close_after, expected_days):
    at = scale.no_response_at(T0, count=count, interval_days=interval, close_after_days=close_after)
    assert at == T0 + dt.timedelta(days=expected_days)


@pytest.mark.parametrize(
    ("outcomes", "max_failed", "unreachable"),
    [
        ([], 3, False),
        (["no_answer"], 3, False),
        (["no_answer", "call_later", "no_answer"], 3, False),
        (["no_answer", "no_answer", "no_answer"], 3, True),
        (["call_later", "call_later", "call_later", "call_later"], 3, False),
        (["wrong_number"], 3, True),
        (["no_answer"], 1, True),
    ],
)
def test_unreachable(outcomes, max_failed, unreachable):
    assert scale.is_unreachable(outcomes, max_failed=max_failed) is unreachable


@pytest.mark.parametrize(
    ("loads", "chosen"),
    [([], None), ([(1, 2, "a"), (2, 0, "b")], 2), ([(1, 1, "b"), (2, 1, "a")], 2), ([(7, 0, "x")], 7)],
)
def test_fairest_agent(loads, chosen):
    assert scale.fairest_agent(loads) == chosen
