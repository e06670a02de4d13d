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


auditlog.register(Agency)
