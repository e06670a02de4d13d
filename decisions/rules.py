"""The rules a decision must meet, in one place: the forms and ``decision_submit`` both ask here.

Each rule answers with ``Problem``s naming the question page to go back to, so the
"check your answers" page can link straight to what needs fixing. Sources:
Information sharing: advice for practitioners (2024); Working Together to
Safeguard Children (2023); UK GDPR and the Data Protection Act 2018 as amended by
the Data (Use and Access) Act 2025; Children Act 2004 s16LA.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from accounts.permissions import Perm
from agreements.models import AgencyKind, AgreementVersion
from agreements.selectors import ConditionBreach, ShareFacts, condition_breaches
from consent.models import ConsentStatus, InformationCategory
from decisions import flowchart
from decisions.models import (
    REFUSALS,
    ConsentPosition,
    Decision,
    EscalationOutcome,
    EscalationTier,
    OnwardDisclosure,
    Outcome,
    RequestMethod,
    ReviewAction,
    Status,
)
from isa_portal.vocabulary import (
    NOT_FOR_PUBLIC_AUTHORITIES,
    Article6Basis,
    Article9Condition,
    GroundForSharingWithoutConsent,
    IdentityMethod,
    IdentityOutcome,
    OtherReasonToShare,
    Provision,
    Schedule8Condition,
)

MANDATORY_REFERRAL_MESSAGE = (
    "Evidence of sexual activity of a child under 13 must be referred to children's social care "
    "or the police: this decision cannot be 'do not share'"
)


MESSAGE_CATEGORIES = "Select the kinds of information you would share, or were asked for"


@dataclass(frozen=True)
class Problem:
    step: str
    field: str
    message: str


def proposed_outcome(decision: Decision) -> str:
    """The national flowchart's answer, from the questions answered so far (why, in words:
    ``flowchart.suggest``)."""
    return flowchart.suggest(decision).outcome


def consent_position(decision: Decision) -> str:
    if not decision.outcome:
        return ""
    if not decision.is_sharing:
        return ConsentPosition.NOT_SHARED
    if decision.identifies_person is False or decision.confidential is False:
        return ConsentPosition.NOT_NEEDED
    if decision.consent_status == ConsentStatus.GIVEN:
        return ConsentPosition.CONSENT_GIVEN
    return ConsentPosition.WITHOUT_CONSENT


# Consent that counts (issue 12, item 2) -----------------------------------------------------------------
#
# Where consent stands is worked out by ``consent.position.consent_position`` from every consent record
# of the child (scope: UK GDPR Article 4(11) and Article 7; a competent child's refusal: Gillick v West
# Norfolk and Wisbech AHA [1985] UKHL 7 and the Derby and Derbyshire practitioner guidance). A share
# against a refusal or withdrawal needs reasons in words and a safeguarding lead's countersignature
# (``Decision.requires_countersignature``); so does a share against a competent child's refusal, which
# a parent's consent does not set aside.

CONSENT_MESSAGES = {
    "override_reason": "Enter why you are sharing although consent was refused or withdrawn",
    "competent_child_refused": "{child} was assessed competent and refused consent: a parent's consent does "
    "not override that. Enter why sharing without consent is in {child}'s best interests; a safeguarding "
    "lead must countersign the decision",
}


def competent_child_refused(decision: Decision) -> bool:
    """The consent position is the child's own refusal (or withdrawal), given as a competent child."""
    record = decision.consent_record
    return decision.consent_status in REFUSALS and record is not None and record.asked == "child"


# Cover and onward disclosure (issue 12, item 4) -----------------------------------------------------------
#
# Cover: ``agreements.selectors.cover_check`` (its sources beside it): both agencies' live signatures on
# the version in force for the purpose; not past its review date; no expired ICO registration; the
# record keeps its note of what covered the share or why nothing did (``Decision.cover_note``).
# Onward disclosure: information another agency supplied is passed on only with that agency's
# agreement (every partnership protocol in shared/reference/, for example the West Yorkshire
# procedures 2.5 and the Derby and Derbyshire agreement, "information received from another agency";
# ICO data sharing code of practice 2021, "onward disclosure"). When the originator refused, the
# share goes ahead only with the practitioner's reasons and a safeguarding lead's countersignature
# (``Decision.requires_countersignature``).

ONWARD_MESSAGES = {
    "reason": "{agency} supplied this information and refused to have it passed on: enter why you are "
    "sharing it anyway; a safeguarding lead must countersign the decision",
    "recorded": "{agency} recorded, when it shared this with your agency on {date} ({reference}), that it "
    "must not be passed on without asking it first",
}


def originator_refusal(decision: Decision, source_agency_id: int | None = None) -> Decision | None:
    """The originator's own submitted decision sharing with this agency about this child that said the
    information must not be passed on, if there is one (the latest). ``source_agency_id``: the
    originator as just answered, before it is saved."""
    source = source_agency_id or decision.source_agency_id
    if source is None:
        return None
    return (
        Decision.objects.submitted()
        .filter(
            child_id=decision.child_id,
            agency_id=source,
            recipient_agency_id=decision.agency_id,
            onward_disclosure=OnwardDisclosure.REFUSED,
        )
        .only("id", "reference", "shared_on", "created")
        .order_by("-created", "-id")
        .first()
    )


def originator_refused(decision: Decision) -> bool:
    """The agency the information came from refused onward disclosure: the practitioner says so, or its
    own decision sharing it with this agency recorded it (whatever the practitioner answered)."""
    if not decision.from_other_agency or decision.source_agency_id is None:
        return False
    return decision.source_agency_agreed == "refused" or originator_refusal(decision) is not None


