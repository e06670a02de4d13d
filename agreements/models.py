"""Agencies, their agreements and signatures, and the register of incidents.

The rules that span records (who may sign what, when an agreement may be put in
force) live in ``agreements.services``; the questions other parts ask ("is this
agency covered for this purpose today?") in ``agreements.selectors``. Models hold
what is true of one record on its own, in ``clean()``.
"""

import datetime
import os
import re
import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.permissions import Perm
from isa_portal import clocks
from isa_portal.concurrency import Versioned
from isa_portal.vocabulary import Article6Basis, Article9Condition, SharingPurpose


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


# Whether an agency of a kind is a public authority, where its kind settles it. The kind is only a
# default: an administrator records the fact for each agency (``Agency.public_authority``).
# "Other" settles nothing (probation, fire and rescue and FE colleges are public authorities; a
# housing association or a private company is not), and neither does a school (academies and
# maintained schools are, independent schools are not): a school defaults to yes, "other" to
# nothing until an administrator answers. Source: UK GDPR Article 6(1), final paragraph, and
# DPA 2018 s7 (public authority as the Freedom of Information Act 2000 defines it).
PUBLIC_AUTHORITY_BY_KIND = {
    AgencyKind.LOCAL_AUTHORITY: True,
    AgencyKind.POLICE: True,
    AgencyKind.NHS_TRUST: True,
    AgencyKind.GP_PRACTICE: True,
    AgencyKind.SCHOOL: True,
    AgencyKind.EARLY_YEARS: False,
    AgencyKind.VOLUNTARY: False,
    AgencyKind.COMMISSIONED: False,
}
PUBLIC_AUTHORITY_KINDS = frozenset(kind for kind, public in PUBLIC_AUTHORITY_BY_KIND.items() if public)
# Competent authorities for law enforcement (DPA 2018 s30 and Schedule 7): the police by kind;
# others (probation, youth offending teams, HMRC...) when an administrator records it.
COMPETENT_AUTHORITY_KINDS = frozenset({AgencyKind.POLICE})


class SectorKind(models.TextChoices):
    """The sectors an IG officer asks about ("everything shared with the police"), each a group of
    agency kinds (``SECTOR_OF_KIND``)."""

    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    SOCIAL_CARE = "social_care", "Social care"
    OTHER = "other", "Other"


SECTOR_OF_KIND = {
    AgencyKind.LOCAL_AUTHORITY: SectorKind.SOCIAL_CARE,
    AgencyKind.POLICE: SectorKind.POLICE,
    AgencyKind.NHS_TRUST: SectorKind.HEALTH,
    AgencyKind.GP_PRACTICE: SectorKind.HEALTH,
    AgencyKind.SCHOOL: SectorKind.EDUCATION,
    AgencyKind.EARLY_YEARS: SectorKind.EDUCATION,
    AgencyKind.VOLUNTARY: SectorKind.OTHER,
    AgencyKind.COMMISSIONED: SectorKind.OTHER,
    AgencyKind.OTHER: SectorKind.OTHER,
}


def kinds_in_sector(sector: str) -> list[str]:
    return [kind.value for kind, of in SECTOR_OF_KIND.items() if of == sector]


class PartnershipGroup(models.TextChoices):
    """Buckinghamshire's code: the core group reviews the agreement; the virtual group need not meet."""

    CORE = "core", "Core group"
    VIRTUAL = "virtual", "Virtual group"


# The ICO's register of fee payers gives each controller a "registration reference". The
# older references are the letter Z and seven digits (Z5347709, the example on the ICO's own
# register search help); newer ones are two letters and six digits (ZA123456, ZB012345...).
# We accept exactly those two shapes, after removing spaces and upper-casing.
ICO_REGISTRATION_PATTERN = re.compile(r"^(?:Z[0-9]{7}|[A-Z]{2}[0-9]{6})$")  # ASCII digits only
ICO_EXPIRY_WARNING_DAYS = 90


def normalise_ico_number(value: str) -> str:
    return "".join(value.split()).upper()


def validate_ico_number(value: str) -> None:
    if not ICO_REGISTRATION_PATTERN.match(normalise_ico_number(value)):
        raise ValidationError(
            "Enter an ICO registration number in the right format: Z and 7 digits, like Z5347709, "
            "or 2 letters and 6 digits, like ZA123456",
            code="ico_format",
        )


