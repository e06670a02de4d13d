from datetime import date

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.permissions import Perm
from consent.validators import validate_nhs_number


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

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "children"
        ordering = ["family_name", "given_name", "date_of_birth"]
        indexes = [
            models.Index(fields=["nhs_number"], name="child_nhs_number"),
            models.Index(fields=["family_name", "given_name", "date_of_birth"], name="child_name_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

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


class ChildAgency(models.Model):
    """An agency holds a record about a child: it may see the child, under its own reference.

    A row is added by the service that writes any record about the child (creating
    the child, a consent, an assessment or a decision), never deleted.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="agency_links")
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="+")
    local_reference = models.CharField("agency reference", max_length=50, blank=True)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "agency"], name="child_agency_once"),
        ]
        indexes = [models.Index(fields=["agency", "child"], name="childagency_agency_child")]

    def __str__(self) -> str:
        return f"{self.agency} holds a record about {self.child}"


auditlog.register(Child)
auditlog.register(ChildAgency)
