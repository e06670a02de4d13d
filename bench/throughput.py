"""Throughput under concurrency (issue 19, item 3): ``bench/run throughput``.

Requests a second at concurrency 8 and 32 with 4 gunicorn workers, sync and gthread, over the
floor, the lean list and the product pages every visit writes an audit entry for; then audited
writes a second with 1, 2, 4 and 8 concurrent writers, each a process with its own connection
writing what a page view writes (``audit.services.record_view``, committed, as a request does).
While writers run, a sampler counts the backends waiting for the audit chain's advisory lock:
if they queue there, the chain is the limit.

Writes are the product's own (views of the cast's decision by its IG officer, labelled
``command:bench``); nothing else changes. Bounds: BENCH_THROUGHPUT_SECONDS (10 a figure),
BENCH_THROUGHPUT_WORKERS (4), BENCH_THREADS (4 a gthread worker), BENCH_PORT.
"""

import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from django.db import connection, connections
from django.urls import reverse

from audit.chain import ADVISORY_LOCK_KEY
from bench import cast as casting
from bench import client
from bench.measure import RESULTS, ROOT, _load_average, _machine, _port_is_free

SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", 10))
WORKERS = int(os.environ.get("BENCH_THROUGHPUT_WORKERS", 4))
THREADS = int(os.environ.get("BENCH_THREADS", 4))
PORT = int(os.environ.get("BENCH_PORT", 8205))
CONCURRENCY = (8, 32)
WRITERS = (1, 2, 4, 8)
OUT = RESULTS.parent / "throughput.md"


@dataclass
class Loaded:
    worker_class: str
    page: str
    concurrency: int
    rps: float
    p50_ms: float
    p95_ms: float
    failures: int
    load: float


def main() -> int:
    if not _port_is_free(PORT):
        print(f"Port {PORT} is in use: another benchmark running?")
        return 2
    server = f"- Server: gunicorn, {WORKERS} workers, sync then gthread ({THREADS} threads each)"
    head = [
        server if line.startswith("- Server:") else line
        for line in _machine()
        if not line.startswith("- Concurrency 1:")
    ]
    print("\n".join(head), flush=True)
    cast = casting.choose()
    cookies = casting.sign_in(cast)
    pages = [
        ("Floor (no query, no session)", None, "/bench/floor/"),
        ("Lean list (no audit entry)", "practitioner", reverse("bench_lean_list")),
        ("Practitioner's decisions (no audit entry)", "practitioner", reverse("decisions:list")),
        (
            "Decision record (one audit entry)",
            "practitioner",
            reverse("decisions:detail", args=[cast.decision.pk]),
        ),
        ("Decision log (one audit entry)", "ig_officer", reverse("decisions:log")),
    ]
    loaded: list[Loaded] = []
    try:
        for worker_class in ("sync", "gthread"):
            gunicorn = _start(worker_class)
            try:
                server = client.Server(PORT, {"X-Forwarded-Proto": "https", "User-Agent": "isa-bench"})
                for name, who, path in pages:
                    cookie = cookies.get(who) if who else None
                    server.queries(path, cookie)  # answers 200, and warms the worker
                    for concurrency in CONCURRENCY:
                        load = os.getloadavg()[0]
                        result = server.throughput(path, cookie, seconds=SECONDS, concurrency=concurrency)
                        loaded.append(
                            Loaded(
                                worker_class,
                                name,
                                concurrency,
                                result.rps,
                                result.p50_ms,
                                result.p95_ms,
                                result.failures,
                                load,
                            )
                        )
                        print(f"  {worker_class} c={concurrency} {name}: {result.rps:,.0f} rps", flush=True)
                        server.drain(queued=concurrency, p50_ms=result.p50_ms, workers=WORKERS)
            finally:
                gunicorn.terminate()
                gunicorn.wait(timeout=30)
    finally:
        casting.sign_out(cookies)
    writes = [_writers(count, cast) for count in WRITERS]
    out = ["", *_loaded_table(loaded), "", *_writes_table(writes), "", f"{_load_average()} at the end."]
    print("\n".join(out))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(head + out) + "\n")
    print(f"\nWritten to {OUT.relative_to(ROOT)}")
    return 0


