"""Demo decisions in every state and outcome, written through the services by the demo users.

Idempotent: each decision has a fixed creation token, so a second run finds it
and moves it no further than it already is.
"""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from consent.models import Child
from decisions import integrations, services
from decisions.journey import STEPS
from decisions.models import Decision, Outcome

NAMESPACE = uuid.UUID("5a1f0c8e-2b7d-4c55-9d1e-6f3b8a2c4e10")

CHILDREN = {
    "amy": ("Amy", "Brook", date(2016, 5, 14)),
    "ben": ("Ben", "Carter", date(2014, 9, 2)),
    "cara": ("Cara", "Doyle", date(2010, 1, 23)),
    "dan": ("Dan", "Evans", date(2019, 7, 30)),
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
            "identity_check": "Called back through the force switchboard; checked the collar number.",
        },
        "purpose": {
            "purpose": "safeguarding",
            "purpose_detail": "Unexplained bruising reported by school; police considering a s47 enquiry.",
            "sexual_activity_under_13": False,
        },
        "questions": {"clear_purpose": True, "identifies_person": True, "confidential": True},
        "consent": {},
        "other_reason": {"other_reasons": ["child_safety", "public_function"]},
        "outcome": {"outcome": Outcome.SHARE, "departure_reason": "", "override_reason": ""},
        "grounds": {
            "grounds": ["significant_harm_reasonable_cause", "statutory_enquiry"],
            "harm_if_shared": "The parents may be angry and disengage from early help for a time.",
            "harm_if_not_shared": "The child may continue to be harmed while the enquiry lacks our history.",
        },
        "lawful_basis": {"article6_basis": "public_task", "article9_condition": "9_2_g_sch1_18"},
        "advice": {
            "advice_sought": True,
            "advice_from": "Leon Adeyemi",
            "advice_role": "Designated safeguarding lead",
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
    given, family, born = CHILDREN[key]
    child, _ = Child.objects.get_or_create(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        defaults={"created_by": demo.users["practitioner@demo.test"]},
    )
    return child


def _decision(demo, key: str, child: str, author: str, submit: bool = True, **overrides) -> Decision:
    by = demo.users[author]
    decision = services.decision_start(child=_child(child, demo), by=by, token=uuid.uuid5(NAMESPACE, key))
    if not decision.is_draft:
        return decision
    answers = _answers(demo, **overrides)
    for step in STEPS:
        if step.applies(decision):
            decision = services.decision_answer(
                decision=decision, step=step.name, answers=answers[step.name], by=by
            )
        if not submit and step.name == "advice":
            return decision  # an unfinished draft
    return services.decision_submit(decision=decision, by=by) if submit else decision


def _review(demo, decision: Decision, action: str, comments: str = "", by: str = "lead@demo.test") -> None:
    if decision.reviews.filter(action=action).exists():
        return
    services.decision_review(decision=decision, action=action, comments=comments, by=demo.users[by])
    decision.refresh_from_db()


def seed(demo) -> None:
    practitioner = "practitioner@demo.test"
    _decision(demo, "draft", "amy", practitioner, submit=False)
    _decision(demo, "awaiting", "amy", practitioner)
    endorsed = _decision(demo, "endorsed", "ben", practitioner)
    _review(demo, endorsed, "endorse")
    returned = _decision(demo, "returned", "ben", practitioner, advice={"advice_sought": False})
    _review(demo, returned, "return", "Please record whether you took advice before sharing.")
    answered = _decision(demo, "answered", "cara", practitioner, advice={"advice_sought": False})
    _review(demo, answered, "return", "What exactly was shared? Please be specific.")
    if not answered.addenda.exists():
        services.decision_add_addendum(
            decision=answered,
            text="Shared only the dates of the two missed appointments.",
            by=demo.users[practitioner],
        )
    escalated = _decision(
        demo,
        "escalated",
        "cara",
        practitioner,
        outcome={"outcome": Outcome.SHARE_IN_PART, "departure_reason": "Only the last visit is relevant."},
        recipient={"information_shared": "The date of the last home visit only."},
    )
    _review(demo, escalated, "escalate", "I disagree: the police need the full chronology of concerns.")
    resolved = _decision(demo, "resolved", "dan", practitioner)
    _review(demo, resolved, "escalate", "The share goes beyond what the enquiry needs.")
    _review(demo, resolved, "resolve", "Agreed at the strategy meeting: share as recorded.")
    no_share = _decision(demo, "no-share", "dan", practitioner, **NO_SHARE)
    _review(demo, no_share, "endorse")
    reconsidered = services.decision_reconsider(
        decision=no_share, by=demo.users[practitioner], token=uuid.uuid5(NAMESPACE, "reconsider")
    )
    _decision(
        demo,
        "mandatory-referral",
        "amy",
        "lead@demo.test",
        purpose={
            "sexual_activity_under_13": True,
            "purpose_detail": "Disclosure in class of sexual activity.",
        },
    )
    _decision(demo, "school", "ben", "practitioner2@demo.test", purpose={"purpose": "education"})
    count = Decision.objects.filter(creation_token__in=[uuid.uuid5(NAMESPACE, k) for k in _KEYS]).count()
    demo.log(f"Decisions: {count} (reconsideration draft {reconsidered.pk})")
    _seed_override(demo)


_KEYS = [
    "draft", "awaiting", "endorsed", "returned", "answered", "escalated", "resolved", "no-share",
    "mandatory-referral", "school", "reconsider", "override",
]  # fmt: skip


def _seed_override(demo) -> None:
    """A share overriding a refusal of consent, countersigned by the lead.

    Needs a refusal on record, which the consent part keeps; without it there is
    nothing to override and the demo says so.
    """
    found = integrations.consent_for(
        child=_child("cara", demo),
        recipient=demo.agencies["police"],
        purpose="safeguarding",
        on=timezone.localdate(),
    )
    if found.status not in ("refused", "withdrawn"):
        demo.log("Decision overriding a refusal: skipped (no refusal of consent recorded for Cara Doyle)")
        return
    override = _decision(
        demo,
        "override",
        "cara",
        "practitioner@demo.test",
        outcome={
            "override_reason": "Cara's mother refused, but the risk of serious harm outweighs her refusal."
        },
    )
    _review(demo, override, "endorse")
