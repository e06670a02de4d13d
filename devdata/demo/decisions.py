"""Demo decisions in every state and outcome, written through the services by the demo users.

Idempotent: each decision has a fixed creation token, so a second run finds it
and moves it no further than it already is.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from audit.context import audit_context
from consent.models import Child
from consent.services import child_create
from decisions import integrations, notifications, services
from decisions.journeys import DECISION
from decisions.models import Decision, Outcome

NAMESPACE = uuid.UUID("5a1f0c8e-2b7d-4c55-9d1e-6f3b8a2c4e10")

# The consent part's demo children (created through its service if it has not run).
CHILDREN = {
    "amara": ("Amara", "Okoye", 14),
    "jack": ("Jack", "Thompson", 8),
    "leah": ("Leah", "Morgan", 15),
    "noah": ("Noah", "Williams", 10),
}


def _answers(demo, **overrides) -> dict:
    police = demo.agencies["police"]
    answers = {
        "request": {
            "request_method": "phone",
            "requester_name": "DC Sam Lee",
            "requester_role": "Detective constable, child abuse investigation",
            "requester_agency": police,
            "request_received_on": timezone.localdate() - timedelta(days=1),
            "identity_method": "call_back",
            "identity_checked_against": "The force switchboard number on the Northshire Police website",
            "identity_outcome": "confirmed",
            "identity_check": "Called back through the force switchboard; checked the collar number.",
            "written_confirmation": "received",
        },
        "purpose": {
            "purpose": "safeguarding",
            "purpose_detail": "Unexplained bruising reported by school; police considering a s47 enquiry.",
            "information_categories": ["concerns", "identity"],
            "events_on": None,
        },
        "new_information": {"new_information": "The police have told us the father has moved back home."},
        "questions": {"clear_purpose": True, "unsure_about": ""},
        "identifies": {"identifies_person": True},
        "confidential": {"confidential": True},
        "consent": {},
        "other_reason": {"other_reasons": ["child_safety", "public_function"]},
        "outcome": {"outcome": Outcome.SHARE, "departure_reason": "", "override_reason": ""},
        "referral": {"referral_agency": None, "referral_made_on": None, "referral_reference": ""},
        "grounds": {
            "grounds": ["significant_harm_reasonable_cause", "statutory_enquiry"],
            "harm_if_shared": "The parents may be angry and disengage from early help for a time.",
            "harm_if_not_shared": "The child may continue to be harmed while the enquiry lacks our history.",
        },
        "law_enforcement": {"law_enforcement": False},
        "lawful_basis": {
            "article6_basis": "public_task",
            "article9_condition": "9_2_g_sch1_18",
            "schedule8_condition": "",
        },
        "advice": {"advice_sought": True},
        "advice_detail": {
            "advice_source": "lead",
            "advice_from": "Leon Adeyemi",
            "advice_role": "Designated safeguarding lead",
            "advice_on": timezone.localdate() - timedelta(days=1),
            "advice_given": "Share the dates and descriptions of concerns; not the whole file.",
        },
        "recipient": {
            "information_shared": "Dates and descriptions of the three concerns recorded since September.",
            "recipient_agency": police,
            "recipient_name": "DC Sam Lee",
            "recipient_role": "Detective constable",
            "share_method": "secure_email",
            "shared_on": timezone.localdate(),
            "confirmed_in_writing": True,
        },
        "agreement": {
            "no_agreement_acknowledged": True,
            "no_agreement_reason": "Child protection enquiry: sharing is needed now to protect the child.",
        },
        "openness": {
            "family_told": False,
            "family_not_told_reason": "Telling the parents before the police visit could endanger the child",
            "protected_identities": "The neighbour who reported the shouting.",
            "from_other_agency": False,
            "source_agency": None,
            "source_agency_agreed": "",
        },
        "withheld": {
            "withheld_information": "The family's earlier contact with the service, before this school year.",
            "withheld_reason": "Only the last visit bears on the enquiry; the older history is not needed.",
        },
        "no_share": {"no_share_detriment": ""},
    }
    for step, values in overrides.items():
        answers[step] = {**answers[step], **values}
    return answers


NO_SHARE = {
    "request": {
        "requester_name": "Jo Price",
        "requester_role": "Youth club volunteer",
        "requester_agency": None,
    },
    "purpose": {"purpose": "early_help", "purpose_detail": "Asked for the family's address and history."},
    "other_reason": {"other_reasons": []},
    "outcome": {"outcome": Outcome.DO_NOT_SHARE},
    "no_share": {
        "no_share_detriment": "The volunteer has no role in the child's care; sharing the family's "
        "history would breach their trust and could stop them using the service the child relies on.",
    },
}


def _child(key: str, demo) -> Child:
    given, family, years = CHILDREN[key]
    child = Child.objects.filter(given_name=given, family_name=family).order_by("id").first()
    if child is None:
        by = demo.users["practitioner@demo.test"]
        with audit_context(source="command:seed_demo", actor=by):
            child = child_create(
                given_name=given,
                family_name=family,
                date_of_birth=timezone.localdate() - timedelta(days=365 * years + 30),
                by=by,
            )
    return child


def _decision(demo, key: str, child: str, author: str, submit: bool = True, **overrides) -> Decision:
    with audit_context(source="command:seed_demo", actor=demo.users[author]):
        return _write_decision(demo, key, child, author, submit, **overrides)


def _write_decision(demo, key: str, child: str, author: str, submit: bool, **overrides) -> Decision:
    by = demo.users[author]
    decision = services.decision_start(child=_child(child, demo), by=by, token=uuid.uuid5(NAMESPACE, key))
    if not decision.is_draft:
        return decision
    answers = _answers(demo, **overrides)
    for step in DECISION.steps:
        if step.applies(decision):
            decision = services.decision_answer(
                decision=decision, step=step.name, answers=answers[step.name], by=by
            )
        if not submit and step.name == "advice":
            return decision  # an unfinished draft
    return services.decision_submit(decision=decision, by=by) if submit else decision


def _review(
    demo, decision: Decision, action: str, comments: str = "", by: str = "lead@demo.test", outcome: str = ""
) -> None:
    if decision.reviews.filter(action=action).exists():
        return
    with audit_context(source="command:seed_demo", actor=demo.users[by]):
        services.decision_review(
            decision=decision, action=action, comments=comments, outcome=outcome, by=demo.users[by]
        )
    decision.refresh_from_db()


def seed(demo) -> None:
    # Nobody is waiting for the demo's e-mails.
    with notifications.muted():
        _seed(demo)


def _seed(demo) -> None:
    practitioner = "practitioner@demo.test"
    _decision(demo, "draft", "amara", practitioner, submit=False)
    _decision(demo, "awaiting", "amara", practitioner)
    endorsed = _decision(demo, "endorsed", "jack", practitioner)
    _review(demo, endorsed, "endorse")
    returned = _decision(demo, "returned", "jack", practitioner, advice={"advice_sought": False})
    _review(demo, returned, "return", "Please record whether you took advice before sharing.")
    answered = _decision(demo, "answered", "amara", practitioner, advice={"advice_sought": False})
    _review(demo, answered, "return", "What exactly was shared? Please be specific.")
    if not answered.addenda.exists():
        with audit_context(source="command:seed_demo", actor=demo.users[practitioner]):
            services.decision_add_addendum(
                decision=answered,
                text="Shared only the dates of the two missed appointments.",
                by=demo.users[practitioner],
            )
    escalated = _decision(
        demo,
        "escalated",
        "leah",
        practitioner,
        outcome={"outcome": Outcome.SHARE_IN_PART, "departure_reason": "Only the last visit is relevant."},
        recipient={"information_shared": "The date of the last home visit only."},
    )
    _review(demo, escalated, "escalate", "I disagree: the police need the full chronology of concerns.")
    resolved = _decision(demo, "resolved", "jack", practitioner)
    _review(demo, resolved, "escalate", "The share goes beyond what the enquiry needs.")
    # Leon is the council's only lead: his escalation goes to the partnership's designated lead.
    _review(
        demo,
        resolved,
        "resolve",
        "Agreed at the strategy meeting: share as recorded.",
        by="partnership-lead@demo.test",
        outcome="agreed",
    )
    no_share = _decision(demo, "no-share", "amara", practitioner, **NO_SHARE)
    _review(demo, no_share, "endorse")
    with audit_context(source="command:seed_demo", actor=demo.users[practitioner]):
        reconsidered = services.decision_reconsider(
            decision=no_share, by=demo.users[practitioner], token=uuid.uuid5(NAMESPACE, "reconsider")
        )
    _decision(
        demo,
        "mandatory-referral",
        "jack",
        "lead@demo.test",
        purpose={
            "purpose_detail": "Disclosure in class of sexual activity with an older teenager.",
            "information_categories": ["sexual_activity", "concerns"],
            "events_on": timezone.localdate() - timedelta(days=3),
        },
        referral={
            "referral_agency": demo.agencies["police"],
            "referral_made_on": timezone.localdate() - timedelta(days=1),
            "referral_reference": "NP-CAIT-2026-0412",
        },
    )
    _decision(demo, "school", "noah", "practitioner2@demo.test", purpose={"purpose": "education"})
    count = Decision.objects.filter(creation_token__in=[uuid.uuid5(NAMESPACE, k) for k in _KEYS]).count()
    demo.log(f"Decisions: {count} (reconsideration draft {reconsidered.pk})")
    _seed_override(demo)
    _seed_onward_refusal(demo)


_KEYS = [
    "draft", "awaiting", "endorsed", "returned", "answered", "escalated", "resolved", "no-share",
    "mandatory-referral", "school", "reconsider", "override", "onward-originator", "onward-passed-on",
]  # fmt: skip


def _seed_override(demo) -> None:
    """A share overriding Leah's refusal of consent (from the consent part), countersigned by the lead."""
    health = demo.agencies["health"]
    found = integrations.consent_for(
        child=_child("leah", demo), recipient=health, purpose="health_care", on=timezone.localdate()
    )
    if found.status not in ("refused", "withdrawn"):
        demo.log("Decision overriding a refusal: skipped (no refusal of consent recorded for Leah Morgan)")
        return
    override = _decision(
        demo,
        "override",
        "leah",
        "practitioner@demo.test",
        request={
            "requester_name": "Dr Ana Ruiz",
            "requester_role": "Consultant, sexual health clinic",
            "requester_agency": health,
        },
        purpose={
            "purpose": "health_care",
            "purpose_detail": "New evidence that an adult is exploiting Leah; the clinic needs our concerns.",
        },
        outcome={
            "override_reason": "Leah refused, but she is at risk of serious harm from exploitation; "
            "protecting her outweighs her refusal. Advice taken from the designated lead.",
        },
        grounds={"grounds": ["sexual_exploitation", "prevent_harm"]},
        recipient={
            "recipient_agency": health,
            "recipient_name": "Dr Ana Ruiz",
            "recipient_role": "Consultant",
        },
    )
    _review(demo, override, "endorse")
    demo.log(f"Decision overriding a refusal of consent: {override.reference}, countersigned")


