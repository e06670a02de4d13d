"""Consent records leave as FHIR R4 Consent, decisions as Provenance: valid, saying what the product says."""

import pytest
from django.urls import reverse
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.provenance import Provenance

from api import fhir
from consent.services import consent_withdraw
from tests.consent.factories import make_consent
from tests.factories import days_ago

pytestmark = pytest.mark.django_db


def _fhir(api, consent) -> Consent:
    response = api.get(reverse("api:consent_fhir", args=[consent.pk]), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    return Consent.model_validate_json(response.content)  # parsed back: valid FHIR R4 (R4B models)


def test_a_given_consent_is_an_active_fhir_consent_of_the_child_by_nhs_number(api, consent, child, agency):
    resource = _fhir(api, consent)
    assert resource.status == "active"
    assert resource.scope.coding[0].code == "patient-privacy"
    assert resource.patient.reference == "#child"
    patient = next(item for item in resource.contained if item.get_resource_type() == "Patient")
    assert patient.identifier[0].system == "https://fhir.nhs.uk/Id/nhs-number"
    assert patient.identifier[0].value == "9434765919"
    assert patient.name[0].family == "Okoye"
    assert str(resource.dateTime) == consent.given_on.isoformat()
    assert resource.organization[0].display == agency.name
    assert resource.performer[0].reference == "#asked"  # the parent asked, a contained RelatedPerson
    assert resource.provision.type == "permit"
    assert resource.provision.purpose[0].code == "safeguarding"
    assert str(resource.provision.period.start) == consent.given_on.isoformat()
    assert resource.provision.actor[0].reference.display == "Recipient Police"
    assert resource.policy[0].uri.startswith("https://www.gov.uk/")
    assert any("legislation.gov.uk/eur/2016/679/article/6" in p.uri for p in resource.policy)
    assert resource.policyRule.coding[0].code == "OPTIN"


def test_a_refusal_is_rejected_and_denies(api, child, practitioner):
    resource = _fhir(api, make_consent(child, practitioner, answer="refused"))
    assert resource.status == "rejected"
    assert resource.provision.type == "deny"


def test_a_withdrawn_consent_is_inactive(api, consent, practitioner):
    consent_withdraw(
        consent=consent,
        by=practitioner,
        withdrawn_on=days_ago(0),
        how_obtained="phone",
        discussion_note="Changed her mind",
    )
    assert _fhir(api, consent).status == "inactive"


def test_consent_not_sought_is_inactive_with_no_provision(api, child, practitioner):
    resource = _fhir(api, make_consent(child, practitioner, answer="not_sought"))
    assert resource.status == "inactive"
    assert resource.provision is None and resource.performer is None


def test_a_resource_the_fhir_models_refuse_is_never_sent():
    with pytest.raises(fhir.NotValid):
        fhir.validated(Consent, {"resourceType": "Consent", "status": "active"})  # no scope, no category


def test_a_decision_is_a_fhir_provenance(api, decision, agency):
    response = api.get(reverse("api:decision_provenance", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    resource = Provenance.model_validate_json(response.content)
    assert resource.target[0].identifier.value == decision.reference
    assert resource.agent[0].onBehalfOf.display == agency.name
    assert resource.activity.coding[0].code == decision.outcome
    assert "https://www.legislation.gov.uk/eur/2016/679/article/6" in resource.policy


def test_every_consent_of_the_demo_partnership_is_a_valid_fhir_consent(monkeypatch):
    """The seeded records (manage.py seed_demo), each fetched as its own agency's case system would."""
    from django.core.management import call_command

    from accounts.models import User
    from consent.models import ConsentRecord
    from tests.api.conftest import api_for, make_token

    monkeypatch.setenv("DEMO_PASSWORD", "a demo password for tests")
    call_command("seed_demo", "--force")
    boss = User.objects.get(email="partnership-admin@demo.test")
    records = list(ConsentRecord.objects.select_related("agency"))
    assert records, "the demo partnership records consent"
    apis = {}
    statuses = set()
    for record in records:
        if record.agency_id not in apis:
            apis[record.agency_id] = api_for(
                make_token(boss, agency=record.agency, name=f"{record.agency_id}")
            )
        resource = _fhir(apis[record.agency_id], record)
        assert resource.status in {"active", "inactive", "rejected"}
        assert str(resource.dateTime) == record.given_on.isoformat()
        statuses.add(resource.status)
    assert "active" in statuses
