"""The rules of competence and consent, enforced by the services whatever the form sent."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from audit.models import AuditEntry, Event
from consent.competence import FRASER_CRITERIA, GILLICK_CRITERIA, Matter
from consent.models import Child, ChildAgency, CompetenceAssessment, ConsentRecord
from consent.services import assessment_record, child_create, consent_record, consent_withdraw
from tests.consent.factories import all_met, make_assessment, make_consent
from tests.factories import ChildFactory, born_years_ago, days_ago

pytestmark = pytest.mark.django_db


def child_aged(practitioner, years: int) -> Child:
    return ChildFactory(created_by=practitioner, date_of_birth=born_years_ago(years, extra_days=10))


def changes(model, pk) -> list[AuditEntry]:
    """auditlog's field-change entries about a record (its named events: tests/consent/test_events.py)."""
    return list(
        AuditEntry.objects.filter(
            event=Event.CHANGE, content_type__model=model._meta.model_name, object_pk=str(pk)
        )
    )


# Children ------------------------------------------------------------------------------------------


def test_creating_a_child_links_the_authors_agency_with_its_reference_and_is_audited(practitioner):
    child = child_create(
        given_name=" Amara ",
        family_name="Okoye",
        date_of_birth=datetime.date(2012, 5, 1),
        nhs_number="943 476 5919",
        local_reference="LA-1",
        by=practitioner,
    )
    assert (child.given_name, child.nhs_number) == ("Amara", "9434765919")
    link = ChildAgency.objects.get(child=child)
    assert (link.agency, link.local_reference) == (practitioner.agency, "LA-1")
    [entry] = changes(Child, child.pk)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.agency_id == practitioner.agency_id


def test_a_child_with_a_bad_nhs_number_is_refused(practitioner):
    with pytest.raises(ValidationError) as error:
        child_create(
            given_name="A",
            family_name="B",
            date_of_birth=datetime.date(2012, 5, 1),
            nhs_number="9434765918",
            by=practitioner,
        )
    assert "nhs_number" in error.value.message_dict
    assert not Child.objects.exists()


@pytest.mark.parametrize("role", ["ig_officer", "admin"])
def test_only_recorders_may_write(personas, child, role):
    user = personas[role]
    with pytest.raises(PermissionDenied):
        child_create(given_name="A", family_name="B", date_of_birth=datetime.date(2012, 5, 1), by=user)
    with pytest.raises(PermissionDenied):
        make_assessment(child, user)
    with pytest.raises(PermissionDenied):
        make_consent(child, user)


# Competence assessments ------------------------------------------------------------------------------


def test_an_assessment_keeps_the_childs_age_on_the_day_and_links_the_agency(child, outsider):
    assessment = make_assessment(child, outsider, on=days_ago(400))
    assert assessment.age_at_assessment == child.age_on(days_ago(400)) == child.age - 1
    assert ChildAgency.objects.filter(child=child, agency=outsider.agency).exists()
    [entry] = changes(CompetenceAssessment, assessment.pk)
    assert entry.action == AuditEntry.Action.CREATE and entry.agency_id == outsider.agency_id


@pytest.mark.parametrize("answer", ["no", "unsure"])
def test_competent_with_any_criterion_not_met_is_refused(child, practitioner, answer):
    answers = all_met()
    answers[GILLICK_CRITERIA[5].key] = {"answer": answer, "note": ""}
    with pytest.raises(ValidationError) as error:
        make_assessment(child, practitioner, answers=answers)
    assert "outcome" in error.value.message_dict
    make_assessment(child, practitioner, answers=answers, outcome="not_competent")


def test_sexual_health_needs_the_fraser_criteria_too(child, practitioner):
    with pytest.raises(ValidationError) as error:
        make_assessment(child, practitioner, matter=Matter.SEXUAL_HEALTH, answers=all_met())
    assert "answers" in error.value.message_dict
    answers = all_met(Matter.SEXUAL_HEALTH)
    answers[FRASER_CRITERIA[1].key] = {"answer": "no", "note": "Wants to tell mum."}
    with pytest.raises(ValidationError):
        make_assessment(child, practitioner, matter=Matter.SEXUAL_HEALTH, answers=answers)
    assert make_assessment(child, practitioner, matter=Matter.SEXUAL_HEALTH).is_competent


