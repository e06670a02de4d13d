from datetime import date

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.permissions import Perm
from audit import erasure, seals
from consent.competence import (
    EXPECTED_COMPETENT_FROM_AGE,
    CompetenceOutcome,
    CriterionAnswer,
    Matter,
    criteria_for,
)
from consent.validators import validate_nhs_number
from isa_portal.vocabulary import ConsentNotSoughtReason, SharingPurpose
from isa_portal.web import long_date


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChildQuerySet":
        """Children about whom the user's agency holds a record (see ``ChildAgency``)."""
        if not user.is_authenticated or not user.can(Perm.VIEW_CHILD_RECORDS):
            return self.none()
        if user.partnership_wide:
            return self
        return self.filter(agency_links__agency_id=user.agency_id)


class Child(models.Model):
    """The data subject. Age is always computed from the date of birth, never stored."""

    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    date_of_birth = models.DateField()
    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        blank=True,
        validators=[validate_nhs_number],
        help_text="Ten digits, no spaces. Carried on every share when known (Children Act 2004 s16LA).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A legal hold (litigation, an inquiry, a serious case review) stops retention erasing
    # any decision about this child.
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(blank=True)
    # Erased under retention (decisions.retention) once nothing of theirs is held any longer: the
    # name and NHS number blanked, and why.
    tombstoned_at = models.DateTimeField(null=True, blank=True)
    tombstone_reason = models.TextField(blank=True, default="", db_default="")  # "" for bulk loaders too

    objects = ChildQuerySet.as_manager()

    ERASED_FIELDS = ("given_name", "family_name", "nhs_number")

    class Meta:
        verbose_name_plural = "children"
        ordering = ["family_name", "given_name", "date_of_birth"]
        indexes = [
            models.Index(fields=["nhs_number"], name="child_nhs_number"),
            models.Index(fields=["family_name", "given_name", "date_of_birth"], name="child_name_dob"),
        ]

    def __str__(self) -> str:
        return Child.name_from(self.pk, self.given_name, self.family_name, self.tombstoned_at)

    @staticmethod
    def name_from(pk: int, given_name: str, family_name: str, tombstoned_at) -> str:
        """A child's name as every page shows it, from its columns: for lists that read those
        without making each child a model."""
        if tombstoned_at is not None:
            return f"Child {pk} (erased)"
        return f"{given_name} {family_name}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.created_by.agency_id

    @property
    def full_name(self) -> str:
        return str(self)

    def age_on(self, on: date) -> int:
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class AgencyRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AgencyRecordQuerySet":
        """An agency's records about children: its own users, or partnership-wide IG officers."""
        if not user.is_authenticated or not user.can(Perm.VIEW_CHILD_RECORDS):
            return self.none()
        if user.partnership_wide:
            return self
        return self.filter(agency_id=user.agency_id)


def visible_record(record, user) -> bool:
    """``AgencyRecordQuerySet.visible_to`` for a record already read (the same rule, row by row)."""
    if not user.is_authenticated or not user.can(Perm.VIEW_CHILD_RECORDS):
        return False
    return user.partnership_wide or record.agency_id == user.agency_id


