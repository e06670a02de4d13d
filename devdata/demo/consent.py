"""Demo children, with competence assessments and consent in every state, for two agencies.

Written through the services, as the demo practitioner of each agency, so the
audit trail shows who did what. Idempotent: a child who already has records is left alone.
"""

import datetime

from django.utils import timezone

from audit.context import audit_context
from consent.competence import GILLICK_CRITERIA, Matter, criteria_for
from consent.models import Child
from consent.services import assessment_record, child_create, consent_record, consent_withdraw


def _all_met(matter: str) -> dict:
    return {c.key: {"answer": "yes", "note": ""} for c in criteria_for(matter)}


def _some_unmet(matter: str) -> dict:
    answers = _all_met(matter)
    answers[GILLICK_CRITERIA[3].key] = {"answer": "no", "note": "Could not say what might follow."}
    answers[GILLICK_CRITERIA[7].key] = {"answer": "unsure", "note": "Changed their mind twice."}
    return answers


def _child(user, given_name: str, family_name: str, years: int, days: int, nhs_number: str, reference: str):
    born = timezone.localdate() - datetime.timedelta(days=365 * years + days)
    existing = Child.objects.filter(given_name=given_name, family_name=family_name).first()
    if existing is not None:
        return existing, False
    child = child_create(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=born,
        nhs_number=nhs_number,
        local_reference=reference,
        by=user,
    )
    return child, True


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _seed_la(user, agencies) -> None:
    health, school, police = agencies["health"], agencies["school"], agencies["police"]
    amara, new = _child(user, "Amara", "Okoye", 14, 40, "9434765919", "LA-204518")
    if new:
        competent = assessment_record(
            child=amara,
            by=user,
            matter=Matter.INFORMATION_SHARING,
            assessed_on=_ago(20),
            answers=_all_met(Matter.INFORMATION_SHARING),
            outcome="competent",
        )
        given = consent_record(
            child=amara,
            by=user,
            purpose="child_in_need",
            information_categories=["health", "education"],
            recipients=[health, school],
            answer="given",
            given_on=_ago(20),
            asked="child",
            assessment=competent,
            how_obtained="in_person",
            valid_until=_ago(-345),
            discussion_note="Amara agreed to her school nurse and GP being told about the plan.",
        )
        consent_withdraw(
            consent=given,
            by=user,
            withdrawn_on=_ago(3),
            how_obtained="phone",
            discussion_note="Amara rang to say she no longer wants her GP told.",
        )
        consent_record(
            child=amara,
            by=user,
            purpose="multi_agency",
            information_categories=["concerns", "family"],
            recipients=[police, health],
            answer="given",
            given_on=_ago(2),
            asked="child",
            assessment=competent,
            how_obtained="in_person",
            valid_until=_ago(-90),
            discussion_note="Agreed to information going to the strategy meeting.",
        )
    jack, new = _child(user, "Jack", "Thompson", 8, 100, "", "LA-310077")
    if new:
        assessment_record(
            child=jack,
            by=user,
            matter=Matter.INFORMATION_SHARING,
            assessed_on=_ago(30),
            answers=_some_unmet(Matter.INFORMATION_SHARING),
            outcome="not_competent",
        )
        consent_record(
            child=jack,
            by=user,
            purpose="early_help",
            information_categories=["identity", "family"],
            recipients=[school, agencies["voluntary"]],
            answer="given",
            given_on=_ago(28),
            asked="parent",
            parent_name="Kelly Thompson",
            parent_relationship="Mother",
            how_obtained="in_person",
            valid_until=_ago(-180),
            discussion_note="Explained the early help offer; mother keen to take it up.",
        )
        consent_record(
            child=jack,
            by=user,
            purpose="health_care",
            information_categories=["health"],
            recipients=[health],
            answer="refused",
            given_on=_ago(10),
            asked="parent",
            parent_name="Dean Thompson",
            parent_relationship="Father",
            how_obtained="phone",
            discussion_note="Father does not want the health visitor involved again.",
        )
    leah, new = _child(user, "Leah", "Morgan", 15, 200, "4010232137", "")
    if new:
        fraser = assessment_record(
            child=leah,
            by=user,
            matter=Matter.SEXUAL_HEALTH,
            assessed_on=_ago(12),
            matter_detail="Referral to the sexual health clinic",
            answers=_all_met(Matter.SEXUAL_HEALTH),
            outcome="competent",
        )
        consent_record(
            child=leah,
            by=user,
            purpose="health_care",
            matter=Matter.SEXUAL_HEALTH,
            information_categories=["sexual_health", "identity"],
            recipients=[health],
            answer="refused",
            given_on=_ago(12),
            asked="child",
            assessment=fraser,
            how_obtained="in_person",
            discussion_note="Leah understood and did not want the clinic to contact her GP.",
        )
        # Her mother's consent afterwards does not override Leah's own refusal (consent.position).
        consent_record(
            child=leah,
            by=user,
            purpose="health_care",
            information_categories=["sexual_health", "identity"],
            recipients=[health],
            answer="given",
            given_on=_ago(8),
            asked="parent",
            parent_name="Claire Morgan",
            parent_relationship="Mother",
            how_obtained="phone",
            discussion_note="Mother rang to say she is happy for the clinic to talk to the GP.",
        )
        consent_record(
            child=leah,
            by=user,
            purpose="safeguarding",
            information_categories=["concerns", "identity"],
            recipients=[police],
            answer="not_sought",
            given_on=_ago(5),
            not_sought_reason="risk_to_child",
            not_sought_note="Concerns of exploitation by an adult known to the family: asking would warn him",
        )