# Agreement conditions (issue 20, item 6) ----------------------------------------------------------------
#
# The agreement a share relies on (the version ``cover_check`` found: ``Decision.agreement_version``) may
# set conditions its signatories agreed to: sharing for a purpose only with consent, information from
# another agency passed on only with that agency's agreement, only some kinds of information, only some
# kinds of recipient. They are data on the version (``agreements.models.AgreementCondition``, each with
# its clause); ``agreements.selectors.condition_breaches`` says which the share breaks. A share that
# breaks one is refused, naming the agreement, version and clause, on the page where it shows (what is
# shared with whom; the onward disclosure) and again at submission.
#
# What no agreement can do is take away what the law itself requires or allows. Where a child is
# suffering, or at risk of, significant harm, sharing to protect them rests on statute, not on the
# partners' agreement: Children Act 1989 s47 (enquiries) and s17; Children Act 2004 s11 (the duty to
# safeguard and promote welfare); Working Together to Safeguard Children 2023, chapter 1 ("no
# practitioner should assume someone else will pass on information"); DPA 2018 Schedule 1 paragraph 18
# (safeguarding without consent); and the referral of sexual activity of a child under 13 that every
# seed protocol requires (Sexual Offences Act 2003 ss5-8). The protocols say so themselves: West
# Yorkshire procedures 2.5, section 3.3, and Derby and Derbyshire guidance, section 3 ("a lack of consent
# should never compromise the safety or welfare of a child"). So a condition gives way, and the record
# says so, when the share is the mandatory referral, or is made without consent on one of the grounds of
# harm (every ground but proportionate early help, which is exactly what a consent condition is about).
# The other rules still apply: a refusal of onward disclosure still needs reasons and a countersignature.

GROUNDS_THE_LAW_GIVES = frozenset(GroundForSharingWithoutConsent.values) - {
    GroundForSharingWithoutConsent.EARLY_HELP_PROPORTIONATE
}
# Where the practitioner puts right a share that breaks a condition of each kind.
CONDITION_STEPS = {
    "consent_required": ("outcome", "outcome"),
    "originator_agreement": ("openness", "source_agency_agreed"),
    "data_categories": ("purpose", "information_categories"),
    "recipient_kinds": ("recipient", "recipient_agency"),
}
CONDITION_SET_ASIDE = (
    "The law allows this share whatever the agreement says ({why}), so its condition{s} gave way: {clauses}."
)


def law_overrides_agreement(decision: Decision) -> str:
    """Why the law allows this share whatever an agreement's conditions say, in words ('' if it does not)."""
    if decision.mandatory_referral:
        return "the referral of sexual activity involving a child under 13 that the law requires"
    grounds = set(decision.grounds or ()) & GROUNDS_THE_LAW_GIVES
    if consent_position(decision) == ConsentPosition.WITHOUT_CONSENT and grounds:
        labels = [GroundForSharingWithoutConsent(g).label.lower() for g in sorted(grounds)]
        return "shared without consent on the grounds of " + "; ".join(labels)
    return ""


def share_facts(decision: Decision, **answers) -> ShareFacts:
    """The share as the decision records it, with ``answers`` just given on a page not yet saved."""

    def value(name: str):
        return answers[name] if name in answers else getattr(decision, name)

    from_other_agency = value("from_other_agency")
    source = value("source_agency") if from_other_agency else None
    source_agreed = (value("source_agency_agreed") or "") if source is not None else ""
    if source is not None and originator_refusal(decision, source.pk) is not None:
        source_agreed = "refused"  # its own record says so, whatever the practitioner answered
    with_consent = {
        ConsentPosition.CONSENT_GIVEN: True,
        ConsentPosition.NOT_NEEDED: True,
        ConsentPosition.WITHOUT_CONSENT: False,
    }.get(consent_position(decision))
    return ShareFacts(
        purpose=decision.purpose,
        information_categories=tuple(decision.information_categories or ()),
        recipient=value("recipient_agency"),
        with_consent=with_consent,
        source=source,
        source_agreed=source_agreed,
    )


def agreement_breaches(
    decision: Decision, version: AgreementVersion | None, **answers
) -> list[ConditionBreach]:
    """The conditions of the agreement version the share relies on that it breaks (none when it does not
    share, relies on no agreement, or a ``version`` None)."""
    if version is None or not decision.is_sharing:
        return []
    return condition_breaches(
        version=version, facts=share_facts(decision, **answers), on=timezone.localdate()
    )


def condition_problems(decision: Decision, version: AgreementVersion | None, **answers) -> list[Problem]:
    """A share that breaks a condition of the agreement it relies on is refused, naming the clause,
    unless the law allows it whatever the agreement says (``law_overrides_agreement``)."""
    breaches = agreement_breaches(decision, version, **answers)
    if not breaches or law_overrides_agreement(decision):
        return []
    return [Problem(*CONDITION_STEPS[breach.condition.kind], breach.message) for breach in breaches]


def conditions_set_aside(decision: Decision) -> str:
    """For the record: the conditions the share broke that gave way to the law, and why ('' if none)."""
    why = law_overrides_agreement(decision)
    breaches = agreement_breaches(decision, decision.agreement_version) if why else []
    if not breaches:
        return ""
    clauses = "; ".join(
        f"{b.condition.version.agreement.title} version {b.condition.version.number}, {b.condition.clause}"
        for b in breaches
    )
    return CONDITION_SET_ASIDE.format(why=why, s="s" if len(breaches) > 1 else "", clauses=clauses)


# The lawful basis, worked out from facts the product holds ------------------------------------------
#
# Sources: UK GDPR Articles 6 and 9, as amended by the Data (Use and Access) Act 2025 (s70 and
# Annex 1: recognised legitimate interest, commenced 5 February 2026); Data Protection Act 2018
# s10 and Schedule 1 (the conditions Article 9(2)(g) and (h) rest on), Part 3 (law enforcement
# processing, s30 and Schedule 7: competent authorities; s35: sensitive processing needs a
# Schedule 8 condition).

