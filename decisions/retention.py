"""Retention: each record about a child is kept as long as an agreement says, then erased to a tombstone.

What is erased, and when:

- a **decision**, with its reviews and addenda: the retention period of the agreement it relied
  on (``retention_years``; empty: keep), counted from the day it was decided;
- a **consent record** or a **competence assessment**: once every decision (and, for an
  assessment, every consent record) that relied on it has been erased, and its own period has
  ended: the longest period of the agreements those decisions relied on or, when none did, of
  the agreements its agency has signed, counted from its date;
- a **child**: once nothing of theirs is held any longer (every decision, consent record and
  assessment erased, no unfinished draft, no open subject access request), under the rule of the
  record whose period ended last.

A legal hold on a decision, or on the child (``decisions.holds``), keeps every record it covers.
Erasing blanks the record's personal text (its ``ERASED_FIELDS``) and leaves a tombstone:
what is left (reference, dates, outcome, lawful basis, who decided) and a reason every page and
export shows, "Erased under the retention rule of agreement X on date Y". Nothing is deleted.

Each erasure is one service, in one transaction with its audit entries: the save runs with
django-auditlog disabled (its entry would hold the erased text as "before"), and a
``RECORD_DISPOSED`` entry per record erased names who ran it (the command's audit context) and
holds no erased text. The same transaction erases the record's personal values from the audit
trail (``audit.erasure``: the chain keeps only their commitments, so it still verifies) and
deletes the salt of its seal (``audit.seals``: its erased fields can no longer be confirmed, and
verification checks instead that they are blank and the disposal entry is there).
"""

from dataclasses import dataclass
from datetime import date

from auditlog.context import disable_auditlog
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agreements.models import Agreement
from audit import erasure
from audit.models import AuditEntry, Event, SealSalt, SubjectAccessRequest
from audit.seals import erased_value
from audit.services import record_event
from consent.models import Child, ChildAgency, CompetenceAssessment, ConsentRecord
from decisions.models import Decision, DecisionAddendum, DecisionReview, Status
from isa_portal.web import long_date
from journeys.models import Draft


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def _today() -> date:
    return timezone.localdate()


def tombstone_reason(agreement: Agreement, on: date) -> str:
    """What every page and export shows in place of the erased text."""
    return f"Erased under the retention rule of agreement “{agreement.title}” on {long_date(on)}."


@dataclass(frozen=True)
class Rule:
    """The agreement whose retention period a record is kept for, and the day the period ended."""

    agreement: Agreement
    years: int
    ended: date


@dataclass(frozen=True)
class Due:
    """A record past its retention: ``record`` is a decision, consent record, assessment or child."""

    record: models.Model
    rule: Rule

    @property
    def decision(self) -> Decision:  # the name the command and older callers use
        return self.record

    @property
    def retention_years(self) -> int:
        return self.rule.years

    @property
    def retention_ended(self) -> date:
        return self.rule.ended

    @property
    def kind(self) -> str:
        return KINDS[type(self.record)]

    @property
    def label(self) -> str:
        record = self.record
        if isinstance(record, Decision):
            return f"Decision {record.reference}"
        return f"{self.kind.capitalize()} {record.pk}"

    def reason(self, on: date) -> str:
        return tombstone_reason(self.rule.agreement, on)


KINDS = {
    Decision: "decision",
    ConsentRecord: "consent record",
    CompetenceAssessment: "competence assessment",
    Child: "child",
}


def _longest(agreements, start: date) -> Rule | None:
    best = None
    for agreement in agreements:
        if agreement.retention_years is None:
            continue
        ends = _add_years(start, agreement.retention_years)
        if best is None or ends > best.ended:
            best = Rule(agreement, agreement.retention_years, ends)
    return best


def decision_rule(decision: Decision) -> Rule | None:
    version = decision.agreement_version
    if version is None or version.agreement.retention_years is None:
        return None
    years = version.agreement.retention_years
    return Rule(version.agreement, years, _add_years(decision.decided_on, years))


def _signed_by(agency_id: int) -> list[Agreement]:
    return list(Agreement.objects.filter(signatures__agency_id=agency_id).distinct())


def record_rule(record: ConsentRecord | CompetenceAssessment) -> Rule | None:
    """A consent record's or an assessment's rule: the agreements of the decisions that relied on
    it, else those its agency signed; the longest period, counted from its own date."""
    if isinstance(record, ConsentRecord):
        start, relied = record.given_on, Q(consent_record=record)
    else:
        start, relied = record.assessed_on, Q(competence_assessment=record)
    agreements = list(
        Agreement.objects.filter(versions__in=Decision.objects.filter(relied).values("agreement_version"))
    )
    return _longest(agreements or _signed_by(record.agency_id), start)