def test_every_criterion_must_be_answered_from_the_three_answers(child, practitioner):
    answers = all_met()
    answers[GILLICK_CRITERIA[0].key] = {"answer": "maybe", "note": ""}
    with pytest.raises(ValidationError):
        make_assessment(child, practitioner, answers=answers)
    answers.pop(GILLICK_CRITERIA[0].key)
    with pytest.raises(ValidationError):
        make_assessment(child, practitioner, answers=answers)


def test_under_twelve_judged_competent_needs_a_reason(practitioner):
    young = child_aged(practitioner, 11)
    with pytest.raises(ValidationError) as error:
        make_assessment(young, practitioner)
    assert "reason" in error.value.message_dict
    assert make_assessment(young, practitioner, reason="Unusually mature; explained it back clearly.")
    # Under 12 and not competent is the expectation: no reason needed.
    make_assessment(
        young,
        practitioner,
        outcome="not_competent",
        answers={**all_met(), "consistent": {"answer": "no", "note": ""}},
    )


def test_twelve_or_over_judged_not_competent_needs_a_reason(practitioner):
    twelve = child_aged(practitioner, 12)
    with pytest.raises(ValidationError) as error:
        assessment_record(
            child=twelve,
            by=practitioner,
            matter="information_sharing",
            assessed_on=days_ago(0),
            answers=all_met(),
            outcome="not_competent",
        )
    assert "reason" in error.value.message_dict
    assert make_assessment(twelve, practitioner)  # competent at 12: no reason needed


