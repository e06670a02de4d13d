"""The statutory clocks an IG officer answers to, computed in one place.

- **Subject access** (UK GDPR Art 12(3)): respond "without undue delay and in any event within
  one month of receipt of the request". The ICO counts from the day the request is received
  (whether a working day or not) to the corresponding calendar date of the next month; when the
  next month has no such date (received 31 January), the deadline is the last day of that month.
  It may be extended "by two further months where necessary, taking into account the complexity
  and number of the requests", so three calendar months from receipt, counted the same way.
  Where identity had to be checked first, the clock starts on the day that was done (ICO, "Time
  limits for responding"); the caller passes that date as the start.
- **Personal data breach** (UK GDPR Art 33(1)): notify the ICO "without undue delay and, where
  feasible, not later than 72 hours after having become aware of it": 72 hours of the clock, not
  three working days, counted from the moment of discovery.
- **Complaint acknowledgement** (Data Protection Act 2018 s164A(3), inserted by the Data (Use and
  Access) Act 2025 s103, in force 19 June 2026): acknowledge receipt "within the period of 30 days
  beginning with the day on which the complaint is received": the day of receipt is day 1, so the
  last day is the 29th day after it. Complaints received before commencement have no statutory clock.

- **Professional disagreement** (the partnership's escalation policy; decisions.rules, "The
  escalation ladder"): each rung responds within ``ESCALATION_RESPONSE_WORKING_DAYS`` working days
  of the escalation, Monday to Friday (bank holidays are not known here).

The first three are calendar deadlines: weekends and bank holidays neither stop nor extend them (the ICO
lets a subject access deadline that falls on a non-working day move to the next working day; this
module shows the calendar date, the earlier and safer one). The relativedelta arithmetic is
python-dateutil's, which ends a month past its last day on the last day.
"""

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import models

SUBJECT_ACCESS_MONTHS = 1
SUBJECT_ACCESS_EXTENSION_MONTHS = 2  # "two further months", UK GDPR Art 12(3)
BREACH_NOTIFICATION_HOURS = 72  # UK GDPR Art 33(1)
COMPLAINT_ACKNOWLEDGEMENT_DAYS = 30  # DPA 2018 s164A(3), "beginning with the day ... received"
COMPLAINT_DUTY_IN_FORCE = dt.date(2026, 6, 19)  # DUAA 2025 s103 commencement
DUE_SOON_DAYS = 7  # a date clock is "due soon" this many days (or fewer) before its deadline
DUE_SOON_HOURS = 24  # the breach clock is "due soon" in its last 24 hours


class ClockState(models.TextChoices):
    RUNNING = "running", "On time"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    MET = "met", "Done in time"
    MET_LATE = "met_late", "Done late"
    NOT_APPLICABLE = "not_applicable", "No statutory deadline"


def working_days_after(moment: dt.datetime, days: int) -> dt.datetime:
    """``moment`` plus ``days`` working days (Monday to Friday; bank holidays are not known here)."""
    return _working_days(moment, days, dt.timedelta(days=1))


def working_days_before(moment: dt.datetime, days: int) -> dt.datetime:
    """``moment`` less ``days`` working days (Monday to Friday; bank holidays are not known here)."""
    return _working_days(moment, days, dt.timedelta(days=-1))


def _working_days(moment: dt.datetime, days: int, step: dt.timedelta) -> dt.datetime:
    while days:
        moment += step
        if moment.weekday() < 5:
            days -= 1
    return moment


def add_calendar_months(start: dt.date, months: int) -> dt.date:
    """The corresponding date ``months`` later; the last day of that month when it has none."""
    return start + relativedelta(months=months)


def subject_access_due(received_on: dt.date, *, extended: bool = False) -> dt.date:
    """The last day to respond to a subject access request received (or verified) on ``received_on``."""
    months = SUBJECT_ACCESS_MONTHS + (SUBJECT_ACCESS_EXTENSION_MONTHS if extended else 0)
    return add_calendar_months(received_on, months)


def breach_deadline(discovered_at: dt.datetime) -> dt.datetime:
    """When the 72 hours to tell the ICO about a reportable breach end."""
    if discovered_at.tzinfo is None:
        raise ValueError("The time a breach was discovered must be an aware datetime.")
    # In UTC: aware arithmetic in a local zone adds wall-clock hours, an hour out across a clock change.
    return discovered_at.astimezone(dt.UTC) + dt.timedelta(hours=BREACH_NOTIFICATION_HOURS)


def complaint_acknowledgement_due(received_on: dt.date) -> dt.date | None:
    """The last day to acknowledge a data protection complaint; None before s164A was in force."""
    if received_on < COMPLAINT_DUTY_IN_FORCE:
        return None
    return received_on + dt.timedelta(days=COMPLAINT_ACKNOWLEDGEMENT_DAYS - 1)


@dataclass(frozen=True)
class Clock:
    """A deadline and where it stands: ``due`` is a date (last day allowed) or an aware datetime."""

    name: str
    due: dt.date | dt.datetime | None
    done: dt.date | dt.datetime | None = None

    def state(self, now: dt.datetime | dt.date) -> ClockState:
        if self.due is None:
            return ClockState.NOT_APPLICABLE
        if isinstance(self.due, dt.datetime):
            return self._state_by_time(now)
        today = now.date() if isinstance(now, dt.datetime) else now
        if self.done is not None:
            done = self.done.date() if isinstance(self.done, dt.datetime) else self.done
            return ClockState.MET if done <= self.due else ClockState.MET_LATE
        if today > self.due:
            return ClockState.OVERDUE
        if (self.due - today).days <= DUE_SOON_DAYS:
            return ClockState.DUE_SOON
        return ClockState.RUNNING

    def _state_by_time(self, now) -> ClockState:
        if not isinstance(now, dt.datetime):
            raise ValueError("A clock counted in hours needs the time now, not only the date.")
        if self.done is not None:
            return ClockState.MET if self.done <= self.due else ClockState.MET_LATE
        if now > self.due:
            return ClockState.OVERDUE
        if self.due - now <= dt.timedelta(hours=DUE_SOON_HOURS):
            return ClockState.DUE_SOON
        return ClockState.RUNNING

    def days_left(self, today: dt.date) -> int | None:
        """Whole days from ``today`` to a date deadline (negative once overdue)."""
        if self.due is None or isinstance(self.due, dt.datetime):
            return None
        return (self.due - today).days


def subject_access_clock(received_on: dt.date, *, extended: bool = False, responded_on=None) -> Clock:
    return Clock("Subject access response", subject_access_due(received_on, extended=extended), responded_on)


def breach_clock(discovered_at: dt.datetime, *, reportable: bool | None, reported_at=None) -> Clock:
    """The ICO clock of a breach; none when it was assessed as not reportable."""
    due = breach_deadline(discovered_at) if reportable is not False else None
    return Clock("Report to the ICO", due, reported_at)


def complaint_clock(received_on: dt.date, *, acknowledged_on=None) -> Clock:
    return Clock("Acknowledge the complaint", complaint_acknowledgement_due(received_on), acknowledged_on)


def escalation_clock(escalated_at: dt.datetime, *, working_days: int, resolved_at=None) -> Clock:
    return Clock("Respond to the escalation", working_days_after(escalated_at, working_days), resolved_at)