class ChildAgency(models.Model):
    """An agency holds a record about a child: it may see the child, under its own reference.

    A row is added by the service that writes any record about the child (creating
    the child, a consent, an assessment or a decision), never deleted.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="agency_links")
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="+")
    local_reference = models.CharField("agency reference", max_length=50, blank=True)
    since = models.DateTimeField(default=timezone.now)

    objects = AgencyRecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "agency"], name="child_agency_once"),
        ]
        indexes = [models.Index(fields=["agency", "child"], name="childagency_agency_child")]

    def __str__(self) -> str:
        return f"{self.agency} holds a record about {self.child}"


class CompetenceAssessment(models.Model):
    """Whether a child could decide one matter for themselves, judged against the source's criteria.

    ``answers`` maps each criterion key (``consent.competence``) to ``{"answer": yes|no|unsure,
    "note": str}``. The child's age on the day is kept as a snapshot of the assessment.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments")
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="+")
    matter = models.CharField(max_length=30, choices=Matter.choices)
    matter_detail = models.CharField("about the matter", max_length=500, blank=True)
    assessed_on = models.DateField("date of the assessment")
    age_at_assessment = models.PositiveSmallIntegerField(
        editable=False, help_text="The child's age on the day: a snapshot of the assessment."
    )
    answers = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=20, choices=CompetenceOutcome.choices)
    reason = models.TextField(
        "reason for the outcome",
        blank=True,
        help_text="Needed when a child under 12 is judged competent, or one of 12 or over is not.",
    )
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Erased under retention (decisions.retention): the text above blanked, and why.
    tombstoned_at = models.DateTimeField(null=True, blank=True)
    tombstone_reason = models.TextField(blank=True, default="", db_default="")  # "" for bulk loaders too

    objects = AgencyRecordQuerySet.as_manager()

    # The personal text retention erases (decisions.retention).
    ERASED_FIELDS = ("matter_detail", "answers", "reason")

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        indexes = [models.Index(fields=["child", "matter", "assessed_on"], name="assessment_child_matter")]

    def __str__(self) -> str:
        return f"Competence assessment of {self.child} on {long_date(self.assessed_on)}"

    @property
    def is_competent(self) -> bool:
        return self.outcome == CompetenceOutcome.COMPETENT

    def criteria(self):
        """Each criterion asked, with the answer and note given, in the order asked."""
        return [
            (
                criterion,
                self.answers.get(criterion.key, {}).get("answer", ""),
                self.answers.get(criterion.key, {}).get("note", ""),
            )
            for criterion in criteria_for(self.matter)
        ]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.assessed_on and self.assessed_on > today:
            errors["assessed_on"] = "The date of the assessment must be today or in the past"
        elif self.assessed_on and self.child_id and self.assessed_on < self.child.date_of_birth:
            errors["assessed_on"] = "The date of the assessment must be after the child was born"
        expected = {criterion.key for criterion in criteria_for(self.matter)}
        given = self.answers if isinstance(self.answers, dict) else {}
        valid = set(CriterionAnswer.values)
        if set(given) != expected or any(
            not isinstance(value, dict) or value.get("answer") not in valid or not isinstance(
                value.get("note", ""), str
            )
            for value in given.values()
        ):
            errors["answers"] = "Answer every question about the child's understanding"
        elif self.outcome == CompetenceOutcome.COMPETENT and any(
            value["answer"] != CriterionAnswer.YES for value in given.values()
        ):
            errors["outcome"] = (
                "You cannot record the child as competent while a criterion is not met or you are unsure"
            )
        if self.age_at_assessment is not None and not self.reason.strip():
            competent = self.outcome == CompetenceOutcome.COMPETENT
            if competent and self.age_at_assessment < EXPECTED_COMPETENT_FROM_AGE:
                errors["reason"] = "Explain why you judged a child under 12 to be competent"
            elif (
                self.outcome == CompetenceOutcome.NOT_COMPETENT
                and self.age_at_assessment >= EXPECTED_COMPETENT_FROM_AGE
            ):
                errors["reason"] = "Explain why you judged a child of 12 or over not to be competent"
        if errors:
            raise ValidationError(errors)


class InformationCategory(models.TextChoices):
    """Kinds of information a consent covers (and a decision shares)."""

    IDENTITY = "identity", "Name, date of birth, address and contact details"
    FAMILY = "family", "Family and household"
    HEALTH = "health", "Physical or mental health"
    EDUCATION = "education", "Education and attendance"
    SOCIAL_CARE = "social_care", "Social care involvement and assessments"
    CONCERNS = "concerns", "Safeguarding concerns and incidents"
    OFFENDING = "offending", "Police involvement or offending"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    SEXUAL_ACTIVITY = "sexual_activity", "Sexual activity, sexual abuse or sexual exploitation"


class ConsentStatus(models.TextChoices):
    """A consent record's answer; ``NONE`` is where no record applies (``consent_position``), which
    a decision records as what was found, and a consent record never holds."""

    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    NOT_SOUGHT = "not_sought", "Consent not sought"
    NONE = "none", "No consent recorded"


RECORDED_ANSWERS = [(value, label) for value, label in ConsentStatus.choices if value != ConsentStatus.NONE]


class ConsentAsked(models.TextChoices):
    CHILD = "child", "The child"
    PARENT = "parent", "A person with parental responsibility"


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video call"
    IN_WRITING = "in_writing", "In writing (letter, email or signed form)"


