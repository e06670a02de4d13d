"""verify_audit names what happened to the trail, re-reads the sealed records, and never answers
with a traceback."""

import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from audit import verify
from tests.audit.factories import write_entries
from tests.audit.test_seals import _names, as_superuser_past_the_triggers, records  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", "--no-progress", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _run(*args: str, capsys) -> tuple[int, str, str]:
    """The command as cron runs it: exit code, standard output and error."""
    try:
        ManagementUtility(["manage.py", "verify_audit", *args]).execute()
        code = 0
    except SystemExit as exit_info:
        code = exit_info.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_untouched_trail_with_sealed_records_verifies(records):  # noqa: F811 (the fixture)
    out = _verify()
    assert "The audit trail is intact" in out
    assert "5 sealed records" in out


@pytest.mark.parametrize(
    ("kind", "sql", "field"),
    [
        ("review", "UPDATE decisions_decisionreview SET action = 'endorse' WHERE id = %s", "action"),
        ("addendum", "UPDATE decisions_decisionaddendum SET text = 'Nobody rang' WHERE id = %s", "text"),
        (
            "consent",
            "UPDATE consent_consentrecord SET discussion_note = 'Mother refused' WHERE id = %s",
            "discussion_note",
        ),
    ],
)
def test_a_record_rewritten_with_the_triggers_off_fails_naming_the_record_and_field(
    records,  # noqa: F811 (the fixture)
    kind,
    sql,
    field,
):
    """The issue's forgeries: a review from "escalate" to "endorse", an addendum's text, a consent
    record, each written under session_replication_role = replica."""
    as_superuser_past_the_triggers(sql, [records[kind].pk])
    name = _names(records).get(kind, f"consent record {records['consent'].pk}")
    with pytest.raises(CommandError) as raised:
        _verify()
    assert str(raised.value) == (
        f"A sealed record has been rewritten: record rewritten: {name}: field '{field}' differs from its "
        "seal (changed after it was written)."
    )


def test_an_edited_entry_is_named_as_an_edit(practitioner):
    [_, edited, _] = write_entries(3, actor=practitioner)
    as_superuser_past_the_triggers(
        "UPDATE audit_auditentry SET object_repr = 'nothing to see' WHERE id = %s", [edited.pk]
    )
    verdict = verify.verify()
    assert [(p.kind, p.message) for p in verdict.problems] == [
        (
            verify.ENTRY_EDITED,
            f"entry {edited.pk} has been altered since it was written: "
            "its content no longer matches its hash.",
        )
    ]


@pytest.mark.parametrize(
    "tampering",
    [
        "UPDATE audit_auditentry SET object_repr = 'x' WHERE id = %(middle)s",
        "UPDATE audit_auditentry SET entry_hash = 'not a hash' WHERE id = %(middle)s",
        "UPDATE audit_auditentry SET prev_hash = '' WHERE id = %(middle)s",
        "UPDATE audit_auditentry SET additional_data = '\"just a string\"' WHERE id = %(middle)s",
        "UPDATE audit_auditentry SET remote_addr = '::ffff:10.0.0.1' WHERE id = %(middle)s",
        "DELETE FROM audit_auditentry WHERE id = %(first)s",
        "UPDATE audit_auditentry SET id = 999999 WHERE id = %(middle)s",
    ],
)
def test_no_verdict_is_a_traceback(practitioner, tampering, capsys):
    entries = write_entries(3, actor=practitioner)
    as_superuser_past_the_triggers(tampering, {"first": entries[0].pk, "middle": entries[1].pk})
    code, out, err = _run("--no-progress", capsys=capsys)
    assert code == 1
    assert "Traceback" not in out + err
    assert "CommandError: The audit trail's hash chain is broken: " in err


def test_a_check_that_cannot_finish_says_so_without_a_traceback(practitioner, monkeypatch, capsys):
    write_entries(2, actor=practitioner)

    def fail(*args, **kwargs):
        raise OSError("the server went away")

    monkeypatch.setattr(verify, "walk_all", fail)
    code, out, err = _run(capsys=capsys)
    assert code == 2
    assert "Traceback" not in out + err
    assert "could not be verified: OSError: the server went away" in err


def test_progress_is_printed(practitioner, capsys):
    write_entries(3, actor=practitioner)
    total = verify.trail_bounds()[0]
    code, _out, err = _run(capsys=capsys)
    assert code == 0
    assert f"Checked {total:,} of {total:,} entries (100%)" in err
