"""The statutory clocks at their edges (isa_portal.clocks)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from isa_portal import clocks
from isa_portal.clocks import ClockState

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 9, 3), dt.date(2026, 10, 3)),  # the ICO's own example: 3 Sept -> 3 Oct
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),  # no 31 February: the month's last day
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 30), dt.date(2026, 2, 28)),
        (dt.date(2026, 2, 28), dt.date(2026, 3, 28)),  # not "end of month to end of month"
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 31)),  # across a year end
        (dt.date(2026, 8, 31), dt.date(2026, 9, 30)),
    ],
)
def test_subject_access_is_one_calendar_month(received, due):
    assert clocks.subject_access_due(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 9, 3), dt.date(2026, 12, 3)),
        (dt.date(2026, 11, 30), dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 31), dt.date(2027, 3, 31)),
    ],
)
def test_extension_is_two_further_months(received, due):
    assert clocks.subject_access_due(received, extended=True) == due


def test_weekends_do_not_move_a_calendar_deadline():
    # Received Saturday 3 October 2026: due Tuesday 3 November; received Friday 2 October,
    # due Monday 2 November; a deadline on a Sunday stays on the Sunday.
    assert clocks.subject_access_due(dt.date(2026, 10, 3)) == dt.date(2026, 11, 3)
    sunday = clocks.subject_access_due(dt.date(2026, 10, 4))
    assert sunday == dt.date(2026, 11, 4) and sunday.weekday() == 2
    assert clocks.subject_access_due(dt.date(2026, 9, 1)).weekday() == 3  # 1 Oct 2026 is a Thursday
    assert clocks.subject_access_due(dt.date(2026, 10, 1)) == dt.date(2026, 11, 1)  # a Sunday


def test_breach_deadline_is_72_hours_of_the_clock():
    discovered = dt.datetime(2026, 10, 23, 16, 30, tzinfo=UTC)  # a Friday afternoon
    assert clocks.breach_deadline(discovered) == dt.datetime(2026, 10, 26, 16, 30, tzinfo=UTC)


def test_breach_deadline_across_the_clocks_going_back_is_72_real_hours():
    # 25 October 2026, 02:00 BST -> 01:00 GMT: 72 elapsed hours, not the same wall time.
    discovered = dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)
    deadline = clocks.breach_deadline(discovered)
    assert deadline - discovered == dt.timedelta(hours=72)
    assert (deadline.astimezone(UTC) - discovered.astimezone(UTC)) == dt.timedelta(hours=72)


def test_breach_deadline_needs_an_aware_time():
    with pytest.raises(ValueError):
        clocks.breach_deadline(dt.datetime(2026, 10, 23, 16, 30))


def test_breach_clock_states():
    discovered = dt.datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    clock = clocks.breach_clock(discovered, reportable=True)
    assert clock.state(discovered + dt.timedelta(hours=47, minutes=59)) == ClockState.RUNNING
    assert clock.state(discovered + dt.timedelta(hours=48)) == ClockState.DUE_SOON
    assert clock.state(discovered + dt.timedelta(hours=72)) == ClockState.DUE_SOON  # the last moment
    assert clock.state(discovered + dt.timedelta(hours=72, seconds=1)) == ClockState.OVERDUE
    on_time = clocks.breach_clock(
        discovered, reportable=True, reported_at=discovered + dt.timedelta(hours=72)
    )
    assert on_time.state(discovered + dt.timedelta(days=9)) == ClockState.MET
    late = clocks.breach_clock(discovered, reportable=True, reported_at=discovered + dt.timedelta(hours=73))
    assert late.state(discovered + dt.timedelta(days=9)) == ClockState.MET_LATE
    not_reportable = clocks.breach_clock(discovered, reportable=False)
    assert not_reportable.due is None
    assert not_reportable.state(discovered + dt.timedelta(days=9)) == ClockState.NOT_APPLICABLE
    # Not yet assessed: the clock runs until someone decides it is not reportable.
    assert clocks.breach_clock(discovered, reportable=None).due == discovered + dt.timedelta(hours=72)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 6, 19), dt.date(2026, 7, 18)),  # day of receipt is day 1 of 30
        (dt.date(2026, 12, 15), dt.date(2027, 1, 13)),
        (dt.date(2028, 2, 1), dt.date(2028, 3, 1)),  # leap February: 29 days in it
        (dt.date(2027, 2, 1), dt.date(2027, 3, 2)),
    ],
)
def test_complaint_acknowledgement_is_30_days_beginning_with_receipt(received, due):
    assert clocks.complaint_acknowledgement_due(received) == due
    assert (due - received).days + 1 == 30


def test_no_complaint_clock_before_commencement():
    assert clocks.complaint_acknowledgement_due(dt.date(2026, 6, 18)) is None
    assert (
        clocks.complaint_clock(dt.date(2026, 6, 18)).state(dt.date(2026, 12, 1)) == ClockState.NOT_APPLICABLE
    )


def test_date_clock_states_at_the_edges():
    clock = clocks.subject_access_clock(dt.date(2026, 1, 31))  # due 28 February
    assert clock.state(dt.date(2026, 2, 20)) == ClockState.RUNNING
    assert clock.state(dt.date(2026, 2, 21)) == ClockState.DUE_SOON  # seven days before
    assert clock.state(dt.date(2026, 2, 28)) == ClockState.DUE_SOON  # the last day is still in time
    assert clock.state(dt.date(2026, 3, 1)) == ClockState.OVERDUE
    assert clock.days_left(dt.date(2026, 3, 1)) == -1
    done = clocks.subject_access_clock(dt.date(2026, 1, 31), responded_on=dt.date(2026, 2, 28))
    assert done.state(dt.date(2026, 6, 1)) == ClockState.MET
    late = clocks.subject_access_clock(dt.date(2026, 1, 31), responded_on=dt.date(2026, 3, 1))
    assert late.state(dt.date(2026, 6, 1)) == ClockState.MET_LATE
    # A date clock read with the time now counts by the date.
    assert clock.state(dt.datetime(2026, 2, 28, 23, 59, tzinfo=UTC)) == ClockState.DUE_SOON
