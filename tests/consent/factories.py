"""Children, assessments and consent records, made through the services as a real user would."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from consent.competence import Matter, criteria_for
from consent.models import Child
from consent.services import assessment_record, child_agency_link, consent_record


def _born():
    return born_years_ago(13)


class ChildFactory(DjangoModelFactory):
    """A child held by the agency of ``created_by``."""

    class Meta:
        model = Child
        skip_postgeneration_save = True

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.LazyFunction(_born)
    nhs_number = ""

    @factory.post_generation
    def _link(obj, create, extracted, **kwargs):
        if create:
            child_agency_link(child=obj, agency=obj.created_by.agency)


def born_years_ago(years: int, extra_days: int = 100) -> datetime.date:
    """A birth date ``years`` (and some days) ago: the child is ``years`` old today."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - datetime.timedelta(
        days=extra_days
    )


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


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
