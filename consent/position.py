"""Where consent stands: every consent record of a child, read against one share or as it stands today.

One function, ``consent_position``, answers the decision journey (the consent page), the decision
services (looked up again when a page is saved and at submission) and the child page (the summary
at its top). Sources, each rule citing its own below:

- UK GDPR Article 4(11) and Article 7: consent is specific to what it covers (which information,
  with whom, for what purpose, until when); consent for something else is not consent for this share,
  and a withdrawal ends it.
- Gillick v West Norfolk and Wisbech AHA [1985] UKHL 7 and the Derby and Derbyshire practitioner
  guidance ("Whose consent should be sought?"): a competent child's own decision about their
  information is theirs; a parent's consent does not override a competent child's refusal. Only a
  decision to share without consent in the child's best interests, on the grounds for sharing
  without consent, with a reason and a safeguarding lead's countersignature, gets past it
  (Information sharing: advice for practitioners, 2024, golden rules 3 and 7).
- Information sharing: advice for practitioners (2024), golden rule 7: a refusal is part of the
  record; it never disappears because it was recorded for another purpose.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Prefetch, prefetch_related_objects

from consent.models import Child, ConsentAsked, ConsentRecord, ConsentStatus, InformationCategory
from isa_portal.rows import rows_of
from isa_portal.vocabulary import SharingPurpose
from isa_portal.web import long_date

REFUSING = frozenset({ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN})


@dataclass(frozen=True)
class Share:
    """What is being shared, with whom, for what. ``recipient`` None: not chosen yet (any agency);
    ``information_categories`` None: not known yet (not checked)."""

    purpose: str
    recipient: object | None = None
    information_categories: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Bearing:
    """One consent record, and what it means for the share (or for the child today), in words."""

    record: ConsentRecord
    counts: bool  # it is (part of) the consent position: it decides the share, or stands today
    why: str

    @property
    def competent_child(self) -> bool:
        return self.record.asked == ConsentAsked.CHILD

    @property
    def who(self) -> str:
        return self.record.asked_label

    @property
    def for_what(self) -> str:
        return _purpose_label(self.record.purpose)

    @property
    def information(self) -> str:
        return _categories_text(self.record.information_categories)

    @property
    def with_whom(self) -> str:
        return ", ".join(recipient_names(self.record))

    @property
    def until(self) -> str:
        return long_date(self.record.valid_until) if self.record.valid_until else "No end date recorded"

    @property
    def assessment(self) -> str:
        """The competence assessment a child's own answer rests on, in words ('' for a parent's)."""
        assessment = self.record.assessment
        if assessment is None:
            return ""
        return (
            f"{assessment.get_outcome_display()} ({assessment.get_matter_display().lower()}), assessed on "
            f"{long_date(assessment.assessed_on)} at age {assessment.age_at_assessment}"
        )


@dataclass(frozen=True)
class Position:
    """``status`` a ``ConsentStatus`` (``NONE`` where nothing applies); ``record`` the one that decides;
    ``bearings`` every record of the child, oldest first, each with why it counts or does not."""

    status: str
    record: ConsentRecord | None
    bearings: tuple[Bearing, ...] = field(default=())
    competent_child_refused: bool = False

    @property
    def counting(self) -> list[Bearing]:
        return [bearing for bearing in self.bearings if bearing.counts]

    @property
    def not_counting(self) -> list[Bearing]:
        return [bearing for bearing in self.bearings if not bearing.counts]

    @property
    def standing(self) -> list[Bearing]:
        """What the child page lists, newest first: each consent and refusal that stands today, and any
        parent's consent that a competent child's refusal stops from counting."""
        shown = [b for b in self.bearings if b.counts or b.why.startswith("Does not count")]
        return shown[::-1]


def _purpose_label(value: str) -> str:
    return dict(SharingPurpose.choices).get(value, value)


def _categories_text(values: Iterable[str]) -> str:
    labels = dict(InformationCategory.choices)
    return "; ".join(labels.get(value, value) for value in values)


def child_records(child: Child, on: date) -> list[ConsentRecord]:
    """Every consent record of the child made by ``on``, of every agency (consent is the child's or the
    family's, not an agency's), oldest first, in two queries; from ``with_every_record``'s read
    when the child has one."""
    prefetched = getattr(child, "_prefetched_objects_cache", {}).get("consents")
    if prefetched is not None:
        return [record for record in prefetched if record.given_on <= on]
    return list(
        ConsentRecord.objects.filter(child=child, given_on__lte=on)
        .select_related("assessment", "child")
        .prefetch_related("recipients")
        .order_by("given_on", "created_at", "id")
    )


def with_every_record(child: Child) -> Child:
    """Read every consent record of the child once, oldest first, with what both the consent summary
    (``child_records``) and the chronology (``consent.sources``) show of each: the child page's two
    reads of the same rows made one. The agencies each record names come in the same query
    (``isa_portal.rows``), as ``recipient_ids`` and ``recipient_names``, not in a prefetch of their own."""
    prefetch_related_objects([child], Prefetch("consents", queryset=_every_record()))
    for record in child.consents.all():
        # In the agencies' own order (Agency.Meta.ordering: by name), as the prefetch gave them.
        agencies = sorted(record.recipient_rows or (), key=lambda row: (row[1], row[0]))
        record.recipient_ids = [agency_id for agency_id, _ in agencies]
        record.recipient_names = [name for _, name in agencies]
    return child


@functools.cache
def _every_record():
    """The consent records' query for ``with_every_record``: built once (its subquery cost as much to
    build as to run), narrowed to the child by each prefetch, never evaluated itself."""
    recipients = ConsentRecord.recipients.through.objects.filter(consentrecord=OuterRef("pk"))
    return (
        ConsentRecord.objects.select_related("assessment", "agency", "recorded_by")
        .annotate(recipient_rows=rows_of(recipients, ("agency_id", "agency__name")))
        .order_by("given_on", "created_at", "id")
    )


def recipient_names(record) -> list[str]:
    """The names of the agencies a record names: ``recipient_names`` where read with the record
    (``with_every_record``), else the prefetched ``recipients``."""
    names = getattr(record, "recipient_names", None)
    return names if names is not None else [agency.name for agency in record.recipients.all()]


def _recipient_ids(record) -> set[int]:
    """The agencies a record names: ``recipient_ids`` where the caller has them (``with_every_record``,
    the volume generator's rows), else the prefetched ``recipients``."""
    ids = getattr(record, "recipient_ids", None)
    return set(ids) if ids is not None else {agency.pk for agency in record.recipients.all()}


def _pk(agency) -> int:
    return agency if isinstance(agency, int) else agency.pk


def _out_of_scope(record: ConsentRecord, share: Share) -> list[str]:
    """How consent given falls short of this share (UK GDPR Article 4(11): consent is specific)."""
    gaps = []
    if record.matter != "information_sharing":
        gaps.append(f"it is about {record.get_matter_display().lower()}, not sharing information")
    if record.purpose != share.purpose:
        gaps.append(
            f"it was given for {_purpose_label(record.purpose).lower()}, not for "
            f"{_purpose_label(share.purpose).lower()}"
        )
    recipients = _recipient_ids(record)
    if share.recipient is not None and _pk(share.recipient) not in recipients:
        gaps.append(f"it does not include {share.recipient}")
    if share.information_categories is not None:
        missing = [c for c in share.information_categories if c not in record.information_categories]
        if missing:
            gaps.append(f"it does not cover {_categories_text(missing).lower()}")
    return gaps


def _refusal_touches(record: ConsentRecord, share: Share) -> str:
    """Why a refusal bears on this share whatever purpose it was recorded for, or '' if it does not:
    it refused sharing with this recipient, or sharing some of this information (beyond name and address)."""
    recipients = _recipient_ids(record)
    if share.recipient is None:
        return "the recipient is not chosen yet, so a refusal recorded for any agency counts"
    if _pk(share.recipient) in recipients:
        reason = f"it refused sharing with {share.recipient}"
    else:
        # Name and address go with almost every share: a refusal touching only those is about other
        # information, and is shown, but does not count against this share.
        common = [
            c
            for c in (share.information_categories or ())
            if c in record.information_categories and c != InformationCategory.IDENTITY
        ]
        if not common:
            return ""
        reason = f"it refused sharing {_categories_text(common).lower()}"
    if record.purpose != share.purpose:
        reason += (
            f" (recorded for {_purpose_label(record.purpose).lower()}: a refusal stands whatever the purpose "
            "it was recorded for)"
        )
    return reason


def consent_position(*, child: Child, on: date, share: Share | None = None, records=None) -> Position:
    """Where consent stands for ``share`` on ``on``, from every consent record of the child; with no
    share, what stands for the child today (each current consent and refusal, for the child page).

    - Consent given counts only when it covers this share: information sharing, this purpose, this
      recipient, all of this information, on this date, and not withdrawn.
    - A refusal or withdrawal counts when it refused this recipient or some of this information,
      whatever purpose it was recorded for, until a later consent that counts supersedes it.
    - A competent child's refusal (their own answer, resting on a "competent" Gillick or Fraser
      assessment) is superseded only by the child's own later consent: a parent's consent recorded
      after it does not count.
    - "Not sought" counts for its own purpose and recipients, but never sets aside a refusal.
    The latest record that counts gives the position. ``records``: ``child_records`` if read already
    (or rows read like them, oldest first and made by ``on``, as the volume generator passes).
    """
    records = child_records(child, on) if records is None else records
    withdrawals = {r.withdraws_id: r for r in records if r.withdraws_id}
    why: dict[int, str] = {}
    candidates: list[ConsentRecord] = []
    for record in records:
        lapsed = record.valid_until is not None and record.valid_until < on
        if record.answer == ConsentStatus.GIVEN and record.pk in withdrawals:
            why[record.pk] = f"Withdrawn on {long_date(withdrawals[record.pk].given_on)}"
        elif lapsed:
            why[record.pk] = f"Lasted until {long_date(record.valid_until)}"
        elif share is None:
            candidates.append(record)
        elif record.answer == ConsentStatus.GIVEN:
            gaps = _out_of_scope(record, share)
            if gaps:
                why[record.pk] = "Not consent for this share: " + "; ".join(gaps)
            else:
                candidates.append(record)
        elif record.answer in REFUSING:
            touches = _refusal_touches(record, share)
            if touches:
                why[record.pk] = f"Counts against this share: {touches}"
                candidates.append(record)
            else:
                why[record.pk] = (
                    "Does not bear on this share: it refused other information with other agencies"
                )
        else:  # not sought
            gaps = [g for g in _out_of_scope(record, share) if not g.startswith("it does not cover")]
            if gaps:
                why[record.pk] = "Not about this share: " + "; ".join(
                    g.replace("given", "recorded") for g in gaps
                )
            else:
                candidates.append(record)
    return _settle(records, candidates, why, share)


def _settle(records, candidates, why, share) -> Position:
    """Walk what counts in time order: the latest wins, except that nobody but the child sets aside a
    competent child's refusal, and "not sought" sets aside no refusal."""
    counts: set[int] = set()
    current: ConsentRecord | None = None
    child_refusal: ConsentRecord | None = None
    latest_by_scope: dict = {}
    for record in candidates:
        if record.answer in REFUSING:
            if record.asked == ConsentAsked.CHILD:
                child_refusal = record
            current = record
        elif record.answer == ConsentStatus.GIVEN:
            if child_refusal is not None and record.asked != ConsentAsked.CHILD:
                why[record.pk] = (
                    f"Does not count: {child_refusal.child} was assessed competent and refused on "
                    f"{long_date(child_refusal.given_on)}. A parent's consent does not override a "
                    "competent child's refusal; only a decision to share without consent in the child's "
                    "best interests, with your reasons and a safeguarding lead's countersignature, can"
                )
                continue
            if record.asked == ConsentAsked.CHILD:
                child_refusal = None
            current = record
        else:
            if current is not None and current.answer in REFUSING:
                why[record.pk] = (
                    f"Does not set aside the refusal of {long_date(current.given_on)}: "
                    "consent was not asked again"
                )
                continue
            current = record
        if share is None:
            # The same person's later answer about the same scope replaces their earlier one; an answer
            # about anything else (another agency, other information) leaves the earlier one standing.
            scope = (
                record.purpose,
                record.asked,
                record.parent_name,
                frozenset(_recipient_ids(record)),
                frozenset(record.information_categories),
            )
            latest_by_scope[scope] = record
    if share is None:
        # The child page: every record still standing, the latest of each person's answer per scope.
        counts = {record.pk for record in latest_by_scope.values()}
        for record in candidates:
            if record.pk not in counts and record.pk not in why:
                why[record.pk] = "Superseded by a later answer"
            elif record.pk in counts:
                why[record.pk] = "Stands today"
        if child_refusal is not None:
            counts.add(child_refusal.pk)
            why[child_refusal.pk] = "Stands today: a competent child's refusal, which only they can change"
    elif current is not None:
        counts = {current.pk}
        for record in candidates:
            if record.pk == current.pk:
                why[record.pk] = _deciding(record, why.get(record.pk, ""))
            elif record.pk not in why or why[record.pk].startswith("Counts against"):
                if record.answer in REFUSING and current.answer == ConsentStatus.GIVEN:
                    why[record.pk] = (
                        f"Set aside by the later consent of {current.asked_label} "
                        f"on {long_date(current.given_on)}"
                    )
                else:
                    why[record.pk] = f"Superseded by the later answer of {long_date(current.given_on)}"
    bearings = tuple(
        Bearing(record=record, counts=record.pk in counts, why=why.get(record.pk, "")) for record in records
    )
    status = ConsentStatus.NONE if current is None or share is None else current.answer
    return Position(
        status=status,
        record=current if share is not None else None,
        bearings=bearings,
        competent_child_refused=child_refusal is not None
        and (share is None or (current is not None and current.pk == child_refusal.pk)),
    )


def _deciding(record: ConsentRecord, touches: str) -> str:
    if record.answer == ConsentStatus.GIVEN:
        return "The consent position for this share: it covers this information, recipient and purpose"
    if record.answer in REFUSING:
        who = "A competent child's own refusal" if record.asked == ConsentAsked.CHILD else "A refusal"
        detail = touches.removeprefix("Counts against this share: ")
        return f"The consent position for this share. {who}: {detail}"
    return "The consent position for this share: consent was not sought, for the reason recorded"
