"""The benchmark of issues 8 and 19: every figure against its budget, in one table. Run by ``bench/run``.

Order of a run: choose the people and records (``bench.cast``), sign them in, start
gunicorn, then per page: latency at concurrency 1 interleaved with its lean peer's
(``bench/urls.py``), the query count, throughput at concurrency 8; then the CSV export;
stop gunicorn; then the in-process figures (an audited write, each report figure).
Sessions are removed at the end.
"""

import datetime as dt
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import django
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from agreements.models import Agency
from audit.models import AuditEntry
from bench import cast as casting
from bench import client, inprocess
from consent.models import Child
from decisions import selectors
from decisions.forms import LogFilterForm
from decisions.models import Decision
from isa_portal.pagination import cursor_for, keyset_page

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / ".local" / "bench" / "results.md"

# Budgets (issue 19): each page's p50 as a ratio to its lean peer's (bench/urls.py), the two
# timed interleaved in the same run. Lists (the deep page too) against the lean list; detail
# pages (the record, the chronology, the audit viewer, the signatory register) against the lean
# detail; the reports page against the lean list.
RATIO_BUDGETS = {"list": ("lean list", 1.25), "detail": ("lean detail", 1.5), "reports": ("lean list", 3.0)}
# Budgets kept from issue 8, at 1M decisions and 10M audit rows, signed in, full page layout.
FLOOR_SHARE = 30  # at concurrency 8, at least 1/30 of the floor's requests a second
DEEP_FACTOR = 1.5
MAX_QUERIES = 8
FIGURE_SCREEN_MS, FIGURE_LIVE_MS = 100, 600
WRITE_MS = 4
EXPORT_ROWS_PER_S, EXPORT_GROWTH_MB = 100_000, 20


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