# UK GDPR Article 9(1): health and sex life are special category information.
SPECIAL_CATEGORY_INFORMATION = frozenset(
    {InformationCategory.HEALTH, InformationCategory.SEXUAL_HEALTH, InformationCategory.SEXUAL_ACTIVITY}
)
# UK GDPR Article 9(2)(h) and DPA 2018 Schedule 1 paragraph 2: health and social care professionals.
HEALTH_AND_SOCIAL_CARE_KINDS = frozenset(
    {AgencyKind.NHS_TRUST, AgencyKind.GP_PRACTICE, AgencyKind.LOCAL_AUTHORITY}
)

MESSAGES = {
    "public_authority_legitimate_interest": (
        "{agency} is a public authority: it cannot rely on legitimate interests, including recognised "
        "legitimate interest, for its tasks (UK GDPR Article 6(1), final paragraph). Select public task, "
        "legal obligation or vital interests"
    ),
    "public_authority_not_recorded": (
        "Whether {agency} is a public authority is not recorded, so legitimate interests cannot be used: "
        "ask your administrator to record it, or select public task, legal obligation or vital interests"
    ),
    "public_task_not_public": (
        "{agency} is not a public authority: public task (Article 6(1)(e)) is for tasks set out in law. "
        "Select recognised legitimate interest, legal obligation or vital interests"
    ),
    "consent_not_given": (
        "You can only rely on consent (Article 6(1)(a)) when consent was given for this share"
    ),
    "explicit_consent_not_given": (
        "You can only rely on explicit consent (Article 9(2)(a)) when consent was given for this share"
    ),
    "paragraph_18_with_consent": (
        "DPA 2018 Schedule 1 paragraph 18 is only for sharing without consent. With consent, select "
        "explicit consent (Article 9(2)(a)) or another condition"
    ),
    "paragraph_6_not_public": (
        "DPA 2018 Schedule 1 paragraph 6 is for functions given by law to public bodies: {agency} is not "
        "a public authority"
    ),
    "health_care_not_professional": (
        "Article 9(2)(h) is for health and social care professionals: {agency} is not a health or social "
        "care agency. Select another condition"
    ),
    "vital_interests_with_consent": (
        "Article 9(2)(c) is for when the person cannot consent: consent was given for this share"
    ),
    "special_category_none": (
        "The information includes {categories}, which is special category information (UK GDPR "
        "Article 9(1)): select an Article 9 condition, not 'none needed'"
    ),
    "part3_is_not_article9": (
        "DPA 2018 Part 3 is not an Article 9 condition. If you share for law enforcement, say so on the "
        "lawful basis page and choose a Schedule 8 condition"
    ),
    "part3_not_competent": (
        "{agency} is not a competent authority for law enforcement (DPA 2018 Schedule 7): it shares "
        "under UK GDPR Articles 6 and 9"
    ),
    "part3_sensitive_none": (
        "The information includes {categories}, which is sensitive (DPA 2018 s35(8)): select a "
        "Schedule 8 condition, not 'none needed'"
    ),
    "part3_needs_schedule8": "Select the Schedule 8 condition, or that none is needed",
    "part3_no_article6": (
        "Sharing for law enforcement under Part 3 has no Article 6 basis or Article 9 condition"
    ),
    "gdpr_no_schedule8": "A Schedule 8 condition applies only to sharing for law enforcement under Part 3",
    "article6_missing": "Select the Article 6 basis",
    "article9_missing": "Select the Article 9 condition, or that none is needed",
    "law_enforcement_missing": "Select whether you are sharing for a law enforcement purpose",
}


@dataclass(frozen=True)
class BasisFacts:
    """What the lawful basis turns on, from the product's records, not the practitioner's typing."""

    agency: str
    public_authority: bool | None  # None: not recorded (an agency of kind "other")
    competent_authority: bool
    health_or_social_care: bool
    commissioned: bool
    special_categories: tuple[str, ...]  # labels of the special category information shared
    consent_given: bool
    law_enforcement: bool

    @classmethod
    def of(cls, decision: Decision) -> "BasisFacts":
        agency = decision.agency
        return cls(
            agency=str(agency),
            public_authority=agency.is_public_authority,
            competent_authority=agency.is_competent_authority,
            health_or_social_care=agency.kind in HEALTH_AND_SOCIAL_CARE_KINDS,
            commissioned=agency.kind == AgencyKind.COMMISSIONED,
            special_categories=special_categories(decision),
            consent_given=decision.consent_status == ConsentStatus.GIVEN,
            law_enforcement=bool(decision.law_enforcement) and agency.is_competent_authority,
        )

    @property
    def special(self) -> bool:
        return bool(self.special_categories)

    @property
    def may_use_public_task(self) -> bool:
        return self.public_authority is not False or self.commissioned


def special_categories(decision: Decision) -> tuple[str, ...]:
    """The special category information the decision shares (UK GDPR Article 9(1)), as words."""
    labels = dict(InformationCategory.choices)
    found = [
        labels[value].lower()
        for value in InformationCategory.values
        if value in SPECIAL_CATEGORY_INFORMATION and value in (decision.information_categories or ())
    ]
    if decision.sexual_activity_under_13:
        found.append("sexual activity")
    return tuple(found)


def _article6_problem(facts: BasisFacts, value: str) -> str | None:
    if value not in Article6Basis.values:
        return MESSAGES["article6_missing"]
    if value in NOT_FOR_PUBLIC_AUTHORITIES and facts.public_authority is not False:
        key = (
            "public_authority_legitimate_interest"
            if facts.public_authority
            else "public_authority_not_recorded"
        )
        return MESSAGES[key].format(agency=facts.agency)
    if value == Article6Basis.PUBLIC_TASK and not facts.may_use_public_task:
        return MESSAGES["public_task_not_public"].format(agency=facts.agency)
    if value == Article6Basis.CONSENT and not facts.consent_given:
        return MESSAGES["consent_not_given"]
    return None


