"""Which events start, pause and meet each milestone, and where pauses put the due time. Pure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from loopdesk.sla.calendar_data import official_china
from loopdesk.sla.calendars import CalendarSpec, compile_calendar
from loopdesk.sla.clocks import Happening, Milestone, State, cycles_from, pauses_from, schedule

SH = ZoneInfo("Asia/Shanghai")
WEEK = tuple(((9 * 60, 12 * 60), (13 * 60, 18 * 60)) if d < 5 else () for d in range(7))
HOLIDAYS, WORKDAYS, LAST = official_china()
CN = compile_calendar(
    CalendarSpec(weekly=WEEK, holidays=HOLIDAYS, workdays=WORKDAYS, known_until=LAST), horizon_until=LAST
)
H = 3600


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=SH)  # March 2025: Mon 3 .. Fri 7, Mon 10 ..


def h(day, hour, kind, to_status="", is_public=False, minute=0):
    return Happening(at(day, hour, minute), kind, to_status, is_public)


RECEIVED = at(3, 9)
TIMELINE = [
    h(3, 9, "created", "new"),
    h(3, 9, "triaged", "triaged", minute=10),
    h(3, 9, "assigned", "assigned", minute=20),
    h(3, 10, "accepted", "accepted"),
    h(3, 10, "replied", is_public=True, minute=30),
    h(3, 11, "started", "in_progress"),
    h(3, 14, "waiting", "waiting_customer"),
    h(4, 14, "started", "in_progress"),
    h(5, 10, "progress_updated"),
    h(5, 16, "resolved", "resolved"),
]


def test_resolution_runs_from_receipt_to_resolution():
    [cycle] = cycles_from(TIMELINE, received_at=RECEIVED, milestone=Milestone.RESOLUTION)
    assert (cycle.started_at, cycle.ended_at, cycle.outcome) == (RECEIVED, at(5, 16), State.MET)


def test_first_response_is_met_by_the_first_public_reply_only():
    internal = [h(3, 9, "created", "new"), h(3, 10, "note_added")]
    [cycle] = cycles_from(internal, received_at=RECEIVED, milestone=Milestone.FIRST_RESPONSE)
    assert cycle.outcome is None
    [cycle] = cycles_from(TIMELINE, received_at=RECEIVED, milestone=Milestone.FIRST_RESPONSE)
    assert cycle.ended_at == at(3, 10, 30)


def test_acknowledgement_restarts_on_reassignment():
    timeline = [h(3, 9, "assigned", "assigned"), h(3, 11, "assigned", "assigned"), h(3, 11, "accepted", minute=30)]
    first, second = cycles_from(timeline, received_at=RECEIVED, milestone=Milestone.ACKNOWLEDGE)
    assert first.outcome == State.CANCELLED and first.ended_at == at(3, 11)
    assert second.started_at == at(3, 11) and second.outcome == State.MET


def test_daily_progress_restarts_at_each_update_and_stops_at_resolution():
    cycles = cycles_from(TIMELINE, received_at=RECEIVED, milestone=Milestone.PROGRESS)
    assert [(c.started_at, c.outcome) for c in cycles] == [(at(3, 10), State.MET), (at(5, 10), State.CANCELLED)]


def test_closing_without_an_answer_cancels_the_callback_and_an_answer_meets_it():
    # given a resolved ticket whose customer is told the result
    told = [*TIMELINE, h(6, 10, "notified", "notified", is_public=True)]
    # when it closes as "no response", or after the customer's answer
    silent = [*told, h(10, 10, "closed", "closed")]
    answered = [*told, h(7, 10, "satisfaction_recorded"), h(7, 10, "closed", "closed", minute=1)]
    # then the callback clock is cancelled by the silent close and met by the answer
    [cancelled] = cycles_from(silent, received_at=RECEIVED, milestone=Milestone.CALLBACK)
    [met] = cycles_from(answered, received_at=RECEIVED, milestone=Milestone.CALLBACK)
    assert (cancelled.outcome, cancelled.ended_at) == (State.CANCELLED, at(10, 10))
    assert (met.outcome, met.ended_at) == (State.MET, at(7, 10))


def test_reopening_starts_a_new_resolution_cycle_and_cancels_the_callback():
    timeline = [*TIMELINE, h(6, 9, "reopened", "reopened"), h(7, 9, "resolved", "resolved")]
    resolution = cycles_from(timeline, received_at=RECEIVED, milestone=Milestone.RESOLUTION)
    assert [(c.number, c.started_at, c.outcome) for c in resolution] == [
        (1, RECEIVED, State.MET),
        (2, at(6, 9), State.MET),
    ]
    callback = cycles_from(timeline, received_at=RECEIVED, milestone=Milestone.CALLBACK)
    assert [(c.outcome, c.started_at) for c in callback] == [(State.CANCELLED, at(5, 16)), (None, at(7, 9))]


def test_pauses_come_from_pausing_statuses():
    assert pauses_from(TIMELINE, {"waiting_customer"}) == [(at(3, 14), at(4, 14))]
    still_waiting = TIMELINE[:7]
    assert pauses_from(still_waiting, {"waiting_customer"}) == [(at(3, 14), None)]


def test_a_pause_moves_the_due_time_out_by_the_paused_business_time():
    # 8 business hours from Monday 09:00 is Monday 18:00; a pause of 8 business hours moves it a day
    plain = schedule(CN, RECEIVED, 8 * H, [])
    paused = schedule(CN, RECEIVED, 8 * H, [(at(3, 14), at(4, 14))])
    assert plain.due_at == at(3, 18)
    assert paused.due_at == at(4, 18) and paused.paused_seconds == 8 * H


def test_an_open_pause_freezes_the_clock_with_the_time_left():
    result = schedule(CN, RECEIVED, 8 * H, [(at(3, 14), None)])
    assert result.due_at is None and result.remaining_when_paused == 4 * H


def test_a_pause_after_the_cycle_ended_changes_nothing():
    result = schedule(CN, RECEIVED, 2 * H, [(at(3, 14), at(4, 14))], until=at(3, 10))
    assert result.due_at == at(3, 11)


def test_a_pause_that_starts_after_the_due_time_does_not_move_it():
    assert schedule(CN, RECEIVED, 2 * H, [(at(3, 14), at(4, 14))]).due_at == at(3, 11)


# Timeline instants are whole seconds (events are stored so; received_at is whole minutes).
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 6, 30), timezones=st.just(SH)
).map(lambda moment: moment.replace(microsecond=0))


@settings(max_examples=200, deadline=None)
@given(
    start=instants,
    seconds=st.integers(min_value=60, max_value=100 * H),
    offsets=st.lists(st.tuples(st.integers(0, 400 * H), st.integers(1, 100 * H)), max_size=4),
)
def test_pauses_only_ever_move_due_times_later(start, seconds, offsets):
    pauses = sorted(
        (start + dt.timedelta(seconds=o), start + dt.timedelta(seconds=o + length)) for o, length in offsets
    )
    merged: list[tuple[dt.datetime, dt.datetime | None]] = []
    for s, e in pauses:  # pauses never overlap on a real timeline
        if merged and s <= (merged[-1][1] or s):
            continue
        merged.append((s, e))
    without = schedule(CN, start, seconds, []).due_at
    with_pauses = schedule(CN, start, seconds, merged).due_at
    assert without is not None and with_pauses is not None
    assert with_pauses >= without
    # and the business time worked outside the pauses equals the target
    worked = CN.between(start, with_pauses) - sum(
        CN.between(max(s, start), min(e, with_pauses)) for s, e in merged if e and s < with_pauses
    )
    assert worked == seconds