REQUESTS = _env_int("BENCH_REQUESTS", 200)  # timed requests per page at concurrency 1 ...
PAGE_SECONDS = _env_float("BENCH_PAGE_SECONDS", 10)  # ... or fewer, when a page is slow
WARM_UP = _env_int("BENCH_WARM_UP", 10)
C8_SECONDS = _env_float("BENCH_C8_SECONDS", 5)
WORKERS = _env_int("BENCH_WORKERS", 2)
PORT = _env_int("BENCH_PORT", 8205)
WRITES = _env_int("BENCH_WRITES", 200)
DEPTH = _env_float("BENCH_DEPTH", 0.9)
# Words of the pages to measure (BENCH_ONLY="audit,record"); every page when empty.
ONLY = [word.strip().lower() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
# A page slower than this at concurrency 1 is not loaded at 8: a few requests would say nothing
# and leave the workers busy for long after.
SLOW_MS = 1000


@dataclass
class Page:
    name: str
    who: str | None  # a key of Cast.people(); None: not signed in
    path: str
    kind: str = "list"  # "floor", "list", "deep" (a list's later page), "detail" or "reports"
    first: "Page | None" = None  # for a deep page: the first page of the same list
    peer_path: str = ""  # the lean peer timed interleaved with it (none for the floor)
    peer: client.Latency | None = None
    load: float = 0.0  # the machine's 1-minute load average as the page's timing began
    queries: int = 0
    sql_ms: float = 0.0  # the queries' time in the counted request
    latency: client.Latency | None = None
    throughput: client.Throughput | None = None


def main() -> int:
    name = settings.DATABASES["default"]["NAME"]
    try:
        empty = not Decision.objects.exists()
    except DatabaseError as error:
        print(f"Cannot read decisions from the database {name}: {str(error).strip()}")
        return 2
    if empty:
        print(f"The database {name} holds no decisions: nothing to measure.")
        print("Fill it first, e.g. `manage.py generate_volume`, or point BENCH_DATABASE_URL elsewhere.")
        return 2
    if pending := unapplied_migrations():
        print(f"The database {name} lacks {len(pending)} migration(s) of this code: {', '.join(pending)}.")
        print("Migrate it first (DATABASE_URL=... manage.py migrate), or measure the code it was made with.")
        return 2
    if not settings.DATABASES["default"].get("CONN_MAX_AGE"):
        print("Persistent database connections are off (DB_CONN_MAX_AGE=0): refusing to measure.")
        return 2
    if not _port_is_free(PORT):
        print(f"Port {PORT} is in use (another benchmark running?): two at once would measure each other.")
        print("Wait for it to end, or set BENCH_PORT.")
        return 2
    head = _machine()
    print("\n".join(head), flush=True)
    audit_before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    cast = casting.choose()
    pages, deep_note = _pages(cast)
    if ONLY:  # the floor always: the table reads against it
        pages = [
            page
            for page in pages
            if page.kind == "floor"
            or any(word in page.name.lower() for word in ONLY)
            or any(word in later.name.lower() for later in pages if later.first is page for word in ONLY)
        ]
    cookies = casting.sign_in(cast)
    gunicorn = log = None
    try:
        gunicorn, log = _start_gunicorn()
        server = client.Server(PORT, {"X-Forwarded-Proto": "https", "User-Agent": "isa-bench"})
        for page in pages:
            cookie = cookies.get(page.who) if page.who else None
            server.queries(page.path, cookie)  # stops the run here if the page does not answer 200
            page.load = os.getloadavg()[0]
            if page.peer_path:
                server.queries(page.peer_path, cookie)
                page.latency, page.peer = server.interleaved(
                    page.path,
                    page.peer_path,
                    cookie,
                    requests=REQUESTS,
                    seconds=PAGE_SECONDS,
                    warm_up=WARM_UP,
                )
            else:
                page.latency = server.latency(
                    page.path, cookie, requests=REQUESTS, seconds=PAGE_SECONDS, warm_up=WARM_UP
                )
            page.queries, page.sql_ms = server.queries(page.path, cookie)  # warm, as in the tests
            if page.latency.p50 <= SLOW_MS:
                page.throughput = server.throughput(page.path, cookie, seconds=C8_SECONDS)
                server.drain(queued=8, p50_ms=page.latency.p50, workers=WORKERS)
            ratio = f", {ratio_to_peer(page):.2f}x its peer" if page.peer else ""
            print(f"  {page.name}: p50 {page.latency.p50:.1f} ms{ratio}, {page.queries} queries", flush=True)
        exported = _export(server, cookies["partnership_ig"], gunicorn.pid, log, cast.partnership_ig)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        casting.sign_out(cookies)

    print("  timing the audited write and the report figures in-process", flush=True)
    write_ms = inprocess.audited_write_ms(decision=cast.decision, by=cast.lead, count=WRITES)
    figure_timings = inprocess.report_figures(cast.partnership_ig)
    added = AuditEntry.objects.filter(id__gt=audit_before).count()

    out = ["", *_cast_lines(cast, deep_note), ""]
    out += _page_table(pages)
    out += ["", *_other_table(exported, write_ms, figure_timings), ""]
    out += _figure_table(figure_timings)
    out += [
        "",
        f"Writes this run left: {added:,} audit entries (the product records every list, view and export; "
        f"writes timed in-process were rolled back), {cast.devices_created} authenticator(s) created for the "
        "people signed in (audited); the sessions were removed.",
        f"{_load_average()} at the end; the load column is the 1-minute figure as each page began.",
    ]
    print("\n".join(out))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(head + out) + "\n")
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    return 0


# --- Set-up -----------------------------------------------------------------------------------


