"""The consent part's entries in a child's chronology: consent records and competence assessments."""

import datetime
import functools
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from consent.chronology import ChronologyEntry, register_source
from consent.models import CompetenceAssessment, visible_record
from consent.position import recipient_names
from isa_portal.web import long_date


def _when(day: datetime.date, recorded: datetime.datetime) -> datetime.datetime:
    """The day it happened, at the time of day it was recorded (keeps same-day records in order)."""
    return timezone.make_aware(datetime.datetime.combine(day, timezone.localtime(recorded).time()))


@register_source
def consent_entries(child, user) -> Iterator[ChronologyEntry]:
    prefetched = getattr(child, "_prefetched_objects_cache", {}).get("consents")
    if prefetched is not None:
        # Every agency's records, read once for the child page's consent summary too (consent.views).
        records = [record for record in prefetched if visible_record(record, user)]
    else:
        # Through the child's own manager, so each record knows its child without fetching it again.
        records = (
            child.consents.visible_to(user)
            .select_related("agency", "recorded_by")
            .prefetch_related("recipients")
        )
    for record in records:
        scope = f"{record.get_purpose_display()}; with {', '.join(recipient_names(record))}"
        if record.sought:
            summary = f"Asked {record.asked_label}. {scope}."
        else:
            summary = f"{record.get_not_sought_reason_display()}. {scope}."
        if record.valid_until:
            summary += f" Until {long_date(record.valid_until)}."
        yield ChronologyEntry(
            when=_when(record.given_on, record.created_at),
            kind="Consent",
            title=record.get_answer_display(),
            summary=summary,
            agency_name=record.agency.name,
            recorded_by=str(record.recorded_by),
            url=reverse("consent:consent_detail", kwargs={"pk": record.pk}),
        )


# What an assessment's entry shows: of the assessment, its agency's name, and its assessor's name or
# email (``User.__str__``), not their whole rows.
ASSESSMENT_FIELDS = (
    "assessed_on",
    "created_at",
    "outcome",
    "matter",
    "age_at_assessment",
    "agency__name",
    "assessor__full_name",
    "assessor__email",
)


@functools.cache
def _assessments():
    """Built once, narrowed per request (never evaluated itself)."""
    return CompetenceAssessment.objects.select_related("agency", "assessor").only(*ASSESSMENT_FIELDS)


@register_source
def assessment_entries(child, user) -> Iterator[ChronologyEntry]:
    assessments = _assessments().filter(child=child).visible_to(user)
    for assessment in assessments:
        yield ChronologyEntry(
            when=_when(assessment.assessed_on, assessment.created_at),
            kind="Competence assessment",
            title=assessment.get_outcome_display(),
            summary=f"{assessment.get_matter_display()}. Aged {assessment.age_at_assessment} at the time.",
            agency_name=assessment.agency.name,
            recorded_by=str(assessment.assessor),
            url=reverse("consent:assessment_detail", kwargs={"pk": assessment.pk}),
        )