def _article9_problem(facts: BasisFacts, value: str, article6: str = "") -> str | None:
    C = Article9Condition
    if value not in C.values:
        return MESSAGES["article9_missing"]
    if value == C.LAW_ENFORCEMENT:
        return MESSAGES["part3_is_not_article9"]
    if value == C.NONE and facts.special:
        return MESSAGES["special_category_none"].format(categories=" and ".join(facts.special_categories))
    if value == C.SUBSTANTIAL_PUBLIC_INTEREST_SAFEGUARDING and (
        facts.consent_given or article6 == Article6Basis.CONSENT
    ):
        return MESSAGES["paragraph_18_with_consent"]
    if value == C.SUBSTANTIAL_PUBLIC_INTEREST_STATUTORY and facts.public_authority is False:
        return MESSAGES["paragraph_6_not_public"].format(agency=facts.agency)
    if value == C.HEALTH_SOCIAL_CARE and not facts.health_or_social_care:
        return MESSAGES["health_care_not_professional"].format(agency=facts.agency)
    if value == C.VITAL_INTERESTS and facts.consent_given:
        return MESSAGES["vital_interests_with_consent"]
    if value == C.EXPLICIT_CONSENT and not facts.consent_given:
        return MESSAGES["explicit_consent_not_given"]
    return None


def _schedule8_problem(facts: BasisFacts, value: str) -> str | None:
    if value not in Schedule8Condition.values:
        return MESSAGES["part3_needs_schedule8"]
    if value == Schedule8Condition.NONE and facts.special:
        return MESSAGES["part3_sensitive_none"].format(categories=" and ".join(facts.special_categories))
    return None


def article6_choices(facts: BasisFacts) -> list[tuple[str, str]]:
    """The Article 6 bases open to this agency for this share: only those the law allows."""
    return [(v, label) for v, label in Article6Basis.choices if _article6_problem(facts, v) is None]


def article9_choices(facts: BasisFacts) -> list[tuple[str, str]]:
    """The Article 9 conditions (each with its Schedule 1 condition) open for this share."""
    return [(v, label) for v, label in Article9Condition.choices if _article9_problem(facts, v) is None]


def schedule8_choices(facts: BasisFacts) -> list[tuple[str, str]]:
    return [(v, label) for v, label in Schedule8Condition.choices if _schedule8_problem(facts, v) is None]


def lawful_basis_problems(
    facts: BasisFacts, *, law_enforcement: bool | None, article6: str, article9: str, schedule8: str
) -> list[tuple[str, str]]:
    """Every way these answers are not a lawful combination, as (field, message)."""
    found = []
    if law_enforcement and not facts.competent_authority:
        return [("law_enforcement", MESSAGES["part3_not_competent"].format(agency=facts.agency))]
    if facts.competent_authority and law_enforcement is None:
        found.append(("law_enforcement", MESSAGES["law_enforcement_missing"]))
    if law_enforcement:
        if article6 or article9:
            found.append(("article6_basis", MESSAGES["part3_no_article6"]))
        if problem := _schedule8_problem(facts, schedule8):
            found.append(("schedule8_condition", problem))
        return found
    if schedule8:
        found.append(("schedule8_condition", MESSAGES["gdpr_no_schedule8"]))
    if problem := _article6_problem(facts, article6):
        found.append(("article6_basis", problem))
    if problem := _article9_problem(facts, article9, article6):
        found.append(("article9_condition", problem))
    return found


@dataclass(frozen=True)
class Suggestion:
    article6: str
    article9: str
    schedule8: str
    reason: str  # in plain English, from the facts


def usual_basis(facts: BasisFacts) -> Suggestion:
    """The combination most partners rely on in this situation, and why, pre-selected on the page."""
    categories = " and ".join(facts.special_categories)
    if facts.law_enforcement:
        if facts.special:
            return Suggestion(
                "",
                "",
                Schedule8Condition.SAFEGUARDING,
                f"{facts.agency} is sharing for law enforcement, so Part 3 of the Data Protection Act 2018 "
                f"applies instead of UK GDPR. The information includes {categories}, which is sensitive: "
                "Schedule 8 paragraph 4, safeguarding of children, is the usual condition.",
            )
        return Suggestion(
            "",
            "",
            Schedule8Condition.NONE,
            f"{facts.agency} is sharing for law enforcement, so Part 3 of the Data Protection Act 2018 "
            "applies instead of UK GDPR. The information includes nothing sensitive, so no Schedule 8 "
            "condition is needed.",
        )
    if facts.public_authority is not False:
        article6 = Article6Basis.PUBLIC_TASK
        why6 = f"{facts.agency} is a public authority sharing as part of its work: "
        why6 += "public task is the usual basis."
    elif facts.commissioned:
        article6 = Article6Basis.PUBLIC_TASK
        why6 = (
            f"{facts.agency} carries out a public task it was commissioned to do: "
            "public task is the usual basis."
        )
    else:
        article6 = Article6Basis.RECOGNISED_LEGITIMATE_INTEREST
        why6 = (
            f"{facts.agency} is not a public authority: recognised legitimate interest for safeguarding "
            "(Annex 1 paragraph 6) is the usual basis for sharing to protect a child."
        )
    C = Article9Condition
    if not facts.special:
        article9, why9 = (
            C.NONE,
            "The information includes no special category information, so no Article 9 condition is needed.",
        )
    elif not facts.consent_given:
        article9 = C.SUBSTANTIAL_PUBLIC_INTEREST_SAFEGUARDING
        why9 = (
            f"The information includes {categories} and you share without consent to protect a child: "
            "Article 9(2)(g) with Schedule 1 paragraph 18 is the usual condition."
        )
    elif facts.health_or_social_care:
        article9 = C.HEALTH_SOCIAL_CARE
        why9 = (
            f"The information includes {categories} and your agency provides health or social care: "
            "Article 9(2)(h) is the usual condition."
        )
    elif facts.public_authority is not False:
        article9 = C.SUBSTANTIAL_PUBLIC_INTEREST_STATUTORY
        why9 = (
            f"The information includes {categories}, shared with consent as part of your agency's "
            "functions: Article 9(2)(g) with Schedule 1 paragraph 6 is the usual condition."
        )
    else:
        article9 = C.EXPLICIT_CONSENT
        why9 = (
            f"The information includes {categories} and consent was given: "
            "explicit consent is the usual condition."
        )
    return Suggestion(article6, article9, "", f"{why6} {why9}")