def _machine() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    counts = {
        "agencies": Agency.objects.count(),
        "users": User.objects.count(),
        "children": Child.objects.count(),
        "decisions": Decision.objects.count(),
        "audit entries": AuditEntry.objects.count(),
    }
    return [
        f"# ISA Portal benchmark, {timezone.localtime():%d %b %Y %H:%M}",
        "",
        f"- Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {postgres} on 127.0.0.1",
        f"- Server: gunicorn, {WORKERS} sync workers, DEBUG={settings.DEBUG}, "
        f"OTP_REQUIRED={settings.OTP_REQUIRED}, CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}",
        f"- Database {settings.DATABASES['default']['NAME']}: "
        + ", ".join(f"{count:,} {name}" for name, count in counts.items()),
        f"- Concurrency 1: {REQUESTS} requests a page after {WARM_UP} untimed (fewer if "
        f"{PAGE_SECONDS:g} s run out), each interleaved with its lean peer's; concurrency 8: "
        f"{C8_SECONDS:g} s a page",
        f"- {_load_average()} at the start",
    ]


def _load_average() -> str:
    return "Load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1, 5, 15 min)"


def _pages(cast: casting.Cast) -> tuple[list[Page], str]:
    log = reverse("decisions:log")
    first_log = f"{log}?{urlencode({'outcome': cast.outcome})}"
    cursor, position, total = _deep_cursor(cast)
    today = timezone.localdate()
    month_ago = today - dt.timedelta(days=30)
    by_record = {
        "record_type": ContentType.objects.get_for_model(Decision).pk,
        "record_id": cast.decision.pk,
    }
    by_actor = {
        "actor": cast.practitioner.email,
        **_date("date_from", month_ago),
        **_date("date_to", today),
    }
    audit = reverse("audit:entry_list")
    first = Page("Decision log, outcome filter, first page", "ig_officer", first_log)
    pages = [
        Page("Floor: a bare view (no query)", None, "/bench/floor/", kind="floor"),
        Page("Practitioner's decisions", "practitioner", reverse("decisions:list")),
        Page("Lead's review queue", "lead", reverse("decisions:review_queue")),
        first,
        Page(
            f"Decision log, same filter, page {DEPTH:.0%} deep",
            "ig_officer",
            f"{log}?{urlencode({'outcome': cast.outcome, 'after': cursor})}",
            kind="deep",
            first=first,
        ),
        Page(
            "Child's chronology",
            "practitioner",
            reverse("consent:child_detail", args=[cast.child.pk]),
            kind="detail",
        ),
        Page(
            "Decision record",
            "practitioner",
            reverse("decisions:detail", args=[cast.decision.pk]),
            kind="detail",
        ),
        Page("Audit viewer: one record", "ig_officer", f"{audit}?{urlencode(by_record)}", kind="detail"),
        Page(
            "Audit viewer: one person, 30 days", "ig_officer", f"{audit}?{urlencode(by_actor)}", kind="detail"
        ),
        Page("Reports dashboard", "partnership_ig", reverse("reports:index"), kind="reports"),
        Page("Signatory register", "ig_officer", reverse("agreements:signatory_register"), kind="detail"),
    ]
    lean_detail = reverse("bench_lean_detail", args=[cast.decision.pk])
    for page in pages:
        if page.kind != "floor":
            page.peer_path = lean_detail if page.kind == "detail" else reverse("bench_lean_list")
    return pages, f"row {position + 1:,} of {total:,}"


def _date(name: str, day: dt.date) -> dict[str, int]:
    """The three boxes of a GOV.UK date field."""
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def _deep_cursor(cast: casting.Cast) -> tuple[str, int, int]:
    """The cursor of a row DEPTH of the way into the filtered log, as the page's own links write it."""
    user = cast.ig_officer
    form = LogFilterForm({"outcome": cast.outcome}, practitioners=selectors.log_practitioners(user))
    if not form.is_valid():
        raise RuntimeError(f"The decision log refused the filter: {form.errors.as_text()}")
    queryset = selectors.filtered_log(user, form.cleaned_data).order_by("-created", "-id")
    total = queryset.count()
    position = min(int(total * DEPTH), max(total - 1, 0))
    cursor = cursor_for(queryset.only("created", "id")[position])
    if keyset_page(queryset, after=cursor).is_first:
        raise RuntimeError(f"The decision log did not accept the cursor {cursor!r}")
    return cursor, position, total


