"""Verifying the audit trail: the hash chain, the Merkle tree, the signed checkpoints and the seals.

``manage.py verify_audit`` calls :func:`verify`. What it finds, each named for what happened:

- an entry whose content no longer matches its hash (*entry edited*);
- an entry that does not link to the one before (*entry removed, inserted or moved*);
- the trail no longer reaching a signed checkpoint's head or Merkle root although every link
  holds (*chain recomputed*: entries edited and every later hash rebuilt, e.g. with
  ``audit.chain`` itself);
- fewer entries than a checkpoint signed (*tail cut*);
- a checkpoint whose signature does not hold (*checkpoint edited*), or signed by another key;
- a sealed record that differs from its seal, by record and field (*record rewritten*);
- a personal value kept outside the chain (``audit.erasure``) that no longer matches the
  commitment its entry holds (*personal value altered*). Values erased under retention are
  simply gone: their commitments stay in the chain, which verifies as written.

Two ways to walk the chain:

- **full** (nightly): every entry re-hashed, in worker processes over id ranges aligned to
  ``RANGE_LEAVES`` leaves (each reads its range through a server-side cursor and hashes in
  bulk); the ranges' Merkle frontiers are joined in order, so the root at every checkpoint's size
  is known; then every sealed record is re-read (``audit.seals.verify_seals``).
- **incremental** (``since_checkpoint=True``, every few minutes): the stored chain must still
  reach every checkpoint's head (one indexed read per checkpoint, so a recomputed chain or a cut
  tail is caught anywhere), and only the entries after the newest checkpoint are re-hashed,
  starting from its Merkle frontier. Seconds at any size; an entry edited in place before the
  newest checkpoint (its hash left as it was) is the full run's to find.
"""

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.utils import timezone

from audit import chain, merkle

logger = logging.getLogger(__name__)

# Leaves per range of the parallel walk: a power of two, so each full range is one perfect subtree.
RANGE_LEAVES = 1 << 17
FETCH = 5000  # rows per round trip of the server-side cursor
MAX_PROBLEMS = 50  # per range; the verdict names the first ones, which is where to look

ENTRY_EDITED = "Entry edited"
LINK_BROKEN = "Entry removed, inserted or moved"
UNREADABLE = "Entry unreadable"
CHAIN_RECOMPUTED = "Chain recomputed"
TAIL_CUT = "Tail cut"
RECORD_REWRITTEN = "Record rewritten"
VALUE_ALTERED = "Personal value altered"
CHECKPOINT_EDITED = "Checkpoint edited"
CHECKPOINT_OTHER_KEY = "Checkpoint signed with another key"
CHECKPOINT_MISSING = "Checkpoint removed"
KNOWN_HEAD_MISSING = "Known head missing"

CHAIN_KINDS = {ENTRY_EDITED, LINK_BROKEN, UNREADABLE}


@dataclass(frozen=True)
class Problem:
    kind: str  # one of the names above: what happened
    message: str  # which entry, record, field or checkpoint, in plain words

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass
class Snapshot:
    """The chain at a tree size a checkpoint signed, as the walk found it."""

    last_id: int
    head: str
    frontier: merkle.Frontier


@dataclass
class RangeResult:
    """One range of entries walked: where it starts and ends, its Merkle frontier, what was wrong."""

    count: int = 0
    first_id: int | None = None
    first_prev: str = ""
    last_id: int | None = None
    last_hash: str = ""
    frontier: merkle.Frontier = field(default_factory=merkle.Frontier)
    snapshots: dict[int, Snapshot] = field(default_factory=dict)  # tree size -> the chain there
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Verdict:
    entries: int = 0
    head: str = chain.GENESIS
    last_id: int | None = None
    root: bytes = merkle.EMPTY_ROOT
    frontier: merkle.Frontier = field(default_factory=merkle.Frontier)
    problems: list[Problem] = field(default_factory=list)
    sealed_records: int | None = None  # None: not re-read (incremental)
    checkpoints_checked: int = 0
    notes: list[str] = field(default_factory=list)
    mode: str = "full"
    seconds: float = 0.0
    signed: str = ""  # the checkpoint this run signed, if any
    timings: dict[str, float] = field(default_factory=dict)  # seconds per part, for the benchmark

    @property
    def intact(self) -> bool:
        return not self.problems


Progress = Callable[[str, int, int], None]  # (what, done, total)


