"""What is timed inside this process rather than over HTTP: an audited write, each report figure."""

import datetime as dt
import statistics
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from audit.context import audit_context
from decisions.models import Decision
from decisions.services import decision_add_addendum
from reports import registry
from reports.forms import ReportFilterForm


class _RolledBack(Exception):
    pass


def audited_write_ms(*, decision: Decision, by, count: int, warm_up: int = 10) -> float:
    """Median time of the product's addendum service: the row lock, the addendum, its audit entry.

    Each runs in a transaction rolled back afterwards, so the data set is unchanged. That
    leaves out the COMMIT (one WAL flush) that the service's own ``atomic`` makes in a request.
    """
    timings = []
    with audit_context(source="web", actor=by, remote_addr="127.0.0.1"):
        for index in range(warm_up + count):
            try:
                with transaction.atomic():
                    start = time.perf_counter()
                    decision_add_addendum(decision=decision, text="Benchmark addendum (rolled back)", by=by)
                    elapsed = time.perf_counter() - start
                    raise _RolledBack
            except _RolledBack:
                pass
            if index >= warm_up:
                timings.append(elapsed * 1000)
    return statistics.median(timings)


@dataclass
class FigureTiming:
    key: str
    title: str
    screen_ms: float  # the default period on /reports/: the last twelve months, every agency
    history_ms: float  # a period the page is asked for: the whole history, every agency


def report_figures(user) -> list[FigureTiming]:
    """Each figure as /reports/ computes it for a partnership-wide IG officer.

    The default period: after one untimed run, the median of three (one, if the figure
    takes more than half a second). The whole history: one run, as someone asking for
    an unusual period would wait for it.
    """
    screen = ReportFilterForm(None, user=user).scope()
    first = Decision.objects.aggregate(first=Min("created"))["first"] or timezone.now()
    zone = timezone.get_current_timezone()
    history = registry.ReportScope(
        start=dt.datetime.combine(timezone.localtime(first).date().replace(day=1), dt.time.min, zone),
        end=dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time.min, zone),
        agency_ids=None,
    )
    timings = []
    for figure in registry.figures():
        runs = 1 if _ms(figure.compute, screen) > 500 else 3
        screen_ms = statistics.median(_ms(figure.compute, screen) for _ in range(runs))
        timings.append(FigureTiming(figure.key, figure.title, screen_ms, _ms(figure.compute, history)))
    return timings


def _ms(compute, scope) -> float:
    start = time.perf_counter()
    compute(scope)
    return (time.perf_counter() - start) * 1000
