"""Consent records as FHIR R4 ``Consent``, and submitted decisions as ``Provenance``, validated
before they leave.

FHIR R4 (4.0.1) is what NHS England's UK Core and most case systems speak. ``fhir.resources`` 8
ships R5 as its default package and R4B (4.3.0) beside it, and no R4: we validate against
``fhir.resources.R4B``, whose ``Consent`` and ``Provenance`` are R4's (R4B changed neither; it
changed the medication-definition, evidence and subscription resources). R5's ``Consent`` is a
different shape (no ``scope`` or ``patient``, a list of provisions) and refuses an R4 one.
"""

from django.utils import timezone
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.provenance import Provenance

from consent.models import ConsentAsked, ConsentRecord, ConsentStatus
from decisions.models import Decision

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# The product's own codes: stable names, not addresses of a deployment.
PURPOSE_SYSTEM = "urn:isa-portal:fhir:sharing-purpose"
CATEGORY_SYSTEM = "urn:isa-portal:fhir:information-category"
CHILD_SYSTEM = "urn:isa-portal:fhir:child"
DECISION_SYSTEM = "urn:isa-portal:fhir:decision-reference"
OUTCOME_SYSTEM = "urn:isa-portal:fhir:decision-outcome"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
LOINC = "http://loinc.org"

# The law a consent record rests on. Consent to share confidential information about a child is
# consent under the common law duty of confidence, as "Information sharing: advice for
# practitioners providing safeguarding services" (DfE, 2024) describes; when it is given it may also
# be the UK GDPR Article 6(1)(a) basis (and Article 9(2)(a) for special category information) where
# the agency relies on it. The lawful basis of each share is the decision's (its Provenance).
CONSENT_POLICY = [
    {
        "authority": "https://www.gov.uk",
        "uri": "https://www.gov.uk/government/publications/safeguarding-practitioners-information-sharing-advice",
    },
]
GDPR_CONSENT_POLICY = {
    "authority": "https://www.legislation.gov.uk",
    "uri": "https://www.legislation.gov.uk/eur/2016/679/article/6",
}
# The Article 6 basis of a decision, by the article it cites (UK GDPR as retained, legislation.gov.uk).
ARTICLE_6_URI = "https://www.legislation.gov.uk/eur/2016/679/article/6"
ARTICLE_9_URI = "https://www.legislation.gov.uk/eur/2016/679/article/9"
DPA_PART_3_URI = "https://www.legislation.gov.uk/ukpga/2018/12/part/3"

# FHIR's Consent.status, which a consent record's answer and what happened since decide.
ACTIVE, INACTIVE, REJECTED = "active", "inactive", "rejected"


class NotValid(Exception):
    """A resource the FHIR models refuse: never sent."""


def consent_status(record: ConsentRecord, today=None) -> str:
    """active: given, not withdrawn, not lapsed, not erased. rejected: refused. inactive: the rest
    (withdrawn, lapsed, erased, a withdrawal itself, or not sought: nobody was asked)."""
    today = today or timezone.localdate()
    if record.tombstoned_at is not None:
        return INACTIVE
    if record.answer == ConsentStatus.REFUSED:
        return REJECTED
    if record.answer == ConsentStatus.GIVEN:
        withdrawn = hasattr(record, "withdrawal")
        lapsed = record.valid_until is not None and record.valid_until < today
        return INACTIVE if withdrawn or lapsed else ACTIVE
    return INACTIVE


def _patient(child) -> dict:
    patient = {"resourceType": "Patient", "id": "child"}
    identifiers = [{"system": CHILD_SYSTEM, "value": str(child.pk)}]
    if child.nhs_number:
        identifiers.insert(0, {"system": NHS_NUMBER_SYSTEM, "value": child.nhs_number})
    patient["identifier"] = identifiers
    if child.tombstoned_at is None:
        patient["name"] = [{"family": child.family_name, "given": [child.given_name]}]
        patient["birthDate"] = child.date_of_birth.isoformat()
    return patient


def _organization(agency) -> dict:
    return {"display": agency.name}


