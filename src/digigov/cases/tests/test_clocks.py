"""Statutory clocks: Bygglov's ten weeks and Förvaltningslagen's six months, in time travel."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digigov.cases import clocks
from digigov.cases.clocks import Step
from digigov.services.spec import Clock, Duration

BYGGLOV = Clock(
    law="PBL 9 kap. 27 §",
    starts="complete",
    length=Duration(weeks=10),
    pauses_in=["vantar_komplettering"],
    extension={"max": {"weeks": 10}},
    completion_request_within=Duration(weeks=3),
)
RUNS_FROM_SUBMISSION = Clock(
    law="Lag", starts="submitted", length=Duration(days=30), pauses_in=["vantar"]
)
OPENED = dt.date(2026, 3, 2)


def day(n: int) -> dt.date:
    return OPENED + dt.timedelta(days=n)


def test_a_complete_application_has_ten_weeks_from_the_day_it_came_in():
    state = clocks.compute(BYGGLOV, [Step(OPENED, "inkommen")], today=day(1))
    assert state.started_on == OPENED
    assert state.deadline == dt.date(2026, 5, 11)
    assert state.days_left(day(1)) == 69
    assert state.warning(day(1)) is None
    assert state.warning(day(60)) == "near"
    assert state.warning(day(71)) == "late"


def test_a_completion_requested_in_time_starts_the_clock_when_it_arrives():
    awaiting = [Step(OPENED, "inkommen"), Step(day(10), "vantar_komplettering")]
    waiting = clocks.compute(BYGGLOV, awaiting, today=day(30))
    assert waiting.started_on is None
    assert waiting.deadline is None
    assert waiting.paused

    arrived = clocks.compute(
        BYGGLOV, [*awaiting, Step(day(40), "under_handlaggning")], today=day(41)
    )
    assert arrived.started_on == day(40)
    assert arrived.deadline == day(40 + 70)
    assert not arrived.paused


def test_a_late_completion_request_only_pauses_the_clock():
    history = [
        Step(OPENED, "inkommen"),
        Step(day(30), "vantar_komplettering"),  # after the three weeks
        Step(day(45), "under_handlaggning"),
    ]
    state = clocks.compute(BYGGLOV, history, today=day(50))
    assert state.started_on == OPENED
    assert state.paused_days == 15
    assert state.deadline == day(70 + 15)


def test_a_pause_still_running_counts_up_to_today():
    history = [Step(OPENED, "inkommen"), Step(day(5), "vantar")]
    assert clocks.compute(RUNS_FROM_SUBMISSION, history, today=day(9)).deadline == day(34)
    assert clocks.compute(RUNS_FROM_SUBMISSION, history, today=day(20)).deadline == day(45)


def test_an_extension_moves_the_deadline_on():
    state = clocks.compute(BYGGLOV, [Step(OPENED, "inkommen")], today=day(1), extended_days=70)
    assert state.deadline == day(140)
    assert state.extended_days == 70


def test_every_case_has_the_six_months_of_forvaltningslagen():
    state = clocks.compute(None, [Step(dt.date(2026, 8, 31), "inkommen")], today=day(1))
    assert state.deadline is None
    assert state.six_months == dt.date(2027, 2, 28)  # no 31 February
    assert state.sort_deadline == state.six_months
    assert state.law == "FL 12 §"


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (dt.date(2026, 1, 31), Duration(months=1), dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), Duration(months=1), dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 15), Duration(months=3), dt.date(2027, 2, 15)),
        (dt.date(2026, 12, 28), Duration(weeks=1, days=1), dt.date(2027, 1, 5)),
    ],
)
def test_durations_are_added_as_calendars_do(start, duration, expected):
    assert clocks.add(start, duration) == expected


@given(
    st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=8),
    st.integers(min_value=0, max_value=70),
)
def test_a_deadline_never_comes_before_the_unpaused_one(gaps, extension):
    # Whatever the history, pauses and extensions only ever move a deadline later.
    history, on = [Step(OPENED, "inkommen")], OPENED
    for index, gap in enumerate(gaps):
        on += dt.timedelta(days=gap)
        history.append(Step(on, "vantar" if index % 2 == 0 else "under_handlaggning"))
    state = clocks.compute(
        RUNS_FROM_SUBMISSION, history, today=on + dt.timedelta(days=1), extended_days=extension
    )
    assert state.deadline is not None
    assert state.deadline >= day(30) + dt.timedelta(days=extension)