class ConsentRecord(models.Model):
    """What was asked of whom, and the answer: consent given, refused or withdrawn, or not sought.

    Never edited: a withdrawal is a new record pointing at the consent it withdraws.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consents")
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="+")
    # Scope: which information, with whom, for what, about which matter.
    purpose = models.CharField(max_length=30, choices=SharingPurpose.choices)
    matter = models.CharField(max_length=30, choices=Matter.choices, default=Matter.INFORMATION_SHARING)
    information_categories = models.JSONField(default=list, blank=True)
    recipients = models.ManyToManyField("agreements.Agency", related_name="+")
    # Who was asked and what they said.
    answer = models.CharField(max_length=20, choices=RECORDED_ANSWERS)
    asked = models.CharField(max_length=10, choices=ConsentAsked.choices, blank=True)
    assessment = models.ForeignKey(
        CompetenceAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    parent_name = models.CharField("name of the person asked", max_length=150, blank=True)
    parent_relationship = models.CharField("relationship to the child", max_length=100, blank=True)
    not_sought_reason = models.CharField(max_length=30, choices=ConsentNotSoughtReason.choices, blank=True)
    not_sought_note = models.TextField(blank=True)
    how_obtained = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    given_on = models.DateField("date")
    valid_until = models.DateField(null=True, blank=True)
    discussion_note = models.TextField("note of the discussion", blank=True)
    disagreement = models.BooleanField("the child and a parent disagreed", default=False)
    best_interests_reasoning = models.TextField(blank=True)
    withdraws = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="withdrawal"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Erased under retention (decisions.retention): the text above blanked, and why.
    tombstoned_at = models.DateTimeField(null=True, blank=True)
    tombstone_reason = models.TextField(blank=True, default="", db_default="")  # "" for bulk loaders too

    objects = AgencyRecordQuerySet.as_manager()

    # The personal text retention erases (decisions.retention).
    ERASED_FIELDS = (
        "parent_name",
        "parent_relationship",
        "not_sought_note",
        "discussion_note",
        "best_interests_reasoning",
    )

    class Meta:
        ordering = ["-given_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["child", "purpose", "given_on"], name="consent_child_purpose")]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} for {self.child} on {long_date(self.given_on)}"

    @property
    def sought(self) -> bool:
        return self.answer != ConsentStatus.NOT_SOUGHT

    @property
    def asked_label(self) -> str:
        if self.asked == ConsentAsked.CHILD:
            return f"{self.child} (the child)"
        if self.asked == ConsentAsked.PARENT:
            return f"{self.parent_name} ({self.parent_relationship})"
        return "Nobody: consent was not sought"

    def get_information_categories_display(self) -> list[str]:
        labels = dict(InformationCategory.choices)
        return [labels.get(value, value) for value in self.information_categories]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.given_on and self.given_on > today:
            errors["given_on"] = "The date must be today or in the past"
        if self.valid_until and self.given_on and self.valid_until < self.given_on:
            errors["valid_until"] = "The date it lasts until must be on or after the date it was given"
        categories = self.information_categories
        if not isinstance(categories, list) or not categories or not set(categories) <= set(
            InformationCategory.values
        ):
            errors["information_categories"] = "Select the information the consent covers"
        if self.answer == ConsentStatus.NOT_SOUGHT:
            if not self.not_sought_reason:
                errors["not_sought_reason"] = "Select why consent was not sought"
            if not self.not_sought_note.strip():
                errors["not_sought_note"] = "Explain why consent was not sought"
            if self.asked or self.assessment_id:
                errors["asked"] = "Consent was not sought, so nobody was asked"
        else:
            errors.update(self._clean_sought())
        if errors:
            raise ValidationError(errors)

    def _clean_sought(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.not_sought_reason or self.not_sought_note:
            errors["not_sought_reason"] = "Consent was sought, so there is no reason for not seeking it"
        if not self.how_obtained:
            errors["how_obtained"] = "Select how you asked"
        if self.disagreement and not self.best_interests_reasoning.strip():
            errors["best_interests_reasoning"] = (
                "Explain how the child's best interests settled the disagreement"
            )
        if (self.answer == ConsentStatus.WITHDRAWN) != (self.withdraws_id is not None):
            errors["answer"] = "Record a withdrawal from the consent it withdraws"
        if self.asked == ConsentAsked.PARENT:
            if not self.parent_name.strip():
                errors["parent_name"] = "Enter the name of the person you asked"
            if not self.parent_relationship.strip():
                errors["parent_relationship"] = "Enter their relationship to the child"
            if self.assessment_id:
                errors["assessment"] = "A competence assessment supports only the child's own consent"
        elif self.asked == ConsentAsked.CHILD:
            # A withdrawal rests on the assessment the consent it withdraws was checked against.
            problem = self.assessment_problem() if self.withdraws_id is None else ""
            if problem:
                errors["assessment"] = problem
        else:
            errors["asked"] = "Select whose consent you sought"
        return errors

    def assessment_problem(self) -> str:
        """Why the linked assessment cannot support the child's own consent, or ''."""
        assessment = self.assessment
        if assessment is None:
            return "Select the competence assessment that shows the child could decide"
        if assessment.child_id != self.child_id or not assessment.is_competent:
            return "Select an assessment that found the child competent"
        if assessment.matter != self.matter:
            return "Select an assessment of the child's competence for this matter"
        days = settings.CONSENT_COMPETENCE_VALID_DAYS
        if self.given_on and not 0 <= (self.given_on - assessment.assessed_on).days <= days:
            return f"Select an assessment made in the {days} days before consent was sought"
        return ""


auditlog.register(Child)
auditlog.register(ChildAgency)
auditlog.register(CompetenceAssessment)
auditlog.register(ConsentRecord, m2m_fields={"recipients"})

# Sealed as written (audit.seals): neither ever changes, but for retention's tombstone.
TOMBSTONE_FIELDS = ("tombstoned_at", "tombstone_reason")
seals.register(CompetenceAssessment, unsealed=TOMBSTONE_FIELDS)
seals.register(ConsentRecord, unsealed=TOMBSTONE_FIELDS)

# Personal values kept out of the chain as salted commitments (audit.erasure): each record's free
# text, the child's identity, and every name that includes the child's.
CHILD_IDENTITY = ("given_name", "family_name", "date_of_birth", "nhs_number")
erasure.register(Child, fields=CHILD_IDENTITY, name_is_personal=True, child_of=lambda child: child.pk)
erasure.register(ChildAgency, fields=("local_reference",), name_is_personal=True)
erasure.register(CompetenceAssessment, name_is_personal=True)
erasure.register(ConsentRecord, name_is_personal=True)
