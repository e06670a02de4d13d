"""Counts behind the report figures, by month and by day, and how they stay exact.

At partnership scale (a million decisions, ten million audit entries) counting the records
for each page takes seconds; these counts make it a few hundred rows. They give exactly the
figures counting the records would, for any dates asked for:

- **Decisions** (``DecisionCount`` by month, ``DecisionDayCount`` by day) are counted as each
  is submitted, in the submitting transaction (``count_submitted`` receives the
  ``decisions.signals.decision_submitted`` that ``decision_submit`` sends). What a submitted
  decision records never changes afterwards (``Decision.save`` and the database trigger refuse
  it), so a count never needs taking back.
- **The audit trail** (``AuditCount``, ``AuditDayCount``) is counted by ``manage.py
  refresh_rollups`` up to an entry id; entries after it are counted from the trail as the page
  loads. Entry ids are drawn under the audit chain's lock, held until the writing transaction
  commits (audit/chain.py), so when the newest committed entry has id N, every entry up to N
  has committed: nothing is missed or counted twice. The scheduler runs the command every
  10 minutes (operations/jobs.py) so the part counted live stays small.

Months and days are the partnership's (settings.TIME_ZONE). A period that starts or ends
inside a month reads the months it touches and takes off the days outside it: from the day
counts, or for one agency's decisions (a few hundred) from the decisions themselves. On
SQLite (the local demo), before the first ``refresh_rollups``, or for a period that does not
run from midnight to midnight in that time zone, figures are counted from the records alone.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from audit.models import AuditEntry, Event
from decisions.models import REFUSALS, SHARING_OUTCOMES, Decision, Status
from reports.models import RollupRefresh
from reports.registry import ReportScope, read_once

# (month, measure, value) -> decisions
Counts = Counter
# event -> agency name (None: no agency) -> month -> audit entries
AuditCounts = dict[str, dict[str | None, Counter]]

# Only one refresh_rollups at a time ("ISA rollup").
REFRESH_LOCK_KEY = 0x15A0B011


def in_use() -> bool:
    return connection.vendor == "postgresql"


def _zone():
    return timezone.get_default_timezone()


def _month_start(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return moment.astimezone(zone).date().replace(day=1)


def _refreshes() -> dict[str, RollupRefresh]:
    return {refresh.name: refresh for refresh in RollupRefresh.objects.all()}


def refreshes(scope: ReportScope) -> dict[str, RollupRefresh]:
    """When each set of counts was last refreshed (read once per page)."""
    if not in_use():
        return {}
    return read_once("rollup-refreshes", scope, _refreshes)


def _is_midnight(moment: dt.datetime) -> bool:
    return moment.time() == dt.time.min


def _answers(scope: ReportScope, name: str) -> bool:
    """Whether the counts ``name`` can answer for this scope: built, and whole days in our time zone."""
    return (
        in_use()
        and getattr(scope.start.tzinfo, "key", None) == settings.TIME_ZONE
        and _is_midnight(scope.start)
        and _is_midnight(scope.end.astimezone(scope.start.tzinfo))
        and bool(scope.months())
        and name in refreshes(scope)
    )


def _outside(scope: ReportScope) -> list[tuple[dt.date, dt.date]]:
    """The days [first, after) of the scope's first and last months that fall outside its dates."""
    months = scope.months()
    first, after = months[0], (months[-1] + dt.timedelta(days=32)).replace(day=1)
    start, end = scope.start.date(), scope.end.astimezone(scope.start.tzinfo).date()
    return [(a, b) for a, b in ((first, start), (end, after)) if a < b]


def _midnight(day: dt.date, scope: ReportScope) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, scope.start.tzinfo)


def _within(column: str, parts: list[tuple], params: dict, name: str) -> str:
    """SQL true for ``column`` in any of the [first, after) ``parts``, their bounds added to ``params``."""
    conditions = []
    for n, (first, after) in enumerate(parts):
        params |= {f"{name}_from{n}": first, f"{name}_to{n}": after}
        conditions.append(f"({column} >= %({name}_from{n})s AND {column} < %({name}_to{n})s)")
    return " OR ".join(conditions) or "FALSE"


# ------------------------------------------------------------------------------------------
# Decisions


