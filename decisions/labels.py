"""The words of a decision's answers, in one place: check your answers, the record, its PDF and
the chronology all read their labels here, and which rows apply to this decision.

A label is plain English for a person reading the record later, never a field's name. A field
with no entry here (a question added since) is labelled by its question as the form asks it
(``label(name, form_class)``); never by the model's ``verbose_name``, which was written for
developers ("Article6 basis"). A test checks that every answer has a label here and that none
holds an underscore, "Article6"/"Article9" or a field's name.
"""

from collections.abc import Callable

from decisions.models import Decision, RequestMethod

LABELS: dict[str, str] = {
    # About the request
    "request_method": "How the request reached you",
    "requester_name": "Who asked",
    "requester_role": "Role of the person who asked",
    "requester_agency": "Agency of the person who asked",
    "request_received_on": "Date of the request",
    "identity_check": "How their identity and entitlement were checked",
    # The purpose
    "purpose": "Purpose of sharing",
    "purpose_detail": "The concern or need",
    "sexual_activity_under_13": "Evidence of sexual activity of a child under 13",
    "information_categories": "Kinds of information",
    "law_enforcement": "Shared for a law enforcement purpose",
    # The information
    "clear_purpose": "Clear and legitimate purpose for sharing",
    "identifies_person": "The information identifies a person",
    "confidential": "The information is confidential",
    # Consent and other reasons
    "consent_status": "Consent position found",
    "other_reasons": "Other reasons to share without consent",
    # The decision
    "proposed_outcome": "Decision the questions suggest",
    "outcome": "Decision",
    "departure_reason": "Why the decision differs from the one suggested",
    "override_reason": "Why share although consent was refused or withdrawn",
    # Sharing without consent
    "grounds": "Grounds for sharing without consent",
    "harm_if_shared": "What might happen if it is shared",
    "harm_if_not_shared": "What might happen if it is not shared",
    # Lawful basis
    "article6_basis": "Lawful basis (UK GDPR Article 6)",
    "article9_condition": "Condition for health, social care or other special category information "
    "(UK GDPR Article 9)",
    "schedule8_condition": "Condition for sensitive processing (Data Protection Act 2018, Schedule 8)",
    # Advice
    "advice_sought": "Advice sought before deciding",
    "advice_from": "Advice from",
    "advice_role": "Role of the person who advised",
    "advice_given": "The advice given",
    "advice_source": "Whom advice was sought from",
    "advice_on": "Date of the advice",
    "unsure_about": "Questions first answered 'I am not sure'",
    # Sharing in part
    "withheld_information": "What was held back",
    "withheld_reason": "Why it was held back",
    # A reconsideration
    "new_information": "What is new since the earlier decision",
    # What is shared, with whom
    "information_shared": "Information shared",
    "recipient_agency": "Agency receiving it",
    "recipient_name": "Person receiving it",
    "recipient_role": "Role of the person receiving it",
    "share_method": "How it is shared",
    "shared_on": "Date shared",
    "confirmed_in_writing": "Share confirmed in writing",
    # No agreement
    "no_agreement_acknowledged": "Shared knowing no agreement covers it",
    "no_agreement_reason": "Why share without an agreement",
    # Openness
    "family_told": "Child or family told about the sharing",
    "family_not_told_reason": "Why the child or family was not told",
    "protected_identities": "Identities to protect",
    "from_other_agency": "Some of the information came from another agency",
    "source_agency": "Agency the information came from",
    "source_agency_agreed": "That agency agreed to it being passed on",
    "onward_override_reason": "Why it was passed on although that agency refused",
    "onward_disclosure": "The recipient may pass it on",
    # Not sharing
    "no_share_detriment": "Why sharing would be more detrimental to the child than not sharing",
}


def label(name: str, form_class=None) -> str:
    """The plain-English label of an answer: from ``LABELS``, else the question as the form asks it."""
    if name in LABELS:
        return LABELS[name]
    field = getattr(form_class, "base_fields", {}).get(name)
    if field is not None and field.label:
        return str(field.label)
    return name.replace("_", " ").capitalize()  # a last resort the labels test catches


def _asked(decision: Decision) -> bool:
    return decision.request_method != RequestMethod.OWN_INITIATIVE


def _differs(decision: Decision) -> bool:
    chosen, suggested = decision.outcome, decision.proposed_outcome
    return bool(decision.departure_reason) or (bool(chosen) and bool(suggested) and chosen != suggested)


# Follow-up questions that apply only after an earlier answer: a row for them is left out of
# check your answers, the record and the PDF when that answer did not call for them.
APPLIES: dict[str, Callable[[Decision], bool]] = {
    "requester_name": _asked,
    "requester_role": _asked,
    "requester_agency": _asked,
    "request_received_on": _asked,
    "identity_check": _asked,
    "departure_reason": _differs,
    "override_reason": lambda d: d.overrides_refusal or bool(d.override_reason),
    "advice_from": lambda d: d.advice_sought is True,
    "advice_role": lambda d: d.advice_sought is True,
    "advice_given": lambda d: d.advice_sought is True,
    "advice_source": lambda d: d.advice_sought is True,
    "advice_on": lambda d: d.advice_sought is True,
    "unsure_about": lambda d: False,  # the advice page's own rows say it
    "family_not_told_reason": lambda d: d.family_told is False,
    "source_agency": lambda d: d.from_other_agency is True,
    "source_agency_agreed": lambda d: d.from_other_agency is True,
    "onward_override_reason": lambda d: d.overrides_onward_refusal or bool(d.onward_override_reason),
    "no_agreement_acknowledged": lambda d: False,  # the reason row says it
}


def applies(name: str, decision: Decision) -> bool:
    """Whether the question behind this answer was one this decision called for."""
    rule = APPLIES.get(name)
    return rule is None or rule(decision)