# Substance, not punctuation (issue 12, item 5) -------------------------------------------------------
#
# Reasoning is read by a lead, a court or the family years later: it has to say something. Sources:
# Information sharing: advice for practitioners (2024), golden rule 7 (record the reasons); Working
# Together to Safeguard Children (2023).

MIN_WORDS = 4
WORD = re.compile(r"[^\W\d_]{2,}")
REASONING = {
    "identity_check": "Say more about how you checked who they are, in at least {n} different words, "
    "or leave it blank",
    "harm_if_shared": "Say what might happen if the information is shared, in at least {n} different words: "
    "who could be affected, and how",
    "harm_if_not_shared": "Say what might happen if it is not shared, in at least {n} different words: the "
    "risk to the child if other agencies do not know",
    "no_share_detriment": "Say why sharing would be more detrimental to the child than not sharing, in at "
    "least {n} different words: what harm sharing would do",
    "departure_reason": "Say why your decision differs from the one suggested, in at least {n} different "
    "words: what the questions did not take into account",
    "withheld_reason": "Say why you held that information back, in at least {n} different words: who or "
    "what withholding it protects",
    "new_information": "Say what is new since the earlier decision, in at least {n} different words: what "
    "the requester has told you that the earlier decision did not have",
    "advice_given": "Say what they advised, in at least {n} different words",
    "override_reason": "Say why you are sharing although consent was refused or withdrawn, in at least {n} "
    "different words: why sharing is in the child's best interests",
    "onward_override_reason": "Say why you are passing it on although the agency it came from refused, in at "
    "least {n} different words: why the child needs it shared now",
}
FUTURE_DATES = {
    "request_received_on": "The date of the request cannot be in the future",
    "events_on": "The date of the events cannot be in the future",
    "shared_on": "The date you share cannot be in the future: record the share once it has happened",
    "referral_made_on": "The date of the referral cannot be in the future: record it once it is made",
    "advice_on": "The date you were advised cannot be in the future",
}


def real_words(text: str) -> int:
    """Different words of two letters or more: "." is none, "x x x x" is one."""
    return len({word.lower() for word in WORD.findall(text or "")})


def reasoning_problem(field: str, text: str) -> str | None:
    """Reasoning that says too little (an empty answer is the page's "required" question)."""
    if (text or "").strip() and real_words(text) < MIN_WORDS:
        return REASONING[field].format(n=MIN_WORDS)
    return None


def future_date_problem(field: str, value: date | None, today: date | None = None) -> str | None:
    if value is not None and value > (today or timezone.localdate()):
        return FUTURE_DATES[field]
    return None


REQUEST_MESSAGES = {
    "requester_name": "Enter who asked",
    "identity_method": "Select how you checked who they are and that they are entitled to the information",
    "identity_checked_against": "Enter what you checked it against, for example the force switchboard "
    "number or the partnership directory",
    "identity_outcome": "Select the outcome of the check",
    "identity_check": "Say how you checked who they are",
    "written_confirmation": "A request by phone must be confirmed in writing: select whether you have it "
    "in writing, or that you have asked for it and flagged a follow-up",
    "not_confirmed": "You have not confirmed who asked and that they are entitled to the information: do not "
    "share until you have, for example by calling them back on a number you found yourself",
}


def request_problems(answers: Mapping) -> list[tuple[str, str]]:
    """The request page's answers: who asked, and how their identity and entitlement were checked."""
    method = answers.get("request_method")
    found = []
    if problem := future_date_problem("request_received_on", answers.get("request_received_on")):
        found.append(("request_received_on", problem))
    if not method or method == RequestMethod.OWN_INITIATIVE:
        return found
    for field in ("requester_name", "identity_method", "identity_checked_against", "identity_outcome"):
        if not answers.get(field):
            found.append((field, REQUEST_MESSAGES[field]))
    note = answers.get("identity_check") or ""
    if answers.get("identity_method") == IdentityMethod.OTHER and not note.strip():
        found.append(("identity_check", REQUEST_MESSAGES["identity_check"]))
    elif problem := reasoning_problem("identity_check", note):
        found.append(("identity_check", problem))
    if method == RequestMethod.PHONE and not answers.get("written_confirmation"):
        found.append(("written_confirmation", REQUEST_MESSAGES["written_confirmation"]))
    return found


# The mandatory referral (issue 12, item 3) ------------------------------------------------------------
#
# A child under 13 cannot in law consent to sexual activity (Sexual Offences Act 2003 ss5-8); every
# partnership protocol and Working Together to Safeguard Children (2023) require it to be referred to
# children's social care or the police. Sharing it only with, say, a school is not that referral.

UNDER = 13
SEXUAL_ACTIVITY_CATEGORIES = frozenset({InformationCategory.SEXUAL_ACTIVITY})
REFERRAL_KINDS = frozenset({AgencyKind.LOCAL_AUTHORITY, AgencyKind.POLICE})
REFERRAL_MESSAGES = {
    "events_on": "Enter when the sexual activity happened, or when it began: a child under 13 at the "
    "time must be referred to children's social care or the police",
    "referral_agency": "Sexual activity involving a child under 13 must be referred to children's social "
    "care or the police: record who you referred it to, when, and their reference",
    "wrong_agency": "{agency} is not children's social care or the police: sharing with it is not the "
    "mandatory referral. Select who you referred it to",
    "referral_made_on": "Enter the date you made the referral",
    "referral_reference": "Enter the reference children's social care or the police gave the referral",
    "early_help": "Sexual activity involving a child under 13 is a child protection matter, not early "
    "help: select the significant harm grounds that apply",
}


def sexual_activity_under_13(decision: Decision) -> bool:
    """Sexual activity is among the information, and the child was under 13 when it happened."""
    if not set(decision.information_categories or ()) & SEXUAL_ACTIVITY_CATEGORIES:
        return False
    return decision.child.age_on(decision.events_on or timezone.localdate()) < UNDER