def test_an_assessment_cannot_be_dated_in_the_future_or_before_birth(child, practitioner):
    for on in (days_ago(-1), child.date_of_birth - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            make_assessment(child, practitioner, on=on)
    assert not CompetenceAssessment.objects.exists()


# Consent records -------------------------------------------------------------------------------------


def test_a_consent_links_the_authors_agency_and_audits_its_recipients(child, outsider, agency):
    record = make_consent(child, outsider, recipients=[agency, outsider.agency])
    assert ChildAgency.objects.filter(child=child, agency=outsider.agency).exists()
    entries = changes(ConsentRecord, record.pk)
    assert [e.action for e in entries].count(AuditEntry.Action.CREATE) == 1
    assert any("recipients" in (e.changes or {}) for e in entries)
    [created] = [e for e in entries if e.action == AuditEntry.Action.CREATE]
    assert created.agency_id == outsider.agency_id


def test_childs_own_consent_needs_a_recent_competent_assessment_for_the_matter(child, practitioner):
    def by_child(assessment, **kwargs):
        return make_consent(
            child,
            practitioner,
            asked="child",
            parent_name="",
            parent_relationship="",
            assessment=assessment,
            **kwargs,
        )

    with pytest.raises(ValidationError, match="Select the competence assessment"):
        by_child(None)
    not_competent = make_assessment(
        child, practitioner, outcome="not_competent", answers={**all_met(), "consistent": {"answer": "no"}}
    )
    with pytest.raises(ValidationError, match="found the child competent"):
        by_child(not_competent)
    other_matter = make_assessment(child, practitioner, matter=Matter.SEXUAL_HEALTH)
    with pytest.raises(ValidationError, match="for this matter"):
        by_child(other_matter)
    old = make_assessment(child, practitioner, on=days_ago(91))
    with pytest.raises(ValidationError, match="90 days"):
        by_child(old)
    with override_settings(CONSENT_COMPETENCE_VALID_DAYS=100):
        assert by_child(old).assessment == old
    recent = make_assessment(child, practitioner, on=days_ago(90))
    assert by_child(recent).asked == "child"


def test_a_parent_must_be_named_with_their_relationship(child, practitioner):
    with pytest.raises(ValidationError) as error:
        make_consent(child, practitioner, parent_name=" ", parent_relationship="")
    assert {"parent_name", "parent_relationship"} <= error.value.message_dict.keys()


def test_not_sought_needs_a_reason_from_the_vocabulary_and_a_note(child, practitioner):
    for reason, note in (("", "note"), ("risk_to_child", " "), ("because", "note")):
        with pytest.raises(ValidationError):
            make_consent(
                child, practitioner, answer="not_sought", not_sought_reason=reason, not_sought_note=note
            )
    assert not ConsentRecord.objects.exists()


def test_a_disagreement_needs_the_best_interests_reasoning(child, practitioner):
    with pytest.raises(ValidationError) as error:
        make_consent(child, practitioner, disagreement=True)
    assert "best_interests_reasoning" in error.value.message_dict
    assert make_consent(child, practitioner, disagreement=True, best_interests_reasoning="Safety first.")


def test_scope_is_required(child, practitioner):
    with pytest.raises(ValidationError):
        make_consent(child, practitioner, recipients=[])
    with pytest.raises(ValidationError):
        make_consent(child, practitioner, information_categories=[])
    with pytest.raises(ValidationError):
        make_consent(child, practitioner, information_categories=["shoe_size"])
    assert not ConsentRecord.objects.exists()


def test_dates_are_not_in_the_future_and_validity_follows_the_date(child, practitioner):
    with pytest.raises(ValidationError):
        make_consent(child, practitioner, on=days_ago(-1))
    with pytest.raises(ValidationError):
        make_consent(child, practitioner, on=days_ago(5), valid_until=days_ago(6))


def test_withdrawn_is_only_recorded_by_withdrawing(child, practitioner):
    with pytest.raises(ValidationError):
        make_consent(child, practitioner, answer="withdrawn")


# Withdrawal ------------------------------------------------------------------------------------------


def withdraw(consent, by, **kwargs):
    fields = {"withdrawn_on": days_ago(0), "how_obtained": "phone", "discussion_note": "Changed her mind."}
    return consent_withdraw(consent=consent, by=by, **{**fields, **kwargs})


def test_withdrawal_is_a_new_linked_record_and_the_original_is_untouched(child, practitioner, agency):
    given = make_consent(child, practitioner, on=days_ago(10), recipients=[agency])
    before = ConsentRecord.objects.filter(pk=given.pk).values().get()
    entries_before = len(changes(ConsentRecord, given.pk))
    withdrawal = withdraw(given, practitioner)
    assert withdrawal.pk != given.pk
    assert (withdrawal.answer, withdrawal.withdraws, withdrawal.purpose) == (
        "withdrawn",
        given,
        given.purpose,
    )
    assert list(withdrawal.recipients.all()) == [agency]
    assert ConsentRecord.objects.filter(pk=given.pk).values().get() == before
    [created] = [e for e in changes(ConsentRecord, withdrawal.pk) if e.action == AuditEntry.Action.CREATE]
    assert str(created.changes["withdraws"][1]) == str(given.pk)
    assert len(changes(ConsentRecord, given.pk)) == entries_before  # nothing written to the original


def test_only_given_consent_can_be_withdrawn_and_only_once(child, practitioner):
    refused = make_consent(child, practitioner, answer="refused")
    with pytest.raises(ValidationError):
        withdraw(refused, practitioner)
    given = make_consent(child, practitioner, on=days_ago(3))
    withdrawal = withdraw(given, practitioner)
    with pytest.raises(ValidationError):
        withdraw(given, practitioner)
    with pytest.raises(ValidationError):
        withdraw(withdrawal, practitioner)


def test_a_withdrawal_is_dated_on_or_after_the_consent_and_has_a_note(child, practitioner):
    given = make_consent(child, practitioner, on=days_ago(3))
    with pytest.raises(ValidationError):
        withdraw(given, practitioner, withdrawn_on=days_ago(4))
    with pytest.raises(ValidationError):
        withdraw(given, practitioner, discussion_note="  ")
    assert not ConsentRecord.objects.filter(withdraws=given).exists()


def test_a_childs_withdrawal_stands_even_when_the_assessment_has_aged(child, practitioner):
    assessment = make_assessment(child, practitioner, on=days_ago(100))
    given = consent_record(
        child=child,
        by=practitioner,
        purpose="safeguarding",
        information_categories=["identity"],
        recipients=[practitioner.agency],
        answer="given",
        given_on=days_ago(95),
        asked="child",
        assessment=assessment,
        how_obtained="in_person",
    )
    # Today the assessment is 100 days old, past the 90 a new consent may rest on.
    assert withdraw(given, practitioner).asked == "child"


def test_the_demo_has_every_state_for_both_practitioners_agencies(settings):
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", "--force")
    for email in ("practitioner@demo.test", "practitioner2@demo.test"):
        user = User.objects.get(email=email)
        children = Child.objects.visible_to(user)
        assert children.filter(nhs_number="").exists() and children.exclude(nhs_number="").exists()
        answers = set(ConsentRecord.objects.visible_to(user).values_list("answer", flat=True))
        assert answers == {"given", "refused", "withdrawn", "not_sought"}, email
        assert CompetenceAssessment.objects.visible_to(user).exists()
    outcomes = set(CompetenceAssessment.objects.values_list("outcome", flat=True))
    assert outcomes == {"competent", "not_competent"}
