"""Requests to gunicorn on 127.0.0.1: latency at concurrency 1, throughput at 8, the CSV export.

gunicorn's sync workers close the connection after each response, so every request
(ours and wrk's) opens a new loopback connection, as each browser request to a sync
worker behind a proxy would.
"""

import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.middleware import ANSWER_HEADER, ASK_HEADER, TIME_HEADER

HERE = Path(__file__).resolve().parent


@dataclass
class Latency:
    p50: float
    p95: float
    samples: int
    failures: int


@dataclass
class Throughput:
    rps: float
    failures: int  # non-2xx answers and socket errors
    tool: str
    p50_ms: float = 0.0  # wrk's latency percentiles (0: not measured)
    p95_ms: float = 0.0


class Server:
    def __init__(self, port: int, base_headers: dict[str, str]):
        self.port = port
        self.base_headers = base_headers

    def headers(self, cookie: str | None) -> dict[str, str]:
        return {**self.base_headers, **({"Cookie": cookie} if cookie else {})}

    def get(self, path: str, cookie: str | None, extra: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path, headers={**self.headers(cookie), **(extra or {})})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def queries(self, path: str, cookie: str | None) -> tuple[int, float]:
        """How many queries one request of the page runs, and their time in ms."""
        status, headers, _ = self.get(path, cookie, {ASK_HEADER: "1"})
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status} {headers.get('Location', '')}".strip())
        return int(headers[ANSWER_HEADER]), float(headers[TIME_HEADER])

    def latency(
        self, path: str, cookie: str | None, *, requests: int, seconds: float, warm_up: int
    ) -> Latency:
        """One request at a time: ``warm_up`` untimed, then ``requests`` timed. Each phase ends
        early when its time runs out (``seconds``, a third of it for the warm-up), so a slow
        page costs bounded time; the table shows how many were timed."""
        headers = self.headers(cookie)
        self._one_by_one(path, headers, count=warm_up, seconds=seconds / 3, minimum=1)
        timings, failures = self._one_by_one(path, headers, count=requests, seconds=seconds, minimum=3)
        return Latency(
            p50=statistics.median(timings),
            p95=_percentile(timings, 95),
            samples=len(timings),
            failures=failures,
        )

    def interleaved(
        self, path: str, peer: str, cookie: str | None, *, requests: int, seconds: float, warm_up: int
    ) -> tuple[Latency, Latency]:
        """A page and its peer one request at a time, alternating (A B A B ...), so both see the
        same moments of a shared machine: their ratio survives the noise their absolute times do
        not. ``requests`` pairs (fewer when ``seconds`` run out, at least 3)."""
        headers = self.headers(cookie)
        deadline = time.monotonic() + seconds / 3
        for index in range(warm_up):
            self._one_by_one(path, headers, count=1, seconds=0, minimum=1)
            self._one_by_one(peer, headers, count=1, seconds=0, minimum=1)
            if index >= 1 and time.monotonic() > deadline:
                break
        timings: dict[str, list[float]] = {path: [], peer: []}
        failures = {path: 0, peer: 0}
        deadline = time.monotonic() + seconds
        for index in range(requests):
            # Who goes first alternates too, so neither always follows the other's leftovers.
            for one in (path, peer) if index % 2 == 0 else (peer, path):
                times, failed = self._one_by_one(one, headers, count=1, seconds=0, minimum=1)
                timings[one] += times
                failures[one] += failed
            if index >= 2 and time.monotonic() > deadline:
                break
        return tuple(  # type: ignore[return-value]
            Latency(
                p50=statistics.median(timings[one]),
                p95=_percentile(timings[one], 95),
                samples=len(timings[one]),
                failures=failures[one],
            )
            for one in (path, peer)
        )

    def _one_by_one(
        self, path: str, headers: dict, *, count: int, seconds: float, minimum: int
    ) -> tuple[list[float], int]:
        timings, failures = [], 0
        deadline = time.monotonic() + seconds
        for _ in range(count):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            start = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            timings.append((time.perf_counter() - start) * 1000)
            connection.close()
            failures += response.status != 200
            if len(timings) >= minimum and time.monotonic() > deadline:
                break
        return timings, failures

    def throughput(
        self, path: str, cookie: str | None, *, seconds: float, concurrency: int = 8
    ) -> Throughput:
        if shutil.which("wrk"):
            return self._wrk(path, cookie, seconds=seconds, concurrency=concurrency)
        return self._processes(path, cookie, seconds=seconds, concurrency=concurrency)

    def drain(self, *, queued: int, p50_ms: float, workers: int) -> None:
        """Wait for the requests a load run left behind: when wrk stops, its last requests are
        still being served or queued, and would slow whatever is measured next."""
        time.sleep(queued * p50_ms / 1000 / workers)
        floor = self.headers(None)
        for _ in range(200):  # then until the floor answers fast twice running (20 s at most)
            times, _ = self._one_by_one("/bench/floor/", floor, count=2, seconds=0, minimum=2)
            if max(times) < 20:
                return
            time.sleep(0.1)

    def _wrk(self, path: str, cookie: str | None, *, seconds: float, concurrency: int) -> Throughput:
        command = [
            "wrk",
            "-t",
            str(min(2, concurrency)),
            "-c",
            str(concurrency),
            "-d",
            f"{seconds:g}s",
            "--timeout",
            "60s",
        ]
        command += ["-s", str(HERE / "wrk_summary.lua")]
        for name, value in self.headers(cookie).items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{self.port}{path}")
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
        summary = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
        return Throughput(
            rps=summary["requests"] / (summary["duration_us"] / 1e6),
            failures=summary["non2xx"] + summary["errors"],
            tool="wrk",
            p50_ms=summary["p50_us"] / 1000,
            p95_ms=summary["p95_us"] / 1000,
        )

    def _processes(self, path: str, cookie: str | None, *, seconds: float, concurrency: int) -> Throughput:
        """Without wrk: one Python process per connection, each sending requests back to back."""
        with multiprocessing.Pool(concurrency) as pool:
            results = pool.starmap(_hammer, [(self.port, path, self.headers(cookie), seconds)] * concurrency)
        done = sum(ok for ok, _ in results)
        failed = sum(bad for _, bad in results)
        return Throughput(rps=(done + failed) / seconds, failures=failed, tool="python x8")


