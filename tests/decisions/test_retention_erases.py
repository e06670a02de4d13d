"""Retention erases for real: decisions, reviews, addenda, consent records, assessments and, once
nothing of theirs is held, the child; every erased string is gone from every table, the audit trail
included, and the trail still verifies."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse

from audit.models import AuditEntry, AuditValue, Event
from audit.subject_access import gather
from audit.verify import verify
from consent.models import Child, CompetenceAssessment, ConsentRecord
from decisions import retention
from decisions.models import Decision
from decisions.services import decision_add_addendum, decision_review
from tests.agreements.factories import AgreementFactory, SignatureFactory, VersionFactory
from tests.consent.factories import make_assessment, make_consent
from tests.decisions.factories import child_for, submitted_decision

pytestmark = pytest.mark.django_db

PLANTED = ("Nurse Ann", "Clinic dates", "Zebedee", "Quorngate")
LATER_DAYS = 365 * 3 + 2


@pytest.fixture
def later(monkeypatch):
    today = retention._today()
    monkeypatch.setattr(retention, "_today", lambda: today + timedelta(days=LATER_DAYS))


def _version(years):
    return VersionFactory(
        agreement=AgreementFactory(title=f"Northshire protocol ({years})", retention_years=years)
    )


@pytest.fixture
def held(practitioner, lead, recipient, cover_found, client, ig_officer):
    """A child with a decision (reviewed, with an addendum), a consent record and an assessment,
    each holding planted text; the child page and the trail viewed."""
    child = child_for(practitioner, given_name="Zebedee", family_name="Quorngate")
    cover_found.version = _version(1)
    decision = submitted_decision(
        practitioner, recipient, child, purpose={"purpose_detail": "Clinic dates and the next appointment"}
    )
    decision_add_addendum(decision=decision, text="Nurse Ann rang again", by=practitioner)
    decision_review(decision=decision, action="endorse", comments="Nurse Ann is credible", by=lead)
    SignatureFactory(agency=practitioner.agency, version=_version(2))
    consent = make_consent(child, practitioner, discussion_note="Nurse Ann explained the Clinic dates")
    assessment = make_assessment(
        child, practitioner, matter_detail="Clinic dates", reason="Nurse Ann judged it"
    )
    client.force_login(practitioner)
    assert client.get(reverse("consent:child_detail", args=[child.pk])).status_code == 200
    return {"child": child, "decision": decision, "consent": consent, "assessment": assessment}


def _columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "JOIN information_schema.tables USING (table_schema, table_name) "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
        )
        return cursor.fetchall()


def _where_found(text: str) -> list[str]:
    """Every text and JSON column of every table that holds ``text``."""
    found = []
    with connection.cursor() as cursor:
        for table, column in _columns():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608 (catalogue names)
                [f"%{text}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_the_search_finds_the_planted_strings_before_retention(held):
    """The search itself works: before retention the strings are held (outside the chain too)."""
    for text in PLANTED:
        assert _where_found(text), text
    assert "audit_auditvalue.value" in _where_found("Nurse Ann")
    assert not [place for place in _where_found("Nurse Ann") if place.startswith("audit_auditentry.")]


def test_after_retention_the_erased_strings_are_nowhere_in_the_database(held, later):
    call_command("apply_retention")
    for model in (Decision, ConsentRecord, CompetenceAssessment, Child):
        assert not model.objects.filter(tombstoned_at__isnull=True).exists(), model
    for text in PLANTED:
        assert _where_found(text) == [], text


def test_an_untouched_trail_with_disposals_verifies(held, later):
    call_command("apply_retention")
    assert AuditEntry.objects.filter(event=Event.RECORD_DISPOSED).count() == 6
    verdict = verify(sign="never")
    assert verdict.problems == []
    assert verdict.sealed_records >= 5


def test_every_record_is_a_tombstone_naming_the_rule_and_the_date(held, later):
    call_command("apply_retention")
    child = Child.objects.get(pk=held["child"].pk)
    assert str(child) == f"Child {child.pk} (erased)"
    assert child.tombstone_reason.startswith(
        "Erased under the retention rule of agreement “Northshire protocol"
    )
    consent = ConsentRecord.objects.get(pk=held["consent"].pk)
    assert consent.discussion_note == "" and consent.parent_name == ""
    assert "“Northshire protocol (2)”" in consent.tombstone_reason
    assessment = CompetenceAssessment.objects.get(pk=held["assessment"].pk)
    assert assessment.answers == {} and assessment.matter_detail == ""
    decision = Decision.objects.get(pk=held["decision"].pk)
    assert "“Northshire protocol (1)”" in decision.tombstone_reason
    assert decision.outcome  # the tombstone keeps what was decided


def test_a_child_still_held_keeps_them_but_the_subject_access_bundle_has_no_erased_text(
    held, later, practitioner, ig_officer
):
    """The decision is erased, the consent kept longer (its agreement keeps it ten years): the child
    stays, and neither the bundle nor the trail gives the decision's erased text back."""
    SignatureFactory(agency=practitioner.agency, version=_version(10))
    call_command("apply_retention")
    assert Decision.objects.get(pk=held["decision"].pk).tombstoned_at is not None
    assert ConsentRecord.objects.get(pk=held["consent"].pk).tombstoned_at is None
    assert Child.objects.get(pk=held["child"].pk).tombstoned_at is None
    sections, _ = gather(Child.objects.get(pk=held["child"].pk), user=ig_officer)
    bundle = str([section.rows for section in sections])
    assert "Nurse Ann is credible" not in bundle
    assert "Nurse Ann rang again" not in bundle
    assert "Clinic dates and the next appointment" not in bundle
    assert "Nurse Ann explained" in bundle  # the consent is still held
    assert not AuditValue.objects.filter(value__contains="Nurse Ann rang").exists()