@dataclass(frozen=True)
class Measure:
    """One thing counted about each submitted decision: its value, or None when not counted.

    ``sql`` and ``value`` say the same thing, for a rebuild in one statement and for one
    decision at a time; tests/decisions/test_reports.py holds them to each other.
    """

    name: str
    sql: str  # over decisions_decision as d, with the %(name)s parameters of _sql_params
    value: Callable[[Mapping, dt.tzinfo], str | None]  # a decision's columns, the months' time zone


def _days_to_decision(d: Mapping, zone: dt.tzinfo) -> str | None:
    if d["request_received_on"] is None:
        return None
    return str((d["submitted_at"].astimezone(zone).date() - d["request_received_on"]).days)


MEASURES = (
    # decisions_by_month
    Measure("outcome", "NULLIF(d.outcome, '')", lambda d, zone: d["outcome"] or None),
    # decisions_by_consent_position
    Measure(
        "consent_position", "NULLIF(d.consent_position, '')", lambda d, zone: d["consent_position"] or None
    ),
    # decisions_by_consent_position: shares (in full or part) overriding a refusal of consent
    Measure(
        "override",
        "CASE WHEN d.outcome = ANY(%(sharing)s) AND d.consent_status = ANY(%(refusals)s) THEN '' END",
        lambda d, zone: "" if d["outcome"] in SHARING_OUTCOMES and d["consent_status"] in REFUSALS else None,
    ),
    # shared_without_consent_rate: every share (in full or part), by its consent position
    Measure(
        "sharing",
        "CASE WHEN d.outcome = ANY(%(sharing)s) THEN d.consent_position END",
        lambda d, zone: d["consent_position"] if d["outcome"] in SHARING_OUTCOMES else None,
    ),
    # article6_bases, article9_conditions
    Measure("article6_basis", "NULLIF(d.article6_basis, '')", lambda d, zone: d["article6_basis"] or None),
    Measure(
        "article9_condition",
        "NULLIF(d.article9_condition, '')",
        lambda d, zone: d["article9_condition"] or None,
    ),
    # days_to_decision: calendar days from the request to the day of submission
    Measure(
        "days_to_decision",
        "((d.submitted_at AT TIME ZONE %(zone)s)::date - d.request_received_on)::text",
        _days_to_decision,
    ),
)
DECISION_COLUMNS = (
    "agency_id",
    "submitted_at",
    "outcome",
    "consent_position",
    "consent_status",
    "article6_basis",
    "article9_condition",
    "request_received_on",
)


def _sql_params() -> dict:
    return {"sharing": sorted(SHARING_OUTCOMES), "refusals": sorted(REFUSALS), "zone": settings.TIME_ZONE}


def measures_of(decision: Mapping, zone: dt.tzinfo) -> list[tuple[str, str]]:
    """The (measure, value) pairs one submitted decision counts towards, its days in ``zone``."""
    pairs = ((measure.name, measure.value(decision, zone)) for measure in MEASURES)
    return [(name, value) for name, value in pairs if value is not None]


UPSERT_DECISION_COUNTS = """
    WITH months AS (
        INSERT INTO reports_decisioncount (agency_id, month, measure, value, count) VALUES {months}
        ON CONFLICT (COALESCE(agency_id, 0), month, measure, value)
        DO UPDATE SET count = reports_decisioncount.count + EXCLUDED.count
    )
    INSERT INTO reports_decisiondaycount (day, measure, value, count) VALUES {days}
    ON CONFLICT (day, measure, value) DO UPDATE SET count = reports_decisiondaycount.count + EXCLUDED.count
"""


def count_submitted(sender=None, *, decision: Decision, **kwargs) -> None:
    """Count a decision just submitted: its month, for its agency and the whole partnership, and its day.

    Receives ``decisions.signals.decision_submitted``, sent inside the submitting transaction, so
    the count commits (or not) with the decision.
    """
    if not in_use():
        return
    values = {column: getattr(decision, column) for column in DECISION_COLUMNS}
    day = decision.submitted_at.astimezone(_zone()).date()
    counted = measures_of(values, _zone())
    months = [
        (agency_id, day.replace(day=1), *pair) for pair in counted for agency_id in (decision.agency_id, None)
    ]
    days = [(day, *pair) for pair in counted]
    params = [value for row in months + days for value in row]
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT_DECISION_COUNTS.format(
                months=", ".join(["(%s, %s, %s, %s, 1)"] * len(months)),
                days=", ".join(["(%s, %s, %s, 1)"] * len(days)),
            ),
            params,
        )