def _seed_school(user, agencies) -> None:
    la, health = agencies["la"], agencies["health"]
    noah, new = _child(user, "Noah", "Williams", 10, 50, "4857773457", "SCH-0412")
    if new:
        assessment_record(
            child=noah,
            by=user,
            matter=Matter.INFORMATION_SHARING,
            assessed_on=_ago(15),
            answers=_some_unmet(Matter.INFORMATION_SHARING),
            outcome="not_competent",
        )
        consent_record(
            child=noah,
            by=user,
            purpose="education",
            information_categories=["education", "health"],
            recipients=[la, health],
            answer="given",
            given_on=_ago(120),
            asked="parent",
            parent_name="Sarah Williams",
            parent_relationship="Mother",
            how_obtained="in_writing",
            valid_until=_ago(30),
            discussion_note="Signed the consent form for the summer term only.",
        )
        mentoring = consent_record(
            child=noah,
            by=user,
            purpose="early_help",
            information_categories=["identity", "education"],
            recipients=[agencies["voluntary"]],
            answer="given",
            given_on=_ago(25),
            asked="parent",
            parent_name="Sarah Williams",
            parent_relationship="Mother",
            how_obtained="in_person",
            discussion_note="Agreed to a referral to the mentoring project.",
        )
        consent_withdraw(
            consent=mentoring,
            by=user,
            withdrawn_on=_ago(6),
            how_obtained="in_writing",
            discussion_note="Emailed to say Noah no longer wants a mentor.",
        )
        consent_record(
            child=noah,
            by=user,
            purpose="health_care",
            information_categories=["health"],
            recipients=[health],
            answer="refused",
            given_on=_ago(5),
            asked="parent",
            parent_name="Sarah Williams",
            parent_relationship="Mother",
            how_obtained="phone",
            discussion_note="Does not want the school nurse told about the diagnosis yet.",
        )
    maya, new = _child(user, "Maya", "Patel", 13, 10, "", "SCH-0577")
    if new:
        assessment_record(
            child=maya,
            by=user,
            matter=Matter.INFORMATION_SHARING,
            assessed_on=_ago(9),
            answers=_some_unmet(Matter.INFORMATION_SHARING),
            outcome="not_competent",
            reason="Very distressed on the day and could not weigh up what sharing would mean.",
        )
        consent_record(
            child=maya,
            by=user,
            purpose="child_in_need",
            information_categories=["family", "concerns"],
            recipients=[la],
            answer="given",
            given_on=_ago(8),
            asked="parent",
            parent_name="Ravi Patel",
            parent_relationship="Father",
            how_obtained="in_person",
            disagreement=True,
            best_interests_reasoning="Maya did not want children's services told; her safety at home "
            "outweighs that wish, and she was told why.",
            discussion_note="Father agreed; Maya upset but understood the reason.",
        )
        consent_record(
            child=maya,
            by=user,
            purpose="crime",
            information_categories=["identity", "concerns"],
            recipients=[agencies["police"]],
            answer="not_sought",
            given_on=_ago(4),
            not_sought_reason="prejudice_crime",
            not_sought_note="Police enquiry into an adult in the household.",
        )


def seed(demo) -> None:
    for email, seeder in (("practitioner@demo.test", _seed_la), ("practitioner2@demo.test", _seed_school)):
        user = demo.users[email]
        with audit_context(source="command:seed_demo", actor=user):
            seeder(user, demo.agencies)
    demo.log("Children with competence assessments and consent records")
