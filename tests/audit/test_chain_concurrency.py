"""Concurrent writers on PostgreSQL never fork the chain: each entry has its own predecessor."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from audit import chain, verify
from audit.models import AuditEntry
from tests.audit.factories import write_entries

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
ENTRIES_EACH = 20


# The naive chain: the id and the head read without the lock, then a pause before the insert.
_UNLOCKED_LINK = (
    "SELECT nextval(pg_get_serial_sequence('audit_auditentry', 'id')) AS id, "
    "COALESCE((SELECT entry_hash FROM audit_auditentry ORDER BY id DESC LIMIT 1), "
    "repeat('0', 64)) AS prev_hash FROM pg_sleep(0.002)"
)


def _run_writers(actor) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer():
        try:
            start.wait()
            for _ in range(ENTRIES_EACH):
                with transaction.atomic():  # as a service does
                    write_entries(1, actor=actor)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _forks() -> list[str]:
    counts = Counter(AuditEntry.objects.values_list("prev_hash", flat=True))
    return [prev for prev, n in counts.items() if n > 1]


def test_concurrent_writers_extend_one_chain(practitioner):
    before = AuditEntry.objects.count()

    assert _run_writers(practitioner) == []

    assert AuditEntry.objects.count() == before + WRITERS * ENTRIES_EACH
    assert _forks() == []
    verdict = verify.verify(seals=False)
    assert verdict.problems == []
    assert verdict.entries == before + WRITERS * ENTRIES_EACH


def test_the_walk_in_worker_processes_finds_what_one_process_finds(practitioner):
    """Ranges of 16 entries walked by two processes: the same head, Merkle root and broken link."""
    write_entries(70, actor=practitioner)
    total, high_id = verify.trail_bounds()
    one = verify.join(verify.walk_all(high_id, total, workers=1))
    many = verify.join(verify.walk_all(high_id, total, workers=2, leaves=16))
    assert many[0].root() == one[0].root() and many[0].size == total
    assert (many[1], many[2], many[4]) == (one[1], one[2], []) and one[4] == []
    gone = AuditEntry.objects.order_by("id").values_list("id", flat=True)[32]  # first of the third range
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [gone])
    total, high_id = verify.trail_bounds()
    [problem] = verify.join(verify.walk_all(high_id, total, workers=2, leaves=16))[4]
    assert problem.kind == verify.LINK_BROKEN
    assert f"entry {gone + 1} does not follow entry {gone - 1}" in problem.message


def test_without_the_lock_the_same_writers_do_fork(practitioner, monkeypatch):
    """The control: reading the head without the advisory lock lets two writers share a predecessor."""
    monkeypatch.setattr(chain, "LINK_SQL", _UNLOCKED_LINK)

    assert _run_writers(practitioner) == []
    assert _forks() != []
