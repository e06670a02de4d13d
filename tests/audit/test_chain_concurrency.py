"""Concurrent writers on PostgreSQL never fork the chain: each entry has its own predecessor."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from audit import chain
from audit.management.commands.verify_audit import verify_chain
from audit.models import AuditEntry
from tests.audit.factories import write_entries

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
ENTRIES_EACH = 20


def _unlocked_stamp(entry) -> None:
    """The naive chain: read the head in Python without the lock, then a pause before the insert."""
    entry.prev_hash = chain.head(type(entry))
    time.sleep(0.002)
    entry.entry_hash = chain.entry_hash(chain.field_values(entry), entry.prev_hash)


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
    report = verify_chain()
    assert report.broken_at is None
    assert report.checked == before + WRITERS * ENTRIES_EACH


def test_without_the_lock_the_same_writers_do_fork(practitioner, monkeypatch):
    """The control: reading the head without the advisory lock lets two writers share a predecessor."""
    monkeypatch.setattr(chain, "stamp", _unlocked_stamp)

    assert _run_writers(practitioner) == []
    assert _forks() != []