def _select(where: str) -> str:
    columns = ", ".join(chain.STORED_COLUMNS)
    return f"SELECT {columns} FROM audit_auditentry WHERE {where} ORDER BY id"  # noqa: S608 (fixed names)


def walk_range(
    start: int,
    low_id: int | None,
    high_id: int,
    *,
    wanted: Iterable[int] = (),
    fetch: int = FETCH,
    progress: Callable[[int], None] | None = None,
    frontier: merkle.Frontier | None = None,
) -> RangeResult:
    """Re-hash the entries with ``low_id < id <= high_id`` (``start`` entries come before them).

    Checks each entry's hash against its content and its link to the one before within the range
    (the caller checks the range's first link). Builds the range's Merkle frontier, and the
    frontier within the range at each tree size in ``wanted``; given the ``frontier`` of the
    ``start`` entries before, the whole tree's instead (verification since a checkpoint).
    """
    wanted = set(wanted)
    result = RangeResult(frontier=frontier.copy() if frontier is not None else merkle.Frontier())
    frontier = result.frontier
    add_leaf = frontier.add
    leaf_of = merkle.entry_leaf
    stored_hash = chain.stored_hash
    position = start
    previous_id = None
    previous_hash = None
    problems = result.problems
    where, params = ("id <= %s", [high_id]) if low_id is None else ("id > %s AND id <= %s", [low_id, high_id])
    with transaction.atomic(using=connection.alias):
        cursor = connection.chunked_cursor()
        cursor.cursor.itersize = fetch
        try:
            cursor.execute(_select(where), params)
            while rows := cursor.fetchmany(fetch):
                for row in rows:
                    entry_id, prev_hash, entry_hash = row[0], row[1], row[2]
                    if previous_id is None:
                        result.first_id, result.first_prev = entry_id, prev_hash
                    elif prev_hash != previous_hash and len(problems) < MAX_PROBLEMS:
                        problems.append(_link_problem(entry_id, previous_id))
                    try:
                        recomputed = stored_hash(row)
                    except Exception as error:
                        recomputed = None
                        if len(problems) < MAX_PROBLEMS:
                            problems.append(_unreadable(entry_id, error))
                    if (
                        recomputed is not None
                        and recomputed != entry_hash
                        and len(problems) < MAX_PROBLEMS
                        and not _model_hash_matches(row)
                    ):
                        problems.append(
                            Problem(
                                ENTRY_EDITED,
                                f"entry {entry_id} has been altered since it was written: its content "
                                "no longer matches its hash.",
                            )
                        )
                    add_leaf(leaf_of(entry_hash) if _is_hash(entry_hash) else merkle.leaf_hash(b""))
                    position += 1
                    previous_id, previous_hash = entry_id, entry_hash
                    if position in wanted:
                        result.snapshots[position] = Snapshot(entry_id, entry_hash, frontier.copy())
                if progress is not None:
                    progress(len(rows))
        finally:
            cursor.close()
    result.count = position - start  # entries walked (the frontier may hold more, from before)
    result.last_id, result.last_hash = previous_id, previous_hash or ""
    return result


def _is_hash(value: str) -> bool:
    return isinstance(value, str) and len(value) == 64


def _link_problem(entry_id: int, previous_id: int | None) -> Problem:
    after = f"entry {previous_id}" if previous_id is not None else "the start of the trail"
    return Problem(
        LINK_BROKEN,
        f"entry {entry_id} does not follow {after}: an entry was removed, inserted or moved here.",
    )


def _unreadable(entry_id: int, error: Exception) -> Problem:
    return Problem(
        UNREADABLE,
        f"entry {entry_id} holds a value no write of the application could have made "
        f"({type(error).__name__}: {error}): it was changed in the database.",
    )


def _model_hash_matches(row) -> bool:
    """The slow, certain way: the entry's values as Django reads them, hashed as they were written."""
    from audit.models import AuditEntry

    try:
        values = AuditEntry.objects.filter(id=row[0]).values(*chain.HASHED_FIELDS).get()
        return chain.entry_hash(values, row[1]) == row[2]
    except Exception:
        logger.debug("Entry %s could not be re-read as a model", row[0], exc_info=True)
        return False


# The full walk, in parallel.


