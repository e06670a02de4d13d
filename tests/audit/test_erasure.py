"""Personal values in the trail are held outside the chain as salted commitments (audit.erasure):
erasing them leaves a trail that verifies, and changing one is found."""

import pytest
from django.db import connection, transaction

from audit import erasure
from audit.models import AuditEntry, AuditValue
from audit.verify import VALUE_ALTERED, verify
from decisions.services import decision_add_addendum
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

PLANTED = "Nurse Ann rang about the Clinic dates"


@pytest.fixture
def addendum(practitioner):
    recipient = AgencyFactory(name="Recipient Police")
    decision = submitted_decision(practitioner, recipient, child_for(practitioner))
    return decision_add_addendum(decision=decision, text=PLANTED, by=practitioner)


def _raw_trail_text() -> str:
    """Every entry's columns as stored, as one text: what the chain hashes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(audit_auditentry::text, ' ') FROM audit_auditentry")
        return cursor.fetchone()[0]


def _creation_entry(record) -> AuditEntry:
    return AuditEntry.objects.get(
        content_type__model=record._meta.model_name, object_pk=str(record.pk), action=AuditEntry.Action.CREATE
    )


def _as_superuser_past_the_triggers(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = origin")


def test_personal_text_is_kept_outside_the_chain_and_read_back_in_place(addendum, practitioner):
    assert PLANTED not in _raw_trail_text()
    assert "Amy" not in _raw_trail_text()  # the child's name: every entry about the child
    entry = _creation_entry(addendum)
    assert entry.changes_dict["text"][1] == PLANTED  # read back as written
    stored = AuditEntry.objects.filter(pk=entry.pk).values_list("changes", flat=True).get()
    assert stored["text"][1].startswith(erasure.PREFIX)
    value = AuditValue.objects.get(entry_id=entry.pk, field="text")
    assert value.child_id == addendum.decision.child_id
    assert erasure.commitment(value.salt, value.value) == value.commitment
    assert verify(sign="never").problems == []


def test_an_untouched_trail_with_values_erased_verifies(addendum):
    erased = erasure.erase_values(record=addendum, fields=["text"])
    assert erased >= 1
    assert verify(sign="never").problems == []
    entry = _creation_entry(addendum)
    assert entry.changes_dict["text"][1] == erasure.ERASED
    assert not AuditValue.objects.filter(value__contains="Nurse Ann").exists()


def test_erasing_a_child_erases_every_value_about_them(addendum):
    child_id = addendum.decision.child_id
    assert AuditValue.objects.filter(child_id=child_id, field="given_name").exists()
    erasure.erase_values(child_id=child_id)
    assert not AuditValue.objects.filter(child_id=child_id).exists()
    assert verify(sign="never").problems == []


def test_postgresql_refuses_to_change_a_value(addendum):
    from django.db.utils import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditvalue SET value = '\"Nobody rang\"'")


def test_a_value_changed_past_the_triggers_is_named(addendum):
    entry = _creation_entry(addendum)
    _as_superuser_past_the_triggers(
        "UPDATE audit_auditvalue SET value = %s WHERE entry_id = %s AND field = 'text'",
        ['"Nobody rang"', entry.pk],
    )
    problems = verify(sign="never").problems
    assert [p.kind for p in problems] == [VALUE_ALTERED]
    assert f"entry {entry.pk}" in problems[0].message
    assert "field 'text'" in problems[0].message


def test_a_value_changed_with_its_commitment_rebuilt_is_named(addendum):
    """A forger who recomputes the commitment for the new value still cannot put it in the chain."""
    entry = _creation_entry(addendum)
    salt = "0" * 32
    forged = erasure.canonical("Nobody rang")
    _as_superuser_past_the_triggers(
        "UPDATE audit_auditvalue SET value = %s, salt = %s, commitment = %s "
        "WHERE entry_id = %s AND field = 'text'",
        [forged, salt, erasure.commitment(salt, forged), entry.pk],
    )
    problems = verify(sign="never").problems
    assert [p.kind for p in problems] == [VALUE_ALTERED]
    assert f"entry {entry.pk}" in problems[0].message


def test_the_trail_page_and_export_show_the_values_then_that_they_were_erased(addendum, client, ig_officer):
    from django.urls import reverse

    client.force_login(ig_officer)
    entry = _creation_entry(addendum)
    page = client.get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    export = b"".join(client.get(reverse("audit:entry_export")).streaming_content).decode("utf-8-sig")
    assert PLANTED in page
    assert PLANTED in export
    assert erasure.PREFIX not in page + export
    erasure.erase_values(record=addendum, fields=["text"])
    page = client.get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    export = b"".join(client.get(reverse("audit:entry_export")).streaming_content).decode("utf-8-sig")
    assert PLANTED not in page + export
    assert erasure.ERASED in page
    assert erasure.ERASED in export


def test_the_trail_list_puts_back_the_names_it_shows_and_reads_no_changes(
    addendum, client, ig_officer, django_assert_num_queries
):
    """The list shows no change, so it neither reads the changes nor looks up their values (issue 19):
    five queries though the page holds an entry whose changes hide a value; a record's name hidden
    behind a commitment is still put back."""
    from django.urls import reverse

    client.force_login(ig_officer)
    stored = (
        AuditEntry.objects.filter(pk=_creation_entry(addendum).pk).values_list("changes", flat=True).get()
    )
    assert erasure.PREFIX in str(stored)  # as stored: a commitment where the text was
    hidden_names = AuditEntry.objects.filter(object_repr__contains=erasure.PREFIX)
    client.get(reverse("audit:entry_list"))  # the content types, then cached
    with django_assert_num_queries(5 + (1 if hidden_names.exists() else 0)):
        response = client.get(reverse("audit:entry_list"))
    assert _creation_entry(addendum).pk in [entry.pk for entry in response.context["page"].items]
    assert all("changes" not in vars(entry) for entry in response.context["page"].items)
    assert erasure.PREFIX not in response.content.decode()


def test_a_view_of_a_child_is_one_statement_with_its_name_held_outside_the_chain(
    practitioner, django_assert_num_queries
):
    """The entry and its personal value are written together by the INSERT that links the entry,
    not by BEGIN, two INSERTs and COMMIT; the chain and the value still verify."""
    from audit.context import audit_context
    from audit.services import record_view

    child = child_for(practitioner)
    with audit_context(source="tests", actor=practitioner):
        record_view(child)  # the content type is looked up once, before the counted write
        with django_assert_num_queries(1):
            entry = record_view(child)
    assert entry.object_repr == str(child)  # the entry as written reads as shown
    stored = AuditEntry.objects.filter(pk=entry.pk).values_list("object_repr", "prev_hash").get()
    assert stored[0].startswith(erasure.PREFIX) and str(child) not in stored[0]
    [value] = AuditValue.objects.filter(entry_id=entry.pk)
    assert (value.field, value.child_id) == (erasure.REPR, child.pk)
    assert value.value == erasure.canonical(str(child))
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == str(child)
    before = AuditEntry.objects.filter(pk__lt=entry.pk).order_by("-pk").first()
    assert stored[1] == before.entry_hash
    assert verify(sign="never").problems == []
