"""Signed checkpoints anchor the trail outside the database: a chain recomputed with audit.chain, a cut
tail, a checkpoint file edited or signed with another key are each found and named."""

import io
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit import chain, checkpoints, merkle, verify
from audit.models import AuditCheckpoint, AuditEntry
from tests.audit.factories import write_entries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing(settings, tmp_path):
    """A key the operator provides (a file), and the directory checkpoints are shipped from."""
    key_file = tmp_path / "audit-signing-key.pem"
    checkpoints.generate_key_file(key_file)
    settings.AUDIT_SIGNING_KEY_FILE = str(key_file)
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints"


@pytest.fixture
def signed_trail(signing, practitioner):
    """Ten entries and a checkpoint of them, then five more entries and a second checkpoint."""
    write_entries(10, actor=practitioner)
    _verify()
    write_entries(5, actor=practitioner)
    _verify()
    return signing


def _verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", "--no-progress", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _failure(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        _verify(*args)
    return str(raised.value)


def _past_the_triggers(*statements: tuple[str, list]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for sql, params in statements:
            cursor.execute(sql, params)


def _ids() -> list[int]:
    return list(AuditEntry.objects.order_by("id").values_list("id", flat=True))


def test_each_verification_signs_a_checkpoint_into_the_database_and_the_directory(signing, practitioner):
    write_entries(4, actor=practitioner)
    out = _verify()
    [row] = AuditCheckpoint.objects.all()
    [path] = signing.iterdir()
    assert path.read_text() == row.note
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # read-only once written
    total, high_id = verify.trail_bounds()
    head = AuditEntry.objects.get(id=high_id).entry_hash
    assert (row.tree_size, row.last_entry_id, row.chain_head) == (total, high_id, head)
    assert f"Signed the checkpoint of {total:,} entries" in out and str(path) in out
    # The note is a C2SP checkpoint: origin, size, base64 root, then signature after a blank line.
    lines = row.note.split("\n")
    assert lines[:2] == ["isa-portal/audit", str(total)] and lines[3] == f"chain-head {head}"
    assert "\n\n\u2014 isa-portal/audit " in row.note
    assert "against 1 signed checkpoints" in _verify()
    assert AuditCheckpoint.objects.count() == 2


def test_an_entry_edited_and_the_chain_recomputed_with_audit_chain_fails_against_checkpoints(signed_trail):
    ids = _ids()
    edited = AuditEntry.objects.get(id=ids[3])
    edited.object_repr = "nothing to see"
    # The forger rebuilds every later hash with the product's own module: every link holds.
    statements, prev = [], edited.prev_hash
    for entry in AuditEntry.objects.filter(id__gte=ids[3]).order_by("id"):
        if entry.id == edited.id:
            entry.object_repr = edited.object_repr
        new_hash = chain.entry_hash(chain.field_values(entry), prev)
        statements.append(
            (
                "UPDATE audit_auditentry SET object_repr = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
                [entry.object_repr, prev, new_hash, entry.id],
            )
        )
        prev = new_hash
    _past_the_triggers(*statements)
    assert verify.join(verify.walk_all(*reversed(verify.trail_bounds())))[4] == []  # the chain alone holds

    message = _failure()
    assert message.startswith("The audit trail has been tampered with: chain recomputed: ")
    first = AuditCheckpoint.objects.order_by("id").first()
    assert f"entry {first.last_entry_id} now hashes to" in message  # the first checkpoint's head
    assert f"the checkpoint of {first.tree_size} entries signed" in message
    assert "every later hash recomputed" in message
    assert "chain recomputed" in _failure("--since-checkpoint")  # the incremental run finds it too
    assert AuditCheckpoint.objects.count() == 2  # a tampered trail is never signed


def test_entries_cut_from_the_end_fail_against_the_last_checkpoint(signed_trail):
    ids = _ids()
    _past_the_triggers(("DELETE FROM audit_auditentry WHERE id >= %s", [ids[-3]]))
    for args in ((), ("--since-checkpoint",)):
        message = _failure(*args)
        cut = f"tail cut: the trail has {len(ids) - 3} entries, but the checkpoint of {len(ids)} entries"
        assert cut in message
        assert f"up to entry {ids[-1]}: 3 entries were cut from the end of the trail" in message


def test_a_cut_tail_is_found_from_the_directory_when_the_database_checkpoints_are_deleted_too(signed_trail):
    ids = _ids()
    _past_the_triggers(
        ("DELETE FROM audit_auditentry WHERE id >= %s", [ids[-3]]),
        ("DELETE FROM audit_auditcheckpoint", []),
    )
    verdict = verify.verify()
    kinds = [problem.kind for problem in verdict.problems]
    assert kinds.count(verify.CHECKPOINT_MISSING) == 2
    assert verify.TAIL_CUT in kinds
    assert "is not in the database: checkpoints were deleted from the database" in verdict.problems[0].message


def test_a_checkpoint_file_edited_is_named(signed_trail):
    path = sorted(signed_trail.iterdir())[-1]
    path.chmod(0o644)
    size = AuditCheckpoint.objects.order_by("id").last().tree_size
    path.write_text(path.read_text().replace(f"\n{size}\n", f"\n{size + 1}\n", 1))
    message = _failure()
    assert message == (
        f"The audit trail has been tampered with: checkpoint edited: checkpoint file {path.name} has been "
        "edited: its signature does not match its content."
    )


def test_a_checkpoint_in_the_database_edited_is_named(signed_trail):
    row = AuditCheckpoint.objects.order_by("id").last()
    _past_the_triggers(("UPDATE audit_auditcheckpoint SET tree_size = 12 WHERE id = %s", [row.pk]))
    assert f"checkpoint {row.pk} in the database has been edited" in _failure()


def test_a_checkpoint_signed_with_another_key_is_named(signed_trail, practitioner):
    """A forger who rewrote the trail and signed a checkpoint of the rewrite with a key of their own."""
    forged = checkpoints.Checkpoint(
        origin="isa-portal/audit",
        tree_size=len(_ids()),
        root=bytes(32),
        head="0" * 64,
        last_entry_id=_ids()[-1],
        time=AuditCheckpoint.objects.last().signed_at,
        frontier=merkle.Frontier(),
    )
    note = checkpoints.sign(forged, Ed25519PrivateKey.generate())
    (signed_trail / "000000000015-forged.checkpoint").write_text(note)
    message = _failure()
    assert message.startswith(
        "The audit trail has been tampered with: checkpoint signed with another key: checkpoint file "
        "000000000015-forged.checkpoint is signed with another key (key id "
    )
    assert "it was not written by this installation" in message


def test_a_checkpoint_signed_by_an_earlier_key_is_trusted_when_its_public_key_is_listed(
    signed_trail, settings
):
    old_key = checkpoints.signing_key()
    public = checkpoints.raw_public(old_key.public_key())
    new_key_file = signed_trail.parent / "new-key.pem"
    checkpoints.generate_key_file(new_key_file)
    settings.AUDIT_SIGNING_KEY_FILE = str(new_key_file)
    assert "signed with another key" in _failure()
    settings.AUDIT_TRUSTED_PUBLIC_KEYS = [checkpoints.verifier_key("isa-portal/audit", public)]
    assert "intact" in _verify()


def test_incremental_verification_hashes_only_the_new_entries_and_reaches_the_same_root(
    signed_trail, practitioner
):
    write_entries(7, actor=practitioner)
    incremental = verify.verify(since_checkpoint=True, sign="never")
    full = verify.verify(sign="never")
    assert incremental.problems == full.problems == []
    assert (incremental.mode, full.mode) == ("incremental", "full")
    assert incremental.root == full.root and incremental.entries == full.entries == len(_ids())
    assert incremental.sealed_records is None  # re-reading the sealed records is the full run's


def test_audit_checkpoint_signs_only_when_there_are_new_entries_and_never_a_tampered_trail(
    signing, practitioner
):
    write_entries(3, actor=practitioner)
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "Signed the checkpoint of" in out.getvalue()
    call_command("audit_checkpoint", stdout=(out := io.StringIO()))
    assert "No new entries since the checkpoint" in out.getvalue()
    assert AuditCheckpoint.objects.count() == 1
    [_, middle, _] = write_entries(3, actor=practitioner)
    _past_the_triggers(("UPDATE audit_auditentry SET object_repr = 'x' WHERE id = %s", [middle.pk]))
    with pytest.raises(CommandError, match="No checkpoint signed: Entry edited: entry"):
        call_command("audit_checkpoint", stdout=io.StringIO())
    assert AuditCheckpoint.objects.count() == 1


def test_the_operator_makes_a_key_and_prints_its_public_half(tmp_path, settings):
    out = io.StringIO()
    call_command("audit_checkpoint", "--generate-key", str(tmp_path / "key.pem"), stdout=out)
    assert oct(os.stat(tmp_path / "key.pem").st_mode & 0o777) == "0o600"
    [verifier] = [line for line in out.getvalue().splitlines() if line.startswith("Verifier key: ")]
    with pytest.raises(CommandError, match="exists already"):
        call_command("audit_checkpoint", "--generate-key", str(tmp_path / "key.pem"), stdout=io.StringIO())
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    call_command("audit_checkpoint", "--public-key", stdout=(out := io.StringIO()))
    assert verifier in out.getvalue()
    name, public = checkpoints.parse_verifier_key(verifier.removeprefix("Verifier key: "))
    assert name == "isa-portal/audit" and len(public) == 32


def test_an_entry_is_proved_included_and_a_later_checkpoint_proved_to_extend_an_earlier_one(signed_trail):
    first, second = checkpoints.gather().checkpoints
    entry = AuditEntry.objects.order_by("id")[7]
    index, proof = checkpoints.inclusion_proof(entry.id, first)
    leaf = merkle.entry_leaf(entry.entry_hash)
    assert index == 7 and merkle.verify_inclusion(leaf, index, first.tree_size, proof, first.root)
    assert not merkle.verify_inclusion(leaf, index, second.tree_size, proof, second.root)
    proof = checkpoints.consistency_proof(first, second)
    assert merkle.verify_consistency(first.tree_size, second.tree_size, first.root, second.root, proof)
    assert not merkle.verify_consistency(first.tree_size, second.tree_size, bytes(32), second.root, proof)


def test_an_empty_trail_is_not_checkpointed_so_its_first_entries_verify(signing):
    """A fresh install's scheduler runs audit_checkpoint before anyone has done anything: a checkpoint
    of no entries made every later verification fail as "entry 0 is gone"."""
    assert not AuditEntry.objects.exists()
    call_command("audit_checkpoint", stdout=(out := io.StringIO()))
    assert "The audit trail is empty: no checkpoint written." in out.getvalue()
    assert not AuditCheckpoint.objects.exists()
    assert not list(signing.glob("*.checkpoint"))

    write_entries(3, actor=UserFactory())
    assert "Signed the checkpoint of" in _verify()
