"""The decision log: one share / no-share decision about one child by one practitioner.

A decision is a draft while its author answers the questions; once submitted it
is locked for ever (``Decision.save`` refuses any change to what was decided)
and only its review state moves on. Corrections are addenda, appended and
attributed. Reviews are appended too, so who did what and why is never lost.
"""

from datetime import date

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import dateformat, timezone

from accounts.permissions import Perm, roles_with
from audit import erasure, seals
from consent.models import ConsentStatus
from isa_portal.vocabulary import (
    Article6Basis,
    Article9Condition,
    IdentityMethod,
    IdentityOutcome,
    Schedule8Condition,
    SharingPurpose,
    WrittenConfirmation,
)


class DecisionLocked(Exception):
    """Something tried to change what a submitted decision records."""


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    RETURNED = "returned", "Returned with comments"
    ENDORSED = "endorsed", "Endorsed"
    ESCALATED = "escalated", "Escalated: professional disagreement"
    RESOLVED = "resolved", "Disagreement resolved"


SUBMITTED_STATUSES = frozenset(Status.values) - {Status.DRAFT}
WAITING_FOR_LEAD = frozenset({Status.AWAITING_REVIEW, Status.ESCALATED})


class Outcome(models.TextChoices):
    SHARE = "share", "Share"
    SHARE_IN_PART = "share_in_part", "Share in part"
    DO_NOT_SHARE = "do_not_share", "Do not share"


SHARING_OUTCOMES = frozenset({Outcome.SHARE, Outcome.SHARE_IN_PART})


class ConsentPosition(models.TextChoices):
    """How consent stands on the decision as recorded (DOMAIN.md, "consent position")."""

    CONSENT_GIVEN = "consent_given", "Shared with consent"
    WITHOUT_CONSENT = "without_consent", "Shared without consent"
    NOT_NEEDED = "not_needed", "Consent not needed: not identifiable or not confidential"
    NOT_SHARED = "not_shared", "Not shared"


REFUSALS = frozenset({ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN})


class RequestMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    LETTER = "letter", "Letter or form"
    OWN_INITIATIVE = "own_initiative", "No request: I decided to share on my own initiative"


