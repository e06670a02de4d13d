"""Every write about agencies, agreements, versions, signatures and incidents writes a named event."""

import pytest

from agreements import services
from agreements.models import (
    Agency,
    AgencyKind,
    Agreement,
    AgreementStatus,
    AgreementTier,
    AgreementVersion,
    Incident,
    IncidentKind,
    IncidentStatus,
)
from audit.models import AuditEntry, Event
from tests.agreements.factories import (
    AgreementFactory,
    IncidentFactory,
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
)
from tests.agreements.helpers import scan
from tests.factories import days_ago

pytestmark = pytest.mark.django_db

ACCESS = AuditEntry.Action.ACCESS


def _event(event: str, record) -> AuditEntry:
    return AuditEntry.objects.get(
        event=event, content_type__model=record._meta.model_name, object_pk=str(record.pk)
    )


def _by(entry: AuditEntry, user) -> None:
    assert (entry.actor, entry.actor_email, entry.actor_agency_id) == (user, user.email, user.agency_id)
    assert entry.action == ACCESS  # the action column is for auditlog's field changes


def test_adding_an_agency_is_recorded(partnership_admin):
    agency = services.agency_create(
        agency=Agency(name="New School", kind=AgencyKind.SCHOOL), by=partnership_admin
    )
    entry = _event(Event.AGENCY_ADDED, agency)
    _by(entry, partnership_admin)
    assert (entry.agency_id, entry.additional_data) == (agency.pk, {"kind": AgencyKind.SCHOOL})


def test_changing_an_agency_names_the_fields_changed(agency, admin):
    agency.name = "Renamed Council"
    services.agency_update(agency=agency, lock_version=agency.lock_version, by=admin)
    entry = _event(Event.AGENCY_CHANGED, agency)
    _by(entry, admin)
    assert entry.additional_data == {"fields": ["name"]}


def test_a_new_representative_is_recorded_with_whom_they_follow(agency, admin):
    first = RepresentativeFactory(agency=agency, started_on=days_ago(100))
    representative = services.representative_appoint(
        agency=agency, name="Ali Khan", email="ali@example.org", started_on=days_ago(1), by=admin
    )
    entry = _event(Event.REPRESENTATIVE_NAMED, representative)
    _by(entry, admin)
    assert entry.additional_data == {
        "agency": agency.pk,
        "started_on": days_ago(1).isoformat(),
        "follows": first.pk,
    }


def test_adding_an_agreement_is_recorded_with_its_purposes(agency, admin):
    agreement = services.agreement_create(
        agreement=Agreement(title="Protocol", tier=AgreementTier.PROTOCOL, owner=agency),
        purposes=["safeguarding", "early_help", "safeguarding"],
        by=admin,
    )
    entry = _event(Event.AGREEMENT_ADDED, agreement)
    _by(entry, admin)
    assert entry.additional_data == {
        "tier": AgreementTier.PROTOCOL,
        "purposes": ["early_help", "safeguarding"],
    }


def test_changing_an_agreement_names_the_fields_and_the_purposes(agency, admin):
    agreement = AgreementFactory(owner=agency)
    agreement.title = "Renamed protocol"
    services.agreement_update(
        agreement=agreement, purposes=["multi_agency"], lock_version=agreement.lock_version, by=admin
    )
    entry = _event(Event.AGREEMENT_CHANGED, agreement)
    _by(entry, admin)
    assert entry.additional_data == {"fields": ["title"], "purposes": ["multi_agency"]}


def test_a_status_change_is_recorded_from_and_to(agency, admin):
    agreement = AgreementFactory(owner=agency)
    VersionFactory(agreement=agreement)
    services.agreement_change_status(
        agreement=agreement, status=AgreementStatus.IN_FORCE, lock_version=agreement.lock_version, by=admin
    )
    entry = _event(Event.AGREEMENT_STATUS, agreement)
    _by(entry, admin)
    assert entry.additional_data == {"from": AgreementStatus.DRAFT, "to": AgreementStatus.IN_FORCE}


def test_adding_and_changing_a_version_are_recorded(agency, admin):
    agreement = AgreementFactory(owner=agency)
    version = services.version_create(
        version=AgreementVersion(
            agreement=agreement,
            number="2.0",
            text="Text",
            signed_off_by="Chair",
            signed_off_on=days_ago(10),
        ),
        by=admin,
    )
    added = _event(Event.VERSION_ADDED, version)
    _by(added, admin)
    assert added.additional_data == {
        "agreement": agreement.pk,
        "number": "2.0",
        "signed_off_on": days_ago(10).isoformat(),
        "next_review_date": version.next_review_date.isoformat(),
    }
    version.next_review_date = days_ago(-30)
    services.version_update(version=version, by=admin)
    changed = _event(Event.VERSION_CHANGED, version)
    _by(changed, admin)
    assert changed.additional_data["next_review_date"] == days_ago(-30).isoformat()


def test_a_signature_is_recorded_with_the_one_it_replaces(admin, represented):
    agreement, version = in_force_agreement(signed_off_on=days_ago(200))
    earlier = SignatureFactory(
        version=VersionFactory(agreement=agreement, signed_off_on=days_ago(300)), agency=represented
    )
    signature = services.signature_record(
        version=version,
        agency=represented,
        signed_by_name="Sam Signer",
        signed_by_role="Director",
        signed_on=days_ago(1),
        group="core",
        evidence=scan(),
        by=admin,
    )
    entry = _event(Event.SIGNATURE_RECORDED, signature)
    _by(entry, admin)
    assert entry.additional_data == {
        "agreement": agreement.pk,
        "version": version.number,
        "agency": represented.pk,
        "method": "paper",
        "version_sha256": signature.version_sha256,
        "replaces": earlier.pk,
    }


def test_withdrawing_a_signature_is_recorded(admin, represented):
    _, version = in_force_agreement()
    signature = SignatureFactory(version=version, agency=represented)
    services.signature_withdraw(signature=signature, withdrawn_on=days_ago(1), reason="Paused", by=admin)
    entry = _event(Event.SIGNATURE_WITHDRAWN, signature)
    _by(entry, admin)
    assert entry.additional_data == {
        "agreement": version.agreement_id,
        "withdrawn_on": days_ago(1).isoformat(),
    }


def test_recording_and_changing_an_incident_are_recorded(agency, ig_officer):
    incident = services.incident_create(
        incident=Incident(
            kind=IncidentKind.BREACH_STAFF,
            agency=agency,
            reported_by="Staff",
            reported_on=days_ago(2),
            summary="Lost",
        ),
        by=ig_officer,
    )
    recorded = _event(Event.INCIDENT_RECORDED, incident)
    _by(recorded, ig_officer)
    assert recorded.additional_data == {"kind": IncidentKind.BREACH_STAFF, "status": IncidentStatus.OPEN}
    incident.summary = "Lost a letter"
    services.incident_update(incident=incident, lock_version=incident.lock_version, by=ig_officer)
    changed = _event(Event.INCIDENT_CHANGED, incident)
    _by(changed, ig_officer)
    assert changed.additional_data == {"fields": ["summary"], "status": IncidentStatus.OPEN}


def test_a_change_refused_as_stale_records_no_event(agency, ig_officer):
    from isa_portal.concurrency import EditConflict

    incident = IncidentFactory(agency=agency)
    with pytest.raises(EditConflict):
        services.incident_update(incident=incident, lock_version=incident.lock_version + 1, by=ig_officer)
    assert not AuditEntry.objects.filter(event=Event.INCIDENT_CHANGED).exists()
