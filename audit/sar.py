"""Subject access requests: recorded, extended, reviewed and issued through here, each with its
audit event in the same transaction.

A request moves gathering -> in review -> (consulting ->) ready -> issued. While it is in review,
consulting or ready, the reviewer marks what to withhold (``SubjectAccessRedaction``); once the
bundle is issued, what was withheld is fixed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Event, SubjectAccessRequest, SubjectAccessStatus
from audit.sar_models import RedactionKind, SubjectAccessRedaction, SupplierConsultation
from audit.services import changed_fields, record_event
from audit.subject_access import MIN_NAME_LENGTH, free_text_fields, gathered_record, matches, suppliers

ISSUED_IS_FIXED = "The bundle has been issued: what was withheld from it can no longer change"
REVIEW_NOT_STARTED = "Start the review before marking anything to withhold"
CONSULTATIONS_ARE_FIXED = "The bundle has been issued: its consultations can no longer change"


def sar_record(*, request: SubjectAccessRequest, by) -> SubjectAccessRequest:
    """Record a request received, for the user's agency; the one-month clock starts on receipt."""
    request.recorded_by = by
    request.agency_id = by.agency_id
    request.full_clean()
    with transaction.atomic():
        request.save()
        record_event(
            Event.SUBJECT_ACCESS_RECEIVED,
            request,
            actor=by,
            detail={"child": request.child_id, "received_on": request.received_on.isoformat()},
        )
    return request


def sar_update(*, request: SubjectAccessRequest, by) -> SubjectAccessRequest:
    """Save an extension, with its reason."""
    before = SubjectAccessRequest.objects.get(pk=request.pk)
    request.full_clean()
    with transaction.atomic():
        request.save()
        record_event(
            Event.SUBJECT_ACCESS_CHANGED,
            request,
            actor=by,
            detail={"fields": changed_fields(before, request), "due_on": request.due_on.isoformat()},
        )
    return request


def _locked(request: SubjectAccessRequest) -> SubjectAccessRequest:
    """The request, re-read and locked: two officers cannot issue it while a third edits it."""
    return SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)


def _move(request: SubjectAccessRequest, to: SubjectAccessStatus, *, by, step: str, **fields) -> None:
    request.status = to
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()
    record_event(
        Event.SUBJECT_ACCESS_CHANGED,
        request,
        actor=by,
        detail={"step": step, "status": to.value, "due_on": request.due_on.isoformat()},
    )


def sar_start_review(*, request: SubjectAccessRequest, by) -> SubjectAccessRequest:
    """The records are gathered: a reviewer goes through them."""
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != SubjectAccessStatus.GATHERING:
            raise ValidationError("The review of this request has already started")
        _move(locked, SubjectAccessStatus.IN_REVIEW, by=by, step="review_started")
    return locked


def outstanding_suppliers(request: SubjectAccessRequest, *, user) -> list:
    """The agencies whose information is in the bundle and whose answer to a consultation is
    awaited (or who have not been consulted at all)."""
    answered = {
        consultation.agency_id for consultation in request.consultations.all() if not consultation.outstanding
    }
    return [
        supplier.agency for supplier in suppliers(request, user=user) if supplier.agency.pk not in answered
    ]


def _settle(request: SubjectAccessRequest, *, by) -> None:
    """After the review: consulting while an answer is awaited, ready once every one is in."""
    if request.status not in (SubjectAccessStatus.CONSULTING, SubjectAccessStatus.READY):
        return
    waiting = outstanding_suppliers(request, user=by)
    target = SubjectAccessStatus.CONSULTING if waiting else SubjectAccessStatus.READY
    if request.status != target:
        _move(
            request, target, by=by, step="consultations_answered" if not waiting else "consultation_awaited"
        )


def sar_finish_review(*, request: SubjectAccessRequest, by) -> SubjectAccessRequest:
    """The reviewer has marked everything to withhold: the agencies that supplied information are
    consulted, or, with none to consult (or every one answered), the bundle is ready to issue."""
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != SubjectAccessStatus.IN_REVIEW:
            raise ValidationError("Only a request in review can have its review finished")
        waiting = outstanding_suppliers(locked, user=by)
        target = SubjectAccessStatus.CONSULTING if waiting else SubjectAccessStatus.READY
        _move(locked, target, by=by, step="review_finished")
    return locked


def _names(agencies) -> str:
    names = [agency.name for agency in agencies]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def sar_issue(*, request: SubjectAccessRequest, by) -> SubjectAccessRequest:
    """Send the response: the bundle is issued today and what it withholds is fixed from now on."""
    with transaction.atomic():
        locked = _locked(request)
        refusals = {
            SubjectAccessStatus.GATHERING: "Review the records before issuing the bundle",
            SubjectAccessStatus.IN_REVIEW: "Finish the review before issuing the bundle",
            SubjectAccessStatus.ISSUED: "The bundle has already been issued",
        }
        if locked.status in refusals:
            raise ValidationError(refusals[locked.status])
        waiting = outstanding_suppliers(locked, user=by)
        if waiting:
            verb = "has" if len(waiting) == 1 else "have"
            raise ValidationError(
                f"You cannot issue the bundle until {_names(waiting)} {verb} answered your consultation"
            )
        now = timezone.now()
        _move(
            locked,
            SubjectAccessStatus.ISSUED,
            by=by,
            step="issued",
            responded_on=timezone.localdate(now),
            issued_by=by,
            issued_at=now,
        )
    return locked