def purpose_problems(answers: Mapping) -> list[tuple[str, str]]:
    found = []
    sexual = set(answers.get("information_categories") or ()) & SEXUAL_ACTIVITY_CATEGORIES
    if sexual and not answers.get("events_on"):
        found.append(("events_on", REFERRAL_MESSAGES["events_on"]))
    if problem := future_date_problem("events_on", answers.get("events_on")):
        found.append(("events_on", problem))
    return found


def referral_problems(answers: Mapping) -> list[tuple[str, str]]:
    """Who the mandatory referral went to (children's social care or the police), when, their reference."""
    found = []
    agency = answers.get("referral_agency")
    if agency is None:
        found.append(("referral_agency", REFERRAL_MESSAGES["referral_agency"]))
    elif agency.kind not in REFERRAL_KINDS:
        found.append(("referral_agency", REFERRAL_MESSAGES["wrong_agency"].format(agency=agency)))
    if not answers.get("referral_made_on"):
        found.append(("referral_made_on", REFERRAL_MESSAGES["referral_made_on"]))
    elif problem := future_date_problem("referral_made_on", answers["referral_made_on"]):
        found.append(("referral_made_on", problem))
    if not (answers.get("referral_reference") or "").strip():
        found.append(("referral_reference", REFERRAL_MESSAGES["referral_reference"]))
    return found


def grounds_problems(decision: Decision, grounds) -> list[tuple[str, str]]:
    early_help = {GroundForSharingWithoutConsent.EARLY_HELP_PROPORTIONATE}
    if decision.mandatory_referral and grounds and set(grounds) <= early_help:
        return [("grounds", REFERRAL_MESSAGES["early_help"])]
    return []


def _values(decision: Decision, fields) -> dict:
    return {field: getattr(decision, field) for field in fields}


REQUEST_FIELDS = (
    "request_method",
    "request_received_on",
    "requester_name",
    "identity_method",
    "identity_checked_against",
    "identity_outcome",
    "identity_check",
    "written_confirmation",
)


def problems(decision: Decision) -> list[Problem]:
    """Everything that stops this decision being submitted, in the order of the questions."""
    found: list[Problem] = []

    def need(condition: bool, step: str, field: str, message: str) -> None:
        if not condition:
            found.append(Problem(step, field, message))

    need(bool(decision.request_method), "request", "request_method", "Select how the request was made")
    found.extend(Problem("request", f, m) for f, m in request_problems(_values(decision, REQUEST_FIELDS)))
    need(bool(decision.purpose), "purpose", "purpose", "Select the purpose")
    need(
        bool(decision.information_categories)
        and all(c in InformationCategory.values for c in decision.information_categories),
        "purpose",
        "information_categories",
        MESSAGE_CATEGORIES,
    )
    purpose = _values(decision, ("information_categories", "events_on"))
    found.extend(Problem("purpose", f, m) for f, m in purpose_problems(purpose))
    for field, question in (
        ("clear_purpose", "whether there is a clear and legitimate purpose"),
        ("identifies_person", "whether the information identifies a person"),
        ("confidential", "whether the information is confidential"),
    ):
        if field in flowchart_questions_asked(decision):
            need(getattr(decision, field) is not None, QUESTION_STEPS[field], field, f"Select {question}")
    found.extend(guided_problems(decision))
    if not flowchart.no_purpose(decision):  # a decision stopped for want of a purpose never asks
        need(bool(decision.consent_status), "consent", "consent_status", "Confirm the consent position")
    need(
        all(r in OtherReasonToShare.values for r in decision.other_reasons),
        "other_reason",
        "other_reasons",
        "Select only the reasons listed",
    )
    need(bool(decision.outcome), "outcome", "outcome", "Select your decision")
    if decision.outcome and decision.outcome != decision.proposed_outcome:
        need(
            bool(decision.departure_reason.strip()),
            "outcome",
            "departure_reason",
            "Enter why your decision differs from the one the questions suggest",
        )
    if decision.mandatory_referral:
        referral = _values(decision, ("referral_agency", "referral_made_on", "referral_reference"))
        found.extend(Problem("referral", f, m) for f, m in referral_problems(referral))
    departing = decision.outcome and decision.outcome != decision.proposed_outcome
    if departing and (problem := reasoning_problem("departure_reason", decision.departure_reason)):
        found.append(Problem("outcome", "departure_reason", problem))
    if decision.outcome == Outcome.DO_NOT_SHARE:
        need(not decision.mandatory_referral, "outcome", "outcome", MANDATORY_REFERRAL_MESSAGE)
        if problem := reasoning_problem("no_share_detriment", decision.no_share_detriment):
            found.append(Problem("no_share", "no_share_detriment", problem))
        need(
            bool(decision.no_share_detriment.strip()),
            "no_share",
            "no_share_detriment",
            "Enter why sharing would be more detrimental to the child than not sharing",
        )
    if decision.is_sharing:
        found.extend(_sharing_problems(decision))
        found.extend(condition_problems(decision, decision.agreement_version))
    need(decision.advice_sought is not None, "advice", "advice_sought", "Select whether you sought advice")
    if decision.advice_sought:
        need(bool(decision.advice_from), "advice_detail", "advice_from", "Enter who you asked for advice")
        need(bool(decision.advice_given.strip()), "advice_detail", "advice_given", "Enter what they advised")
    return found


