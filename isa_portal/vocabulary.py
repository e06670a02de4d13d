"""The legal vocabulary of information sharing, in one place.

Lawful bases, conditions, grounds and reasons change when the law changes; keep
them here so such a change is an edit to this file (and a data migration where
stored values move), not a hunt through templates. Sources: UK GDPR and the Data
Protection Act 2018 as amended by the Data (Use and Access) Act 2025; Children
Act 2004 s16LA (inserted by the Children's Wellbeing and Schools Act 2026);
Information sharing: advice for practitioners (2024); Working Together to
Safeguard Children (2023).
"""

from django.db import models


class SharingPurpose(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding a child from significant harm"
    CHILD_IN_NEED = "child_in_need", "Assessing or supporting a child in need"
    EARLY_HELP = "early_help", "Early help and prevention"
    CRIME = "crime", "Preventing or detecting crime"
    HEALTH_CARE = "health_care", "Health and care of the child"
    EDUCATION = "education", "Education and welfare in school"
    MULTI_AGENCY = "multi_agency", "Multi-agency planning (conference, strategy meeting)"


class Article6Basis(models.TextChoices):
    PUBLIC_TASK = "public_task", "Article 6(1)(e): public task"
    LEGAL_OBLIGATION = "legal_obligation", "Article 6(1)(c): legal obligation"
    VITAL_INTERESTS = "vital_interests", "Article 6(1)(d): vital interests"
    CONSENT = "consent", "Article 6(1)(a): consent"
    RECOGNISED_LEGITIMATE_INTEREST = (
        "recognised_legitimate_interest",
        "Article 6(1)(ea): recognised legitimate interest (safeguarding)",
    )
    LEGITIMATE_INTERESTS = "legitimate_interests", "Article 6(1)(f): legitimate interests"


# Public authorities may not rely on these for their public tasks (UK GDPR Art 6(1), final paragraph).
NOT_FOR_PUBLIC_AUTHORITIES = frozenset(
    {Article6Basis.RECOGNISED_LEGITIMATE_INTEREST, Article6Basis.LEGITIMATE_INTERESTS}
)


class Article9Condition(models.TextChoices):
    NONE = "none", "None needed: no special category data"
    SUBSTANTIAL_PUBLIC_INTEREST_SAFEGUARDING = (
        "9_2_g_sch1_18",
        "Article 9(2)(g) substantial public interest, DPA 2018 Schedule 1 paragraph 18 "
        "(safeguarding of children and individuals at risk)",
    )
    SUBSTANTIAL_PUBLIC_INTEREST_STATUTORY = (
        "9_2_g_sch1_6",
        "Article 9(2)(g) substantial public interest, DPA 2018 Schedule 1 paragraph 6 "
        "(statutory and government purposes)",
    )
    HEALTH_SOCIAL_CARE = (
        "9_2_h",
        "Article 9(2)(h) health or social care, DPA 2018 Schedule 1 paragraph 2 "
        "(health or social care purposes)",
    )
    VITAL_INTERESTS = "9_2_c", "Article 9(2)(c): vital interests, person unable to consent"
    EXPLICIT_CONSENT = "9_2_a", "Article 9(2)(a): explicit consent"
    LEGAL_CLAIMS = "9_2_f", "Article 9(2)(f): legal claims or courts acting judicially"
    # Kept for agreements and decisions recorded before law-enforcement processing had its own
    # question: Part 3 is not an Article 9 condition, and no decision is offered it as one now.
    LAW_ENFORCEMENT = "dpa_part3", "DPA 2018 Part 3: law enforcement processing (police)"


# The DPA 2018 Schedule 1 condition each Article 9(2)(g) or (h) condition rests on (DPA 2018 s10(2), (3)).
SCHEDULE_1_CONDITION = {
    Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST_SAFEGUARDING: "DPA 2018 Schedule 1 paragraph 18",
    Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST_STATUTORY: "DPA 2018 Schedule 1 paragraph 6",
    Article9Condition.HEALTH_SOCIAL_CARE: "DPA 2018 Schedule 1 paragraph 2",
}


class Schedule8Condition(models.TextChoices):
    """Sensitive processing for law enforcement (DPA 2018 Part 3, s35(5)) needs one of these."""

    NONE = "none", "None needed: no sensitive information (such as health or sex life)"
    STATUTORY = "sch8_1", "DPA 2018 Schedule 8 paragraph 1: statutory purposes"
    JUSTICE = "sch8_2", "DPA 2018 Schedule 8 paragraph 2: administration of justice"
    VITAL_INTERESTS = "sch8_3", "DPA 2018 Schedule 8 paragraph 3: protecting someone's vital interests"
    SAFEGUARDING = (
        "sch8_4",
        "DPA 2018 Schedule 8 paragraph 4: safeguarding of children and of individuals at risk",
    )


class GroundForSharingWithoutConsent(models.TextChoices):
    SIGNIFICANT_HARM_EVIDENCE = (
        "significant_harm_evidence",
        "Evidence that the child is suffering, or is likely to suffer, significant harm",
    )
    SIGNIFICANT_HARM_REASONABLE_CAUSE = (
        "significant_harm_reasonable_cause",
        "Reasonable cause to believe the child is suffering, or is likely to suffer, significant harm",
    )
    PREVENT_HARM = (
        "prevent_harm",
        "To prevent significant harm to a child or serious harm to an adult, including by "
        "preventing, detecting or prosecuting serious crime",
    )
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Child sexual exploitation"
    STATUTORY_ENQUIRY = "statutory_enquiry", "A statutory enquiry (Children Act 1989 s47)"
    COURT_ORDER = "court_order", "A court order"
    EARLY_HELP_PROPORTIONATE = (
        "early_help_proportionate",
        "Early help or prevention where sharing is proportionate (reasoning recorded)",
    )


class OtherReasonToShare(models.TextChoices):
    """The national flowchart's last question: without consent, is there another reason to share?"""

    PUBLIC_FUNCTION = "public_function", "Sharing is needed to carry out a public function or statutory duty"
    VITAL_INTERESTS = (
        "vital_interests",
        "Sharing is needed to protect someone's vital interests (life or serious harm)",
    )
    CHILD_SAFETY = "child_safety", "Sharing is needed for the safety or welfare of a child"


class IdentityMethod(models.TextChoices):
    """How a requester's identity and entitlement were checked (DOMAIN.md: the request)."""

    CALL_BACK = "call_back", "Called them back on a number I found myself (switchboard, directory)"
    SECURE_EMAIL = "secure_email", "Secure email from an address on the partnership directory"
    IN_PERSON = "in_person", "In person, with their identity card"
    KNOWN = "known", "I know them from working together on this child's case"
    HEADED_REQUEST = "headed_request", "A signed request on their agency's form or letterhead"
    OTHER = "other", "Another way (say how below)"


class IdentityOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed who they are and that they are entitled to the information"
    IDENTITY_ONLY = "identity_only", "Confirmed who they are, but not that they are entitled to it"
    NOT_CONFIRMED = "not_confirmed", "Could not confirm who they are"


class WrittenConfirmation(models.TextChoices):
    """A request by phone is confirmed in writing (Information sharing: advice for practitioners, 2024)."""

    RECEIVED = "received", "Yes, I have it in writing"
    FOLLOW_UP = "follow_up", "Not yet: I have asked for it in writing and a follow-up is flagged"


class ConsentNotSoughtReason(models.TextChoices):
    RISK_TO_CHILD = (
        "risk_to_child",
        "Seeking consent would put the child at greater risk of significant harm",
    )
    RISK_TO_ADULT = "risk_to_adult", "Seeking consent would put an adult at risk of serious harm"
    PREJUDICE_CRIME = (
        "prejudice_crime",
        "Seeking consent would prejudice the prevention, detection or prosecution of serious crime",
    )


# Provisions whose commencement is set by regulations: the date each comes into force is a setting
# (``settings.COMMENCEMENT``), and until that date the product says "when in force".
class Provision(models.TextChoices):
    DUTY_TO_SHARE = (
        "children_act_2004_s16LA",
        "Children Act 2004 section 16LA (duty to share information), inserted by the "
        "Children's Wellbeing and Schools Act 2026",
    )
    CONSISTENT_IDENTIFIER = (
        "children_act_2004_s16LC",
        "Children Act 2004 section 16LC (consistent identifier for children), inserted by the "
        "Children's Wellbeing and Schools Act 2026",
    )


# Exemptions from the right of access (UK GDPR Art 15) a reviewer may cite when withholding part of
# a subject access bundle. Source: Data Protection Act 2018, Schedules 2 and 3 (legislation.gov.uk),
# and the ICO's guidance on the right of access ("What should we do if the request involves
# information about other individuals?", "Health data", "Social work data", "Child abuse data").
class SubjectAccessExemption(models.TextChoices):
    THIRD_PARTY = (
        "dpa2018_sch2_para16",
        "DPA 2018 Schedule 2, paragraph 16: it would identify another person (the rights of others)",
    )
    SERIOUS_HARM_HEALTH = (
        "dpa2018_sch3_para5",
        "DPA 2018 Schedule 3, paragraph 5: serious harm (health data, on a health professional's opinion)",
    )
    SERIOUS_HARM_SOCIAL_WORK = (
        "dpa2018_sch3_para11",
        "DPA 2018 Schedule 3, paragraph 11: serious harm (social work data)",
    )
    CHILD_ABUSE = (
        "dpa2018_sch3_para21",
        "DPA 2018 Schedule 3, paragraph 21: child abuse data, where giving it to a person with "
        "parental responsibility would not be in the child's best interests",
    )
    CRIME = (
        "dpa2018_sch2_para2",
        "DPA 2018 Schedule 2, paragraph 2: it would prejudice preventing or detecting crime",
    )
    LEGAL_PRIVILEGE = (
        "dpa2018_sch2_para19",
        "DPA 2018 Schedule 2, paragraph 19: legal professional privilege",
    )


# The same, short enough to sit beside a black bar in the bundle a family reads.
SUBJECT_ACCESS_EXEMPTION_SHORT = {
    SubjectAccessExemption.THIRD_PARTY: "DPA 2018 Sch 2 para 16, it would identify another person",
    SubjectAccessExemption.SERIOUS_HARM_HEALTH: "DPA 2018 Sch 3 para 5, serious harm",
    SubjectAccessExemption.SERIOUS_HARM_SOCIAL_WORK: "DPA 2018 Sch 3 para 11, serious harm",
    SubjectAccessExemption.CHILD_ABUSE: "DPA 2018 Sch 3 para 21, not in the child's best interests",
    SubjectAccessExemption.CRIME: "DPA 2018 Sch 2 para 2, crime prevention or detection",
    SubjectAccessExemption.LEGAL_PRIVILEGE: "DPA 2018 Sch 2 para 19, legal professional privilege",
}
