"""Counts kept for the figures on /reports/, so a page reads hundreds of rows instead of millions.

They are derived data, not records: ``manage.py refresh_rollups`` rebuilds them from the
decision log and the audit trail at any time, and nothing else reads them. So they are not
audited (an entry for each count would double the trail for no evidence) and they may be
written with ``INSERT ... ON CONFLICT``. How each stays exact is in ``reports/rollups.py``.
"""

from django.db import models
from django.db.models.functions import Coalesce


class DecisionCount(models.Model):
    """How many decisions submitted in a month had ``value`` for ``measure`` (see rollups.MEASURES).

    A month is a calendar month in the partnership's time zone (settings.TIME_ZONE). A row
    without an agency is the whole partnership's total, kept so a partnership-wide page adds
    up a few hundred rows rather than one set per agency.
    """

    agency = models.ForeignKey(
        "agreements.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (agency, month) index below serves
    )
    month = models.DateField()
    measure = models.CharField(max_length=30)
    value = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # One row per key, the total's (no agency) too: what INSERT ... ON CONFLICT adds to.
            models.UniqueConstraint(
                Coalesce("agency", 0), "month", "measure", "value", name="decision_count_key"
            )
        ]
        indexes = [models.Index(fields=["agency", "month"], name="decision_count_agency_month")]

    def __str__(self) -> str:
        return f"{self.month:%b %Y} {self.measure}={self.value!r}: {self.count}"


class DecisionDayCount(models.Model):
    """The whole partnership's decisions submitted on one day with ``value`` for ``measure``.

    What a partnership-wide period that starts or ends inside a month takes off that month's
    counts. (One agency's part-month is read from its decisions: a few hundred at most.)
    """

    day = models.DateField()
    measure = models.CharField(max_length=30)
    value = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "measure", "value"], name="decision_day_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.measure}={self.value!r}: {self.count}"


class _AuditTally(models.Model):
    """How many audit entries of an event fell in a period, for the agency the figure counts them for.

    That agency is the account's for failed sign-ins and lockouts, and the actor's for the
    rest (reports.figures); no agency is "No agency" (an address that is not a user's).
    Only entries up to ``RollupRefresh.audit_entries_to`` are counted here.
    """

    agency = models.ForeignKey(
        "agreements.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (agency, period) index of each table serves
    )
    event = models.CharField(max_length=20)
    count = models.PositiveIntegerField()

    class Meta:
        abstract = True


class AuditCount(_AuditTally):
    """The audit entries of an event in a calendar month (see ``_AuditTally``)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(Coalesce("agency", 0), "month", "event", name="audit_count_key")
        ]
        indexes = [
            models.Index(fields=["agency", "month"], name="audit_count_agency_month"),
            models.Index(fields=["month"], name="audit_count_month"),  # every agency's
        ]

    def __str__(self) -> str:
        return f"{self.month:%b %Y} {self.event}: {self.count}"


class AuditDayCount(_AuditTally):
    """The audit entries of an event on one day: what a period that starts or ends inside a
    month takes off that month's counts (see ``_AuditTally``)."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(Coalesce("agency", 0), "day", "event", name="audit_day_count_key")
        ]
        indexes = [
            models.Index(fields=["agency", "day"], name="audit_day_count_agency_day"),
            models.Index(fields=["day"], name="audit_day_count_day"),  # every agency's
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.event}: {self.count}"


class RollupRefresh(models.Model):
    """When a set of counts (by month and by day) was last rebuilt or brought up to date by
    ``refresh_rollups``.

    Until the command has run once the figures are counted from the records themselves.
    """

    DECISIONS = "decisions"
    AUDIT = "audit"

    name = models.CharField(primary_key=True, max_length=20)
    refreshed_at = models.DateTimeField()
    audit_entries_to = models.BigIntegerField(
        null=True, blank=True, help_text="The id of the last audit entry counted (audit counts only)."
    )

    def __str__(self) -> str:
        return f"{self.name} as at {self.refreshed_at:%Y-%m-%d %H:%M}"