def _sharing_problems(decision: Decision) -> list[Problem]:
    found: list[Problem] = []

    def need(condition: bool, step: str, field: str, message: str) -> None:
        if not condition:
            found.append(Problem(step, field, message))

    if decision.overrides_refusal:
        need(
            bool(decision.override_reason.strip()),
            "outcome",
            "override_reason",
            CONSENT_MESSAGES["competent_child_refused"].format(child=decision.child.given_name)
            if competent_child_refused(decision)
            else CONSENT_MESSAGES["override_reason"],
        )
        if problem := reasoning_problem("override_reason", decision.override_reason):
            found.append(Problem("outcome", "override_reason", problem))
    if consent_position(decision) == ConsentPosition.WITHOUT_CONSENT:
        need(
            bool(decision.grounds)
            and all(g in GroundForSharingWithoutConsent.values for g in decision.grounds),
            "grounds",
            "grounds",
            "Select the grounds for sharing without consent",
        )
        need(
            bool(decision.harm_if_shared.strip()),
            "grounds",
            "harm_if_shared",
            "Enter what might happen if the information is shared",
        )
        need(
            bool(decision.harm_if_not_shared.strip()),
            "grounds",
            "harm_if_not_shared",
            "Enter what might happen if it is not shared",
        )
        for field in ("harm_if_shared", "harm_if_not_shared"):
            if problem := reasoning_problem(field, getattr(decision, field)):
                found.append(Problem("grounds", field, problem))
        found.extend(Problem("grounds", f, m) for f, m in grounds_problems(decision, decision.grounds))
    asked = decision.request_method not in ("", RequestMethod.OWN_INITIATIVE)
    if asked and decision.identity_outcome not in ("", IdentityOutcome.CONFIRMED):
        found.append(Problem("request", "identity_outcome", REQUEST_MESSAGES["not_confirmed"]))
    for field, message in lawful_basis_problems(
        BasisFacts.of(decision),
        law_enforcement=decision.law_enforcement,
        article6=decision.article6_basis,
        article9=decision.article9_condition,
        schedule8=decision.schedule8_condition,
    ):
        found.append(
            Problem("law_enforcement" if field == "law_enforcement" else "lawful_basis", field, message)
        )
    need(
        bool(decision.information_shared.strip()),
        "recipient",
        "information_shared",
        "Enter what information is shared",
    )
    need(
        decision.recipient_agency_id is not None,
        "recipient",
        "recipient_agency",
        "Select the agency you are sharing with",
    )
    need(bool(decision.share_method), "recipient", "share_method", "Select how it is shared")
    need(decision.shared_on is not None, "recipient", "shared_on", "Enter when it is shared")
    if problem := future_date_problem("shared_on", decision.shared_on):
        found.append(Problem("recipient", "shared_on", problem))
    need(
        decision.confirmed_in_writing is not None,
        "recipient",
        "confirmed_in_writing",
        "Select whether the share was confirmed in writing",
    )
    if decision.recipient_agency_id and decision.agreement_version_id is None:
        need(
            decision.no_agreement_acknowledged and bool(decision.no_agreement_reason.strip()),
            "agreement",
            "no_agreement_reason",
            "Your agency and the recipient are not both active signatories of an agreement in force "
            "covering this purpose: confirm you understand and enter why you are sharing",
        )
    need(
        decision.family_told is not None,
        "openness",
        "family_told",
        "Select whether the child or family was told",
    )
    if decision.family_told is False:
        need(
            bool(decision.family_not_told_reason.strip()),
            "openness",
            "family_not_told_reason",
            "Enter why the child or family was not told",
        )
    need(
        decision.from_other_agency is not None,
        "openness",
        "from_other_agency",
        "Select whether any of the information came from another agency",
    )
    if decision.overrides_onward_refusal:
        need(
            bool(decision.onward_override_reason.strip()),
            "openness",
            "onward_override_reason",
            ONWARD_MESSAGES["reason"].format(agency=decision.source_agency),
        )
        if problem := reasoning_problem("onward_override_reason", decision.onward_override_reason):
            found.append(Problem("openness", "onward_override_reason", problem))
    if decision.from_other_agency:
        need(
            decision.source_agency_id is not None,
            "openness",
            "source_agency",
            "Select the agency the information came from",
        )
        need(
            bool(decision.source_agency_agreed),
            "openness",
            "source_agency_agreed",
            "Select whether that agency agreed to the onward disclosure",
        )
    return found


# Provisions commenced by regulations ----------------------------------------------------------------


def in_force(provision: str, on: date | None = None) -> bool:
    """Whether a provision (``vocabulary.Provision``) is in force: its commencement date is a setting."""
    commences = settings.COMMENCEMENT.get(provision)
    return commences is not None and (on or timezone.localdate()) >= commences


def duty_to_share_wording(on: date | None = None) -> str:
    """What the duty to share (Children Act 2004 s16LA) asks, worded as in force or not yet."""
    duty = (
        "to share information relevant to a child's safeguarding or welfare unless sharing would be "
        "more detrimental to the child than not sharing"
    )
    if in_force(Provision.DUTY_TO_SHARE, on):
        return f"Section 16LA of the Children Act 2004 requires you {duty}."
    return (
        f"When section 16LA of the Children Act 2004 (inserted by the Children's Wellbeing and Schools "
        f"Act 2026) is in force, it will require you {duty}. Until then, recording why is good practice."
    )


def is_refusal(consent_status: str) -> bool:
    return consent_status in REFUSALS


# The escalation ladder ----------------------------------------------------------------------------
# Source: the Warrington Safeguarding Children Board Escalation Policy for resolving professional
# disagreements, which the Warrington Information Sharing Protocol (section 1) requires to be read
# with it: disagreements are resolved quickly, at the lowest level that can, and escalated up a
# level when they are not. Its text is not among our reference documents, so the response time at
# each rung is a setting (``ESCALATION_RESPONSE_WORKING_DAYS``), not a figure quoted from it.
# Working Together to Safeguard Children (2023) asks partners to have such a policy.

ESCALATION_SOURCE = "Warrington Safeguarding Children Board Escalation Policy (professional disagreements)"

NO_SELF_RESOLUTION_MESSAGE = (
    "You escalated this disagreement, so someone else must resolve it: another safeguarding lead "
    "of the agency or, above them, the partnership's designated lead"
)
OUTCOME_REQUIRED_MESSAGE = "Select how the disagreement ended"
OVERTURNED_NOT_COUNTERSIGNED_MESSAGE = (
    "You cannot countersign a decision you have overturned: the practitioner records a new decision"
)


