from auditlog.registry import auditlog
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.permissions import Perm, role_has
from isa_portal.concurrency import Versioned


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    LEAD = "lead", "Safeguarding lead"
    PARTNERSHIP_LEAD = "partnership_lead", "Partnership designated safeguarding lead"
    IG_OFFICER = "ig_officer", "Information governance officer"
    ADMIN = "admin", "Administrator"
    # An agency's nominated representative who signs its agreements (issue 20): reads the
    # agreements and signs what they are invited to sign, never a child's record.
    REPRESENTATIVE = "representative", "Nominated representative"


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "UserQuerySet":
        """Admins manage users: a partnership admin sees everyone, an agency admin their agency."""
        if not user.is_authenticated or not user.can(Perm.MANAGE_USERS):
            return self.none()
        if user.partnership_wide:
            return self
        return self.filter(agency_id=user.agency_id)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("partnership_wide", True)
        return self.create_user(email, password, **extra)


class User(Versioned, AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Each belongs to one agency and holds one role."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=150)
    job_title = models.CharField("job title", max_length=150, blank=True)
    agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    partnership_wide = models.BooleanField(
        "works across the partnership",
        default=False,
        help_text="For IG officers and admins: see every agency rather than only their own.",
    )
    is_active = models.BooleanField(default=True)
    # Separation of duties (accounts.grants): a new account whose role reads children's records
    # can do nothing that role allows until a second person approves it (AccessGrant).
    role_approved = models.BooleanField(
        "role approved",
        default=True,
        help_text="False while the role waits for a second person's approval: the account can do nothing.",
    )
    is_staff = models.BooleanField(
        "can use the Django admin", default=False, help_text="Operations staff only."
    )
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                name="user_agency_required_unless_partnership_wide",
                condition=Q(agency__isnull=False) | Q(partnership_wide=True),
            ),
            models.CheckConstraint(
                name="user_partnership_wide_only_ig_or_admin",
                condition=Q(partnership_wide=False) | Q(role__in=["ig_officer", "admin"]),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def can(self, perm: Perm) -> bool:
        return self.is_active and self.role_approved and role_has(self.role, perm)

    @property
    def is_ig_officer(self) -> bool:
        return self.role == Role.IG_OFFICER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def sees_agency(self, agency_id: int | None) -> bool:
        """Whether this user's scope covers records held by the given agency."""
        return self.partnership_wide or (agency_id is not None and agency_id == self.agency_id)


class GrantStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class AccessGrantQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "AccessGrantQuerySet":
        """Administrators, safeguarding leads and IG officers see the requests for their agency (the
        partnership-wide ones, every request)."""
        if not user.is_authenticated or not user.can(Perm.VIEW_ACCESS_GRANTS):
            return self.none()
        if user.partnership_wide:
            return self
        return self.filter(agency_id=user.agency_id)

    def pending(self) -> "AccessGrantQuerySet":
        return self.filter(status=GrantStatus.PENDING)


class AccessGrant(models.Model):
    """A role that reads children's records, asked for by one person for another (a new account or a
    change of role or agency), which takes effect only when a second person approves it: a
    partnership administrator, or a safeguarding lead of the agency; never the person who asked,
    nor the person it is for (``accounts.grants``)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    partnership_wide = models.BooleanField(default=False)
    previous_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_grant_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} for {self.user}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.agency_id or self.user.agency_id

    @property
    def is_pending(self) -> bool:
        return self.status == GrantStatus.PENDING


class UserSessionQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "UserSessionQuerySet":
        """A person sees and ends only their own sessions."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)


class UserSession(models.Model):
    """One signed-in session, so a person can see where they are signed in and end it.

    Written when someone signs in and removed when the session ends. The session
    key is a secret: it is never shown, never written to the audit trail, and the
    record is addressed by its own id.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField("device", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    signed_in_at = models.DateTimeField("signed in")

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_in_at"]

    def __str__(self) -> str:
        return f"Session of {self.user} from {self.signed_in_at:%d %b %Y %H:%M}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.user.agency_id


# django-otp-webauthn's models read the user model as they are imported: only now is it defined.
from django_otp_webauthn.models import (  # noqa: E402
    WebAuthnCredential,
    WebAuthnCredentialManager,
    WebAuthnCredentialQuerySet,
)


class PasskeyQuerySet(WebAuthnCredentialQuerySet):
    def visible_to(self, user: "User") -> "PasskeyQuerySet":
        """A person sees and removes only their own passkeys."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)


class Passkey(WebAuthnCredential):
    """A passkey: a second step beside the authenticator app (django-otp-webauthn's credential,
    with the product's scope). Its ``name`` is the one its owner gave it."""

    objects = WebAuthnCredentialManager.from_queryset(PasskeyQuerySet)()

    class Meta:
        proxy = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_agency_id(self) -> int | None:
        return self.user.agency_id


auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(UserSession, exclude_fields=["session_key"])
auditlog.register(AccessGrant)


def _register_second_factor_devices() -> None:
    """Second-factor devices are audited too, without their secrets."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # Each use of a device moves its counters; those uses are in the trail already as
    # sign-in events (and failures), so the counters would only add noise.
    in_use = ["last_t", "drift", "throttling_failure_count", "throttling_failure_timestamp", "last_used_at"]
    auditlog.register(TOTPDevice, exclude_fields=["key", *in_use])
    auditlog.register(StaticDevice, exclude_fields=in_use)
    # A passkey's keys are public but binary and of no use to a reader; its signature counter moves
    # with every use (each a SIGN_IN event already).
    auditlog.register(
        Passkey, exclude_fields=["credential_id", "public_key", "sign_count", "backup_state", "last_used_at"]
    )
    # Single backup codes are not audited one by one: their entries would read "StaticToken object
    # (81)", naming nobody. Issuing, using and resetting them are named events about the person
    # (BACKUP_CODES_ISSUED, SIGN_IN with the device, TWO_FACTOR_RESET).


_register_second_factor_devices()