class ShareMethod(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    PHONE = "phone", "Phone"
    MEETING = "meeting", "In a meeting"
    SECURE_PORTAL = "secure_portal", "Secure portal or case system"
    POST = "post", "Post"


class SourceAgreed(models.TextChoices):
    AGREED = "agreed", "Yes, the agency that provided it agreed"
    REFUSED = "refused", "No, the agency that provided it did not agree"
    NOT_ASKED = "not_asked", "It was not possible to ask in time"


class AdviceSource(models.TextChoices):
    """Whom a practitioner asked (Information sharing: advice for practitioners, 2024, golden rule 4:
    seek advice promptly from your manager, safeguarding lead, data protection officer or, for health
    and care information, Caldicott guardian)."""

    LEAD = "lead", "A safeguarding lead"
    MANAGER = "manager", "My manager"
    DPO = "dpo", "A data protection officer"
    CALDICOTT = "caldicott", "A Caldicott guardian"
    OTHER = "other", "Someone else"


class OnwardDisclosure(models.TextChoices):
    """The sharing agency's condition on the recipient passing the information on (the originator's
    answer, which a later decision passing it on meets: ``decisions.rules.originator_refused``)."""

    ALLOWED = "allowed", "Yes, they may pass it on to others who need it to protect the child"
    REFUSED = "refused", "No, not without asking us first"


class ReviewAction(models.TextChoices):
    ENDORSE = "endorse", "Endorse and countersign"
    RETURN = "return", "Return to the practitioner with comments"
    ESCALATE = "escalate", "Escalate as a professional disagreement"
    RESOLVE = "resolve", "Resolve the disagreement"


class EscalationTier(models.TextChoices):
    """The rungs of the escalation ladder (decisions.rules.escalation_tier)."""

    AGENCY = "agency", "Another safeguarding lead of the agency"
    PARTNERSHIP = "partnership", "The partnership's designated safeguarding lead"


class EscalationOutcome(models.TextChoices):
    """How a professional disagreement ended: recorded apart from any countersignature."""

    UPHELD = "upheld", "Decision upheld: it stands as recorded"
    OVERTURNED = "overturned", "Decision overturned: it should not stand, and a new decision is needed"
    AGREED = "agreed", "Resolved by agreement between those involved"


# What the lists of decisions show (decisions/_decision_rows.html, _queue_table.html).
LIST_FIELDS = (
    "reference",
    "status",
    "created",
    "updated",
    "submitted_at",
    "purpose",
    "outcome",
    "consent_status",
    "originator_refused",  # with the outcome and consent: whether it needs a countersignature
    "agency_id",
    "created_by_id",
    "practitioner_name",
    "child__given_name",
    "child__family_name",
    # A tombstone says so in the list, and an erased child is named as one (decisions.retention).
    "tombstoned_at",
    "child__tombstoned_at",
)


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DecisionQuerySet":
        """Submitted decisions of the user's agency (all agencies if partnership-wide), and own drafts.

        Admins and anyone without child-record access see none.
        """
        if not user.is_authenticated or not user.can(Perm.VIEW_CHILD_RECORDS):
            return self.none()
        if user.can(Perm.REVIEW_PARTNERSHIP_TIER):
            return self.partnership_tier()
        own_or_submitted = ~Q(status=Status.DRAFT) | Q(created_by_id=user.pk)
        if user.partnership_wide:
            return self.filter(own_or_submitted)
        return self.filter(own_or_submitted, agency_id=user.agency_id)

    def for_lists(self) -> "DecisionQuerySet":
        """Only what the list pages show (of some seventy columns), with the child's name:
        a quarter of the work of building each row."""
        return self.select_related("child").only(*LIST_FIELDS)

    def submitted(self) -> "DecisionQuerySet":
        return self.exclude(status=Status.DRAFT)

    def waiting_for_review(self) -> "DecisionQuerySet":
        return self.filter(status__in=WAITING_FOR_LEAD)

    def review_queue_for(self, user) -> "DecisionQuerySet":
        """The lead's queue: their own agency's decisions waiting for a lead, longest waiting first.

        The partnership's designated lead's queue is what waits at the partnership tier.
        """
        if not user.is_authenticated:
            return self.none()
        if user.can(Perm.REVIEW_PARTNERSHIP_TIER):
            return self.visible_to(user).waiting_for_review().order_by("submitted_at", "id")
        if not user.can(Perm.REVIEW_DECISION):
            return self.none()
        return (
            self.visible_to(user)
            .filter(agency_id=user.agency_id)
            .waiting_for_review()
            .order_by("submitted_at", "id")
        )

    def partnership_tier(self) -> "DecisionQuerySet":
        """Submitted decisions the partnership's designated lead answers for: those escalated past the
        agency's leads, and those of an agency with no lead but the author (so that a sole lead's
        own decisions can be reviewed, and a disagreement there can go somewhere)."""
        from django.contrib.auth import get_user_model

        another_lead = (
            get_user_model()
            .objects.filter(
                agency_id=OuterRef("agency_id"),
                is_active=True,
                role_approved=True,  # a lead waiting for approval (accounts.grants) reviews nothing yet
                role__in=roles_with(Perm.REVIEW_DECISION),
            )
            .exclude(pk=OuterRef("created_by_id"))
        )
        escalated_up = DecisionReview.objects.filter(
            decision_id=OuterRef("pk"), escalated_to=EscalationTier.PARTNERSHIP
        )
        return self.submitted().filter(Exists(escalated_up) | ~Exists(another_lead))

    # Bulk writes skip ``save`` (the lock) and the audit trail: decisions change one at a time.
    def update(self, **kwargs):
        raise DecisionLocked("Decisions change only through decisions.services, one at a time.")

    def delete(self):
        raise DecisionLocked("Decisions are never deleted.")


class ReferenceCounter(models.Model):
    """The last reference number given in a year: locked while a decision is submitted."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"ISD-{self.year}: {self.last_number}"


class Decision(models.Model):
    # Who decided, and the snapshot of their agency and role at the moment of decision.
    # No index of their own for agency, created_by and child: the composite indexes below lead
    # with them, and every index is one more write per decision.
    agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.PROTECT, related_name="decisions", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions", db_index=False
    )
    practitioner_name = models.CharField(max_length=150, blank=True)
    practitioner_job_title = models.CharField(max_length=150, blank=True)
    practitioner_role = models.CharField(max_length=20, blank=True)
    agency_name = models.CharField(max_length=200, blank=True)
    child = models.ForeignKey(
        "consent.Child", on_delete=models.PROTECT, related_name="decisions", db_index=False
    )
    # The child as they were when the decision was submitted: the record says whom it was about
    # then, even after the child's record is corrected (a name, a newly known NHS number).
    # Blank on drafts and on decisions submitted before it was kept (the record then reads the
    # child's details as they are now, and says so).
    submitted_child_name = models.CharField(
        "child's name at submission", max_length=201, blank=True
    )
    submitted_child_date_of_birth = models.DateField(
        "child's date of birth at submission", null=True, blank=True
    )
    submitted_child_nhs_number = models.CharField(
        "child's NHS number at submission", max_length=10, blank=True
    )
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    creation_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    reconsiders = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reconsiderations"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    # The request
    requester_name = models.CharField(max_length=150, blank=True)
    requester_role = models.CharField(max_length=150, blank=True)
    requester_agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request_method = models.CharField(max_length=20, choices=RequestMethod.choices, blank=True)
    request_received_on = models.DateField(null=True, blank=True)
    identity_check = models.TextField("more about the identity check", blank=True)
    identity_method = models.CharField(
        "how identity and entitlement were checked", max_length=20, choices=IdentityMethod.choices, blank=True
    )
    identity_checked_against = models.CharField("what it was checked against", max_length=150, blank=True)
    identity_outcome = models.CharField(
        "outcome of the identity check", max_length=20, choices=IdentityOutcome.choices, blank=True
    )
    written_confirmation = models.CharField(
        "request confirmed in writing", max_length=20, choices=WrittenConfirmation.choices, blank=True
    )

    # The purpose
    purpose = models.CharField(max_length=30, choices=SharingPurpose.choices, blank=True)
    purpose_detail = models.TextField(blank=True)
    # Worked out (decisions.rules.sexual_activity_under_13): the information categories and the
    # child's age when the events happened. Asked directly of decisions recorded before that.
    sexual_activity_under_13 = models.BooleanField(null=True, blank=True)
    events_on = models.DateField("when the events happened", null=True, blank=True)
    # Kinds of information shared or asked for (consent.models.InformationCategory): health and sexual
    # health are special category information, which needs an Article 9 (or Schedule 8) condition.
    information_categories = models.JSONField("kinds of information", default=list, blank=True)

    # The national flowchart
    clear_purpose = models.BooleanField(null=True, blank=True)
    identifies_person = models.BooleanField(null=True, blank=True)
    confidential = models.BooleanField(null=True, blank=True)
    # The flowchart questions first answered "I am not sure" (names, space-separated): each routed
    # the practitioner to advice before they answered it (decisions.journeys).
    unsure_about = models.CharField(
        "questions first answered 'not sure'", max_length=100, blank=True, default="", db_default=""
    )
    consent_status = models.CharField(max_length=20, choices=ConsentStatus.choices, blank=True)
    consent_record = models.ForeignKey(
        "consent.ConsentRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    competence_assessment = models.ForeignKey(
        "consent.CompetenceAssessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The Gillick/Fraser assessment the consent relied on, when the child was asked.",
    )
    other_reasons = models.JSONField(default=list, blank=True)
    proposed_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    departure_reason = models.TextField(blank=True)
    consent_position = models.CharField(max_length=20, choices=ConsentPosition.choices, blank=True)
    override_reason = models.TextField("reason for overriding the refusal of consent", blank=True)

    # The mandatory referral (sexual activity involving a child under 13)
    referral_agency = models.ForeignKey(
        "agreements.Agency",
        verbose_name="referred to",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referral_made_on = models.DateField("referred on", null=True, blank=True)
    referral_reference = models.CharField("their reference for the referral", max_length=100, blank=True)

    # Sharing without consent
    grounds = models.JSONField(default=list, blank=True)
    harm_if_shared = models.TextField("what might happen if the information is shared", blank=True)
    harm_if_not_shared = models.TextField("what might happen if it is not shared", blank=True)

    # Lawful basis
    article6_basis = models.CharField(max_length=40, choices=Article6Basis.choices, blank=True)
    article9_condition = models.CharField(max_length=20, choices=Article9Condition.choices, blank=True)
    # A competent authority sharing for law enforcement: DPA 2018 Part 3 (and a Schedule 8
    # condition for sensitive information) instead of Articles 6 and 9.
    law_enforcement = models.BooleanField(
        "shared for law enforcement (DPA 2018 Part 3)", null=True, blank=True
    )
    schedule8_condition = models.CharField(
        "Schedule 8 condition", max_length=20, choices=Schedule8Condition.choices, blank=True
    )

    # Advice
    advice_sought = models.BooleanField(null=True, blank=True)
    advice_from = models.CharField(max_length=150, blank=True)
    advice_role = models.CharField(max_length=150, blank=True)
    advice_given = models.TextField(blank=True)
    advice_source = models.CharField(
        "whom advice was sought from",
        max_length=20,
        choices=AdviceSource.choices,
        blank=True,
        default="",
        db_default="",
    )
    advice_on = models.DateField("when advice was given", null=True, blank=True)

    # Sharing in part: what was held back, and why (advice for practitioners, 2024, golden rule 6).
    withheld_information = models.TextField("what was withheld", blank=True, default="", db_default="")
    withheld_reason = models.TextField("why it was withheld", blank=True, default="", db_default="")

    # A reconsideration: what the requester has brought that the earlier decision did not have
    # (advice for practitioners, 2024, golden rule 7).
    new_information = models.TextField(
        "new information since the earlier decision", blank=True, default="", db_default=""
    )

    # What is shared, with whom, how and when
    information_shared = models.TextField(blank=True)
    recipient_agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_name = models.CharField(max_length=150, blank=True)
    recipient_role = models.CharField(max_length=150, blank=True)
    share_method = models.CharField(max_length=20, choices=ShareMethod.choices, blank=True)
    shared_on = models.DateField(null=True, blank=True)
    confirmed_in_writing = models.BooleanField(null=True, blank=True)
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    no_agreement_acknowledged = models.BooleanField(default=False)
    no_agreement_reason = models.TextField(blank=True)
    # What covered the share, or every reason nothing did, in words, as it stood when it was recorded
    # (agreements.selectors.cover_check): the record says it plainly, whatever changes later.
    cover_note = models.TextField("agreement cover", blank=True, default="", db_default="")

    # Openness, protected identities, onward disclosure
    family_told = models.BooleanField(null=True, blank=True)
    family_not_told_reason = models.TextField(blank=True)
    protected_identities = models.TextField(blank=True)
    from_other_agency = models.BooleanField(null=True, blank=True)
    source_agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_agency_agreed = models.CharField(max_length=20, choices=SourceAgreed.choices, blank=True)
    # The originator refused onward disclosure (said so here, or recorded it on its own decision
    # sharing with this agency): the share needs a reason and a lead's countersignature.
    originator_refused = models.BooleanField(default=False, db_default=False)
    onward_override_reason = models.TextField(
        "reason for passing on information its originator refused to have passed on",
        blank=True,
        default="",
        db_default="",
    )
    # This agency's own condition, as originator, on the recipient passing the information on.
    onward_disclosure = models.CharField(
        "may the recipient pass it on",
        max_length=10,
        choices=OnwardDisclosure.choices,
        blank=True,
        default="",
        db_default="",
    )

    # Not sharing (Children Act 2004 s16LA)
    no_share_detriment = models.TextField(
        "why sharing would be more detrimental to the child than not sharing", blank=True
    )

    # Review
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)

    # Retention (decisions.retention): a legal hold stops erasure; a tombstone is what is left after it.
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(blank=True)
    tombstoned_at = models.DateTimeField(null=True, blank=True)
    tombstone_reason = models.TextField(blank=True)

    objects = DecisionQuerySet.as_manager()

    # What may still change once a decision is submitted: where its review stands, and its legal hold.
    REVIEW_FIELDS = frozenset(
        {"status", "countersigned_by", "countersigned_at", "updated", "legal_hold", "legal_hold_reason"}
    )
    # The free text retention blanks when the retention period ends (the database trigger's list too).
    ERASED_FIELDS = (
        "requester_name",
        "requester_role",
        "identity_check",
        "purpose_detail",
        "departure_reason",
        "override_reason",
        "harm_if_shared",
        "harm_if_not_shared",
        "advice_from",
        "advice_role",
        "advice_given",
        "information_shared",
        "recipient_name",
        "recipient_role",
        "no_agreement_reason",
        "family_not_told_reason",
        "protected_identities",
        "no_share_detriment",
        "onward_override_reason",
        # The child as they were at submission: erased with the record (decisions 0012's trigger).
        "submitted_child_name",
        "submitted_child_date_of_birth",
        "submitted_child_nhs_number",
        # The guided decision (decisions 0013's trigger).
        "withheld_information",
        "withheld_reason",
        "new_information",
    )
    TOMBSTONE_FIELDS = frozenset({"tombstoned_at", "tombstone_reason"})

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            # The partnership-wide log and the export of all decisions, newest first.
            models.Index(fields=["created", "id"], name="decision_created"),
            models.Index(fields=["agency", "created", "id"], name="decision_agency_created"),
            models.Index(fields=["agency", "outcome", "created", "id"], name="decision_agency_outcome"),
            models.Index(fields=["agency", "status", "created", "id"], name="decision_agency_status"),
            models.Index(
                fields=["agency", "consent_position", "created", "id"], name="decision_agency_consent"
            ),
            models.Index(fields=["agency", "article6_basis", "created", "id"], name="decision_agency_basis"),
            models.Index(fields=["agency", "created_by", "created", "id"], name="decision_agency_author"),
            models.Index(fields=["child", "created", "id"], name="decision_child_created"),
            models.Index(fields=["created_by", "created", "id"], name="decision_author_created"),
            # The review queue, longest waiting first: only the decisions waiting for a lead.
            models.Index(
                fields=["agency", "submitted_at", "id"],
                name="decision_waiting",
                condition=Q(status__in=sorted(WAITING_FOR_LEAD)),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft decision {self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:  # an instance built by hand with a pk would update the row too
            self._refuse_change_once_submitted(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DecisionLocked("Decisions are never deleted: they are part of the record.")

    @property
    def draft_name(self) -> str:
        """How a draft is named to the person picking it up: the child, the purpose, the day it began."""
        purpose = self.get_purpose_display() if self.purpose else "purpose not chosen yet"
        started = dateformat.format(timezone.localtime(self.created), "j M Y")
        return f"{self.child}, {purpose[:1].lower()}{purpose[1:]}, started {started}"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_sharing(self) -> bool:
        return self.outcome in SHARING_OUTCOMES

    @property
    def unsure_questions(self) -> list[str]:
        return self.unsure_about.split()

    @property
    def mandatory_referral(self) -> bool:
        """Evidence of sexual activity of a child under 13: must go to social care or the police."""
        return bool(self.sexual_activity_under_13)

    @property
    def overrides_refusal(self) -> bool:
        return self.is_sharing and self.consent_status in REFUSALS

    @property
    def overrides_onward_refusal(self) -> bool:
        return self.is_sharing and self.originator_refused

    @property
    def requires_countersignature(self) -> bool:
        """A share against a refusal of consent, or of onward disclosure by the information's originator."""
        return self.overrides_refusal or self.overrides_onward_refusal

    @property
    def is_complete(self) -> bool:
        """Submitted, and countersigned by a lead where the decision needs it."""
        if self.is_draft:
            return False
        return not self.requires_countersignature or self.countersigned_at is not None

    @property
    def child_as_submitted(self) -> dict | None:
        """The child's name, date of birth and NHS number as the decision recorded them at submission;
        None for a draft (its child may still change) or a decision from before they were kept."""
        if self.is_draft or not self.submitted_child_name:
            return None
        return {
            "name": self.submitted_child_name,
            "date_of_birth": self.submitted_child_date_of_birth,
            "nhs_number": self.submitted_child_nhs_number,
        }

    @property
    def decided_on(self) -> date:
        return timezone.localdate(self.submitted_at or self.created)

    def _refuse_change_once_submitted(self, update_fields) -> None:
        """The one rule every path passes through: what a submitted decision records never changes."""
        stored = type(self)._base_manager.filter(pk=self.pk).values().first()
        if stored is None or stored["status"] == Status.DRAFT:
            return
        # Retention's one way in: the tombstone is set and the erased free text only blanked.
        tombstoning = stored["tombstoned_at"] is None and self.tombstoned_at is not None
        for field in self._meta.concrete_fields:
            if field.name in self.REVIEW_FIELDS:
                continue
            if tombstoning and field.name in self.TOMBSTONE_FIELDS:
                continue
            blanked = getattr(self, field.attname) in ("", None)
            if tombstoning and field.name in self.ERASED_FIELDS and blanked:
                continue
            if update_fields is not None and field.name not in update_fields:
                continue
            if getattr(self, field.attname) != stored[field.attname]:
                raise DecisionLocked(
                    f"{self} was submitted and cannot be changed ({field.name}); add an addendum instead."
                )


class AppendOnly(models.Model):
    """Addenda and reviews are appended, never changed or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise DecisionLocked(f"A {self._meta.verbose_name} cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DecisionLocked(f"A {self._meta.verbose_name} cannot be deleted.")


class DecisionAddendum(AppendOnly):
    ERASED_FIELDS = ("text",)

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150)
    author_role = models.CharField(max_length=20)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = "addendum"
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.decision} by {self.author_name}"

    @property
    def audit_agency_id(self) -> int:
        return self.decision.agency_id


class DecisionReview(AppendOnly):
    ERASED_FIELDS = ("comments",)

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(max_length=20, choices=ReviewAction.choices)
    comments = models.TextField(blank=True)
    # An escalation names the rung it went to; a resolution names how it ended.
    escalated_to = models.CharField(
        "escalated to", max_length=20, choices=EscalationTier.choices, blank=True, db_default=""
    )
    outcome = models.CharField(
        "how the disagreement ended",
        max_length=20,
        choices=EscalationOutcome.choices,
        blank=True,
        db_default="",
    )
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField(max_length=150)
    reviewer_job_title = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = "review"

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.decision} by {self.reviewer_name}"

    @property
    def audit_agency_id(self) -> int:
        return self.decision.agency_id


auditlog.register(Decision)
auditlog.register(DecisionAddendum)
auditlog.register(DecisionReview)
auditlog.register(ReferenceCounter)

# Sealed as submitted or written (audit.seals): a decision keeps its review state and legal hold
# out of its seal, as its lock does; reviews and addenda never change.
seals.register(
    Decision,
    where=~Q(status=Status.DRAFT),
    unsealed=Decision.REVIEW_FIELDS | Decision.TOMBSTONE_FIELDS,
    label=lambda values: f"decision {values['reference']}",
    label_fields=["reference"],
)
seals.register(
    DecisionReview,
    label=lambda values: f"review {values['id']} of decision {values['decision__reference']}",
    label_fields=["decision__reference"],
)
seals.register(
    DecisionAddendum,
    label=lambda values: f"addendum {values['id']} to decision {values['decision__reference']}",
    label_fields=["decision__reference"],
)

# Personal text kept out of the chain as salted commitments (audit.erasure), so that retention can
# erase it from the trail too.
erasure.register(Decision)
erasure.register(DecisionAddendum, child_of=lambda addendum: addendum.decision.child_id)
erasure.register(DecisionReview, child_of=lambda review: review.decision.child_id)