def unapplied_migrations() -> list[str]:
    """The migrations of this code the database lacks: its pages would fail on a missing column."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start_gunicorn() -> tuple[subprocess.Popen, Path]:
    log = RESULTS.parent / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "gunicorn", "isa_portal.wsgi:application",
        "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--no-control-socket",
        "--log-level", "warning", "--error-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
    server = client.Server(PORT, {"X-Forwarded-Proto": "https"})
    for _ in range(100):
        time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start; see {log}")
        try:
            if (
                server.get("/bench/floor/", None)[0] == 200
                and len(client.worker_pids(process.pid)) == WORKERS
            ):
                return process, log
        except OSError:
            continue
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {PORT}; see {log}")


def _export(server: client.Server, cookie: str, master: int, log: Path, user) -> client.Export:
    path = reverse("decisions:log_export")
    timeouts_before = log.read_text().count("WORKER TIMEOUT") if log.exists() else 0
    result = client.export(server, path, cookie, master)
    result.expected = selectors.log_scope(user).count()  # what the unfiltered log holds for them
    if log.exists() and log.read_text().count("WORKER TIMEOUT") > timeouts_before:
        result.completed, result.note = False, "killed by the worker timeout"
    return result


# --- Tables ------------------------------------------------------------------------------------


def _cast_lines(cast: casting.Cast, deep_note: str) -> list[str]:
    history = Decision.objects.filter(child=cast.child).count()
    return [
        f"Agency with the most decisions: {cast.agency}. Signed in as practitioner "
        f"{cast.practitioner.email}, lead {cast.lead.email}, IG officer {cast.ig_officer.email}, "
        f"partnership-wide IG officer {cast.partnership_ig.email}. Child #{cast.child.pk} ({history} "
        f"decisions); decision #{cast.decision.pk}; log filter outcome={cast.outcome}, deep page from "
        f"{deep_note}.",
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells):
        return (
            "| "
            + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))
            + " |"
        )

    return [line(header), "|" + "|".join("-" * (width + 2) for width in widths) + "|", *map(line, rows)]


def _verdict(checks: list[tuple[str, bool]]) -> str:
    if not checks:
        return ""
    failed = [text for text, ok in checks if not ok]
    return "PASS" if not failed else "FAIL " + "; ".join(failed)


def ratio_to_peer(page: Page) -> float:
    """The page's p50 over its lean peer's, both from the same interleaved run."""
    return page.latency.p50 / page.peer.p50


def ratio_budget(page: Page) -> tuple[str, float]:
    """The peer a page is measured against and the most its p50 may be, as a multiple of the peer's."""
    return RATIO_BUDGETS["list" if page.kind == "deep" else page.kind]


def _page_table(pages: list[Page]) -> list[str]:
    floor = next(page for page in pages if page.kind == "floor")
    min_rps = floor.throughput.rps / FLOOR_SHARE
    rows = []
    tools = {page.throughput.tool for page in pages if page.throughput}
    for page in pages:
        lat, thr = page.latency, page.throughput
        budget, checks = _page_budget(page, thr, min_rps)
        failures = lat.failures + (thr.failures if thr else 0) + (page.peer.failures if page.peer else 0)
        if failures:
            checks.append((f"{failures} non-200 answers", False))
        rows.append(
            [
                page.name,
                f"{lat.p50:.1f}",
                f"{lat.p95:.1f}",
                str(lat.samples),
                f"{ratio_budget(page)[0]} {page.peer.p50:.1f}" if page.peer else "-",
                f"{ratio_to_peer(page):.2f}x" if page.peer else "-",
                f"{thr.rps:,.0f}" if thr else f"not run (p50 > {SLOW_MS} ms)",
                str(page.queries),
                f"{page.sql_ms:.1f}",
                f"{lat.p50 / floor.latency.p50:.1f}x",
                f"{page.load:.1f}",
                budget,
                _verdict(checks),
            ]
        )
    header = [
        "Page", "p50 ms", "p95 ms", "n", "peer p50 ms", "÷ peer", f"rps c=8 ({'/'.join(sorted(tools))})",
        "queries", "SQL ms", "p50 ÷ floor", "load", "budget", "result",
    ]  # fmt: skip
    return _table(header, rows)


