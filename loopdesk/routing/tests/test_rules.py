"""Conditions, first-match-wins with continue, rule-set checks and explanations. Pure."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.routing.rules import (
    Actions,
    Condition,
    Rule,
    continue_cycle,
    describe,
    evaluate,
    explain,
    holds,
    never_matches,
    parse_time_range,
    rule_match,
    ruleset_problems,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


KNOWN = {
    "category": ["hardware", "software", "complaint"],
    "priority": ["P1", "P2", "P3"],
    "channel": ["phone", "email"],
}
FACTS = {
    "trigger": "classified",
    "category": "hardware",
    "priority": "P2",
    "channel": "phone",
    "customer_tier": "vip",
    "weekday": "3",
    "customer_industry": "餐饮",
    "product": "滚筒洗衣机",
    "model": "XQG100-14",
    "text": "洗衣机不脱水，排水泵有异响 E21",
    "tags": ("退款", "Urgent"),
    "time_of_day": 14 * 60 + 30,
    "in_business_hours": True,
    "involves_staff": False,
    "is_major_complaint": False,
    "is_reopened": False,
}


def rule(id, *conditions, position=None, match_all=True, continues=False, continue_at=None, **actions):
    return Rule(
        id=id,
        name=f"r{id}",
        position=id if position is None else position,
        conditions=tuple(Condition(*c) for c in conditions),
        match_all=match_all,
        continues=continues,
        continue_at=continue_at,
        actions=Actions(**actions) if actions else Actions(department="cs"),
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("category", "eq", "hardware"), True),
        (("category", "eq", "HARDWARE"), True),
        (("category", "ne", "hardware"), False),
        (("category", "in", "software, hardware"), True),
        (("category", "in", ["software", "complaint"]), False),
        (("category", "not_in", "software，complaint"), True),
        (("priority", "eq", "P1"), False),
        (("customer_industry", "contains", "餐"), True),
        (("model", "contains", "xqg100"), True),
        (("model", "contains", ""), False),
        (("text", "contains_any", "不脱水, 漏水"), True),
        (("text", "contains_any", "漏水, 不通电"), False),
        (("text", "contains_none", "漏水"), True),
        (("text", "contains_none", "e21"), False),
        (("tags", "has_any", "urgent"), True),
        (("tags", "has_all", "退款, urgent"), True),
        (("tags", "has_all", "退款, 投诉"), False),
        (("tags", "has_none", "投诉"), True),
        (("time_of_day", "between", "09:00-18:00"), True),
        (("time_of_day", "between", "18:00-09:00"), False),
        (("time_of_day", "between", "14:30-14:31"), True),
        (("time_of_day", "between", "14:00-14:30"), False),
        (("in_business_hours", "is_true", None), True),
        (("involves_staff", "is_true", None), False),
        (("is_major_complaint", "is_false", None), True),
        (("weekday", "in", "1,2,3,4,5"), True),
    ],
)
def test_a_condition_holds_for_the_facts(condition, expected):
    assert holds(Condition(*condition), FACTS) is expected


def test_a_night_window_wraps_past_midnight():
    night = Condition("time_of_day", "between", "22:00-06:00")
    assert holds(night, {"time_of_day": 23 * 60}) and holds(night, {"time_of_day": 5 * 60})
    assert not holds(night, {"time_of_day": 12 * 60})
    assert not holds(night, {})  # a ticket without a time never matches a window


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00-18:00", (540, 1080)), ("0:00-24:00", (0, 1440)), ("24:30-25:00", None), ("9-18", None), ("x", None)],
)
def test_time_ranges_parse_or_are_refused(text, expected):
    assert parse_time_range(text) == expected


def test_any_rules_match_on_one_condition_and_all_rules_need_every_one():
    conditions = (("category", "eq", "software"), ("channel", "eq", "phone"))
    assert rule_match(rule(1, *conditions), FACTS) is None
    match = rule_match(rule(1, *conditions, match_all=False), FACTS)
    assert match is not None and match.reasons == (Condition("channel", "eq", "phone"),)
    assert rule_match(rule(2), FACTS).reasons == ()  # no conditions: matches every ticket


def test_the_first_matching_rule_wins():
    rules = [
        rule(3, ("category", "eq", "software"), department="rd"),
        rule(1, ("category", "eq", "hardware"), department="support"),
        rule(2, ("category", "eq", "hardware"), department="other"),
    ]
    decision = evaluate(rules, FACTS)
    assert [m.rule.id for m in decision.matches] == [1] and decision.actions.department == "support"


def test_continue_merges_actions_later_values_override_and_lists_accumulate():
    rules = [
        rule(1, ("tags", "has_any", "urgent"), continues=True, raise_priority=True, tags=("vip",), watchers=("hr",)),
        rule(2, ("category", "eq", "hardware"), department="support", tags=("vip", "hw"), watchers=("director",)),
        rule(3, department="cs"),
    ]
    decision = evaluate(rules, FACTS)
    assert [m.rule.id for m in decision.matches] == [1, 2]
    assert decision.actions == Actions(
        department="support", raise_priority=True, tags=("vip", "hw"), watchers=("hr", "director")
    )


def test_continue_at_jumps_over_the_rules_between():
    rules = [
        rule(1, continues=True, continue_at=3, tags=("a",)),
        rule(2, department="skipped"),
        rule(3, department="support"),
    ]
    assert [m.rule.id for m in evaluate(rules, FACTS).matches] == [1, 3]


def test_no_match_goes_to_the_default_queue():
    decision = evaluate([rule(1, ("category", "eq", "software"))], FACTS)
    assert decision.is_default and decision.actions.is_empty
    assert explain(decision, {}) == "No rule matched: routed to the default queue."


def test_a_saved_cycle_cannot_loop_forever():
    rules = [rule(1, continues=True, continue_at=2), rule(2, continues=True, continue_at=1)]
    assert [m.rule.id for m in evaluate(rules, FACTS).matches] == [1, 2]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["hardware", "software", "complaint"]),
            st.booleans(),
            st.one_of(st.none(), st.integers(0, 12)),
        ),
        max_size=12,
    ),
    st.sampled_from(["hardware", "software", "complaint"]),
)
def test_evaluation_always_ends_and_visits_each_rule_at_most_once(specs, category):
    rules = [
        rule(i, ("category", "eq", cat), continues=cont, continue_at=at, department=f"d{i}")
        for i, (cat, cont, at) in enumerate(specs)
    ]
    decision = evaluate(rules, {"category": category})
    ids = [m.rule.id for m in decision.matches]
    assert len(ids) == len(set(ids))
    assert all(m.rule.conditions[0].value == category for m in decision.matches)
    if ids:
        assert decision.actions.department == f"d{ids[-1]}"
    else:
        assert all(cat != category for cat, _c, _a in specs)


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (("colour", "eq", "red"), "unknown field “colour”"),
        (("category", "like", "x"), "unknown operator “like” for category"),
        (("category", "contains_any", "x"), "operator “contains any of” does not apply to category"),
        (("category", "eq", ""), "category: a value is required"),
        (("category", "eq", "hardware, software"), "category: this operator takes one value"),
        (("category", "in", "hardware, 鞋子"), "category: unknown value(s) 鞋子"),
        (("time_of_day", "between", "9-18"), "time of day: write the time range as HH:MM-HH:MM"),
        (("time_of_day", "between", "09:00-09:00"), "time of day: the time range is empty"),
    ],
)
def test_bad_conditions_are_named(condition, problem):
    problems = ruleset_problems([rule(1, condition)], KNOWN)[1]
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    "conditions",
    [
        (("category", "eq", "hardware"), ("category", "eq", "software")),
        (("category", "in", "hardware"), ("category", "not_in", "hardware")),
        (("category", "not_in", "hardware, software, complaint"),),
        (("involves_staff", "is_true", None), ("involves_staff", "is_false", None)),
        (("tags", "has_all", "a"), ("tags", "has_none", "A")),
        (("text", "contains_any", "不脱水"), ("text", "contains_none", "脱水")),
    ],
)
def test_rules_that_can_never_match_are_found(conditions):
    assert never_matches(rule(1, *conditions), KNOWN) is not None
    assert any("can never match" in p for p in ruleset_problems([rule(1, *conditions)], KNOWN)[1])


def test_an_any_rule_with_one_satisfiable_condition_can_match():
    conditions = (("category", "eq", "hardware"), ("category", "eq", "software"))
    assert never_matches(rule(1, *conditions, match_all=False), KNOWN) is None


def test_a_catch_all_that_stops_hides_every_rule_after_it():
    problems = ruleset_problems([rule(1), rule(2, ("category", "eq", "hardware"))], KNOWN)
    assert list(problems) == [2] and "can never be reached" in problems[2][0] and "“r1”" in problems[2][0]
    assert ruleset_problems([rule(1, continues=True), rule(2, ("category", "eq", "hardware"))], KNOWN) == {}


def test_a_rule_without_actions_or_with_a_missing_continue_target_is_refused():
    empty = Rule(id=1, name="empty", position=1, conditions=(Condition("category", "eq", "hardware"),))
    assert ruleset_problems([empty], KNOWN)[1] == ["the rule does nothing: give it at least one action"]
    dangling = rule(2, continues=True, continue_at=99)
    assert ruleset_problems([dangling], KNOWN)[2] == ["it continues at a rule that is not active"]


def test_a_circular_continue_chain_is_named_in_order():
    rules = [rule(1, continues=True), rule(2, continues=True), rule(3, continues=True, continue_at=1)]
    assert [r.id for r in continue_cycle(rules)] == [1, 2, 3, 1]
    problems = ruleset_problems(rules, KNOWN)
    assert problems[3] == ["the “continue at” chain is circular: r1 → r2 → r3 → r1"]
    assert continue_cycle([rule(1, continues=True, continue_at=3), rule(2), rule(3)]) is None


def test_explanations_name_the_rule_and_the_conditions_that_held():
    rules = [rule(12, ("category", "eq", "hardware"), ("channel", "in", "phone,email"))]
    text = explain(evaluate(rules, FACTS), {"category": {"hardware": "硬件故障"}, "channel": {"phone": "电话"}})
    assert text == "routed by rule 12 “r12”: category = 硬件故障; channel is one of 电话, email"
    assert describe(Condition("involves_staff", "is_true"), {}) == "involves staff is yes"
    assert describe(Condition("time_of_day", "between", "09:00-18:00"), {}) == "time of day is between 09:00-18:00"
    assert "matches every ticket" in explain(evaluate([rule(5)], FACTS), {})