def _range_starts(high_id: int, leaves: int) -> list[int]:
    """The id before each range's first entry (None for the first): ranges of ``leaves`` entries."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM audit_auditentry "
            "WHERE id <= %s) AS numbered WHERE n %% %s = 0 AND n > 0 ORDER BY id",
            [high_id, leaves],
        )
        firsts = [row[0] for row in cursor.fetchall()]
    # A range runs from (previous first - 1, next first - 1]: as bounds, "id > low AND id <= high".
    return firsts


def _walk_in_worker(task: tuple[int, int | None, int, tuple[int, ...]]) -> RangeResult:
    start, low_id, high_id, wanted = task
    try:
        return walk_range(start, low_id, high_id, wanted=wanted)
    finally:
        connections.close_all()


def walk_all(
    high_id: int,
    total: int,
    *,
    wanted: Iterable[int] = (),
    workers: int = 1,
    leaves: int = RANGE_LEAVES,
    progress: Progress | None = None,
) -> list[RangeResult]:
    """Every entry up to ``high_id``, in ranges of ``leaves`` entries, walked by ``workers`` processes."""
    wanted = sorted(set(wanted))
    if workers <= 1 or total <= leaves:
        done = 0

        def step(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress("entries", done, total)

        return [walk_range(0, None, high_id, wanted=wanted, progress=step)]
    firsts = _range_starts(high_id, leaves)
    bounds = [None, *(first - 1 for first in firsts)]
    tasks = []
    for index, low in enumerate(bounds):
        start = index * leaves
        high = bounds[index + 1] if index + 1 < len(bounds) else high_id
        inside = tuple(size for size in wanted if start < size <= start + leaves)
        tasks.append((start, low, high, inside))
    # Worker processes start from this one (fork), each with its own connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results: list[RangeResult] = []
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for result in pool.map(_walk_in_worker, tasks):
            results.append(result)
            done += result.count
            if progress is not None:
                progress("entries", done, total)
    return results


Joined = tuple[merkle.Frontier, str, int | None, dict[int, Snapshot], list[Problem]]


def join(
    results: list[RangeResult],
    *,
    frontier: merkle.Frontier | None = None,
    head: str = chain.GENESIS,
    last_id: int | None = None,
) -> Joined:
    """Join ranges in order after the tree ``frontier`` whose chain ends at ``head`` (entry ``last_id``):
    check each range's first link, and the Merkle frontier at every wanted size of the whole tree."""
    frontier = frontier.copy() if frontier is not None else merkle.Frontier()
    snapshots: dict[int, Snapshot] = {}
    problems: list[Problem] = []
    for result in results:
        if result.first_id is not None and result.first_prev != head:
            problems.append(_link_problem(result.first_id, last_id))
        problems.extend(result.problems)
        for size, snapshot in result.snapshots.items():
            whole = frontier.copy()
            whole.extend(snapshot.frontier)
            snapshots[size] = Snapshot(snapshot.last_id, snapshot.head, whole)
        frontier.extend(result.frontier)
        if result.last_id is not None:
            head, last_id = result.last_hash, result.last_id
    return frontier, head, last_id, snapshots, problems