# Each submitted decision as (agency, day, month, measure, value) rows, one per measure it counts towards.
SUBMITTED_MEASURES = """
    SELECT d.agency_id, m.day, date_trunc('month', m.day)::date AS month, m.measure, m.value
    FROM decisions_decision d
    CROSS JOIN LATERAL (
        SELECT (d.submitted_at AT TIME ZONE %(zone)s)::date AS day, measure, value
        FROM (VALUES {measures}) AS measures (measure, value)
    ) AS m
    WHERE d.status <> '{draft}' AND d.submitted_at IS NOT NULL AND m.value IS NOT NULL
"""


def _submitted_measures_sql() -> str:
    measures = ", ".join(f"('{measure.name}', {measure.sql})" for measure in MEASURES)
    return SUBMITTED_MEASURES.format(measures=measures, draft=Status.DRAFT.value)


REBUILD_DECISION_COUNTS = """
    WITH counted AS MATERIALIZED ({submitted}),
    months AS (
        INSERT INTO reports_decisioncount (agency_id, month, measure, value, count)
        SELECT agency_id, month, measure, value, count(*)
        FROM counted
        GROUP BY GROUPING SETS ((agency_id, month, measure, value), (month, measure, value))
        ORDER BY agency_id, month  -- each agency's months together on disk, as they are read
        RETURNING 1
    ),
    days AS (
        INSERT INTO reports_decisiondaycount (day, measure, value, count)
        SELECT day, measure, value, count(*) FROM counted GROUP BY day, measure, value ORDER BY day
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM months) + (SELECT count(*) FROM days)
"""


def rebuild_decision_counts() -> int:
    """Count every submitted decision again from scratch. Returns the number of count rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Submits wait (their UPSERT needs the tables) until this commits. One that counted
        # itself before the lock has committed by the time the lock is granted, and the
        # statements below see it: counted once either way.
        cursor.execute("LOCK TABLE reports_decisioncount, reports_decisiondaycount IN EXCLUSIVE MODE")
        cursor.execute("SET LOCAL work_mem = '256MB'")  # group millions of rows in memory, not on disk
        cursor.execute("DELETE FROM reports_decisioncount")
        cursor.execute("DELETE FROM reports_decisiondaycount")
        cursor.execute(REBUILD_DECISION_COUNTS.format(submitted=_submitted_measures_sql()), _sql_params())
        rows = cursor.fetchone()[0]
        _mark(RollupRefresh.DECISIONS)
    return rows


# The counts of the months the scope touches, less those of its days outside the dates asked for:
# one statement, so a decision submitted meanwhile is in both parts or in neither.
READ_DECISION_COUNTS = """
    SELECT month, measure, value, sum(n)
    FROM (
        SELECT month, measure, value, count AS n
        FROM reports_decisioncount
        WHERE month >= %(first)s AND month <= %(last)s AND {agencies}
        UNION ALL
        {outside}
    ) AS counted
    GROUP BY month, measure, value
"""
OUTSIDE_FROM_DAYS = """
        SELECT date_trunc('month', day)::date, measure, value, -count
        FROM reports_decisiondaycount WHERE {days}
"""
OUTSIDE_FROM_DECISIONS = """
        SELECT month, measure, value, -1
        FROM ({submitted} AND d.agency_id = ANY(%(agencies)s) AND ({moments})) AS outside
