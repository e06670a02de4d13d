"""Decisions made in parallel: worker processes, each for its own share of the children.

Making a decision and its trail entries is most of the generator's work, and one Python
process is slower than PostgreSQL taking the rows. So the parent plans every decision
(who, about whom, when, its reference), forks workers that make them and render their
entries, and itself only merges the workers' entries in time order, chains them and feeds
COPY. Each worker takes the children whose id falls to it, with every decision and record
about them: a reconsideration always finds the decision it reconsiders in the same worker.

The workers are forked from the process holding the database transaction and never touch
the database: they write rows to files the parent loads, and send rendered entries back
through a pipe, a week of the partnership's time at a time.
"""

import heapq
import random
import sys
import time
import traceback
from collections.abc import Iterator
from itertools import chain as chained
from multiprocessing import get_context
from operator import itemgetter
from tempfile import TemporaryFile

from devdata.volume import children as children_part
from devdata.volume import decisions as decisions_part
from devdata.volume.run import DAY, Run
from devdata.volume.tables import to_datetime
from devdata.volume.trail import Pending

WINDOW = 7 * DAY  # entries wait at most this long (plus their own delay) to be put in time order


def windows(run: Run) -> list[int | None]:
    """Where each week of the partnership's time ends; None, the last, takes whatever is left."""
    boundaries, boundary = [], run.start - 200 * DAY
    while boundary <= run.now:
        boundary += WINDOW
        boundaries.append(boundary)
    return [*boundaries, None]


class Team:
    def __init__(self, run: Run, partnership, children, plan, workers: int):
        self.run, self.windows = run, windows(run)
        self.files = [
            # Closed by load(); if the parent fails, the process ends and they go with it.
            {table.name: TemporaryFile("w+", encoding="utf-8") for table in decisions_part.TABLES}  # noqa: SIM115
            for _ in range(workers)
        ]
        shares = [[] for _ in range(workers)]
        for decision in plan.decisions:
            shares[decision[2] % workers].append(decision)
        events = [[] for _ in range(workers)]
        for event in children.events:
            events[event[3] % workers].append(event)
        sys.stdout.flush()  # or each child would write the parent's unflushed output again
        sys.stderr.flush()
        context = get_context("fork")
        self.pipes, self.processes = [], []
        for worker in range(workers):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_work,
                args=(worker, workers, run, partnership, children, shares[worker], events[worker]),
                kwargs={"files": self.files[worker], "windows": self.windows, "pipe": send},
                daemon=True,
            )
            process.start()
            send.close()
            self.pipes.append(receive)
            self.processes.append(process)

    def trail(self, log) -> Iterator[str]:
        """COPY lines of the whole trail: each week's entries from every worker, merged and chained."""
        chain, pending = self.run.chain, self.run.pending
        began = time.monotonic()
        for number, boundary in enumerate(self.windows, start=1):
            batches = [self._receive(worker) for worker in range(len(self.pipes))]
            batches.append(pending.ready(boundary))
            for rendered in heapq.merge(*batches, key=itemgetter(0)):
                yield chain.line(rendered)
            if number % 26 == 0:  # every half year of the partnership's time
                took = time.monotonic() - began
                log(f"    to {to_datetime(boundary):%d %b %Y}: {chain.last_id:,} audit entries, {took:.0f} s")

    def join(self) -> list:
        made = [self._receive(worker) for worker in range(len(self.pipes))]
        for process in self.processes:
            process.join()
        return made

    def load(self) -> None:
        """The workers' decisions, reviews and addenda, decisions in id (so time) order."""
        for files in self.files:
            for file in files.values():
                file.seek(0)
        decisions, reviews, addenda = decisions_part.TABLES
        self.run.copy_lines(decisions, heapq.merge(*(f[decisions.name] for f in self.files), key=_leading_id))
        self.run.copy_lines(reviews, chained.from_iterable(f[reviews.name] for f in self.files))
        self.run.copy_lines(addenda, chained.from_iterable(f[addenda.name] for f in self.files))
        for files in self.files:
            for file in files.values():
                file.close()

    def _receive(self, worker: int):
        try:
            message = self.pipes[worker].recv()
        except EOFError:
            raise RuntimeError(f"Decision worker {worker} stopped without a word.") from None
        if isinstance(message, dict):
            raise RuntimeError(f"Decision worker {worker} failed:\n{message['error']}")
        return message


def _leading_id(line: str) -> int:
    return int(line[: line.index("\t")])


def _work(worker, workers, run, partnership, children, decisions, events, *, files, windows, pipe) -> None:
    """In the forked worker: make its decisions and entries a week at a time, send each week's entries."""
    try:
        # Its own random source, the same on every run with the same seed and number of workers.
        run.rng = random.Random(f"{run.seed}/{worker}/{workers}")  # noqa: S311 (synthetic data)
        run.pending = Pending()
        maker = decisions_part.DecisionMaker(run, partnership, children, files, worker, workers)
        next_event = next_decision = 0
        for boundary in windows:
            while next_event < len(events) and (boundary is None or events[next_event][0] < boundary):
                at, kind, index, _ = events[next_event]
                run.record(at, children_part.entry(run, partnership, children, kind, index))
                next_event += 1
            while next_decision < len(decisions) and (
                boundary is None or decisions[next_decision][1] < boundary
            ):
                maker.make(*decisions[next_decision])
                next_decision += 1
            pipe.send(run.pending.ready(boundary))
        maker.finish()
        pipe.send(maker.made)
    except BaseException:
        pipe.send({"error": traceback.format_exc()})
    finally:
        pipe.close()