def _start(worker_class: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "isa_portal.wsgi:application",
        "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--no-control-socket",
        "--worker-class", worker_class, "--log-level", "warning",
        "--error-logfile", str(RESULTS.parent / "gunicorn-throughput.log"),
    ]  # fmt: skip
    if worker_class == "gthread":
        command += ["--threads", str(THREADS)]
    process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
    server = client.Server(PORT, {"X-Forwarded-Proto": "https"})
    for _ in range(150):
        time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped at start")
        try:
            if (
                server.get("/bench/floor/", None)[0] == 200
                and len(client.worker_pids(process.pid)) == WORKERS
            ):
                return process
        except OSError:
            continue
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {PORT}")


# --- Audited writes -----------------------------------------------------------------------------


@dataclass
class Writes:
    writers: int
    count: int
    seconds: float
    p50_ms: float
    p95_ms: float
    waiting: float  # backends waiting for the chain's lock, on average over the samples
    load: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


def _writers(count: int, cast: casting.Cast) -> Writes:
    load = os.getloadavg()[0]
    connections.close_all()  # each process opens its own
    start_at = time.time() + 1.0
    with multiprocessing.get_context("fork").Pool(count) as pool:
        pending = pool.starmap_async(_write, [(cast.decision.pk, cast.ig_officer.pk, start_at)] * count)
        waiting = _sample_lock_waiters(start_at, SECONDS)
        results = pending.get()
    timings = [ms for result in results for ms in result]
    written = Writes(
        writers=count,
        count=len(timings),
        seconds=SECONDS,
        p50_ms=statistics.median(timings),
        p95_ms=client._percentile(timings, 95),
        waiting=waiting,
        load=load,
    )
    print(f"  {count} writer(s): {written.per_second:,.0f} audited writes/s", flush=True)
    return written


def _write(decision_pk: int, user_pk: int, start_at: float) -> list[float]:
    from accounts.models import User
    from audit.context import audit_context
    from audit.services import record_view
    from decisions.models import Decision

    connections.close_all()
    decision = Decision.objects.get(pk=decision_pk)
    user = User.objects.get(pk=user_pk)
    timings = []
    time.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + SECONDS
    with audit_context(source="command:bench", actor=user, remote_addr="127.0.0.1"):
        while time.monotonic() < deadline:
            begin = time.perf_counter()
            record_view(decision, benchmark="concurrent writers")  # autocommit: one INSERT, one commit
            timings.append((time.perf_counter() - begin) * 1000)
    connections.close_all()
    return timings


def _sample_lock_waiters(start_at: float, seconds: float) -> float:
    """Backends waiting for the audit chain's advisory lock, sampled every 50 ms while writers run."""
    high, low = ADVISORY_LOCK_KEY >> 32, ADVISORY_LOCK_KEY & 0xFFFFFFFF
    samples = []
    time.sleep(max(0.0, start_at - time.time()) + 0.2)
    deadline = time.monotonic() + seconds - 0.4
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid = %s AND objid = %s",
                [high, low],
            )
            samples.append(cursor.fetchone()[0])
            time.sleep(0.05)
    connections.close_all()
    return statistics.mean(samples) if samples else 0.0


# --- Tables -------------------------------------------------------------------------------------


def _loaded_table(loaded: list[Loaded]) -> list[str]:
    from bench.measure import _table

    rows = [
        [
            item.worker_class + (f" ({THREADS} threads)" if item.worker_class == "gthread" else ""),
            item.page,
            str(item.concurrency),
            f"{item.rps:,.0f}",
            f"{item.p50_ms:.1f}",
            f"{item.p95_ms:.1f}",
            str(item.failures),
            f"{item.load:.1f}",
        ]
        for item in loaded
    ]
    header = [f"{WORKERS} workers", "Page", "c", "requests/s", "p50 ms", "p95 ms", "errors", "load"]
    return _table(header, rows)


def _writes_table(writes: list[Writes]) -> list[str]:
    from bench.measure import _table

    rows = [
        [
            str(item.writers),
            f"{item.per_second:,.0f}",
            f"{item.p50_ms:.2f}",
            f"{item.p95_ms:.2f}",
            f"{item.waiting:.1f}",
            f"{item.load:.1f}",
        ]
        for item in writes
    ]
    header = ["Writers", "audited writes/s", "p50 ms", "p95 ms", "waiting for the chain lock (mean)", "load"]
    return _table(header, rows)
