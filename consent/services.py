"""Writes about children, consent and competence. Each runs in one transaction with its named audit event.

Every service that writes a record about a child links the author's agency to
the child (``child_agency_link``), which is what lets that agency see the child.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import Perm
from audit.models import Event
from audit.services import record_event, record_seal
from consent.models import (
    Child,
    ChildAgency,
    CompetenceAssessment,
    ConsentRecord,
    ConsentStatus,
)
from consent.validators import normalise_nhs_number

NHS_NUMBER_HELD = (
    "The partnership already holds a child with this NHS number: one child has one record. "
    "Add them from the Add a child page, which links your agency to that record"
)


def _require_recorder(by) -> None:
    if not by.can(Perm.RECORD_CONSENT) or by.agency_id is None:
        raise PermissionDenied("Only practitioners and safeguarding leads record children and consent.")


@transaction.atomic
def child_agency_link(*, child: Child, agency, local_reference: str = "") -> ChildAgency:
    """Record that ``agency`` holds a record about ``child``, so its users may see the child.

    Called by every service that writes a record about a child (the child itself,
    a consent, an assessment, a decision). Idempotent; a reference, once set, is kept.
    """
    link, created = ChildAgency.objects.get_or_create(
        child=child, agency=agency, defaults={"local_reference": local_reference}
    )
    if not created and local_reference and not link.local_reference:
        link.local_reference = local_reference
        link.save()
    return link


@transaction.atomic
def child_create(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date,
    nhs_number: str = "",
    local_reference: str = "",
    by,
) -> Child:
    """Create a child record held by the author's agency (duplicates are the view's to warn about)."""
    _require_recorder(by)
    child = Child(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        nhs_number=normalise_nhs_number(nhs_number),
        created_by=by,
    )
    child.full_clean()
    if child.nhs_number and Child.objects.filter(nhs_number=child.nhs_number).exists():
        # One child, one record: the view links the agency to that child instead (child_link).
        raise ValidationError({"nhs_number": NHS_NUMBER_HELD})
    if child.date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": "Date of birth must be today or in the past"})
    child.save()
    child_agency_link(child=child, agency=by.agency, local_reference=local_reference.strip())
    record_event(Event.CHILD_ADDED, child, actor=by, detail={"nhs_number_given": bool(child.nhs_number)})
    return child


@transaction.atomic
def child_link(*, child: Child, by, matched_by: str, local_reference: str = "") -> tuple[ChildAgency, bool]:
    """Link the author's agency to a child the partnership already holds, instead of adding them again.

    ``matched_by`` says how the practitioner found them (``consent.matching``: the NHS number, or a
    near match they chose). The agency then sees the child and, as ever, only its own records about
    them. Returns the link and whether it is new; a link that already existed is not written again.
    """
    _require_recorder(by)
    existed = ChildAgency.objects.filter(child=child, agency_id=by.agency_id).exists()
    link = child_agency_link(child=child, agency=by.agency, local_reference=local_reference.strip())
    if not existed:
        record_event(
            Event.CHILD_LINKED,
            link,
            actor=by,
            label=f"{by.agency} linked to {child}",
            detail={"child": child.pk, "matched_by": matched_by},
        )
    return link, not existed


@transaction.atomic
def assessment_record(
    *,
    child: Child,
    by,
    matter: str,
    assessed_on: datetime.date,
    answers: Mapping[str, Mapping[str, str]],
    outcome: str,
    reason: str = "",
    matter_detail: str = "",
) -> CompetenceAssessment:
    """Record a competence assessment made by ``by``; the child's age on the day is kept with it."""
    _require_recorder(by)
    assessment = CompetenceAssessment(
        child=child,
        agency_id=by.agency_id,
        matter=matter,
        matter_detail=matter_detail.strip(),
        assessed_on=assessed_on,
        age_at_assessment=child.age_on(assessed_on) if assessed_on else None,
        answers={
            key: {"answer": value.get("answer"), "note": (value.get("note") or "").strip()}
            for key, value in answers.items()
        },
        outcome=outcome,
        reason=reason.strip(),
        assessor=by,
    )
    if assessment.age_at_assessment is not None and assessment.age_at_assessment < 0:
        raise ValidationError({"assessed_on": "The date of the assessment must be after the child was born"})
    assessment.full_clean()
    assessment.save()
    child_agency_link(child=child, agency=by.agency)
    record_seal(assessment, by=by)
    record_event(
        Event.ASSESSMENT_RECORDED,
        assessment,
        actor=by,
        detail={
            "child": child.pk,
            "matter": assessment.matter,
            "outcome": assessment.outcome,
            "age_at_assessment": assessment.age_at_assessment,
        },
    )
    return assessment