class IcoState(models.TextChoices):
    VALID = "valid", "Registered"
    EXPIRING = "expiring", "Registration expiring soon"
    EXPIRED = "expired", "Registration expired"
    MISSING = "missing", "No registration recorded"

    @property
    def tag(self) -> str:
        """The GOV.UK tag's colour class (``agreements/_ico_tag.html`` and the signatory register)."""
        colours = {"valid": "govuk-tag--green", "expiring": "govuk-tag--yellow", "expired": "govuk-tag--red"}
        return colours.get(self.value, "govuk-tag--grey")


class AgencyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AgencyQuerySet":
        """The partnership's agencies are known to every signed-in user."""
        return self if user.is_authenticated else self.none()

    def in_scope_of(self, user) -> "AgencyQuerySet":
        """The agencies whose records the user's work covers: every one for a partnership-wide
        user, otherwise their own."""
        if not user.is_authenticated:
            return self.none()
        return self if user.partnership_wide else self.filter(pk=user.agency_id)

    def manageable_by(self, user) -> "AgencyQuerySet":
        """A partnership administrator manages every agency; an agency administrator their own."""
        if not user.is_authenticated or not user.can(Perm.MANAGE_PARTNERSHIP):
            return self.none()
        return self.in_scope_of(user)

    def active(self) -> "AgencyQuerySet":
        return self.filter(is_active=True)


class Agency(Versioned):
    """A partner organisation in the safeguarding partnership."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    address = models.TextField(blank=True)
    ico_registration_number = models.CharField(
        "ICO registration number", max_length=8, blank=True, validators=[validate_ico_number]
    )
    ico_registration_expires_on = models.DateField("ICO registration expires on", null=True, blank=True)
    group = models.CharField(
        "partnership group", max_length=10, choices=PartnershipGroup.choices, default=PartnershipGroup.CORE
    )
    commissioned_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commissioned_providers",
        help_text="For a commissioned provider: the agency that commissions it.",
    )
    is_active = models.BooleanField("active", default=True)
    # Off: the agency's people sign in only through single sign-on (accounts.oidc); the password
    # form and password reset refuse them. Only a partnership administrator changes it.
    password_sign_in = models.BooleanField(
        "people may sign in with a password",
        default=True,
        help_text="Turn off when everyone in the agency signs in through single sign-on.",
    )
    # Facts about the agency the lawful basis of its decisions rests on (decisions.rules). Empty:
    # follow the kind (PUBLIC_AUTHORITY_BY_KIND); for "other", not recorded until an admin answers.
    public_authority = models.BooleanField(
        "public authority",
        null=True,
        blank=True,
        help_text="Public authorities (councils, the police, the NHS, state schools, probation, fire and "
        "rescue, FE colleges) share under public task, not legitimate interests.",
    )
    competent_authority = models.BooleanField(
        "competent authority for law enforcement",
        null=True,
        blank=True,
        help_text="Listed in Schedule 7 of the Data Protection Act 2018, such as the police or probation.",
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                name="agency_only_providers_are_commissioned",
                condition=Q(commissioned_by__isnull=True) | Q(kind="commissioned"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_agency_id(self) -> int | None:
        return self.pk

    @property
    def is_public_authority(self) -> bool | None:
        """As an administrator recorded it, else as the kind says; None: not known (kind "other")."""
        if self.public_authority is not None:
            return self.public_authority
        return PUBLIC_AUTHORITY_BY_KIND.get(self.kind)

    @property
    def is_competent_authority(self) -> bool:
        """A competent authority for law enforcement (DPA 2018 Part 3, Schedule 7)."""
        if self.competent_authority is not None:
            return self.competent_authority
        return self.kind in COMPETENT_AUTHORITY_KINDS

    @property
    def is_commissioned_provider(self) -> bool:
        return self.kind == AgencyKind.COMMISSIONED

    def clean(self) -> None:
        errors = {}
        if self.ico_registration_number:
            self.ico_registration_number = normalise_ico_number(self.ico_registration_number)
        if self.ico_registration_number and not self.ico_registration_expires_on:
            errors["ico_registration_expires_on"] = "Enter the date the ICO registration expires"
        if self.ico_registration_expires_on and not self.ico_registration_number:
            errors["ico_registration_number"] = "Enter the ICO registration number, or remove the expiry date"
        if self.is_commissioned_provider and self.commissioned_by_id is None:
            errors["commissioned_by"] = "Select the agency that commissions this provider"
        if not self.is_commissioned_provider and self.commissioned_by_id is not None:
            errors["commissioned_by"] = "Only a commissioned provider has a commissioning agency"
        if self.pk is not None and self.commissioned_by_id == self.pk:
            errors["commissioned_by"] = "An agency cannot commission itself"
        if errors:
            raise ValidationError(errors)

    def ico_state(self, on: datetime.date | None = None) -> IcoState:
        on = on or timezone.localdate()
        if not self.ico_registration_number or not self.ico_registration_expires_on:
            return IcoState.MISSING
        if self.ico_registration_expires_on < on:
            return IcoState.EXPIRED
        if self.ico_registration_expires_on <= on + datetime.timedelta(days=ICO_EXPIRY_WARNING_DAYS):
            return IcoState.EXPIRING
        return IcoState.VALID

    @property
    def current_representative(self) -> "NominatedRepresentative | None":
        """Uses a prefetched ``representatives`` list when there is one (see the list views)."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "representatives" in cache:
            return next((rep for rep in cache["representatives"] if rep.ended_on is None), None)
        return self.representatives.filter(ended_on__isnull=True).first()