def _page_budget(page: Page, thr, min_rps: float) -> tuple[str, list[tuple[str, bool]]]:
    if page.kind == "floor":
        return "the floor", []
    peer, limit = ratio_budget(page)
    ratio = ratio_to_peer(page)
    budget = f"≤ {limit:g}x {peer}"
    checks = [(f"{ratio:.2f}x {peer} > {limit:g}x", ratio <= limit)]
    if page.kind == "reports":
        return budget, checks
    budget += f", rps ≥ {min_rps:.0f}, ≤ {MAX_QUERIES} queries"
    checks += [
        (f"rps {thr.rps:.0f} < {min_rps:.0f}", thr.rps >= min_rps) if thr else ("rps not run", False),
        (f"{page.queries} queries > {MAX_QUERIES}", page.queries <= MAX_QUERIES),
    ]
    if page.kind == "deep":
        limit = DEEP_FACTOR * page.first.latency.p50
        budget += f", p50 ≤ {DEEP_FACTOR}x first ({limit:.1f})"
        checks.append((f"p50 {page.latency.p50:.1f} > {limit:.1f}", page.latency.p50 <= limit))
    return budget, checks


def _other_table(exported, write_ms: float, figures: list[inprocess.FigureTiming]) -> list[str]:
    rows = [
        _export_row(exported),
        [
            f"Audited write (addendum service, median of {WRITES}, rolled back)",
            f"{write_ms:.2f} ms",
            f"≤ {WRITE_MS} ms",
            _verdict([(f"{write_ms:.2f} ms", write_ms <= WRITE_MS)]),
        ],
        _figures_row(
            f"Report figures on screen ({len(figures)}, last 12 months, every agency)",
            {f.key: f.screen_ms for f in figures},
            FIGURE_SCREEN_MS,
        ),
        _figures_row(
            "Report figures live over the whole history, every agency",
            {f.key: f.history_ms for f in figures},
            FIGURE_LIVE_MS,
        ),
    ]
    return _table(["Measure", "figure", "budget", "result"], rows)


def _export_row(exported: client.Export) -> list[str]:
    name = "CSV export of all decisions (partnership-wide IG officer)"
    rate, grew = exported.rows_per_second, exported.growth_mb
    figure = (
        f"{exported.rows:,} of {exported.expected:,} rows in {exported.seconds:.1f} s = {rate:,.0f} rows/s; "
        f"worker grew {grew:.1f} MB; "
        + ("completed" if exported.completed else "NOT completed")
        + (f" ({exported.note})" if exported.note else "")
    )
    checks = [
        (f"{rate:,.0f} rows/s", rate >= EXPORT_ROWS_PER_S),
        (f"grew {grew:.1f} MB", grew <= EXPORT_GROWTH_MB),
        ("not completed", exported.completed),
    ]
    budget = f"≥ {EXPORT_ROWS_PER_S:,} rows/s, ≤ {EXPORT_GROWTH_MB} MB, completes"
    return [name, figure, budget, _verdict(checks)]


def _figures_row(name: str, timings: dict[str, float], limit: float) -> list[str]:
    slowest = max(timings, key=timings.get)
    over = sum(ms > limit for ms in timings.values())
    return [
        name,
        f"slowest {timings[slowest]:.0f} ms ({slowest})",
        f"≤ {limit} ms each",
        _verdict([(f"{over} over", over == 0)]),
    ]


def _figure_table(figures: list[inprocess.FigureTiming]) -> list[str]:
    rows = [[figure.key, f"{figure.screen_ms:.1f}", f"{figure.history_ms:.1f}"] for figure in figures]
    return _table(["Report figure", "12 months ms", "whole history ms"], rows)