"""


def _count_decisions(counts: Counts, decisions: Iterable[Mapping], zone: dt.tzinfo) -> None:
    for decision in decisions:
        month = _month_start(decision["submitted_at"], zone)
        for measure, value in measures_of(decision, zone):
            counts[(month, measure, value)] += 1


def _load_decision_counts(scope: ReportScope) -> Counts:
    counts = Counts()
    if not _answers(scope, RollupRefresh.DECISIONS):
        decisions = scope.for_agencies(Decision.objects.submitted(), "agency")
        decisions = scope.in_period(decisions, "submitted_at").values(*DECISION_COLUMNS).order_by()
        _count_decisions(counts, decisions, scope.start.tzinfo)
        return counts
    months = scope.months()
    params = {
        **_sql_params(),
        "first": months[0],
        "last": months[-1],
        "agencies": sorted(scope.agency_ids or ()),
    }
    if scope.agency_ids is None:
        agencies = "agency_id IS NULL"
        outside = OUTSIDE_FROM_DAYS.format(days=_within("day", _outside(scope), params, "day"))
    else:
        agencies = "agency_id = ANY(%(agencies)s)"
        moments = [(_midnight(first, scope), _midnight(after, scope)) for first, after in _outside(scope)]
        outside = OUTSIDE_FROM_DECISIONS.format(
            submitted=_submitted_measures_sql(), moments=_within("d.submitted_at", moments, params, "at")
        )
    with connection.cursor() as cursor:
        cursor.execute(READ_DECISION_COUNTS.format(agencies=agencies, outside=outside), params)
        for month, measure, value, n in cursor.fetchall():
            counts[(month, measure, value)] += n
    return counts


def decision_counts(scope: ReportScope) -> Counts:
    """Submitted decisions in the scope: (month, measure, value) -> how many (see MEASURES)."""
    return read_once("decision-counts", scope, lambda: _load_decision_counts(scope))


# ------------------------------------------------------------------------------------------
# The audit trail

# Each counted event, and the agency it is counted for (reports.figures explains why).
COUNTED_FOR_ACCOUNT = (Event.SIGN_IN_FAILED, Event.LOCKOUT)
COUNTED_FOR_ACTOR = (Event.SIGN_IN, Event.DENIED, Event.VIEW, Event.EXPORT, Event.DOWNLOAD, Event.PRINT)
COUNTED_EVENTS = COUNTED_FOR_ACCOUNT + COUNTED_FOR_ACTOR

# Each counted entry's agency, day and event.
COUNTED_ENTRIES = """
    SELECT CASE WHEN e.event = ANY(%(for_account)s) THEN e.agency_id ELSE e.actor_agency_id END AS agency_id,
           (e.timestamp AT TIME ZONE %(zone)s)::date AS day,
           e.event,
           e.id
    FROM audit_auditentry e
    WHERE e.event = ANY(%(events)s)
"""
COUNT_AUDIT_ENTRIES = """
    WITH counted AS MATERIALIZED (
        SELECT agency_id, day, event, count(*) AS n
        FROM ({entries} AND e.id > %(after)s AND e.id <= %(up_to)s) AS entries
        GROUP BY agency_id, day, event
    ),
    months AS (
        INSERT INTO reports_auditcount (agency_id, month, event, count)
        SELECT agency_id, date_trunc('month', day)::date, event, sum(n)
        FROM counted GROUP BY 1, 2, 3 ORDER BY 2
        ON CONFLICT (COALESCE(agency_id, 0), month, event)
        DO UPDATE SET count = reports_auditcount.count + EXCLUDED.count
    )
    INSERT INTO reports_auditdaycount (agency_id, day, event, count)
    SELECT agency_id, day, event, n FROM counted ORDER BY day
    ON CONFLICT (COALESCE(agency_id, 0), day, event)
    DO UPDATE SET count = reports_auditdaycount.count + EXCLUDED.count
"""


def _entry_params() -> dict:
    return {
        "for_account": list(COUNTED_FOR_ACCOUNT),
        "events": list(COUNTED_EVENTS),
        "zone": settings.TIME_ZONE,
    }


def refresh_audit_counts(*, rebuild: bool = False) -> tuple[int, int]:
    """Count the audit entries written since the last refresh (all of them with ``rebuild``).

    Returns (entries counted from, entries counted to) as ids.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK_KEY])
        refresh = RollupRefresh.objects.filter(name=RollupRefresh.AUDIT).first()
        after = 0 if rebuild or refresh is None else refresh.audit_entries_to
        if after == 0:
            cursor.execute("DELETE FROM reports_auditcount")
            cursor.execute("DELETE FROM reports_auditdaycount")
        # Every entry up to the newest committed one has committed (see the module's docstring).
        cursor.execute("SELECT coalesce(max(id), 0) FROM audit_auditentry")
        up_to = max(cursor.fetchone()[0], after)
        cursor.execute(
            COUNT_AUDIT_ENTRIES.format(entries=COUNTED_ENTRIES),
            {**_entry_params(), "after": after, "up_to": up_to},
        )
        _mark(RollupRefresh.AUDIT, audit_entries_to=up_to)
    return after, up_to


def _mark(name: str, **fields) -> None:
    RollupRefresh.objects.update_or_create(name=name, defaults={"refreshed_at": timezone.now(), **fields})


