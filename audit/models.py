"""The audit trail: one append-only table of every change, view, export and sign-in.

django-auditlog writes an entry for every create, update and delete of a
registered model; ``audit.services`` writes the others (views, exports,
sign-ins, denied requests). Every entry passes through ``AuditEntry.save``,
which stamps who, from which agency, from where and through what.
"""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models

from audit.context import current


class Event(models.TextChoices):
    CHANGE = "change", "Change"  # create, update or delete, as `action` says
    VIEW = "view", "Viewed a record"
    LIST = "list", "Viewed a list"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded"
    PRINT = "print", "Printed"
    DENIED = "denied", "Refused access"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKOUT = "lockout", "Locked out"
    PASSWORD_RESET = "password_reset", "Password reset"


class AuditEntryManager(LogEntryManager):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        # The agency a record belongs to, so an agency IG officer can be shown its trail.
        kwargs.setdefault("agency_id", audit_agency_id(instance))
        if isinstance(kwargs.get("changes"), dict):
            # auditlog also diffs reverse relations ("users": "accounts.User.None"): noise, not evidence.
            own = {f.name for f in instance._meta.concrete_fields} | {
                f.name for f in instance._meta.many_to_many
            }
            kwargs["changes"] = {k: v for k, v in kwargs["changes"].items() if k in own}
        return super().log_create(instance, force_log=force_log, **kwargs)


def audit_agency_id(instance) -> int | None:
    """Which agency a record belongs to: its ``audit_agency_id`` if it says, else its ``agency``."""
    if hasattr(instance, "audit_agency_id"):
        return instance.audit_agency_id
    return getattr(instance, "agency_id", None)


class AuditEntry(AbstractLogEntry):
    event = models.CharField(max_length=20, choices=Event.choices, default=Event.CHANGE)
    agency = models.ForeignKey(
        "agreements.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency whose record this entry is about.",
    )
    actor_agency = models.ForeignKey(
        "agreements.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The actor's agency at the time.",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    source = models.CharField(
        max_length=100, blank=True, help_text="'web', or the management command that wrote it."
    )

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["actor", "timestamp"], name="audit_actor_time"),
            models.Index(fields=["content_type", "object_pk", "timestamp"], name="audit_object_time"),
            models.Index(fields=["agency", "timestamp"], name="audit_agency_time"),
            models.Index(fields=["event", "timestamp"], name="audit_event_time"),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding:
            self._stamp_from_context()
        super().save(*args, **kwargs)

    def _stamp_from_context(self) -> None:
        context = current()
        if context is None:
            return
        actor = context.current_actor()
        if self.actor_id is None and actor is not None:
            self.actor = actor
        if self.actor_id is not None:
            self.actor_email = self.actor.email
            self.actor_agency_id = self.actor.agency_id
            self.actor_role = self.actor.role
        elif not self.actor_email and context.actor_label:
            self.actor_email = context.actor_label
        if self.remote_addr is None:
            self.remote_addr = context.remote_addr
        if not self.source:
            self.source = context.source
