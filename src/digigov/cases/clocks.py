"""Statutory clocks, computed from a package's rules and a case's history.

Pure functions: the history comes in, the clock comes out, so tests can travel
in time by passing another `today`. cases.actions stores the result on the case
at every change, for the queue to sort and filter by.

The rules (docs/service-packages.md, `process.clock`):

- `starts: submitted`: the clock runs from the day the case was opened.
- `starts: complete` (PBL 9 kap. 27 §): it runs from the day the application
  is complete. A completion requested within `completion_request_within` of
  the opening means it was not: the clock then starts on the day the
  completion arrives, and has not started while it is awaited.
- Days spent in a `pauses_in` state after the start do not count.
- An extension (one, up to `extension.max`) moves the deadline on.
- Every case has Förvaltningslagen's six months (FL 12 §): after them the
  applicant may ask in writing for the case to be decided.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from digigov.services.spec import Clock, Duration

FL_SIX_MONTHS = Duration(months=6)
# The queue warns this many days before a deadline.
WARN_DAYS = 14


@dataclass(frozen=True)
class Step:
    """The case entered `state` on `on`."""

    on: dt.date
    state: str


@dataclass(frozen=True)
class ClockState:
    law: str
    started_on: dt.date | None  # None: waiting for a complete application
    deadline: dt.date | None  # the statutory deadline (None when not started)
    paused: bool
    paused_days: int
    extended_days: int
    six_months: dt.date  # FL 12 §

    def days_left(self, today: dt.date) -> int | None:
        return None if self.deadline is None else (self.deadline - today).days

    def warning(self, today: dt.date) -> str | None:
        return warning(self.deadline, paused=self.paused, today=today)

    @property
    def sort_deadline(self) -> dt.date:
        """What the queue sorts by: the statutory deadline, else the six months."""
        return self.deadline or self.six_months


def warning(deadline: dt.date | None, *, paused: bool, today: dt.date) -> str | None:
    """'late', 'near' (within WARN_DAYS) or None: what the queue marks a deadline with."""
    if deadline is None or paused:
        return None
    left = (deadline - today).days
    if left < 0:
        return "late"
    return "near" if left <= WARN_DAYS else None


def add(day: dt.date, duration: Duration) -> dt.date:
    """A duration after a day; a month after 31 January is the last of February."""
    month_index = day.month - 1 + duration.months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    moved = day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
    return moved + dt.timedelta(weeks=duration.weeks, days=duration.days)


def duration_days(start: dt.date, duration: Duration) -> int:
    return (add(start, duration) - start).days


def compute(
    clock: Clock | None,
    history: Sequence[Step],
    *,
    today: dt.date,
    extended_days: int = 0,
) -> ClockState:
    """The clock of a case whose states, oldest first, are `history` (never empty)."""
    opened = history[0].on
    six_months = add(opened, FL_SIX_MONTHS)
    if clock is None:
        return ClockState("FL 12 §", opened, None, False, 0, 0, six_months)

    pauses = set(clock.pauses_in)
    # Each stay in a pausing state: (entered, left or None while still there).
    stays: list[tuple[dt.date, dt.date | None]] = []
    for step, following in zip(history, [*history[1:], None], strict=True):
        if step.state in pauses:
            stays.append((step.on, following.on if following else None))

    started: dt.date | None = opened
    if clock.starts == "complete":
        limit = (
            add(opened, clock.completion_request_within)
            if clock.completion_request_within
            else None
        )
        for entered, left in stays:
            if limit is None or entered <= limit:
                started = left  # None while the completion is awaited
            else:
                break

    paused_now = bool(history[-1].state in pauses)
    if started is None:
        return ClockState(clock.law, None, None, paused_now, 0, extended_days, six_months)

    paused_days = sum(
        ((left or today) - entered).days for entered, left in stays if entered >= started
    )
    deadline = add(started, clock.length) + dt.timedelta(days=paused_days + extended_days)
    return ClockState(
        clock.law, started, deadline, paused_now, paused_days, extended_days, six_months
    )
