"""Children and decisions for the decision tests, written through the services like real ones."""

from datetime import date

from django.utils import timezone

from consent.models import Child
from decisions import services
from decisions.models import Outcome
from tests.factories import ChildFactory


def child_for(user, **fields) -> Child:
    """A child of eleven held by the user's agency."""
    return ChildFactory(created_by=user, **{"date_of_birth": date(2015, 3, 4), **fields})


SHARE_ANSWERS = {
    "request": {
        "request_method": "phone",
        "requester_name": "Sam Lee",
        "requester_role": "Detective constable",
        "requester_agency": None,
        "request_received_on": None,
        "identity_method": "call_back",
        "identity_checked_against": "The force switchboard number on its website",
        "identity_outcome": "confirmed",
        "identity_check": "Called back through the switchboard",
        "written_confirmation": "received",
    },
    "purpose": {
        "purpose": "safeguarding",
        "purpose_detail": "Bruising seen at school",
        "information_categories": ["concerns", "identity"],
        "events_on": None,
    },
    "new_information": {"new_information": "The police now say the father has moved back into the home"},
    "questions": {"clear_purpose": True, "unsure_about": ""},
    "identifies": {"identifies_person": True},
    "confidential": {"confidential": True},
    "consent": {},
    "other_reason": {"other_reasons": ["child_safety"]},
    "outcome": {"outcome": Outcome.SHARE, "departure_reason": "", "override_reason": ""},
    "referral": {"referral_agency": None, "referral_made_on": None, "referral_reference": ""},
    "grounds": {
        "grounds": ["significant_harm_reasonable_cause"],
        "harm_if_shared": "The family may disengage for a while",
        "harm_if_not_shared": "The child may continue to be hurt",
    },
    "law_enforcement": {"law_enforcement": False},
    "lawful_basis": {
        "article6_basis": "public_task",
        "article9_condition": "9_2_g_sch1_18",
        "schedule8_condition": "",
    },
    "advice": {"advice_sought": True},
    "advice_detail": {
        "advice_source": "manager",
        "advice_from": "Dee Mann",
        "advice_role": "Team manager",
        "advice_on": None,
        "advice_given": "Share",
    },
    "recipient": {
        "information_shared": "Dates and descriptions of injuries seen",
        "recipient_agency": None,
        "recipient_name": "Sam Lee",
        "recipient_role": "Detective constable",
        "share_method": "secure_email",
        "shared_on": date(2026, 11, 21),
        "confirmed_in_writing": True,
    },
    "withheld": {
        "withheld_information": "The mother's health history",
        "withheld_reason": "The police do not need her health history for this enquiry",
    },
    "agreement": {"no_agreement_acknowledged": True, "no_agreement_reason": "Urgent child protection"},
    "openness": {
        "family_told": False,
        "family_not_told_reason": "Telling them could put the child at risk",
        "protected_identities": "",
        "from_other_agency": False,
        "source_agency": None,
        "source_agency_agreed": "",
    },
    "no_share": {"no_share_detriment": "Sharing would expose the child to retaliation"},
}


def answer_all(decision, by, recipient, **overrides):
    """Walk the journey through the service, answering each applicable page."""
    from decisions.journeys import DECISION

    answers = {step: dict(values) for step, values in SHARE_ANSWERS.items()}
    answers["request"]["requester_agency"] = recipient
    answers["recipient"]["recipient_agency"] = recipient
    for step, values in overrides.items():
        answers[step].update(values)
    for step in DECISION.steps:
        decision.refresh_from_db()
        if not step.applies(decision):
            continue
        fields = answers[step.name]
        if step.name == "recipient" and "shared_on" not in overrides.get("recipient", {}):
            fields = fields | {"shared_on": timezone.localdate()}  # no later than today, frozen or not
        # Schedule 1 paragraph 18 is only for sharing without consent.
        chosen = overrides.get("lawful_basis", {})
        given = decision.consent_status == "given"
        if step.name == "lawful_basis" and given and "article9_condition" not in chosen:
            fields = fields | {"article9_condition": "none"}
        if step.name == "outcome" and "override_reason" not in overrides.get("outcome", {}):
            fields = {k: v for k, v in fields.items() if k != "override_reason"} | {"override_reason": ""}
        decision = services.decision_answer(decision=decision, step=step.name, answers=fields, by=by)
    return decision


def draft_decision(practitioner, recipient, child=None, **overrides):
    child = child or child_for(practitioner)
    decision = services.decision_start(child=child, by=practitioner)
    return answer_all(decision, practitioner, recipient, **overrides)


def submitted_decision(practitioner, recipient, child=None, **overrides):
    decision = draft_decision(practitioner, recipient, child, **overrides)
    return services.decision_submit(decision=decision, by=practitioner)


def now():
    return timezone.now()
