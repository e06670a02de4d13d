"""Adding a child, an assessment, consent and its withdrawal each write a named event."""

import datetime
from types import SimpleNamespace

import pytest

from audit.models import AuditEntry, Event
from consent import services
from consent.models import CompetenceAssessment
from journeys import services as journeys
from journeys.models import Draft
from tests.consent.factories import make_assessment, make_consent
from tests.factories import days_ago

pytestmark = pytest.mark.django_db

ACCESS = AuditEntry.Action.ACCESS


def _event(event: str, record) -> AuditEntry:
    return AuditEntry.objects.get(
        event=event, content_type__model=record._meta.model_name, object_pk=str(record.pk)
    )


def test_adding_a_child_is_recorded(practitioner):
    child = services.child_create(
        given_name="Amara",
        family_name="Okoye",
        date_of_birth=datetime.date(2012, 5, 1),
        nhs_number="943 476 5919",
        by=practitioner,
    )
    entry = _event(Event.CHILD_ADDED, child)
    assert (entry.actor, entry.actor_email, entry.action) == (practitioner, practitioner.email, ACCESS)
    assert entry.agency_id == practitioner.agency_id
    assert entry.additional_data == {"nhs_number_given": True}


def test_an_assessment_is_recorded(child, practitioner):
    assessment = make_assessment(child, practitioner, outcome="competent")
    entry = _event(Event.ASSESSMENT_RECORDED, assessment)
    assert (entry.actor, entry.action, entry.agency_id) == (practitioner, ACCESS, practitioner.agency_id)
    assert entry.additional_data == {
        "child": child.pk,
        "matter": assessment.matter,
        "outcome": "competent",
        "age_at_assessment": assessment.age_at_assessment,
    }


def test_consent_is_recorded_with_its_answer_and_recipients(child, practitioner, agency, other_agency):
    consent = make_consent(child, practitioner, answer="refused", recipients=[other_agency, agency])
    entry = _event(Event.CONSENT_RECORDED, consent)
    assert (entry.actor, entry.action, entry.agency_id) == (practitioner, ACCESS, practitioner.agency_id)
    assert entry.additional_data == {
        "child": child.pk,
        "answer": "refused",
        "matter": consent.matter,
        "purpose": "safeguarding",
        "recipients": sorted([agency.pk, other_agency.pk]),
        "withdraws": None,
    }


def test_a_withdrawal_is_its_own_event_naming_the_consent_withdrawn(child, practitioner, lead):
    given = make_consent(child, practitioner, on=days_ago(10))
    withdrawal = services.consent_withdraw(
        consent=given, by=lead, withdrawn_on=days_ago(0), how_obtained="phone", discussion_note="Changed mind"
    )
    entry = _event(Event.CONSENT_WITHDRAWN, withdrawal)
    assert (entry.actor, entry.action) == (lead, ACCESS)
    assert entry.additional_data["withdraws"] == given.pk
    assert entry.additional_data["answer"] == "withdrawn"
    assert not AuditEntry.objects.filter(event=Event.CONSENT_RECORDED, object_pk=str(withdrawal.pk)).exists()


def _assessment_journey():
    """A finished journey: what ``consent.journeys`` hands ``journey_complete``."""
    return SimpleNamespace(
        name="assessment", complete=lambda *, child, user, values: make_assessment(child, user)
    )


def test_finishing_a_journey_records_and_lets_go_of_its_draft(child, practitioner):
    journeys.draft_save(user=practitioner, child=child, journey="assessment", step="a", answers={})
    record = journeys.journey_complete(journey=_assessment_journey(), child=child, by=practitioner, values={})
    assert _event(Event.ASSESSMENT_RECORDED, record).actor == practitioner
    assert not Draft.objects.exists()


def test_a_journey_that_fails_to_finish_keeps_its_draft_and_records_nothing(child, practitioner, monkeypatch):
    journeys.draft_save(user=practitioner, child=child, journey="assessment", step="a", answers={"x": 1})

    def broken_discard(**kwargs):
        raise RuntimeError("the draft could not be let go")

    monkeypatch.setattr(journeys, "draft_discard", broken_discard)
    with pytest.raises(RuntimeError):
        journeys.journey_complete(journey=_assessment_journey(), child=child, by=practitioner, values={})
    assert not CompetenceAssessment.objects.exists()
    assert not AuditEntry.objects.filter(event=Event.ASSESSMENT_RECORDED).exists()
    assert Draft.objects.get().answers == {"a": {"x": 1}}
