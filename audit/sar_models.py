"""What a reviewer withholds from a subject access bundle, and why (issue 15).

A redaction is a record: who marked it, when, the words withheld and the exemption relied on. It is
either a passage of one free-text answer of one gathered record, or a person's name, withheld
wherever it appears. ``audit.subject_access.gather`` applies them, so neither the PDF nor the CSV
files hold the words; ``audit.sar`` writes them, each with its audit entry, and refuses any change
once the bundle is issued.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from isa_portal.vocabulary import SUBJECT_ACCESS_EXEMPTION_SHORT, SubjectAccessExemption


class RedactionKind(models.TextChoices):
    PASSAGE = "passage", "A passage of a record"
    NAME = "name", "A person's name, wherever it appears"


class SubjectAccessRedactionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubjectAccessRedactionQuerySet":
        from audit.models import SubjectAccessRequest

        return self.filter(request__in=SubjectAccessRequest.objects.visible_to(user))


class SubjectAccessRedaction(models.Model):
    request = models.ForeignKey(
        "audit.SubjectAccessRequest", on_delete=models.PROTECT, related_name="redactions"
    )
    kind = models.CharField(max_length=10, choices=RedactionKind.choices)
    # A passage: which record (app label and model, as "decisions.Decision") and which answer.
    record_type = models.CharField(max_length=60, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    field_name = models.CharField("answer", max_length=60, blank=True)
    text = models.TextField(
        "words to withhold",
        help_text="Copy them exactly as they appear in the record.",
    )
    exemption = models.CharField("exemption relied on", max_length=40, choices=SubjectAccessExemption.choices)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    objects = SubjectAccessRedactionQuerySet.as_manager()

    class Meta:
        ordering = ["marked_at", "id"]

    def __str__(self) -> str:
        return f"Redaction {self.pk or 0} of {self.request}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.request.agency_id

    @property
    def short_reason(self) -> str:
        return SUBJECT_ACCESS_EXEMPTION_SHORT[SubjectAccessExemption(self.exemption)]

    @property
    def marker(self) -> str:
        """What stands in the bundle where the words were (``audit.readable_bundle`` draws the bar)."""
        return f"[WITHHELD under {self.short_reason}]"


auditlog.register(SubjectAccessRedaction)


class ConsultationResponse(models.TextChoices):
    AWAITING = "awaiting", "No reply yet"
    CONTENT = "content", "Content for it to be disclosed"
    OBJECTS = "objects", "Objects to some or all of it being disclosed"


class SupplierConsultationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SupplierConsultationQuerySet":
        from audit.models import SubjectAccessRequest

        return self.filter(request__in=SubjectAccessRequest.objects.visible_to(user))


class SupplierConsultation(models.Model):
    """The agency that supplied information in the bundle was asked whether it may be disclosed:
    who was asked, when, and their answer. The bundle is not issued while an answer is awaited
    (``audit.sar.sar_issue``); an objection is weighed by the answering agency, which decides."""

    request = models.ForeignKey(
        "audit.SubjectAccessRequest", on_delete=models.PROTECT, related_name="consultations"
    )
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="+")
    contact = models.CharField(
        "who you consulted",
        max_length=150,
        help_text="Their name and role, for example: Sam Lee, data protection officer.",
    )
    consulted_on = models.DateField("date you consulted them")
    response = models.CharField(
        "their answer",
        max_length=10,
        choices=ConsultationResponse.choices,
        default=ConsultationResponse.AWAITING,
    )
    responded_on = models.DateField("date they answered", null=True, blank=True)
    objections = models.TextField("what they object to, and why", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = SupplierConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["consulted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "agency"], name="one_consultation_per_supplier"),
        ]

    def __str__(self) -> str:
        return f"Consultation of {self.agency} about {self.request}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.request.agency_id

    @property
    def outstanding(self) -> bool:
        return self.response == ConsultationResponse.AWAITING

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        today = timezone.localdate()
        errors = {}
        if self.consulted_on and self.consulted_on > today:
            errors["consulted_on"] = "The date you consulted them must be today or in the past"
        if self.response == ConsultationResponse.AWAITING:
            self.responded_on = None
        elif not self.responded_on:
            errors["responded_on"] = "Enter the date they answered"
        elif self.responded_on > today:
            errors["responded_on"] = "The date they answered must be today or in the past"
        elif self.consulted_on and self.responded_on < self.consulted_on:
            errors["responded_on"] = (
                "The date they answered must be the same as or after the date you consulted them"
            )
        if self.response == ConsultationResponse.OBJECTS and not self.objections.strip():
            errors["objections"] = "Enter what they object to, and why"
        if errors:
            raise ValidationError(errors)


auditlog.register(SupplierConsultation)