def _hammer(port: int, path: str, headers: dict, seconds: float) -> tuple[int, int]:
    ok = failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            ok, failed = (ok + 1, failed) if response.status == 200 else (ok, failed + 1)
        except OSError:
            failed += 1
        finally:
            connection.close()
    return ok, failed


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


# --- The CSV export and the worker's memory ---------------------------------------------------


@dataclass
class Export:
    rows: int
    seconds: float
    growth_mb: float
    completed: bool
    note: str = ""
    expected: int = 0  # rows the log holds for the user: a cut-off export shows fewer

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def worker_pids(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def export(server: Server, path: str, cookie: str, master: int) -> Export:
    """Stream the export to the end, counting lines; the worker that served it grew by its peak.

    Writing 5 to clear_refs resets a process's peak (VmHWM) to its present size, so
    the peak after the request, less the size before, is what this request cost.
    """
    workers = worker_pids(master)
    before = {}
    for pid in workers:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        before[pid] = _status_kb(pid, "VmRSS")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    lines, completed, note = 0, True, ""
    start = time.perf_counter()
    try:
        connection.request("GET", path, headers=server.headers(cookie))
        response = connection.getresponse()
        if response.status != 200:
            return Export(0, 0.0, 0.0, False, f"answered {response.status}")
        while chunk := response.read1(1 << 16):
            lines += chunk.count(b"\n")
    except (http.client.IncompleteRead, ConnectionError) as error:
        completed, note = False, f"cut off: {type(error).__name__}"
    seconds = time.perf_counter() - start
    connection.close()
    survivors = [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
    if len(survivors) < len(workers):
        completed, note = False, "a worker was killed (timeout?)"
    growth = max((_status_kb(pid, "VmHWM") - before[pid] for pid in survivors), default=0)
    return Export(
        rows=max(lines - 1, 0), seconds=seconds, growth_mb=growth / 1024, completed=completed, note=note
    )
