"""Subject access requests: recorded, extended and answered through here, each with its audit event."""

from django.db import transaction

from audit.models import Event, SubjectAccessRequest
from audit.services import changed_fields, record_event


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
    """Save an extension (with its reason) or the date the response went."""
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