def test_a_legal_hold_on_the_child_keeps_every_record(held, later):
    child = held["child"]
    child.legal_hold = True
    child.legal_hold_reason = "Serious case review"
    child.save()
    call_command("apply_retention")
    for model in (Decision, ConsentRecord, CompetenceAssessment, Child):
        assert not model.objects.filter(tombstoned_at__isnull=False).exists(), model
    assert "Nurse Ann" in ConsentRecord.objects.get(pk=held["consent"].pk).discussion_note


def test_a_decision_still_held_keeps_the_consent_it_relied_on(
    practitioner, recipient, cover_found, consent_found, later
):
    child = child_for(practitioner)
    SignatureFactory(agency=practitioner.agency, version=_version(1))
    consent = make_consent(child, practitioner, discussion_note="Nurse Ann explained")
    consent_found.status, consent_found.record = "given", consent
    cover_found.version = _version(20)
    submitted_decision(practitioner, recipient, child)
    call_command("apply_retention")
    assert ConsentRecord.objects.get(pk=consent.pk).tombstoned_at is None


def test_postgresql_refuses_any_other_change_to_a_consent_record(held):
    consent = held["consent"]
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consent_consentrecord SET tombstoned_at = now(), discussion_note = '', "
            "answer = 'refused' WHERE id = %s",
            [consent.pk],
        )
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consent_consentrecord SET tombstoned_at = now(), discussion_note = 'x' WHERE id = %s",
            [consent.pk],
        )


def test_every_page_and_export_shows_the_tombstone(held, later, client, lead, ig_officer):
    call_command("apply_retention")
    shown = "Erased under the retention rule of agreement"
    client.force_login(lead)
    pages = [
        reverse("decisions:detail", args=[held["decision"].pk]),
        reverse("consent:child_detail", args=[held["child"].pk]),
        reverse("consent:consent_detail", args=[held["consent"].pk]),
        reverse("consent:assessment_detail", args=[held["assessment"].pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert shown in response.content.decode(), page
    client.force_login(ig_officer)
    export = client.get(reverse("decisions:log_export"))
    assert shown in b"".join(export.streaming_content).decode("utf-8-sig")
    for text in PLANTED:
        assert text not in client.get(reverse("audit:entry_list")).content.decode()


def test_a_field_made_erasable_after_its_record_was_sealed_is_checked_as_erased(held):
    """A decision sealed before a field joined ERASED_FIELDS has that field's digest unsalted: once
    the decision is disposed of, the field is checked as erased (blank), not against its digest."""
    from audit import seals

    decision = Decision.objects.get(pk=held["decision"].pk)
    spec = seals.spec_for(Decision)
    sealed, salt = seals.seal(decision)
    sealed["erased_by_retention"].remove("submitted_child_name")
    sealed["fields"]["submitted_child_name"] = seals.field_digest("submitted_child_name", "Zebedee Quorngate")
    row = {field.attname: getattr(decision, field.attname) for field in spec.fields if not field.many_to_many}
    row.update(
        {
            field.attname: sorted(x.pk for x in getattr(decision, field.name).all())
            for field in spec.fields
            if field.many_to_many
        }
    )
    blanked = {**row, "submitted_child_name": ""}
    disposed = seals._compare(spec, "decision", blanked, sealed, None, erased=True)
    assert not [problem for problem in disposed if "submitted_child_name" in problem.message]
    kept = seals._compare(spec, "decision", blanked, sealed, salt, erased=False)
    assert any("submitted_child_name" in problem.message for problem in kept)
