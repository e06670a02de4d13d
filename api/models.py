"""API clients: a case system of one agency, reading and starting records as that agency.

A client never acts as a person: it holds no role, signs nothing and submits nothing. Its token is
shown once when the client is made and kept only as a SHA-256 digest, found again by its prefix.
"""

import hashlib
import hmac
import secrets

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.permissions import Perm

SCHEME = "isa"


class Scope(models.TextChoices):
    READ_DECISIONS = "read_decisions", "Read the agency's submitted decisions"
    READ_CONSENT = "read_consent", "Read the agency's consent records"
    CREATE_DRAFT_DECISION = (
        "create_draft_decision",
        "Start draft decisions for the agency's practitioners to complete",
    )


class ApiClientQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApiClientQuerySet":
        """Administrators manage API clients: a partnership administrator every agency's, an agency's
        administrator their own agency's."""
        if not user.is_authenticated or not user.can(Perm.MANAGE_API_CLIENTS):
            return self.none()
        if user.partnership_wide:
            return self
        return self.filter(agency_id=user.agency_id)


def hash_token(token: str) -> str:
    """Tokens are 256 random bits: a fast digest is enough (no password to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A token and its lookup prefix: ``isa_<prefix>_<secret>``."""
    prefix = secrets.token_hex(6)
    return prefix, f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"


def prefix_of(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or len(parts[1]) != 12:
        return None
    return parts[1]


class ApiClient(models.Model):
    name = models.CharField(
        "name", max_length=100, help_text="The case system, as your agency knows it. For example: Mosaic."
    )
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="+")
    scopes = models.JSONField("what it may do", default=list)
    token_prefix = models.CharField(max_length=12, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("expires", null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = "API client"
        ordering = ["agency__name", "name", "id"]

    def __str__(self) -> str:
        return f"API client {self.name} ({self.token_prefix})"

    @property
    def audit_label(self) -> str:
        """How the client is named as the actor of its audit entries (it is not a person), within the
        entry's 254 characters for an actor."""
        return f"API client {self.name} of {self.agency.name}"[:235] + f" ({SCHEME}_{self.token_prefix})"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def get_scopes_display(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(scope, scope) for scope in self.scopes]

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token_hash, hash_token(token))


# The digest is not secret, but it is of no use to a reader of the trail either.
auditlog.register(ApiClient, exclude_fields=["token_hash"])