class NominatedRepresentative(models.Model):
    """Who held the post of an agency's nominated representative, and when.

    The current holder has no end date; appointing a successor ends the post
    holder's term (``services.representative_appoint``), so the history is kept.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="representatives")
    name = models.CharField(max_length=150)
    email = models.EmailField("email address")
    phone = models.CharField("phone number", max_length=30, blank=True)
    started_on = models.DateField("in post from")
    ended_on = models.DateField("in post until", null=True, blank=True)

    class Meta:
        ordering = ["agency", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(ended_on__isnull=True),
                name="one_current_representative_per_agency",
            ),
            models.CheckConstraint(
                name="representative_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class AgreementTier(models.TextChoices):
    PROTOCOL = "protocol", "Overarching protocol"
    CODE_OF_PRACTICE = "code_of_practice", "Code of practice"
    SERVICE = "service", "Service agreement"


# Which tier an agreement of each tier may sit beneath.
PARENT_TIERS = {
    AgreementTier.PROTOCOL: frozenset(),
    AgreementTier.CODE_OF_PRACTICE: frozenset({AgreementTier.PROTOCOL}),
    AgreementTier.SERVICE: frozenset({AgreementTier.PROTOCOL, AgreementTier.CODE_OF_PRACTICE}),
}


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    UNDER_REVIEW = "under_review", "Under review"
    SUPERSEDED = "superseded", "Superseded"
    EXPIRED = "expired", "Expired"


# The only moves between statuses. Superseded and expired are final: a replacement is a new agreement.
STATUS_TRANSITIONS = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.IN_FORCE}),
    AgreementStatus.IN_FORCE: frozenset(
        {AgreementStatus.UNDER_REVIEW, AgreementStatus.SUPERSEDED, AgreementStatus.EXPIRED}
    ),
    AgreementStatus.UNDER_REVIEW: frozenset(
        {AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED, AgreementStatus.EXPIRED}
    ),
    AgreementStatus.SUPERSEDED: frozenset(),
    AgreementStatus.EXPIRED: frozenset(),
}

# An agreement under review still governs sharing until it is replaced or expires: the
# ICO code expects review of live agreements, not a gap in cover while they are reviewed.
EFFECTIVE_STATUSES = frozenset({AgreementStatus.IN_FORCE, AgreementStatus.UNDER_REVIEW})


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AgreementQuerySet":
        """Agreements are partnership documents: every signed-in user may read them."""
        return self if user.is_authenticated else self.none()

    def manageable_by(self, user) -> "AgreementQuerySet":
        """A partnership administrator manages every agreement; an agency administrator its own."""
        if not user.is_authenticated or not user.can(Perm.MANAGE_PARTNERSHIP):
            return self.none()
        return self if user.partnership_wide else self.filter(owner_id=user.agency_id)

    def effective(self) -> "AgreementQuerySet":
        return self.filter(status__in=EFFECTIVE_STATUSES)


class Agreement(Versioned):
    """An information sharing agreement or protocol, in a tier beneath its parent.

    The text fields are the contents the ICO's data sharing code of practice (2021)
    expects an agreement to record.
    """

    title = models.CharField(max_length=200)
    tier = models.CharField(max_length=20, choices=AgreementTier.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_agreements")
    status = models.CharField(max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    review_interval_months = models.PositiveSmallIntegerField(
        "review interval in months",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # What the ICO's data sharing code expects an agreement to hold.
    parties_and_roles = models.TextField(
        "parties and their controller roles",
        blank=True,
        help_text="Who shares and receives, and whether each is a controller, joint controller or processor.",
    )
    purpose = models.TextField("purpose and objectives", blank=True)
    data_items = models.TextField("information to be shared", blank=True)
    lawful_basis = models.CharField(
        "Article 6 lawful basis", max_length=40, choices=Article6Basis.choices, blank=True
    )
    article9_condition = models.CharField(
        "Article 9 condition", max_length=20, choices=Article9Condition.choices, blank=True
    )
    recipients = models.TextField("who may receive the information", blank=True)
    frequency = models.TextField("how often information is shared", blank=True)
    data_quality = models.TextField("data quality standard", blank=True)
    security = models.TextField("security of the information", blank=True)
    retention_and_disposal = models.TextField("retention period and disposal", blank=True)
    retention_years = models.PositiveSmallIntegerField(
        "retention period in years",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="How long decisions made under this agreement are kept. Leave empty to keep them.",
    )
    rights_and_complaints = models.TextField("individuals' rights, subject access and complaints", blank=True)
    breach_procedure = models.TextField("what to do about a breach", blank=True)
    dpia_reference = models.CharField("DPIA reference", max_length=100, blank=True)
    onward_disclosure = models.TextField(
        "onward disclosure rule",
        blank=True,
        help_text="When a recipient may pass the information on, and whose agreement it needs.",
    )
    termination = models.TextField("how the agreement ends", blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_agency_id(self) -> int:
        return self.owner_id

    @property
    def is_effective(self) -> bool:
        return self.status in EFFECTIVE_STATUSES

    @property
    def allowed_next_statuses(self) -> list[AgreementStatus]:
        return sorted(STATUS_TRANSITIONS[AgreementStatus(self.status)])

    def clean(self) -> None:
        allowed = PARENT_TIERS.get(self.tier, frozenset())
        if self.parent_id is None and allowed:
            raise ValidationError(
                {"parent": f"Select the agreement this {self.get_tier_display().lower()} sits beneath"}
            )
        if self.parent_id is not None:
            if not allowed:
                raise ValidationError(
                    {"parent": "An overarching protocol does not sit beneath another agreement"}
                )
            if self.parent.tier not in allowed:
                raise ValidationError(
                    {
                        "parent": f"A {self.get_tier_display().lower()} cannot sit beneath a "
                        f"{self.parent.get_tier_display().lower()}"
                    }
                )
            if self.pk is not None and self.parent_id == self.pk:
                raise ValidationError({"parent": "An agreement cannot sit beneath itself"})

    @property
    def purpose_values(self) -> list[str]:
        """Uses a prefetched ``purposes`` list when there is one."""
        return [row.purpose for row in self.purposes.all()]

    def purpose_labels(self) -> list[str]:
        return [SharingPurpose(value).label for value in sorted(self.purpose_values)]


class AgreementPurpose(models.Model):
    """A sharing purpose an agreement covers (one row each, so SQLite and PostgreSQL both filter it)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(max_length=30, choices=SharingPurpose.choices)

    class Meta:
        ordering = ["purpose"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "purpose"], name="agreement_purpose_once"),
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def audit_agency_id(self) -> int:
        return self.agreement.owner_id


class PrivateStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT``, outside the web root, with no public URL:
    they are served only by views that check who is asking. The folder is read from the
    settings at each use, so a deployment (or a test) can move it."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL: serve them through a view that checks access.")


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


def agreement_document_path(instance: "AgreementVersion", filename: str) -> str:
    # The uploader's file name is never used on disk, nor offered back on download.
    return f"agreements/{uuid.uuid4().hex}.pdf"


class AgreementVersion(models.Model):
    """One version of an agreement's text. Signatures attach to a version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.CharField(max_length=20)
    author = models.CharField(max_length=150, blank=True)
    summary_of_changes = models.TextField(blank=True)
    text = models.TextField("agreement text", blank=True)
    document = models.FileField(
        "agreement document (PDF)", storage=private_storage, upload_to=agreement_document_path, blank=True
    )
    signed_off_by = models.CharField(max_length=150, blank=True)
    signed_off_on = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

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

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_on is not None

    def clean(self) -> None:
        errors = {}
        if self.signed_off_on and not self.signed_off_by:
            errors["signed_off_by"] = "Enter who signed off this version"
        if self.signed_off_by and not self.signed_off_on:
            errors["signed_off_on"] = "Enter the date this version was signed off"
        if self.signed_off_on and self.signed_off_on > timezone.localdate():
            errors["signed_off_on"] = "The sign-off date must be today or in the past"
        if self.signed_off_on and self.next_review_date and self.next_review_date <= self.signed_off_on:
            errors["next_review_date"] = "The next review date must be after the sign-off date"
        if not self.text.strip() and not self.document:
            errors["text"] = "Enter the agreement text or upload it as a PDF"
        if errors:
            raise ValidationError(errors)

    def download_filename(self) -> str:
        from django.utils.text import slugify

        return f"{slugify(self.agreement.title)[:80] or 'agreement'}-version-{slugify(self.number)}.pdf"


class SignatureMethod(models.TextChoices):
    """How a signature came to be recorded, shown wherever the signature is."""

    ONLINE = "online", "Signed online by the nominated representative"
    PAPER = "paper", "Paper, recorded by an administrator"
    # Signatures an administrator typed in before evidence was kept (issue 20): the name, role and
    # date they entered are all there is.
    RECORDED = "recorded", "Recorded before signing evidence was kept"


def signature_file_path(instance: "Signature", filename: str) -> str:
    # A fresh name each time: the uploader's file name is never used on disk.
    extension = os.path.splitext(filename)[1].lower()[:5]
    return f"signatures/{uuid.uuid4().hex}{extension}"


class ConditionKind(models.TextChoices):
    """The kinds of condition an agreement sets that a decision can be checked against (issue 20,
    item 6). Each reads the product's own vocabularies: sharing purposes, kinds of information
    (``consent.models.InformationCategory``) and kinds of agency."""

    CONSENT_REQUIRED = "consent_required", "Sharing for a purpose only with consent"
    ORIGINATOR_AGREEMENT = (
        "originator_agreement",
        "Information from another agency passed on only with that agency's agreement",
    )
    DATA_CATEGORIES = "data_categories", "Only these kinds of information may be shared"
    RECIPIENT_KINDS = "recipient_kinds", "Only these kinds of agency may receive it"


class AgreementCondition(models.Model):
    """A condition of an agreement version that a decision relying on it is checked against
    (``agreements.selectors.condition_breaches``; what the law lets override it: ``decisions.rules``).

    Conditions are part of what signatories sign: they are added or removed only while nobody has
    signed the version (``agreements.services.condition_add``); changing them afterwards is a new
    version, which every signatory signs again.
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="conditions")
    kind = models.CharField(max_length=30, choices=ConditionKind.choices)
    # The shares it applies to: these purposes (empty: every purpose the agreement covers).
    purposes = models.JSONField("for these purposes", default=list, blank=True)
    # Its parameters, by kind: the kinds of information allowed, the kinds of agency allowed.
    information_categories = models.JSONField("kinds of information allowed", default=list, blank=True)
    recipient_kinds = models.JSONField("kinds of agency allowed to receive it", default=list, blank=True)
    clause = models.CharField(
        "clause", max_length=100, help_text="Where the document says it, for example “section 3.2”."
    )
    wording = models.TextField("the clause's wording", help_text="As the document words it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return f"{self.version}, {self.clause}: {self.get_kind_display()}"

    @property
    def audit_agency_id(self) -> int:
        return self.version.agreement.owner_id

    def purpose_labels(self) -> list[str]:
        return [SharingPurpose(value).label for value in self.purposes]

    def category_labels(self) -> list[str]:
        from consent.models import InformationCategory

        return [InformationCategory(value).label for value in self.information_categories]

    def recipient_kind_labels(self) -> list[str]:
        return [AgencyKind(value).label for value in self.recipient_kinds]

    def clean(self) -> None:
        from consent.models import InformationCategory

        errors = {}
        if self.purposes and not set(self.purposes) <= set(SharingPurpose.values):
            errors["purposes"] = "Select only purposes from the list"
        if self.information_categories and not set(self.information_categories) <= set(
            InformationCategory.values
        ):
            errors["information_categories"] = "Select only kinds of information from the list"
        if self.recipient_kinds and not set(self.recipient_kinds) <= set(AgencyKind.values):
            errors["recipient_kinds"] = "Select only kinds of agency from the list"
        if self.kind == ConditionKind.CONSENT_REQUIRED and not self.purposes:
            errors["purposes"] = "Select the purposes that need consent"
        if self.kind == ConditionKind.DATA_CATEGORIES and not self.information_categories:
            errors["information_categories"] = "Select the kinds of information that may be shared"
        if self.kind == ConditionKind.RECIPIENT_KINDS and not self.recipient_kinds:
            errors["recipient_kinds"] = "Select the kinds of agency that may receive it"
        if not self.clause.strip():
            errors["clause"] = "Enter the clause, as the document numbers it"
        if not self.wording.strip():
            errors["wording"] = "Enter the clause's wording, as the document words it"
        if errors:
            raise ValidationError(errors)


class SignatureState(models.TextChoices):
    LIVE = "live", "Signed"
    REPLACED = "replaced", "Replaced by a signature of a later version"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SignatureQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SignatureQuerySet":
        """Who has signed is part of the partnership's agreements: every signed-in user may read it."""
        return self if user.is_authenticated else self.none()

    def manageable_by(self, user) -> "SignatureQuerySet":
        if not user.is_authenticated or not user.can(Perm.MANAGE_PARTNERSHIP):
            return self.none()
        return self if user.partnership_wide else self.filter(agency_id=user.agency_id)

    def live(self) -> "SignatureQuerySet":
        return self.filter(state=SignatureState.LIVE)


class Signature(models.Model):
    """An agency signing one version of an agreement.

    At most one live signature per agency per agreement: signing a later version
    replaces the earlier signature; withdrawing ends it with a date and reason.
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    # Denormalised from the version so the database can hold "one live signature per agreement".
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signatures")
    signed_by_name = models.CharField("name of the person who signed", max_length=150)
    signed_by_role = models.CharField("their role", max_length=150)
    signed_on = models.DateField("date signed")
    representative = models.ForeignKey(
        NominatedRepresentative,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The agency's nominated representative when it signed.",
    )
    group = models.CharField("partnership group chosen", max_length=10, choices=PartnershipGroup.choices)
    state = models.CharField(max_length=10, choices=SignatureState.choices, default=SignatureState.LIVE)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The evidence (issue 20): how it was signed, by whom as they were then, and exactly what.
    method = models.CharField(
        "how it was signed", max_length=10, choices=SignatureMethod.choices, default=SignatureMethod.RECORDED
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The account that signed online.",
    )
    signer_email = models.EmailField("signer's email address", blank=True)
    agency_name = models.CharField("agency's name when it signed", max_length=200, blank=True)
    representative_name = models.CharField(
        "nominated representative when it signed", max_length=150, blank=True
    )
    representative_email = models.EmailField("their email address then", blank=True)
    signed_at = models.DateTimeField("time signed", null=True, blank=True)
    version_sha256 = models.CharField(
        "SHA-256 of the version signed",
        max_length=64,
        blank=True,
        help_text="agreements.evidence.version_sha256",
    )
    statements_key = models.CharField("statements confirmed (set)", max_length=60, blank=True)
    statements = models.JSONField("statements confirmed (their wording)", null=True, blank=True)
    signature_page = models.FileField(
        "signature page (PDF)", storage=private_storage, upload_to=signature_file_path, blank=True
    )
    evidence = models.FileField(
        "scan of the signed paper", storage=private_storage, upload_to=signature_file_path, blank=True
    )

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "agency", "-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "agreement"],
                condition=Q(state="live"),
                name="one_live_signature_per_agency_agreement",
            ),
            models.CheckConstraint(
                name="signature_withdrawn_has_date_and_reason",
                condition=~Q(state="withdrawn") | (Q(withdrawn_on__isnull=False) & ~Q(withdrawal_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} signed {self.version}"

    @property
    def audit_agency_id(self) -> int:
        return self.agency_id

    @property
    def is_live(self) -> bool:
        return self.state == SignatureState.LIVE

    @property
    def how_signed(self) -> str:
        """How it was signed, as every page and export says it."""
        if self.method == SignatureMethod.PAPER:
            return f"Paper, recorded by {self.recorded_by}"
        return self.get_method_display()

    def is_live_on(self, on: datetime.date) -> bool:
        """Signed by ``on`` and not withdrawn by then (a replaced signature is never live)."""
        if self.signed_on > on or self.state == SignatureState.REPLACED:
            return False
        return self.state == SignatureState.LIVE or (self.withdrawn_on is not None and self.withdrawn_on > on)


class SignatureInvitationQuerySet(models.QuerySet):
    def waiting_for(self, user) -> "SignatureInvitationQuerySet":
        """The invitations ``user`` may sign: unsigned, to their agency, addressed to the agency's
        current nominated representative, whose email address is the account's. Nobody else,
        an administrator included, sees them here."""
        if not user.is_authenticated or not user.is_active or user.agency_id is None:
            return self.none()
        return self.filter(
            signature__isnull=True,
            agency_id=user.agency_id,
            agency__is_active=True,
            representative__ended_on__isnull=True,
            representative__email__iexact=user.email,
        )

    def manageable_by(self, user) -> "SignatureInvitationQuerySet":
        if not user.is_authenticated or not user.can(Perm.MANAGE_PARTNERSHIP):
            return self.none()
        return self if user.partnership_wide else self.filter(agency_id=user.agency_id)


class SignatureInvitation(models.Model):
    """An administrator asking an agency's nominated representative to sign a version.

    One open invitation per version and representative: asking again finds it and sends nothing
    (``services.signature_invite``). Signing links the signature here.
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signature_invitations")
    representative = models.ForeignKey(NominatedRepresentative, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField("sent to")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The product account the representative signs in with.",
    )
    account_created = models.BooleanField(default=False, help_text="An account was made for this invitation.")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    signature = models.OneToOneField(
        Signature, on_delete=models.PROTECT, null=True, blank=True, related_name="invitation"
    )

    objects = SignatureInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-invited_at", "-id"]
        constraints = [
            # One open invitation at a time; after a withdrawal the agency can be asked again.
            models.UniqueConstraint(
                fields=["version", "representative"],
                condition=Q(signature__isnull=True),
                name="one_open_invitation_per_version_representative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.representative.name} invited to sign {self.version}"

    @property
    def audit_agency_id(self) -> int:
        return self.agency_id


class IncidentKind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint about a disclosure"
    BREACH_STAFF = "breach_staff", "Breach of an agreement reported by staff"
    BREACH_PUBLIC = "breach_public", "Breach of an agreement reported by the public"
    CHALLENGE = "challenge", "Challenge to a decision not to share"


BREACH_KINDS = frozenset({IncidentKind.BREACH_STAFF, IncidentKind.BREACH_PUBLIC})


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Being investigated"
    CLOSED = "closed", "Closed"


class IncidentOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    WITHDRAWN = "withdrawn", "Withdrawn by the person who raised it"
    REFERRED_TO_ICO = "referred_to_ico", "Reported to the ICO"


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IncidentQuerySet":
        """IG officers and admins: the whole partnership's register, or their own agency's part of it."""
        if not user.is_authenticated or not user.can(Perm.VIEW_INCIDENTS):
            return self.none()
        return self if user.partnership_wide else self.filter(agency_id=user.agency_id)


class Incident(Versioned):
    """A complaint, a breach of an agreement, or a challenge to a decision not to share."""

    kind = models.CharField(max_length=20, choices=IncidentKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="incidents")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    reported_by = models.CharField(
        "who reported it",
        max_length=150,
        help_text="A role or description, for example 'parent' or 'school DSL'. Not a child's name.",
    )
    reported_on = models.DateField("date reported")
    occurred_on = models.DateField("date it happened", null=True, blank=True)
    summary = models.TextField(help_text="What happened. Do not include names or other details of a child.")
    status = models.CharField(max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    outcome = models.CharField(max_length=20, choices=IncidentOutcome.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    lessons_learned = models.TextField(
        "lessons learned (anonymised)",
        blank=True,
        help_text="These go into the annual report: leave out names and anything that identifies a person.",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The decision it is about: a challenge to a decision not to share always names it.
    decision = models.ForeignKey(
        "decisions.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        help_text="The decision the incident is about, by its reference (ISD-2026-000123).",
    )
    # A personal data breach: the ICO must be told within 72 hours of discovery if reportable
    # (UK GDPR Art 33; the clock is isa_portal.clocks.breach_clock).
    discovered_at = models.DateTimeField("when the breach was discovered", null=True, blank=True)
    reportable = models.BooleanField("reportable to the ICO", null=True, blank=True)
    reported_to_ico_at = models.DateTimeField("when it was reported to the ICO", null=True, blank=True)
    # A complaint: acknowledged within 30 days of receipt (DPA 2018 s164A; isa_portal.clocks).
    acknowledged_on = models.DateField("date the complaint was acknowledged", null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["agency", "reported_on"], name="incident_agency_reported")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"INC-{self.reported_on:%Y}-{self.pk or 0:05d}"

    def clean(self) -> None:
        errors = {}
        today = timezone.localdate()
        if self.reported_on and self.reported_on > today:
            errors["reported_on"] = "The date reported must be today or in the past"
        if self.occurred_on and self.reported_on and self.occurred_on > self.reported_on:
            errors["occurred_on"] = "The date it happened must be on or before the date it was reported"
        if self.status == IncidentStatus.CLOSED:
            if not self.outcome:
                errors["outcome"] = "Select the outcome before closing the incident"
            if not self.closed_on:
                errors["closed_on"] = "Enter the date the incident was closed"
        else:
            if self.outcome:
                errors["outcome"] = "Record an outcome only when closing the incident"
            if self.closed_on:
                errors["closed_on"] = "Enter a closing date only when closing the incident"
        if self.closed_on and self.reported_on and self.closed_on < self.reported_on:
            errors["closed_on"] = "The closing date must be on or after the date reported"
        if self.closed_on and self.closed_on > today:
            errors["closed_on"] = "The closing date must be today or in the past"
        errors.update(self._register_errors(today))
        if errors:
            raise ValidationError(errors)

    def _register_errors(self, today: datetime.date) -> dict[str, str]:
        """The decision a challenge is about; a breach's ICO clock; a complaint's acknowledgement."""
        errors = {}
        # A challenge names its decision: the form asks for it (incidents recorded before the link
        # existed have none); one named must be a decision not to share.
        challenged = self.decision if self.kind == IncidentKind.CHALLENGE and self.decision_id else None
        if challenged is not None and challenged.outcome != "do_not_share":
            errors["decision"] = "A challenge is to a decision not to share: enter that decision's reference"
        now = timezone.now()
        if self.is_breach:
            # The form asks when it was discovered (breaches recorded before the clock have no time).
            if self.discovered_at is not None and self.discovered_at > now:
                errors["discovered_at"] = "The time the breach was discovered must be in the past"
            if self.reported_to_ico_at is not None:
                if self.reportable is not True:
                    errors["reported_to_ico_at"] = "Record a report to the ICO only for a reportable breach"
                elif self.discovered_at and self.reported_to_ico_at < self.discovered_at:
                    errors["reported_to_ico_at"] = (
                        "The report to the ICO must be after the breach was discovered"
                    )
                elif self.reported_to_ico_at > now:
                    errors["reported_to_ico_at"] = "The time of the report to the ICO must be in the past"
        else:
            for name in ("discovered_at", "reportable", "reported_to_ico_at"):
                if getattr(self, name) is not None:
                    errors[name] = "Record this only for a breach"
        if self.acknowledged_on is not None:
            if self.kind != IncidentKind.COMPLAINT:
                errors["acknowledged_on"] = "Record an acknowledgement only for a complaint"
            elif self.reported_on and self.acknowledged_on < self.reported_on:
                errors["acknowledged_on"] = (
                    "The acknowledgement must be on or after the date the complaint was received"
                )
            elif self.acknowledged_on > today:
                errors["acknowledged_on"] = "The date acknowledged must be today or in the past"
        return errors

    @property
    def is_breach(self) -> bool:
        return self.kind in BREACH_KINDS

    @property
    def ico_clock(self) -> clocks.Clock | None:
        """A breach's 72 hours to tell the ICO (none when not a breach or not yet discovered)."""
        if not self.is_breach or self.discovered_at is None:
            return None
        return clocks.breach_clock(
            self.discovered_at, reportable=self.reportable, reported_at=self.reported_to_ico_at
        )

    @property
    def acknowledgement_clock(self) -> clocks.Clock | None:
        """A complaint's 30 days to acknowledge it, from the day it was received."""
        if self.kind != IncidentKind.COMPLAINT or self.reported_on is None:
            return None
        return clocks.complaint_clock(self.reported_on, acknowledged_on=self.acknowledged_on)

    @property
    def clock(self) -> clocks.Clock | None:
        return self.ico_clock or self.acknowledgement_clock


class ReminderKind(models.TextChoices):
    REVIEW_90 = "review_90", "Review due within 90 days"
    REVIEW_30 = "review_30", "Review due within 30 days"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    RESIGN = "resign", "Signature of the current version needed"
    ICO_EXPIRING = "ico_expiring", "ICO registration expiring or expired"


class ReminderSent(models.Model):
    """What ``send_reminders`` sent, so that a second run never sends the same reminder again."""

    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    key = models.CharField(max_length=100, unique=True, help_text="What the reminder was about.")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"


auditlog.register(Agency)
auditlog.register(NominatedRepresentative)
auditlog.register(Agreement)
auditlog.register(AgreementPurpose)
auditlog.register(AgreementVersion)
auditlog.register(AgreementCondition)
auditlog.register(Signature)
auditlog.register(SignatureInvitation)
auditlog.register(Incident)
auditlog.register(ReminderSent)