def past_retention(*, today: date | None = None) -> list[Due]:
    """Submitted decisions, not yet erased, not on legal hold, past their agreement's retention."""
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
        rule = decision_rule(decision)
        if rule is not None and rule.ended < today:
            due.append(Due(decision, rule))
    return due


_live_decision = Decision.objects.filter(tombstoned_at__isnull=True)


def consents_past_retention(*, today: date | None = None) -> list[Due]:
    """Consent records no decision still holds on to, past their rule, their child not on hold."""
    today = today or _today()
    candidates = (
        ConsentRecord.objects.filter(tombstoned_at__isnull=True, child__legal_hold=False)
        .exclude(Exists(_live_decision.filter(consent_record=OuterRef("pk"))))
        .order_by("given_on", "id")
    )
    return _due(candidates, record_rule, today)


def assessments_past_retention(*, today: date | None = None) -> list[Due]:
    """Assessments no decision or consent record still holds on to, past their rule, no hold."""
    today = today or _today()
    candidates = (
        CompetenceAssessment.objects.filter(tombstoned_at__isnull=True, child__legal_hold=False)
        .exclude(Exists(_live_decision.filter(competence_assessment=OuterRef("pk"))))
        .exclude(Exists(ConsentRecord.objects.filter(tombstoned_at__isnull=True, assessment=OuterRef("pk"))))
        .order_by("assessed_on", "id")
    )
    return _due(candidates, record_rule, today)


def child_rule(child: Child) -> Rule | None:
    """The rule of whichever of the child's records was kept longest (their agency's, if none)."""
    rules = [decision_rule(d) for d in child.decisions.select_related("agreement_version__agreement")]
    rules += [record_rule(record) for record in (*child.consents.all(), *child.assessments.all())]
    if not rules:
        return _longest(_signed_by(child.created_by.agency_id), timezone.localdate(child.created_at))
    if any(rule is None for rule in rules):
        return None  # a record kept for ever keeps its child
    return max(rules, key=lambda rule: rule.ended)


def children_past_retention(*, today: date | None = None) -> list[Due]:
    """Children of whom nothing is held any longer, not on hold, past the last of their records' rules."""
    today = today or _today()
    held = Q(tombstoned_at__isnull=True)
    candidates = (
        Child.objects.filter(tombstoned_at__isnull=True, legal_hold=False)
        .exclude(Exists(Decision.objects.filter(held, child=OuterRef("pk"))))
        .exclude(Exists(ConsentRecord.objects.filter(held, child=OuterRef("pk"))))
        .exclude(Exists(CompetenceAssessment.objects.filter(held, child=OuterRef("pk"))))
        .exclude(Exists(Draft.objects.filter(child=OuterRef("pk"))))
        .exclude(Exists(SubjectAccessRequest.objects.filter(child=OuterRef("pk"), responded_on__isnull=True)))
        .select_related("created_by")
        .order_by("id")
    )
    return _due(candidates, child_rule, today)


def _due(candidates, rule_of, today: date) -> list[Due]:
    return [Due(record, rule) for record in candidates if (rule := rule_of(record)) and rule.ended < today]


# What one run erases, in order: decisions first, then what only they held on to, children last.
PHASES = (past_retention, consents_past_retention, assessments_past_retention, children_past_retention)


# Erasing: one service per kind, each in its own transaction with its audit entries.


def _blank(record: models.Model, names) -> list[str]:
    """Blank the erased fields; the names of those that held something."""
    held = []
    for name in names:
        empty = erased_value(record._meta.get_field(name))
        if getattr(record, name) not in ("", None, {}, []):
            held.append(name)
        setattr(record, name, empty)
    return held


def _dispose(record: models.Model, *, due: Due, fields, today: date, by, **detail) -> AuditEntry:
    """The trail's side of erasing one record: its personal values out of the trail, its seal's salt
    deleted, and the disposal entry (which names no erased text)."""
    erasure.erase_values(record=record, fields=fields)
    seals = AuditEntry.objects.filter(
        event=Event.RECORD_SEALED,
        content_type__app_label=record._meta.app_label,
        content_type__model=record._meta.model_name,
        object_pk=str(record.pk),
    ).values("pk")
    SealSalt.objects.filter(entry_id__in=seals).delete()
    return record_event(
        Event.RECORD_DISPOSED,
        record,
        actor=by,
        label=f"{record._meta.verbose_name} {getattr(record, 'reference', None) or record.pk}",
        detail={
            "agreement": due.rule.agreement.title,
            "retention_years": due.rule.years,
            "retention_ended": due.rule.ended.isoformat(),
            "erased_on": today.isoformat(),
            "fields_erased": sorted(fields),
            **detail,
        },
    )


