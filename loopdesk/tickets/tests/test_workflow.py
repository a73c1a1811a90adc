"""The pure state machine: every (status, target) pair, who may act, and priority raising."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loopdesk.tickets import workflow
from loopdesk.tickets.workflow import Status

ALLOWED = {
    (Status.NEW, Status.TRIAGED),
    (Status.NEW, Status.ASSIGNED),
    (Status.TRIAGED, Status.ASSIGNED),
    (Status.ASSIGNED, Status.ASSIGNED),
    (Status.ACCEPTED, Status.ASSIGNED),
    (Status.IN_PROGRESS, Status.ASSIGNED),
    (Status.WAITING_CUSTOMER, Status.ASSIGNED),
    (Status.REOPENED, Status.ASSIGNED),
    (Status.ASSIGNED, Status.ACCEPTED),
    (Status.ACCEPTED, Status.IN_PROGRESS),
    (Status.WAITING_CUSTOMER, Status.IN_PROGRESS),
    (Status.REOPENED, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.WAITING_CUSTOMER),
    (Status.IN_PROGRESS, Status.RESOLVED),
    (Status.WAITING_CUSTOMER, Status.RESOLVED),
    (Status.RESOLVED, Status.NOTIFIED),
    (Status.NOTIFIED, Status.CLOSED),
    (Status.RESOLVED, Status.REOPENED),
    (Status.NOTIFIED, Status.REOPENED),
    (Status.CLOSED, Status.REOPENED),
}


@pytest.mark.parametrize("source", list(Status))
@pytest.mark.parametrize("target", [t for t in Status if t != Status.NEW])
def test_every_pair_is_allowed_exactly_as_the_loop_says(source, target):
    transition = workflow.transition_to(target)
    assert workflow.is_allowed_from(transition, source, is_archived=False) == ((source, target) in ALLOWED)
    assert not workflow.is_allowed_from(transition, source, is_archived=True)


def test_nothing_moves_back_to_new_and_unknown_targets_are_none():
    assert workflow.transition_to("new") is None
    assert workflow.transition_to("bogus") is None


@pytest.mark.parametrize(
    ("target", "is_owner", "perms", "expected"),
    [
        ("accepted", True, set(), True),
        ("accepted", False, set(), False),
        ("accepted", False, {"tickets.work_any_ticket"}, True),
        ("triaged", True, set(), False),
        ("triaged", False, {"tickets.triage_ticket"}, True),
        ("closed", True, set(), False),
        ("notified", True, set(), True),
    ],
)
def test_who_may_perform(target, is_owner, perms, expected):
    assert workflow.may_perform(workflow.transition_to(target), is_owner=is_owner, permissions=perms) is expected


def test_available_transitions_for_an_owner_in_progress():
    steps = workflow.available_transitions("in_progress", is_archived=False, is_owner=True, permissions=set())
    assert [t.to for t in steps] == [Status.WAITING_CUSTOMER, Status.RESOLVED]


def test_missing_fields():
    resolve = workflow.transition_to("resolved")
    assert workflow.missing_fields(resolve, {"root_cause": "x", "solution": ""}) == ["solution", "result"]


@given(st.sets(st.integers(min_value=1, max_value=9), min_size=1), st.integers(min_value=1, max_value=9))
def test_raised_rank_is_the_next_more_urgent_level(ranks, current):
    ranks = sorted(ranks | {current})
    raised = workflow.raised_rank(current, ranks)
    assert raised in ranks and raised <= current
    assert not [r for r in ranks if raised < r < current]
    assert (raised == current) == (current == min(ranks))


@pytest.mark.parametrize(("score", "unsatisfied"), [(1, True), (2, True), (3, False), (5, False)])
def test_unsatisfied_threshold(score, unsatisfied):
    assert workflow.is_unsatisfied(score) is unsatisfied


@pytest.mark.parametrize(
    ("status", "archived", "owner", "perms", "allowed"),
    [
        ("in_progress", False, True, set(), True),
        ("assigned", False, False, {"tickets.work_any_ticket"}, True),
        ("in_progress", False, False, set(), False),
        ("new", False, True, set(), False),
        ("closed", False, True, set(), False),
        ("resolved", True, True, set(), False),
    ],
)
def test_who_records_an_on_site_arrival(status, archived, owner, perms, allowed):
    assert workflow.may_record_arrival(status, is_archived=archived, is_owner=owner, permissions=perms) is allowed


@pytest.mark.parametrize(
    ("status", "archived", "perms", "allowed"),
    [
        ("in_progress", False, {"tickets.triage_ticket"}, True),
        ("in_progress", False, set(), False),
        ("closed", False, {"tickets.triage_ticket"}, False),
        ("resolved", True, {"tickets.triage_ticket"}, False),
    ],
)
def test_who_changes_the_priority(status, archived, perms, allowed):
    assert workflow.may_change_priority(status, is_archived=archived, permissions=perms) is allowed
