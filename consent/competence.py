"""What a competence assessment asks, in the product's own words.

The Gillick-style criteria paraphrase "Whose consent should be sought?" in the
Derby and Derbyshire Safeguarding Children Boards' information sharing agreement
and practitioner guidance: can the child understand the question; do they
understand what would be shared, the main reason for sharing and its
implications; can they consider alternatives, weigh one thing against another,
give a view of their own and hold it consistently. The same guidance expects
children of 12 and over generally to have that understanding.

The Fraser criteria paraphrase the guidelines Lord Fraser set out in Gillick v
West Norfolk and Wisbech Area Health Authority [1985] UKHL 7, the narrower test
for contraceptive and sexual-health advice and treatment.
"""

from dataclasses import dataclass

from django.db import models

# Children of this age and over are generally expected to be competent; a departure either way needs a reason.
EXPECTED_COMPETENT_FROM_AGE = 12


class Matter(models.TextChoices):
    """What the child is being asked to decide. Competence is specific to the matter."""

    INFORMATION_SHARING = "information_sharing", "Sharing information about them"
    SEXUAL_HEALTH = "sexual_health", "Contraception or sexual health advice or treatment"
    HEALTH_TREATMENT = "health_treatment", "Other health examination or treatment"
    SERVICES = "services", "Taking up a service or support"


class CriterionAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"


class CompetenceOutcome(models.TextChoices):
    COMPETENT = "competent", "Competent to decide"
    NOT_COMPETENT = "not_competent", "Not competent to decide"


@dataclass(frozen=True)
class Criterion:
    key: str
    question: str
    source: str


GUIDANCE = "Derby and Derbyshire practitioner guidance, 'Whose consent should be sought?'"
FRASER = "Fraser guidelines, Gillick v West Norfolk and Wisbech AHA [1985]"

GILLICK_CRITERIA = (
    Criterion(
        "understands_question", "Can the child understand the question they are being asked?", GUIDANCE
    ),
    Criterion("understands_what", "Do they broadly understand what information might be shared?", GUIDANCE),
    Criterion("understands_why", "Do they understand the main reason for sharing it?", GUIDANCE),
    Criterion(
        "understands_implications",
        "Do they understand what could follow from sharing it, and from not sharing it?",
        GUIDANCE,
    ),
    Criterion("considers_alternatives", "Can they think about other ways forward?", GUIDANCE),
    Criterion("weighs_up", "Can they weigh one part of the situation against another?", GUIDANCE),
    Criterion(
        "own_view",
        "Can they say clearly what they themselves think, rather than repeat what someone else wants?",
        GUIDANCE,
    ),
    Criterion("consistent", "Do they hold to their view reasonably consistently?", GUIDANCE),
)

FRASER_CRITERIA = (
    Criterion("fraser_understands_advice", "Do they understand the advice being given?", FRASER),
    Criterion(
        "fraser_parents",
        "Have they been encouraged to involve a parent, and still will not, or will not let you?",
        FRASER,
    ),
    Criterion(
        "fraser_likely_to_continue",
        "Are they likely to start or carry on having sex whether or not they get the advice or treatment?",
        FRASER,
    ),
    Criterion(
        "fraser_health_suffers",
        "Without it, is their physical or mental health, or both, likely to suffer?",
        FRASER,
    ),
    Criterion(
        "fraser_best_interests",
        "Is it in their best interests to give the advice or treatment without a parent's consent?",
        FRASER,
    ),
)

# Pages of the assessment journey: the criteria in groups a page can hold.
UNDERSTANDING = GILLICK_CRITERIA[:4]
REASONING = GILLICK_CRITERIA[4:]


def criteria_for(matter: str) -> tuple[Criterion, ...]:
    """The criteria an assessment of this matter answers: Fraser's are added for sexual health."""
    if matter == Matter.SEXUAL_HEALTH:
        return GILLICK_CRITERIA + FRASER_CRITERIA
    return GILLICK_CRITERIA


CRITERIA_BY_KEY = {criterion.key: criterion for criterion in GILLICK_CRITERIA + FRASER_CRITERIA}