def trail_bounds() -> tuple[int, int]:
    """How many entries there are and the newest id, read once: the walk covers exactly these. Ids
    are drawn under the chain's lock, so every id below the newest committed one is committed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM audit_auditentry")
        total, high_id = cursor.fetchone()
    return total, high_id


def _newest_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM audit_auditentry")
        return cursor.fetchone()[0]


def _count_after(low_id: int, high_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditentry WHERE id > %s AND id <= %s", [low_id, high_id])
        return cursor.fetchone()[0]


def verify(
    *,
    since_checkpoint: bool = False,
    workers: int = 1,
    progress: Progress | None = None,
    known_head: str | None = None,
    seals: bool | None = None,
    sign: str = "always",
) -> Verdict:
    """Verify the trail; never raises for what it finds (each finding is a :class:`Problem`).

    ``seals``: re-read the sealed records (default: on the full walk only). ``sign``: when the trail
    verifies and a key is configured, write a signed checkpoint "always", only when there are entries
    no checkpoint covers yet ("new", the every-few-minutes job), or "never".
    """
    from audit import checkpoints

    began = time.monotonic()
    verdict = Verdict(mode="incremental" if since_checkpoint else "full")
    found = checkpoints.gather()
    verdict.notes.extend(found.notes)
    verdict.problems.extend(Problem(kind, message) for kind, message in found.problems)
    known = found.checkpoints
    verdict.checkpoints_checked = len(known)
    base = None
    if since_checkpoint:
        # No count of the whole trail (seconds at millions of entries): the newest checkpoint whose
        # entry is still there, and the entries after it, by the primary key.
        high_id = _newest_id()
        reached = [c for c in known if c.last_entry_id <= high_id]
        base = reached[-1] if reached else None
        if base is None:
            verdict.mode = "full"
            verdict.notes.append("No checkpoint to start from: the whole trail was walked.")
        else:
            total = base.tree_size + _count_after(base.last_entry_id, high_id)
    if base is None:
        total, high_id = trail_bounds()
    if base is not None:
        verdict.problems.extend(_heads_hold(known, total, high_id))
        done = 0

        def step(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress("entries since the last checkpoint", done, total - base.tree_size)

        result = walk_range(
            base.tree_size, base.last_entry_id, high_id, progress=step, frontier=base.frontier
        )
        frontier, head, last_id, _, problems = join([result], head=base.head, last_id=base.last_entry_id)
        verdict.problems.extend(problems)
    else:
        wanted = [c.tree_size for c in known if c.tree_size <= total]
        results = walk_all(high_id, total, wanted=wanted, workers=workers, progress=progress)
        frontier, head, last_id, snapshots, problems = join(results)
        verdict.problems.extend(problems)
        verdict.problems.extend(_against_checkpoints(known, total, snapshots))
    verdict.entries = frontier.size
    verdict.frontier, verdict.root, verdict.head, verdict.last_id = frontier, frontier.root(), head, last_id
    if known_head is not None and known_head != chain.GENESIS:
        from audit.models import AuditEntry

        if not AuditEntry.objects.filter(entry_hash=known_head).exists():
            verdict.problems.append(
                Problem(
                    KNOWN_HEAD_MISSING,
                    "the known head hash is not in the chain: entries have been removed from its end, "
                    "or the chain was recomputed after that head was taken.",
                )
            )
    verdict.timings["chain"] = time.monotonic() - began
    if seals if seals is not None else verdict.mode == "full":
        sealed_began = time.monotonic()
        verdict.problems.extend(verify_sealed_records(verdict, progress))
        verdict.timings["sealed records"] = time.monotonic() - sealed_began
        values_began = time.monotonic()
        verdict.problems.extend(verify_personal_values())
        verdict.timings["personal values"] = time.monotonic() - values_began
    signing_began = time.monotonic()
    _sign(verdict, known, sign)
    verdict.timings["signing"] = time.monotonic() - signing_began
    verdict.seconds = time.monotonic() - began
    return verdict


def _sign(verdict: Verdict, known: list, when: str) -> None:
    from audit import checkpoints

    if when == "never":
        return
    if verdict.problems:
        verdict.notes.append("No checkpoint was signed: the trail failed verification.")
        return
    key = checkpoints.signing_key()
    if key is None:
        verdict.notes.append(
            "No checkpoint was signed: no signing key is configured (AUDIT_SIGNING_KEY_FILE)."
        )
        return
    if not verdict.entries:
        # A checkpoint of nothing would pin the trail to no entries: every later entry would then
        # read as a recomputed chain. The first checkpoint waits for the first entry.
        verdict.notes.append("The audit trail is empty: no checkpoint written.")
        return
    if when == "new" and known and known[-1].tree_size == verdict.entries:
        verdict.notes.append(f"No new entries since {known[-1].label}: no checkpoint written.")
        return
    checkpoint = checkpoints.Checkpoint(
        origin=checkpoints.origin(),
        tree_size=verdict.entries,
        root=verdict.root,
        head=verdict.head,
        last_entry_id=verdict.last_id or 0,
        time=timezone.now(),
        frontier=verdict.frontier,
    )
    checkpoints.write(checkpoint, key)
    folder = checkpoints.directory()
    where = "the database (no AUDIT_CHECKPOINT_DIR)"
    if folder is not None:
        where = f"the database and {folder / checkpoint.filename}"
    verdict.signed = f"Signed {checkpoint.label}, written to {where}."


def _against_checkpoints(known: list, total: int, snapshots: dict[int, Snapshot]) -> list[Problem]:
    """The walked trail against every checkpoint: each must be reached, with its head and root."""
    problems = []
    cut = [c for c in known if c.tree_size > total]
    if cut:
        problems.append(_tail_cut(cut[-1], total, len(cut)))
    matched = None
    for checkpoint in (c for c in known if c.tree_size <= total):
        snapshot = snapshots.get(checkpoint.tree_size)
        if snapshot is None:
            continue
        if snapshot.head == checkpoint.head and snapshot.frontier.root() == checkpoint.root:
            matched = checkpoint
            continue
        problems.append(_recomputed(checkpoint, matched, snapshot.last_id, snapshot.head))
        break
    return problems


def _heads_hold(known: list, total: int, high_id: int) -> list[Problem]:
    """Incremental: every checkpoint's head is still the hash of the entry it names (one indexed read
    each), so a recomputed chain anywhere before the newest checkpoint, or a cut tail, is found."""
    from audit.models import AuditEntry

    problems = []
    cut = [c for c in known if c.tree_size > total or c.last_entry_id > high_id]
    if cut:
        problems.append(_tail_cut(cut[-1], total, len(cut)))
    reached = [c for c in known if c not in cut]
    hashes = dict(
        AuditEntry.objects.filter(id__in=[c.last_entry_id for c in reached]).values_list("id", "entry_hash")
    )
    matched = None
    for checkpoint in reached:
        if hashes.get(checkpoint.last_entry_id) == checkpoint.head:
            matched = checkpoint
            continue
        problems.append(
            _recomputed(checkpoint, matched, checkpoint.last_entry_id, hashes.get(checkpoint.last_entry_id))
        )
        break
    return problems


def _tail_cut(checkpoint, total: int, count: int) -> Problem:
    later = f" ({count} checkpoints cover entries that are gone)" if count > 1 else ""
    return Problem(
        TAIL_CUT,
        f"the trail has {total:,} entries, but {checkpoint.label} covered {checkpoint.tree_size:,}, up to "
        f"entry {checkpoint.last_entry_id}: {checkpoint.tree_size - total:,} entries were cut from the end "
        f"of the trail{later}.",
    )


def _recomputed(checkpoint, matched, entry_id: int, found: str | None) -> Problem:
    since = (
        f"after entry {matched.last_entry_id} ({matched.label}, which still holds)"
        if matched is not None
        else "at or before it"
    )
    now = f"now hashes to {found[:16]}..." if found else "is gone"
    return Problem(
        CHAIN_RECOMPUTED,
        f"the trail no longer matches {checkpoint.label}: entry {entry_id} {now} where the checkpoint "
        f"signed {checkpoint.head[:16]}... although every link holds. An entry {since} was edited, "
        "removed or inserted, and every later hash recomputed.",
    )


def verify_sealed_records(verdict: Verdict, progress: Progress | None) -> list[Problem]:
    """Every sealed record against its seal (``audit.seals``), as problems named by record and field."""
    from audit.seals import verify_seals

    generated_rows = _generated_counts()
    counted = 0

    def step(checked: int, total: int) -> None:
        nonlocal counted
        counted = checked
        if progress is not None:
            progress("sealed records", checked, total)

    skipped = 0

    def generated(table: str, pk) -> bool:
        nonlocal skipped
        if int(pk) <= generated_rows.get(table, 0):
            skipped += 1
            return True
        return False

    found = verify_seals(progress=step, unsealed_allowed=generated if generated_rows else None)
    verdict.sealed_records = counted
    if skipped:
        verdict.notes.append(
            f"{skipped:,} records made by generate_volume carry no seal (the generator does not seal its "
            "records); they are not counted as tampering. This database holds a synthetic data set."
        )
    return [Problem(RECORD_REWRITTEN, problem.message) for problem in found]


def verify_personal_values() -> list[Problem]:
    """Every personal value still held against its commitment in the chain (one query)."""
    from audit.erasure import verify_values

    return [Problem(VALUE_ALTERED, problem.message) for problem in verify_values()]


def _generated_counts() -> dict[str, int]:
    """The newest id of each sealed table's rows made by generate_volume (development only; the
    generator does not seal), else nothing. A data set generated before it recorded them: every row."""
    from django.apps import apps

    if not apps.is_installed("devdata"):
        return {}
    model = apps.get_model("devdata", "SyntheticDataSet")
    highest: dict[str, int] = {}
    for dataset in model.objects.all():
        recorded = (dataset.options or {}).get("highest_ids")
        if recorded is None:
            from audit.seals import registered

            recorded = {spec.model._meta.db_table: 2**62 for spec in registered()}
        for table, newest in recorded.items():
            highest[table] = max(highest.get(table, 0), int(newest))
    return highest
