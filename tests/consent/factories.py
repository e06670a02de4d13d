"""Assessments and consent records, made through the services as a real user would (children:
``tests.factories.ChildFactory``)."""

from consent.competence import Matter, criteria_for
from consent.services import assessment_record, consent_record
from tests.factories import days_ago


def all_met(matter: str = Matter.INFORMATION_SHARING) -> dict:
    return {criterion.key: {"answer": "yes", "note": ""} for criterion in criteria_for(matter)}


def make_assessment(child, by, *, outcome="competent", matter=Matter.INFORMATION_SHARING, on=None, **kwargs):
    answers = kwargs.pop("answers", None) or all_met(matter)
    if outcome == "not_competent" and "reason" not in kwargs and child.age_on(on or days_ago(0)) >= 12:
        kwargs["reason"] = "Could not weigh it up on the day."
    return assessment_record(
        child=child,
        by=by,
        matter=matter,
        assessed_on=on or days_ago(0),
        answers=answers,
        outcome=outcome,
        **kwargs,
    )


def make_consent(child, by, *, answer="given", recipients=None, on=None, purpose="safeguarding", **kwargs):
    """Consent asked of a parent by default (no assessment needed), or not sought."""
    fields = {
        "child": child,
        "by": by,
        "purpose": purpose,
        "information_categories": kwargs.pop("information_categories", ["identity", "concerns"]),
        "recipients": recipients if recipients is not None else [by.agency],
        "answer": answer,
        "given_on": on or days_ago(0),
    }
    if answer == "not_sought":
        fields.update(not_sought_reason="risk_to_child", not_sought_note="Asking would alert the abuser.")
    else:
        fields.update(
            asked="parent", parent_name="Jo Bloggs", parent_relationship="Mother", how_obtained="phone"
        )
    fields.update(kwargs)
    return consent_record(**fields)