def consent_resource(record: ConsentRecord) -> dict:
    """The record as a FHIR R4 Consent (a dict, validated), the child contained as its Patient."""
    contained = [_patient(record.child)]
    resource: dict = {
        "resourceType": "Consent",
        "id": str(record.pk),
        "status": consent_status(record),
        "scope": {
            "coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}]
        },
        "category": [
            {"coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}]},
            {
                "coding": [{"system": PURPOSE_SYSTEM, "code": record.purpose}],
                "text": record.get_purpose_display(),
            },
        ],
        "patient": {"reference": "#child"},
        "dateTime": record.given_on.isoformat(),
        "organization": [_organization(record.agency)],
        "policy": list(CONSENT_POLICY),
    }
    if record.answer == ConsentStatus.GIVEN:
        resource["policy"].append(GDPR_CONSENT_POLICY)
    if record.asked == ConsentAsked.CHILD:
        resource["performer"] = [{"reference": "#child"}]
    elif record.asked == ConsentAsked.PARENT:
        contained.append(
            {
                "resourceType": "RelatedPerson",
                "id": "asked",
                "patient": {"reference": "#child"},
                "relationship": [{"text": record.parent_relationship}],
                **({"name": [{"text": record.parent_name}]} if record.parent_name else {}),
            }
        )
        resource["performer"] = [{"reference": "#asked"}]
    if record.answer != ConsentStatus.NOT_SOUGHT:
        permit = record.answer == ConsentStatus.GIVEN
        resource["policyRule"] = {"coding": [{"system": ACT_CODE, "code": "OPTIN" if permit else "OPTOUT"}]}
        period = {"start": record.given_on.isoformat()}
        if record.valid_until:
            period["end"] = record.valid_until.isoformat()
        provision: dict = {
            "type": "permit" if permit else "deny",
            "period": period,
            "purpose": [
                {"system": PURPOSE_SYSTEM, "code": record.purpose, "display": record.get_purpose_display()}
            ],
        }
        recipients = list(record.recipients.all())
        if recipients:
            provision["actor"] = [
                {
                    "role": {
                        "coding": [
                            {"system": PARTICIPATION, "code": "IRCP", "display": "information recipient"}
                        ]
                    },
                    "reference": _organization(agency),
                }
                for agency in recipients
            ]
        if record.information_categories:
            labels = dict(
                zip(record.information_categories, record.get_information_categories_display(), strict=True)
            )
            provision["code"] = [
                {"coding": [{"system": CATEGORY_SYSTEM, "code": code}], "text": label}
                for code, label in labels.items()
            ]
        resource["provision"] = provision
    resource["contained"] = contained
    return validated(Consent, resource)


def provenance_resource(decision: Decision) -> dict:
    """A submitted decision as a FHIR R4 Provenance: who decided (and countersigned) for which agency,
    when, why (the purpose), under which law (the lawful basis), from which consent record."""
    agents = [
        {
            "type": {"coding": [{"system": PROVENANCE_AGENT, "code": "author"}]},
            "who": {"display": decision.practitioner_name or "Not recorded"},
            "onBehalfOf": _organization(decision.agency),
        }
    ]
    if decision.countersigned_at is not None and decision.countersigned_by is not None:
        agents.append(
            {
                "type": {"coding": [{"system": PROVENANCE_AGENT, "code": "verifier"}]},
                "who": {"display": decision.countersigned_by.full_name},
                "onBehalfOf": _organization(decision.agency),
            }
        )
    resource: dict = {
        "resourceType": "Provenance",
        "id": str(decision.pk),
        "target": [
            {
                "identifier": {"system": DECISION_SYSTEM, "value": decision.reference or str(decision.pk)},
                "display": f"Information sharing decision {decision.reference}",
            }
        ],
        "recorded": (decision.submitted_at or decision.created).isoformat(),
        "activity": {
            "coding": [{"system": OUTCOME_SYSTEM, "code": decision.outcome or "undecided"}],
            "text": decision.get_outcome_display() or "Not decided",
        },
        "agent": agents,
        "policy": _decision_policy(decision),
    }
    if decision.purpose:
        resource["reason"] = [
            {
                "coding": [{"system": PURPOSE_SYSTEM, "code": decision.purpose}],
                "text": decision.get_purpose_display(),
            }
        ]
    if decision.consent_record_id:
        resource["entity"] = [
            {"role": "source", "what": {"reference": f"Consent/{decision.consent_record_id}"}}
        ]
    return validated(Provenance, resource)


def _decision_policy(decision: Decision) -> list[str]:
    policy = []
    if decision.law_enforcement:
        policy.append(DPA_PART_3_URI)
    if decision.article6_basis:
        policy.append(ARTICLE_6_URI)
    if decision.article9_condition and decision.article9_condition != "none":
        policy.append(ARTICLE_9_URI)
    return policy


def validated(model, resource: dict) -> dict:
    """The resource as FHIR R4 JSON, once the FHIR models accept it; ``NotValid`` otherwise."""
    try:
        parsed = model.model_validate(resource)
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise NotValid(str(error)) from error
    return parsed.model_dump(mode="json", exclude_none=True)