def _editable(request: SubjectAccessRequest) -> None:
    if request.status == SubjectAccessStatus.ISSUED:
        raise ValidationError(ISSUED_IS_FIXED)
    if request.status == SubjectAccessStatus.GATHERING:
        raise ValidationError(REVIEW_NOT_STARTED)


def _check_redaction(redaction: SubjectAccessRedaction, *, by) -> None:
    """The words are long enough to mean something and, for a passage, are in the answer named of
    a record the reviewer gathers for this child."""
    redaction.text = redaction.text.strip()
    errors = {}
    if len(redaction.text) < MIN_NAME_LENGTH:
        errors["text"] = f"Enter at least {MIN_NAME_LENGTH} characters to withhold"
    if redaction.kind == RedactionKind.PASSAGE:
        record = gathered_record(
            redaction.request.child, user=by, record_type=redaction.record_type, record_id=redaction.record_id
        )
        if record is None:
            raise ValidationError("That record is not among the records gathered for this request")
        answers = {f.name: f for f in free_text_fields(type(record))}
        if redaction.field_name not in answers:
            errors["field_name"] = "Select the answer the words are in"
        elif "text" not in errors and not matches(redaction.text, getattr(record, redaction.field_name)):
            label = str(answers[redaction.field_name].verbose_name)
            errors["text"] = f"The words to withhold must be copied exactly from the answer '{label}'"
    else:
        redaction.record_type, redaction.record_id, redaction.field_name = "", None, ""
    if errors:
        raise ValidationError(errors)
    redaction.full_clean()


def redaction_add(*, redaction: SubjectAccessRedaction, by) -> SubjectAccessRedaction:
    """Withhold words from the bundle of a request in review, consulting or ready."""
    with transaction.atomic():
        redaction.request = _locked(redaction.request)
        _editable(redaction.request)
        redaction.marked_by = by
        _check_redaction(redaction, by=by)
        redaction.save()
        record_event(
            Event.SUBJECT_ACCESS_CHANGED,
            redaction.request,
            actor=by,
            detail={"step": "redaction_added", "redaction": redaction.pk, "exemption": redaction.exemption},
        )
    return redaction


def redaction_change(*, redaction: SubjectAccessRedaction, by) -> SubjectAccessRedaction:
    """Change the words or the exemption, until the bundle is issued."""
    with transaction.atomic():
        redaction.request = _locked(redaction.request)
        _editable(redaction.request)
        before = SubjectAccessRedaction.objects.get(pk=redaction.pk)
        _check_redaction(redaction, by=by)
        redaction.save()
        record_event(
            Event.SUBJECT_ACCESS_CHANGED,
            redaction.request,
            actor=by,
            detail={
                "step": "redaction_changed",
                "redaction": redaction.pk,
                "fields": changed_fields(before, redaction),
            },
        )
    return redaction


def redaction_remove(*, redaction: SubjectAccessRedaction, by) -> None:
    """Stop withholding the words, until the bundle is issued."""
    with transaction.atomic():
        request = _locked(redaction.request)
        _editable(request)
        pk = redaction.pk
        redaction.delete()
        record_event(
            Event.SUBJECT_ACCESS_CHANGED,
            request,
            actor=by,
            detail={"step": "redaction_removed", "redaction": pk},
        )


def _check_consultation(consultation: SupplierConsultation, *, by) -> None:
    if consultation.agency_id not in {s.agency.pk for s in suppliers(consultation.request, user=by)}:
        raise ValidationError("That agency supplied none of the information in this bundle")
    consultation.full_clean()


def consultation_record(*, consultation: SupplierConsultation, by) -> SupplierConsultation:
    """Record that an agency that supplied information was consulted, and its answer if it has
    given one; once every answer is in, a request that was consulting is ready to issue."""
    with transaction.atomic():
        consultation.request = _locked(consultation.request)
        if consultation.request.is_issued:
            raise ValidationError(CONSULTATIONS_ARE_FIXED)
        consultation.recorded_by = by
        _check_consultation(consultation, by=by)
        consultation.save()
        record_event(
            Event.SUBJECT_ACCESS_CHANGED,
            consultation.request,
            actor=by,
            detail={
                "step": "consultation_recorded",
                "consultation": consultation.pk,
                "agency": consultation.agency_id,
                "response": consultation.response,
            },
        )
        _settle(consultation.request, by=by)
    return consultation


def consultation_change(*, consultation: SupplierConsultation, by) -> SupplierConsultation:
    """Record the agency's answer when it comes, or correct the record, until the bundle is issued."""
    with transaction.atomic():
        consultation.request = _locked(consultation.request)
        if consultation.request.is_issued:
            raise ValidationError(CONSULTATIONS_ARE_FIXED)
        before = SupplierConsultation.objects.get(pk=consultation.pk)
        _check_consultation(consultation, by=by)
        consultation.save()
        record_event(
            Event.SUBJECT_ACCESS_CHANGED,
            consultation.request,
            actor=by,
            detail={
                "step": "consultation_changed",
                "consultation": consultation.pk,
                "fields": changed_fields(before, consultation),
                "response": consultation.response,
            },
        )
        _settle(consultation.request, by=by)
    return consultation
