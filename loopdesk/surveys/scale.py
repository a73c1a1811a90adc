"""Survey scales, the unsatisfied threshold and the reminder schedule. Pure (tokens: loopdesk.core.tokens).

Every answer is stored on the five-level scale (5 非常满意 … 1 非常不满意), so the threshold, the
reports and the reopen rule read one number whatever variant the customer saw; the three-level
variant maps 满意/基本满意/不满意 to 5/3/1.
"""

from __future__ import annotations

import datetime as dt
import enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MIN_SCORE, MAX_SCORE = 1, 5


class Scale(enum.StrEnum):
    FIVE = "five"
    THREE = "three"


SCALE_LABELS = {
    Scale.FIVE: _("Five levels (非常满意 … 非常不满意)"),
    Scale.THREE: _("Three levels (满意/基本满意/不满意)"),
}

# (stored five-level score, label), best first: what the customer sees for each variant
CHOICES: dict[Scale, tuple[tuple[int, str | Promise], ...]] = {
    Scale.FIVE: (
        (5, _("Very satisfied")),
        (4, _("Satisfied")),
        (3, _("Neutral")),
        (2, _("Dissatisfied")),
        (1, _("Very dissatisfied")),
    ),
    Scale.THREE: ((5, _("Satisfied")), (3, _("Fairly satisfied")), (1, _("Dissatisfied"))),
}


def choices(scale: str) -> tuple[tuple[int, str | Promise], ...]:
    """The answers of `scale`, best first, as (stored score, label)."""
    return CHOICES[Scale(scale)]


def stored_score(scale: str, answer: object) -> int | None:
    """The five-level score for one answer of `scale`, or None when the answer is not one of its choices."""
    text = str(answer).strip() if answer is not None else ""
    if not text.isdigit():
        return None
    value = int(text)
    return value if value in {score for score, _label in CHOICES[Scale(scale)]} else None


def is_unsatisfied(score: int, threshold: int) -> bool:
    """A score at or below the threshold starts second processing."""
    return score <= threshold


def reminder_times(sent_at: dt.datetime, *, count: int, interval_days: int) -> list[dt.datetime]:
    """When each reminder is due: every `interval_days` after the invitation, `count` times."""
    if interval_days <= 0:
        return []
    return [sent_at + dt.timedelta(days=interval_days * n) for n in range(1, count + 1)]


def reminders_due(sent_at: dt.datetime, *, count: int, interval_days: int, sent: int, now: dt.datetime) -> int:
    """How many reminders should have gone out by `now` beyond the `sent` ones (0 or 1 per sweep matters)."""
    due = sum(1 for at in reminder_times(sent_at, count=count, interval_days=interval_days) if at <= now)
    return max(0, due - sent)


def no_response_at(sent_at: dt.datetime, *, count: int, interval_days: int, close_after_days: int) -> dt.datetime:
    """When an unanswered survey closes the ticket as no response: never before the last reminder is out."""
    times = reminder_times(sent_at, count=count, interval_days=interval_days)
    return max([sent_at + dt.timedelta(days=close_after_days), *times])


class AttemptOutcome(enum.StrEnum):
    NO_ANSWER = "no_answer"
    CALL_LATER = "call_later"
    WRONG_NUMBER = "wrong_number"
    REACHED = "reached"


ATTEMPT_LABELS = {
    AttemptOutcome.NO_ANSWER: _("No answer"),
    AttemptOutcome.CALL_LATER: _("Call back later"),
    AttemptOutcome.WRONG_NUMBER: _("Wrong number"),
    AttemptOutcome.REACHED: _("Reached the customer"),
}
FAILED = frozenset({AttemptOutcome.NO_ANSWER, AttemptOutcome.WRONG_NUMBER})


def is_unreachable(outcomes: list[str], *, max_failed: int) -> bool:
    """The callback gives up after `max_failed` failed calls, or at once on a wrong number."""
    failed = [o for o in outcomes if o in FAILED]
    return AttemptOutcome.WRONG_NUMBER in outcomes or len(failed) >= max_failed


def fairest_agent(loads: list[tuple[int, int, str]]) -> int | None:
    """The agent with the fewest open callbacks, then by name; rows are (pk, open callbacks, username)."""
    if not loads:
        return None
    return min(loads, key=lambda row: (row[1], row[2], row[0]))[0]