def _for_agencies(entries, scope: ReportScope):
    if scope.agency_ids is None:
        return entries
    return entries.filter(
        Q(event__in=COUNTED_FOR_ACCOUNT, agency_id__in=scope.agency_ids)
        | Q(event__in=COUNTED_FOR_ACTOR, actor_agency_id__in=scope.agency_ids)
    )


def _audit_table() -> AuditCounts:
    return defaultdict(lambda: defaultdict(Counter))


def _count_entries(counts: AuditCounts, entries, scope: ReportScope) -> None:
    rows = (
        entries.annotate(
            month=TruncMonth("timestamp", tzinfo=scope.start.tzinfo),
            name=Case(
                When(event__in=COUNTED_FOR_ACCOUNT, then=F("agency__name")), default=F("actor_agency__name")
            ),
        )
        .values_list("month", "event", "name")
        .annotate(n=Count("id"))
        .order_by()
    )
    for month, event, name, count in rows:
        counts[event][name][month.astimezone(scope.start.tzinfo).date()] += count


# The counts of the months the scope touches less those of its days outside the dates asked for,
# and the entry they were counted up to: one statement, so a refresh committing meanwhile
# cannot count an entry twice.
READ_AUDIT_COUNTS = """
    WITH counted AS (
        SELECT agency_id, event, month, count FROM reports_auditcount
        WHERE month >= %(first)s AND month <= %(last)s
        UNION ALL
        SELECT agency_id, event, date_trunc('month', day)::date, -count FROM reports_auditdaycount
        WHERE ({days})
    )
    , by_month AS (
        SELECT c.event, a.name, c.month, sum(c.count) AS n
        FROM counted c LEFT JOIN agreements_agency a ON a.id = c.agency_id
        WHERE TRUE {agencies}
        GROUP BY 1, 2, 3
    )
    -- A row per event and agency with its months and counts side by side: a partnership-wide
    -- year is a few hundred rows to read rather than thousands (one per agency, event and month).
    SELECT event, name, array_agg(month), array_agg(n),
           (SELECT audit_entries_to FROM reports_rolluprefresh WHERE name = %(audit)s)
    FROM by_month
    GROUP BY 1, 2
"""
# Entries written since, in the dates asked for.
READ_LATER_ENTRIES = """
    SELECT c.event, a.name, date_trunc('month', c.day)::date, count(*)
    FROM ({entries} AND e.id > %(up_to)s AND e.timestamp >= %(start)s AND e.timestamp < %(end)s) AS c
    LEFT JOIN agreements_agency a ON a.id = c.agency_id
    WHERE TRUE {agencies}
    GROUP BY 1, 2, 3
"""


def _load_audit_counts(scope: ReportScope) -> AuditCounts:
    counts = _audit_table()
    if not _answers(scope, RollupRefresh.AUDIT):
        entries = _for_agencies(AuditEntry.objects.filter(event__in=COUNTED_EVENTS), scope)
        _count_entries(counts, scope.in_period(entries, "timestamp"), scope)
        return counts
    months = scope.months()
    params = {
        **_entry_params(),
        "audit": RollupRefresh.AUDIT,
        "first": months[0],
        "last": months[-1],
        "start": scope.start,
        "end": scope.end,
        "agencies": sorted(scope.agency_ids or ()),
    }
    days = _within("day", _outside(scope), params, "day")
    agencies = "" if scope.agency_ids is None else "AND c.agency_id = ANY(%(agencies)s)"
    with connection.cursor() as cursor:
        cursor.execute(READ_AUDIT_COUNTS.format(days=days, agencies=agencies), params)
        rows = cursor.fetchall()
        # With no counts in these months no entry up to any mark is in them: count them all.
        params["up_to"] = rows[0][4] if rows else 0
        for event, name, months_counted, month_counts, _ in rows:
            counts[event][name].update(dict(zip(months_counted, month_counts, strict=True)))
        cursor.execute(READ_LATER_ENTRIES.format(entries=COUNTED_ENTRIES, agencies=agencies), params)
        for event, name, month, count in cursor.fetchall():
            counts[event][name][month] += count
    return counts


def audit_counts(scope: ReportScope) -> AuditCounts:
    """Counted audit entries in the scope: event -> agency name (None: no agency) -> month -> how many.

    Which agency an entry counts for depends on its event (COUNTED_FOR_ACCOUNT, COUNTED_FOR_ACTOR).
    """
    return read_once("audit-counts", scope, lambda: _load_audit_counts(scope))