def _seed_onward_refusal(demo) -> None:
    """An originator that refused onward disclosure: the primary school shares its concerns about Noah
    with the council and says they must not be passed on without asking it first; the council's
    practitioner passes them on to the police, with her reasons, and the lead countersigns."""
    la, school = demo.agencies["la"], demo.agencies["school"]
    originator = _decision(
        demo,
        "onward-originator",
        "noah",
        "practitioner2@demo.test",
        request={
            "requester_name": "Priya Shah",
            "requester_role": "Social worker",
            "requester_agency": la,
            "identity_checked_against": "The council's duty desk number in the partnership directory",
            "identity_check": "Called the duty desk back on the number in the partnership directory.",
        },
        purpose={
            "purpose": "child_in_need",
            "purpose_detail": "Children's services are assessing Noah's needs: what has the school seen?",
        },
        recipient={
            "information_shared": "Attendance since September and the two welfare concerns logged by staff.",
            "recipient_agency": la,
            "recipient_name": "Priya Shah",
            "recipient_role": "Social worker",
        },
        openness={"family_told": True, "family_not_told_reason": "", "onward_disclosure": "refused"},
    )
    passed_on = _decision(
        demo,
        "onward-passed-on",
        "noah",
        "practitioner@demo.test",
        purpose={
            "purpose_detail": "Noah disclosed being hit at home; the police join a strategy discussion.",
        },
        recipient={
            "information_shared": "The school's two welfare concerns, with their dates.",
        },
        openness={
            "from_other_agency": True,
            "source_agency": school,
            "source_agency_agreed": "refused",
            "onward_override_reason": "The strategy discussion is today and the police need the school's "
            "concerns to judge the risk at home; the school's safeguarding lead could not be reached.",
        },
    )
    _review(demo, passed_on, "endorse")
    demo.log(
        f"Onward disclosure: {originator.reference} (the school said not to pass it on), "
        f"{passed_on.reference} (passed on with reasons, countersigned)"
    )
