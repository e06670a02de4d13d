"""Retention: a decision is kept as long as the agreement it relied on says, then tombstoned.

A decision relying on an agreement version takes that agreement's ``retention_years``
(empty: keep). Counted from the day it was decided. When the period has passed, the
decision's personal free text, and the text of its addenda and review comments, are
blanked; what is left (reference, dates, outcome, lawful basis, who decided) is the
tombstone, with the reason. Nothing is deleted. A legal hold on the decision or on its
child stops it. The change is written to the audit trail as ONE entry per decision that
holds only the reference, the dates and the reason, never the erased text: the save
itself runs with django-auditlog disabled, in the same transaction as that entry.
"""

from dataclasses import dataclass
from datetime import date

from auditlog.context import disable_auditlog
from django.db import models, transaction
from django.utils import timezone

from audit.models import AuditEntry, Event
from audit.services import record_event
from decisions.models import Decision, DecisionAddendum, DecisionReview, Status


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def _today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class Due:
    decision: Decision
    retention_years: int
    retention_ended: date

    @property
    def reason(self) -> str:
        agreement = self.decision.agreement_version.agreement
        return (
            f"Retention period of {self.retention_years} years under the agreement "
            f"“{agreement.title}” ended on {self.retention_ended.isoformat()}."
        )


def past_retention(*, today: date | None = None) -> list[Due]:
    """Submitted, not yet tombstoned, not on legal hold, and past their agreement's retention."""
    today = today or _today()
    candidates = (
        Decision.objects.exclude(status=Status.DRAFT)
        .filter(
            tombstoned_at__isnull=True,
            legal_hold=False,
            child__legal_hold=False,
            agreement_version__agreement__retention_years__isnull=False,
        )
        .select_related("agreement_version__agreement")
        .order_by("submitted_at", "id")
    )
    due = []
    for decision in candidates:
        years = decision.agreement_version.agreement.retention_years
        ends = _add_years(decision.decided_on, years)
        if ends < today:
            due.append(Due(decision, years, ends))
    return due


def _blank_appended(record: models.Model, field: str) -> bool:
    """Addenda and reviews are append-only; retention is the one writer allowed to blank their text."""
    if getattr(record, field) == "":
        return False
    setattr(record, field, "")
    models.Model.save(record, update_fields=[field])  # past AppendOnly.save, on purpose
    return True


def decision_tombstone(*, due: Due, by=None) -> Decision:
    """Replace one decision past retention by its tombstone, and write the one audit entry."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().select_related("child").get(pk=due.decision.pk)
        if decision.tombstoned_at is not None or decision.legal_hold or decision.child.legal_hold:
            return decision  # another run got there first, or a hold was put on meanwhile
        decided_on = decision.decided_on
        with disable_auditlog():
            for name in Decision.ERASED_FIELDS:
                setattr(decision, name, "")
            decision.tombstoned_at = timezone.now()
            decision.tombstone_reason = due.reason
            decision.save()
            addenda = sum(
                _blank_appended(a, "text") for a in DecisionAddendum.objects.filter(decision=decision)
            )
            reviews = sum(
                _blank_appended(r, "comments") for r in DecisionReview.objects.filter(decision=decision)
            )
        record_event(
            Event.CHANGE,
            decision,
            actor=by,
            action=AuditEntry.Action.UPDATE,
            label=decision.reference,
            detail={
                "kind": "retention_tombstone",
                "reference": decision.reference,
                "decided_on": decided_on.isoformat(),
                "retention_ended": due.retention_ended.isoformat(),
                "tombstoned_on": timezone.localdate(decision.tombstoned_at).isoformat(),
                "reason": due.reason,
                "addenda_blanked": addenda,
                "reviews_blanked": reviews,
            },
        )
        return decision
