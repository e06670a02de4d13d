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
