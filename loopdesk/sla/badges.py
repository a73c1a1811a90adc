"""What an SLA badge shows: ok / warning / breached / paused / unknown, and the business time left. Pure."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from loopdesk.sla.calendars import CalendarGap
from loopdesk.sla.clocks import BusinessClock, State


class Tone(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    UNKNOWN = "unknown"
    MET = "met"


@dataclass(frozen=True)
class Badge:
    tone: Tone
    remaining_seconds: int | None  # business seconds left; negative when overdue
    due_at: dt.datetime | None
    milestone: str

    @property
    def remaining_text(self) -> str:
        """Compact remaining business time: 2h05m, -0h30m, 3d2h (8-hour days are not assumed)."""
        if self.remaining_seconds is None:
            return ""
        sign = "-" if self.remaining_seconds < 0 else ""
        minutes = abs(self.remaining_seconds) // 60
        hours, minutes = divmod(minutes, 60)
        return f"{sign}{hours}h{minutes:02d}m"


def badge_for(
    *,
    state: str,
    milestone: str,
    due_at: dt.datetime | None,
    warn_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    remaining_when_paused: int | None,
    calendar: BusinessClock,
    now: dt.datetime,
) -> Badge:
    """The badge of one clock at `now`."""
    if state == State.UNKNOWN:
        return Badge(Tone.UNKNOWN, None, None, milestone)
    if state == State.PAUSED:
        return Badge(Tone.PAUSED, remaining_when_paused, None, milestone)
    if state in (State.MET, State.CANCELLED):
        late = due_at is not None and ended_at is not None and ended_at > due_at
        return Badge(Tone.BREACHED if late else Tone.MET, None, due_at, milestone)
    assert due_at is not None
    try:
        remaining = calendar.between(now, due_at) if now <= due_at else -calendar.between(due_at, now)
    except CalendarGap:
        remaining = None
    if now >= due_at:
        tone = Tone.BREACHED
    elif warn_at is not None and now >= warn_at:
        tone = Tone.WARNING
    else:
        tone = Tone.OK
    return Badge(tone, remaining, due_at, milestone)