def _blank_appended(record: models.Model, field: str) -> bool:
    """Addenda and reviews are append-only; retention is the one writer allowed to blank their text."""
    if getattr(record, field) == "":
        return False
    setattr(record, field, "")
    models.Model.save(record, update_fields=[field])  # past AppendOnly.save, on purpose
    return True


def decision_tombstone(*, due: Due, by=None) -> Decision:
    """Erase one decision past retention, with its reviews and addenda, to its tombstone."""
    today = _today()
    with transaction.atomic():
        decision = Decision.objects.select_for_update().select_related("child").get(pk=due.record.pk)
        if decision.tombstoned_at is not None or decision.legal_hold or decision.child.legal_hold:
            return decision  # another run got there first, or a hold was put on meanwhile
        with disable_auditlog():
            _blank(decision, Decision.ERASED_FIELDS)
            decision.tombstoned_at = timezone.now()
            decision.tombstone_reason = due.reason(today)
            decision.save()
            addenda = DecisionAddendum.objects.filter(decision=decision)
            reviews = DecisionReview.objects.filter(decision=decision)
            for addendum in addenda:
                _blank_appended(addendum, "text")
            for review in reviews:
                _blank_appended(review, "comments")
        _dispose(
            decision,
            due=due,
            fields=Decision.ERASED_FIELDS,
            today=today,
            by=by,
            reference=decision.reference,
            decided_on=decision.decided_on.isoformat(),
        )
        for addendum in addenda:
            _dispose(addendum, due=due, fields=["text"], today=today, by=by, decision=decision.reference)
        for review in reviews:
            _dispose(review, due=due, fields=["comments"], today=today, by=by, decision=decision.reference)
        return decision


def record_tombstone(*, due: Due, by=None) -> models.Model:
    """Erase one consent record or competence assessment past retention to its tombstone."""
    today = _today()
    model = type(due.record)
    with transaction.atomic():
        record = model.objects.select_for_update().select_related("child").get(pk=due.record.pk)
        if record.tombstoned_at is not None or record.child.legal_hold:
            return record
        with disable_auditlog():
            _blank(record, model.ERASED_FIELDS)
            record.tombstoned_at = timezone.now()
            record.tombstone_reason = due.reason(today)
            record.save()
        _dispose(record, due=due, fields=model.ERASED_FIELDS, today=today, by=by)
        return record


def child_tombstone(*, due: Due, by=None) -> Child:
    """Erase a child of whom nothing is held any longer: their name and NHS number, each agency's
    reference for them, and every personal value about them in the audit trail."""
    today = _today()
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=due.record.pk)
        if child.tombstoned_at is not None or child.legal_hold:
            return child
        with disable_auditlog():
            _blank(child, Child.ERASED_FIELDS)
            child.tombstoned_at = timezone.now()
            child.tombstone_reason = due.reason(today)
            child.save()
            for link in ChildAgency.objects.filter(child=child).exclude(local_reference=""):
                link.local_reference = ""
                link.save(update_fields=["local_reference"])
        erased = erasure.erase_values(child_id=child.pk)
        record_event(
            Event.RECORD_DISPOSED,
            child,
            actor=by,
            label=f"child {child.pk}",
            detail={
                "agreement": due.rule.agreement.title,
                "retention_years": due.rule.years,
                "retention_ended": due.rule.ended.isoformat(),
                "erased_on": today.isoformat(),
                "fields_erased": [*Child.ERASED_FIELDS, "local_reference"],
                "values_erased_from_the_trail": erased,
            },
        )
        return child


ERASERS = {
    Decision: decision_tombstone,
    ConsentRecord: record_tombstone,
    CompetenceAssessment: record_tombstone,
    Child: child_tombstone,
}


def erase(due: Due, *, by=None) -> models.Model:
    return ERASERS[type(due.record)](due=due, by=by)


def apply_retention(*, by=None, dry_run: bool = False, report=None) -> list[Due]:
    """Erase everything past retention, phase by phase, so that a consent record a decision held on
    to, and then the child, are erased in the same run. ``report(due)`` is told of each first.
    A dry run lists only what is due now (what erasing it would release is not listed)."""
    done = []
    for phase in PHASES:
        for due in phase():
            if report is not None:
                report(due)
            if not dry_run:
                erase(due, by=by)
            done.append(due)
    return done
