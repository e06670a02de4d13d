"""Legal holds: an IG officer stops retention erasing a decision, or everything about a child, while
litigation, an inquiry or a case review needs it, and lifts the hold when it no longer does.

Each is a service in one transaction with its named audit entry (``LEGAL_HOLD_PLACED`` or
``LEGAL_HOLD_LIFTED``, with the reason); django-auditlog records the fields' before and after beside
it. ``decisions.retention`` reads the holds: a decision on hold, or any record of a child on hold,
is kept.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from accounts.permissions import Perm
from audit.models import Event
from audit.services import record_event
from consent.models import Child
from decisions.models import Decision


def can_manage_holds(record: models.Model, user) -> bool:
    """IG officers, on the decisions and children their scope covers."""
    if not user.can(Perm.MANAGE_LEGAL_HOLDS):
        return False
    return type(record).objects.visible_to(user).filter(pk=record.pk).exists()


def _locked(record: Decision | Child, by) -> Decision | Child:
    if not can_manage_holds(record, by):
        raise PermissionDenied
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    if locked.tombstoned_at is not None:
        raise ValidationError("This record has been erased under retention: there is nothing left to hold")
    return locked


def legal_hold_place(*, record: Decision | Child, reason: str, by) -> Decision | Child:
    """Put a decision, or a child and every record about them, on legal hold."""
    if not reason.strip():
        raise ValidationError("Enter why the hold is needed")
    with transaction.atomic():
        held = _locked(record, by)
        if held.legal_hold:
            raise ValidationError("This record is already on legal hold")
        held.legal_hold = True
        held.legal_hold_reason = reason.strip()
        held.save(update_fields=["legal_hold", "legal_hold_reason"])
        record_event(Event.LEGAL_HOLD_PLACED, held, actor=by, detail={"reason": held.legal_hold_reason})
        return held


def legal_hold_lift(*, record: Decision | Child, reason: str, by) -> Decision | Child:
    """Lift a legal hold: retention applies again from its next run."""
    if not reason.strip():
        raise ValidationError("Enter why the hold can be lifted")
    with transaction.atomic():
        held = _locked(record, by)
        if not held.legal_hold:
            raise ValidationError("This record is not on legal hold")
        placed_for = held.legal_hold_reason
        held.legal_hold = False
        held.legal_hold_reason = ""
        held.save(update_fields=["legal_hold", "legal_hold_reason"])
        detail = {"reason": reason.strip(), "placed_for": placed_for}
        record_event(Event.LEGAL_HOLD_LIFTED, held, actor=by, detail=detail)
        return held
