"""Who each strategy picks, within caps, duty and exclusions. Pure."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.routing.assignment import Candidate, Pick, choose_owner, eligible, skill_score


def member(user_id, *, on_duty=True, open_count=0, load=None, cap=None, last=None, categories=(), products=()):
    return Candidate(
        user_id=user_id,
        on_duty=on_duty,
        open_count=open_count,
        load=open_count if load is None else load,
        cap=cap,
        last_assigned=last,
        categories=frozenset(categories),
        products=frozenset(products),
    )


def test_only_members_on_duty_with_room_and_not_excluded_are_eligible():
    team = [member(1), member(2, on_duty=False), member(3, open_count=5, cap=5), member(4, cap=5), member(5)]
    assert [c.user_id for c in eligible(team, exclude={5})] == [1, 4]


def test_manual_never_picks():
    assert choose_owner("manual", [member(1)]) == Pick(None, "manual")


def test_round_robin_takes_the_longest_waiting_member_and_newcomers_first():
    team = [member(1, last=300.0), member(2, last=100.0), member(3, last=200.0)]
    assert choose_owner("round_robin", team) == Pick(2, "round_robin")
    assert choose_owner("round_robin", [*team, member(4)]).user_id == 4
    assert choose_owner("round_robin", [member(9), member(4)]).user_id == 4  # ties by id


def test_least_open_weighs_priority_then_counts():
    team = [member(1, open_count=2, load=6), member(2, open_count=3, load=3), member(3, open_count=2, load=3)]
    assert choose_owner("least_open", team) == Pick(3, "least_open")


def test_nobody_available_when_all_are_away_or_full():
    team = [member(1, on_duty=False), member(2, open_count=3, cap=3)]
    for strategy in ("round_robin", "least_open", "skills", "previous_owner"):
        assert choose_owner(strategy, team, previous_owner=2) == Pick(None, "nobody_available")


def test_skills_prefer_the_category_then_the_product_line_then_the_least_loaded():
    team = [
        member(1, categories={"hardware"}, products={"洗衣机"}, load=5),
        member(2, categories={"hardware"}, load=0),
        member(3, products={"XQG"}, load=0),
        member(4, categories={"hardware"}, products={"xqg"}, load=9),
    ]
    assert choose_owner("skills", team, category="hardware", product="滚筒 XQG100-14") == Pick(4, "skills")
    assert choose_owner("skills", team, category="hardware", product="电视") == Pick(2, "skills")
    assert choose_owner("skills", team[2:3] + [member(5)], category="software", product="") == Pick(
        3, "skills_fallback"
    )


@pytest.mark.parametrize(
    ("categories", "products", "score"),
    [
        ({"hardware"}, {"洗衣机"}, 3),
        ({"hardware"}, set(), 2),
        (set(), {"洗衣机"}, 1),
        (set(), {""}, 0),
        (set(), set(), 0),
    ],
)
def test_skill_score(categories, products, score):
    c = member(1, categories=categories, products=products)
    assert skill_score(c, category="hardware", product="滚筒洗衣机 XQG100") == score


def test_the_previous_owner_gets_it_back_unless_away_or_full():
    team = [member(1, load=9), member(2, load=0)]
    assert choose_owner("previous_owner", team, previous_owner=1) == Pick(1, "previous_owner")
    away = [member(1, on_duty=False), member(2)]
    assert choose_owner("previous_owner", away, previous_owner=1) == Pick(2, "least_open")
    assert choose_owner("previous_owner", team, previous_owner=1, exclude={1}).user_id == 2


@given(st.integers(2, 8), st.integers(1, 200), st.lists(st.integers(0, 7), max_size=4))
def test_round_robin_stays_within_one_of_fair_and_never_exceeds_a_cap(size, tickets, away):
    """Simulate a burst: each pick updates the picked member's count and time, as the service does."""
    cap = tickets // size + 1
    team = {i: member(i, on_duty=i not in away, cap=cap) for i in range(size)}
    given_out: Counter[int] = Counter()
    for clock in range(tickets):
        pick = choose_owner("round_robin", list(team.values()))
        if pick.user_id is None:
            break
        c = team[pick.user_id]
        team[pick.user_id] = member(c.user_id, open_count=c.open_count + 1, cap=cap, last=float(clock))
        given_out[pick.user_id] += 1
    on_duty = [i for i in team if i not in away]
    if on_duty:
        counts = [given_out[i] for i in on_duty]
        assert max(counts) - min(counts) <= 1 and max(counts) <= cap
    assert not any(given_out[i] for i in away)
