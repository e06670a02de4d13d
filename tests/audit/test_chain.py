"""Tamper evidence: verify_audit finds an edit, a deletion, an insertion and a reordering."""

import datetime
import importlib
import io
import itertools
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit import chain
from audit.context import audit_context
from audit.models import AuditEntry, Event
from audit.services import record_event
from tests.audit.factories import write_entries

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params=(), *more: tuple[str, list]) -> None:
    """Run SQL with the append-only triggers off, as an attacker with the owner's rights could."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        for statement, values in [(sql, params), *more]:
            cursor.execute(statement, values)
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def _verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def _ids() -> list[int]:
    return list(AuditEntry.objects.order_by("id").values_list("id", flat=True))


@pytest.fixture
def trail(practitioner):
    write_entries(6, actor=practitioner)
    return _ids()


def test_every_field_is_either_hashed_or_named_as_not_hashed():
    fields = {field.attname for field in AuditEntry._meta.concrete_fields}
    assert fields == set(chain.HASHED_FIELDS) | set(chain.NOT_HASHED)


def test_the_hashed_bytes_of_an_entry_never_change():
    """Every stored hash covers exactly these bytes: another serialisation breaks every existing trail."""
    values = {
        "timestamp": datetime.datetime(2026, 3, 29, 1, 30, 5, 7, tzinfo=zoneinfo.ZoneInfo("Europe/London")),
        "action": 1,
        "event": "change",
        "content_type_id": 12,
        "object_pk": 41,
        "object_id": 41,
        "object_repr": 'Ann "Nan" Lee, café \u202e',
        "serialized_data": None,
        "changes": {"status": ["draft", "awaiting_review"], "grounds": [None, ["a", "b"]], 3: [1.5, True]},
        "changes_text": "",
        "cid": None,
        "remote_addr": "2001:0db8:0000:0000:0000:0000:0000:0001",
        "remote_port": 443,
        "additional_data": {"format": "pdf"},
        "actor_id": 7,
        "actor_email": "o'brien@example.org",
        "actor_role": "lead",
        "actor_agency_id": None,
        "agency_id": 3,
        "source": "web",
    }
    assert chain.canonical_content(values).decode() == (
        '{"action":1,"actor_agency_id":null,"actor_email":"o\'brien@example.org","actor_id":7,'
        '"actor_role":"lead","additional_data":{"format":"pdf"},"agency_id":3,'
        '"changes":{"3":[1.5,true],"grounds":[null,["a","b"]],"status":["draft","awaiting_review"]},'
        '"changes_text":"","cid":null,"content_type_id":12,"event":"change","object_id":41,'
        '"object_pk":"41","object_repr":"Ann \\"Nan\\" Lee, café \u202e","remote_addr":"2001:db8::1",'
        '"remote_port":443,"serialized_data":null,"source":"web",'
        '"timestamp":"2026-03-29T01:30:05.000007+00:00"}'
    )
    assert chain.entry_hash(values, chain.GENESIS) == (
        "df95b121768d7ec8d0d3be445f477e84e91f8b0b8c25dd35b04edb44c071504f"
    )


def test_the_migration_locks_with_the_key_and_starts_from_the_genesis_the_code_names():
    migration = importlib.import_module("audit.migrations.0003_append_only_triggers")
    assert f"pg_advisory_xact_lock({chain.ADVISORY_LOCK_KEY})" in migration.INSTALL
    assert f"'{chain.GENESIS}'" in migration.INSTALL


def test_a_saved_entry_holds_its_hashes_as_written_with_no_query_beyond_the_insert(
    practitioner, django_assert_num_queries
):
    [before] = write_entries(1, actor=practitioner)
    with django_assert_num_queries(1):  # the content type is cached; the INSERT does the rest
        [entry] = write_entries(1, actor=practitioner)
    assert entry.prev_hash == before.entry_hash
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.prev_hash, entry.entry_hash) == (stored.prev_hash, stored.entry_hash)
    assert entry.entry_hash == chain.entry_hash(chain.field_values(stored), stored.prev_hash)


def test_each_entry_links_to_the_one_before(trail):
    entries = list(AuditEntry.objects.order_by("id"))
    assert entries[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
        assert len(after.entry_hash) == 64


def test_an_intact_trail_passes_and_the_head_hash_is_printed(trail):
    out = _verify()
    head = AuditEntry.objects.get(id=trail[-1]).entry_hash
    assert f"intact: {len(trail)} entries" in out
    assert f"Head hash: {head}" in out


def test_values_read_back_from_the_database_hash_as_they_were_written(practitioner):
    with audit_context(source="tests", actor=practitioner, remote_addr="2001:0db8:0000::0001"):
        record_event(
            Event.EXPORT,
            practitioner,
            label="Café £ \u2013 \u201cquoted\u201d",
            detail={"b": [1, 2.5, "x", None], "a": {"z": True, "nested": {"k": "v"}}},
        )
    assert "intact" in _verify()


def test_an_edited_entry_is_found(trail):
    _tamper("UPDATE audit_auditentry SET object_repr = 'nothing to see' WHERE id = %s", [trail[2]])
    with pytest.raises(CommandError, match=f"entry {trail[2]} has been altered"):
        _verify()


def test_an_edit_that_also_rewrites_the_entrys_own_hash_breaks_the_next_link(trail):
    edited = AuditEntry.objects.get(id=trail[2])
    edited.object_repr = "nothing to see"
    forged = chain.entry_hash(chain.field_values(edited), edited.prev_hash)
    _tamper(
        "UPDATE audit_auditentry SET object_repr = %s, entry_hash = %s WHERE id = %s",
        [edited.object_repr, forged, trail[2]],
    )
    with pytest.raises(CommandError, match=f"entry {trail[3]} does not follow entry {trail[2]}"):
        _verify()


def test_a_deleted_entry_is_found(trail):
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [trail[3]])
    with pytest.raises(CommandError, match=f"entry {trail[4]} does not follow entry {trail[2]}"):
        _verify()


def test_an_inserted_entry_is_found(practitioner):
    write_entries(3, actor=practitioner)
    with connection.cursor() as cursor:  # leave a gap in the ids for the forger to use
        cursor.execute("SELECT nextval(pg_get_serial_sequence('audit_auditentry', 'id'))")
        (gap,) = cursor.fetchone()
    write_entries(3, actor=practitioner)
    template = AuditEntry.objects.get(id=gap - 1)
    # A well-formed forgery: it links to the entry before the gap and its own hash is right.
    template.object_repr = "a view that never happened"
    forged_hash = chain.entry_hash(chain.field_values(template), template.entry_hash)
    copied = [f.column for f in AuditEntry._meta.concrete_fields if f.attname in chain.HASHED_FIELDS]
    copied.remove("object_repr")
    _tamper(
        f"INSERT INTO audit_auditentry (id, object_repr, prev_hash, entry_hash, {', '.join(copied)})"  # noqa: S608
        f" SELECT %s, %s, entry_hash, %s, {', '.join(copied)} FROM audit_auditentry WHERE id = %s",
        [gap, template.object_repr, forged_hash, gap - 1],
    )
    assert AuditEntry.objects.get(id=gap).entry_hash == forged_hash
    with pytest.raises(CommandError, match=f"entry {gap + 1} does not follow entry {gap}"):
        _verify()


def test_reordered_entries_are_found(trail):
    first, second = trail[2], trail[3]
    move = "UPDATE audit_auditentry SET id = %s WHERE id = %s"
    _tamper(move, [-first, first], (move, [first, second]), (move, [second, -first]))
    with pytest.raises(CommandError, match=f"entry {first} does not follow entry {trail[1]}"):
        _verify()


def test_entries_cut_from_the_end_are_found_with_a_head_kept_outside(trail):
    head = AuditEntry.objects.get(id=trail[-1]).entry_hash
    assert "intact" in _verify("--known-head", head)
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [trail[-1]])
    assert "intact" in _verify()  # the chain alone cannot tell...
    with pytest.raises(CommandError, match="known head hash is not in the chain"):
        _verify("--known-head", head)  # ...the head kept outside the database can


def test_the_command_exits_non_zero_when_the_chain_is_broken(trail, capsys):
    from django.core.management import ManagementUtility

    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [trail[1]])
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "verify_audit"]).execute()
    assert exit_info.value.code != 0
    assert "hash chain is broken" in capsys.readouterr().err