@transaction.atomic
def consent_record(
    *,
    child: Child,
    by,
    purpose: str,
    information_categories: Iterable[str],
    recipients: Iterable,
    answer: str,
    given_on: datetime.date,
    matter: str = "information_sharing",
    asked: str = "",
    assessment: CompetenceAssessment | None = None,
    parent_name: str = "",
    parent_relationship: str = "",
    not_sought_reason: str = "",
    not_sought_note: str = "",
    how_obtained: str = "",
    valid_until: datetime.date | None = None,
    discussion_note: str = "",
    disagreement: bool = False,
    best_interests_reasoning: str = "",
) -> ConsentRecord:
    """Record consent given or refused, or that it was not sought and why.

    A child's own answer needs a "competent" assessment of them for the same
    matter, made within ``settings.CONSENT_COMPETENCE_VALID_DAYS`` before.
    Withdrawals go through ``consent_withdraw``.
    """
    _require_recorder(by)
    if answer == ConsentStatus.WITHDRAWN:
        raise ValidationError({"answer": "Record a withdrawal from the consent it withdraws"})
    return _save_consent(
        ConsentRecord(
            child=child,
            agency_id=by.agency_id,
            purpose=purpose,
            matter=matter,
            information_categories=list(dict.fromkeys(information_categories)),
            answer=answer,
            asked=asked,
            assessment=assessment,
            parent_name=parent_name.strip(),
            parent_relationship=parent_relationship.strip(),
            not_sought_reason=not_sought_reason,
            not_sought_note=not_sought_note.strip(),
            how_obtained=how_obtained,
            given_on=given_on,
            valid_until=valid_until,
            discussion_note=discussion_note.strip(),
            disagreement=disagreement,
            best_interests_reasoning=best_interests_reasoning.strip(),
            recorded_by=by,
        ),
        recipients=list(recipients),
        by=by,
    )


@transaction.atomic
def consent_withdraw(
    *,
    consent: ConsentRecord,
    by,
    withdrawn_on: datetime.date,
    how_obtained: str,
    discussion_note: str,
) -> ConsentRecord:
    """Record that consent once given was withdrawn: a new record linked to it, same scope and person."""
    _require_recorder(by)
    consent = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
    if consent.answer != ConsentStatus.GIVEN:
        raise ValidationError("Only consent that was given can be withdrawn")
    if ConsentRecord.objects.filter(withdraws=consent).exists():
        raise ValidationError("This consent has already been withdrawn")
    if withdrawn_on and withdrawn_on < consent.given_on:
        raise ValidationError({"given_on": "The date of withdrawal must be on or after consent was given"})
    if not discussion_note.strip():
        raise ValidationError({"discussion_note": "Enter a note of what was said"})
    return _save_consent(
        ConsentRecord(
            child=consent.child,
            agency_id=by.agency_id,
            purpose=consent.purpose,
            matter=consent.matter,
            information_categories=consent.information_categories,
            answer=ConsentStatus.WITHDRAWN,
            asked=consent.asked,
            assessment=consent.assessment,
            parent_name=consent.parent_name,
            parent_relationship=consent.parent_relationship,
            how_obtained=how_obtained,
            given_on=withdrawn_on,
            discussion_note=discussion_note.strip(),
            withdraws=consent,
            recorded_by=by,
        ),
        recipients=list(consent.recipients.all()),
        by=by,
    )


def _save_consent(record: ConsentRecord, *, recipients: list, by) -> ConsentRecord:
    if not recipients:
        raise ValidationError({"recipients": "Select the agencies the consent covers"})
    record.full_clean()
    record.save()
    record.recipients.set(recipients)
    child_agency_link(child=record.child, agency=by.agency)
    record_seal(record, by=by)
    record_event(
        Event.CONSENT_WITHDRAWN if record.withdraws_id else Event.CONSENT_RECORDED,
        record,
        actor=by,
        detail={
            "child": record.child_id,
            "answer": record.answer,
            "matter": record.matter,
            "purpose": record.purpose,
            "recipients": sorted(agency.pk for agency in recipients),
            "withdraws": record.withdraws_id,
        },
    )
    return record