def escalation_tier(*, other_agency_leads: int, from_tier: str = "") -> str:
    """The next rung: another lead of the agency if there is one, else the partnership's designated lead.

    ``other_agency_leads`` counts the agency's active leads other than the decision's author and
    the lead escalating. An agency with one lead falls straight through to the partnership tier,
    and an escalation already with the agency's leads goes up to the partnership.
    """
    if from_tier or other_agency_leads == 0:
        return EscalationTier.PARTNERSHIP
    return EscalationTier.AGENCY


def review_actions(*, decision: Decision, tier: str, escalated_by_id: int | None, user) -> list[str]:
    """What ``user`` may do with a decision waiting for a lead, given who escalated it and where to.

    Nobody resolves their own escalation; at the partnership tier only the partnership's
    designated lead acts, and there is no rung above it to escalate to.
    """
    partnership_lead = user.can(Perm.REVIEW_PARTNERSHIP_TIER)
    if decision.status == Status.AWAITING_REVIEW:
        if partnership_lead:
            return [ReviewAction.ENDORSE, ReviewAction.RETURN]
        return [ReviewAction.ENDORSE, ReviewAction.RETURN, ReviewAction.ESCALATE]
    if decision.status != Status.ESCALATED:
        return []
    if tier == EscalationTier.PARTNERSHIP:
        return [ReviewAction.RESOLVE] if partnership_lead and user.pk != escalated_by_id else []
    if partnership_lead:
        return []
    if user.pk == escalated_by_id:
        return [ReviewAction.ESCALATE]  # on up to the partnership, if nobody here resolves it
    return [ReviewAction.RESOLVE, ReviewAction.ESCALATE]


def resolution_problems(*, outcome: str, countersign: bool) -> list[str]:
    problems = []
    if outcome not in EscalationOutcome.values:
        problems.append(OUTCOME_REQUIRED_MESSAGE)
    if countersign and outcome == EscalationOutcome.OVERTURNED:
        problems.append(OVERTURNED_NOT_COUNTERSIGNED_MESSAGE)
    return problems


# The guided decision (issue 12, item 7) ------------------------------------------------------------
# Sources: Information sharing: advice for practitioners (2024): its flowchart (``decisions.flowchart``),
# golden rule 4 (seek advice promptly when unsure), 6 (share only what is necessary: a share in part
# says what was held back), 7 (record the reasons; reconsider when the requester brings new
# information).

# Each flowchart question's page, and the page of advice it leads to when answered "not sure".
QUESTION_STEPS = {
    "clear_purpose": "questions",
    "identifies_person": "identifies",
    "confidential": "confidential",
}
ADVICE_STEPS = {field: f"{step}_advice" for field, step in QUESTION_STEPS.items()}

GUIDED_MESSAGES = {
    "no_purpose_share": (
        "There is no clear and legitimate purpose for sharing, so the flowchart stops at 'do not share': "
        "information cannot be shared without a purpose"
    ),
    "no_reason_share": (
        "Without consent you need another reason to share, such as a public function, someone's vital "
        "interests or a child's safety: select the reason, or do not share"
    ),
    "advice_source": "Select whom you asked for advice",
    "advice_from": "Enter the name of the person who advised you",
    "advice_on": "Enter the date they advised you",
    "advice_given": "Enter what they advised",
    "withheld_information": "Enter what you held back: a share in part says what was not shared",
    "withheld_reason": "Enter why you held it back",
    "new_information": "Enter what is new since the earlier decision: a reconsideration rests on it",
}


def flowchart_questions_asked(decision: Decision) -> tuple[str, ...]:
    """The flowchart questions the answers call for: each only when the one before leads on to it."""
    asked = ["clear_purpose"]
    if decision.clear_purpose or decision.mandatory_referral:
        asked.append("identifies_person")
        if decision.identifies_person:
            asked.append("confidential")
    return tuple(asked)


def guided_problems(decision: Decision) -> list[Problem]:
    """Stops, advice taken when not sure, what a share in part withheld, what a reconsideration
    rests on."""
    found: list[Problem] = []
    if decision.is_sharing and flowchart.no_purpose(decision):
        found.append(Problem("questions", "outcome", GUIDED_MESSAGES["no_purpose_share"]))
    if decision.is_sharing and flowchart.no_reason(decision):
        found.append(Problem("other_reason", "other_reasons", GUIDED_MESSAGES["no_reason_share"]))
    unsure = [field for field in decision.unsure_questions if field in ADVICE_STEPS]
    if unsure:
        step = ADVICE_STEPS[unsure[-1]]
        for field, present in (
            ("advice_source", bool(decision.advice_source)),
            ("advice_from", bool(decision.advice_from.strip())),
            ("advice_on", decision.advice_on is not None),
            ("advice_given", bool(decision.advice_given.strip())),
        ):
            if not present:
                found.append(Problem(step, field, GUIDED_MESSAGES[field]))
        if problem := reasoning_problem("advice_given", decision.advice_given):
            found.append(Problem(step, "advice_given", problem))
    if problem := future_date_problem("advice_on", decision.advice_on):
        found.append(Problem(ADVICE_STEPS[unsure[-1]] if unsure else "advice_detail", "advice_on", problem))
    if decision.outcome == Outcome.SHARE_IN_PART:
        for field in ("withheld_information", "withheld_reason"):
            if not getattr(decision, field).strip():
                found.append(Problem("withheld", field, GUIDED_MESSAGES[field]))
        if problem := reasoning_problem("withheld_reason", decision.withheld_reason):
            found.append(Problem("withheld", "withheld_reason", problem))
    if decision.reconsiders_id is not None:
        if not decision.new_information.strip():
            found.append(Problem("new_information", "new_information", GUIDED_MESSAGES["new_information"]))
        elif problem := reasoning_problem("new_information", decision.new_information):
            found.append(Problem("new_information", "new_information", problem))
    return found
