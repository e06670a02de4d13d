from auditlog.registry import auditlog
from django.db import models


class AgencyKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority children's services"
    POLICE = "police", "Police"
    NHS_TRUST = "nhs_trust", "NHS trust or integrated care board"
    GP_PRACTICE = "gp_practice", "GP practice"
    SCHOOL = "school", "School or academy"
    EARLY_YEARS = "early_years", "Early years setting"
    VOLUNTARY = "voluntary", "Voluntary or community organisation"
    COMMISSIONED = "commissioned", "Commissioned provider"
    OTHER = "other", "Other"


# Public authorities may not rely on legitimate interests (or the recognised kind) for their tasks.
PUBLIC_AUTHORITY_KINDS = frozenset(
    {
        AgencyKind.LOCAL_AUTHORITY,
        AgencyKind.POLICE,
        AgencyKind.NHS_TRUST,
        AgencyKind.GP_PRACTICE,
        AgencyKind.SCHOOL,
    }
)


class AgencyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AgencyQuerySet":
        """The partnership's agencies are known to every signed-in user."""
        return self if user.is_authenticated else self.none()


class Agency(models.Model):
    """A partner organisation in the safeguarding partnership."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_public_authority(self) -> bool:
        """Derived from the kind: voluntary, early-years, commissioned and other agencies are not."""
        return self.kind in PUBLIC_AUTHORITY_KINDS


auditlog.register(Agency)


class AgreementTier(models.TextChoices):
    PROTOCOL = "protocol", "Overarching protocol"
    CODE_OF_PRACTICE = "code_of_practice", "Code of practice"
    SERVICE = "service", "Service agreement"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    UNDER_REVIEW = "under_review", "Under review"
    SUPERSEDED = "superseded", "Superseded"
    EXPIRED = "expired", "Expired"


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AgreementQuerySet":
        """Agreements are partnership documents: every signed-in user may read them."""
        return self if user.is_authenticated else self.none()


class Agreement(models.Model):
    """An information sharing agreement or protocol, in a tier beneath its parent."""

    title = models.CharField(max_length=200)
    tier = models.CharField(max_length=20, choices=AgreementTier.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_agreements")
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_agency_id(self) -> int:
        return self.owner_id


class AgreementVersion(models.Model):
    """One version of an agreement's text. Signatures attach to a version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.CharField(max_length=20)
    signed_off_on = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"

    @property
    def audit_agency_id(self) -> int:
        return self.agreement.owner_id


auditlog.register(Agreement)
auditlog.register(AgreementVersion)
