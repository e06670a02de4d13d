"""The audit trail: one append-only table of every change, view, export and sign-in.

django-auditlog writes an entry for every create, update and delete of a
registered model; ``audit.services`` writes the others (views, exports,
sign-ins, denied requests). Every entry passes through ``AuditEntry.save``,
which stamps who, from which agency, from where and through what.
"""

import functools

from auditlog.models import AbstractLogEntry, LogEntryManager
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.query import ModelIterable
from django.utils import timezone

from accounts.permissions import Perm
from audit import chain, erasure
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
    # Domain events: what happened, in the product's words. Each is written by the service that
    # makes the change, in its transaction, naming who did it (audit.services.record_event);
    # auditlog's CHANGE entries beside it keep each field's before and after.
    DECISION_STARTED = "decision_started", "Decision started"
    DECISION_SUBMITTED = "decision_submitted", "Decision submitted"
    DECISION_ENDORSED = "decision_endorsed", "Decision endorsed"
    DECISION_RETURNED = "decision_returned", "Decision returned"
    DECISION_ESCALATED = "decision_escalated", "Decision escalated"
    DECISION_RESOLVED = "decision_resolved", "Disagreement resolved"
    ADDENDUM_ADDED = "addendum_added", "Addendum added"
    CHILD_ADDED = "child_added", "Child added"
    CHILD_LINKED = "child_linked", "Agency linked to a child the partnership holds"
    ASSESSMENT_RECORDED = "assessment_recorded", "Competence assessment recorded"
    CONSENT_RECORDED = "consent_recorded", "Consent recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    ACCESS_GRANTED = "access_granted", "Access granted"
    ROLE_CHANGED = "role_changed", "Role or agency changed"
    USER_CHANGED = "user_changed", "Person's details changed"
    ACCESS_REVOKED = "access_revoked", "Account turned off"
    ACCESS_RESTORED = "access_restored", "Account turned on"
    SESSION_ENDED = "session_ended", "Session ended"
    TWO_FACTOR_SET_UP = "two_factor_set_up", "Two-step sign-in set up"
    BACKUP_CODES_ISSUED = "backup_codes_issued", "Backup codes issued"
    AGENCY_ADDED = "agency_added", "Agency added"
    AGENCY_CHANGED = "agency_changed", "Agency changed"
    REPRESENTATIVE_NAMED = "representative_named", "Nominated representative recorded"
    AGREEMENT_ADDED = "agreement_added", "Agreement added"
    AGREEMENT_CHANGED = "agreement_changed", "Agreement changed"
    AGREEMENT_STATUS = "agreement_status", "Agreement status changed"
    VERSION_ADDED = "version_added", "Agreement version added"
    VERSION_CHANGED = "version_changed", "Agreement version changed"
    SIGNATURE_INVITED = "signature_invited", "Representative invited to sign"
    SIGNATURE_RECORDED = "signature_recorded", "Signature recorded"
    SIGNATURE_WITHDRAWN = "signature_withdrawn", "Signature withdrawn"
    INCIDENT_RECORDED = "incident_recorded", "Incident recorded"
    INCIDENT_CHANGED = "incident_changed", "Incident changed"
    SUBJECT_ACCESS_RECEIVED = "sar_received", "Subject access request recorded"
    SUBJECT_ACCESS_CHANGED = "sar_changed", "Subject access request changed"
    # Evidence and retention (audit.seals, retention): a record sealed as written, erased when its
    # retention period ended, and legal holds that stop that.
    RECORD_SEALED = "record_sealed", "Record sealed"
    RECORD_DISPOSED = "record_disposed", "Erased under retention"
    LEGAL_HOLD_PLACED = "legal_hold_placed", "Legal hold placed"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", "Legal hold lifted"
    # Separation of duties (accounts.grants): a role that reads children's records is asked for by
    # one person and approved, or refused, by another.
    ACCESS_REQUESTED = "access_requested", "Access to children's records asked for"
    ACCESS_APPROVED = "access_approved", "Access to children's records approved"
    ACCESS_REFUSED = "access_refused", "Access to children's records refused"
    TWO_FACTOR_RESET = "two_factor_reset", "Two-step sign-in reset"
    PASSKEY_ADDED = "passkey_added", "Passkey added"
    PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
    TWO_FACTOR_REMOVED = "two_factor_removed", "Authenticator app removed"
    # Operations staff in the Django admin: every page they open or change (isa_portal.admin).
    ADMIN_VIEWED = "admin_viewed", "Used the operations admin"


# Every domain event. Its entry's ``action`` is ACCESS, as for every event but CHANGE: auditlog's
# CREATE, UPDATE and DELETE mark its own field-change entries. A domain event must name who did it
# and be written inside the transaction of the change it records (audit.services.record_event).
DOMAIN_EVENTS = frozenset(
    {
        Event.DECISION_STARTED,
        Event.DECISION_SUBMITTED,
        Event.DECISION_ENDORSED,
        Event.DECISION_RETURNED,
        Event.DECISION_ESCALATED,
        Event.DECISION_RESOLVED,
        Event.ADDENDUM_ADDED,
        Event.CHILD_ADDED,
        Event.CHILD_LINKED,
        Event.ASSESSMENT_RECORDED,
        Event.CONSENT_RECORDED,
        Event.CONSENT_WITHDRAWN,
        Event.ACCESS_GRANTED,
        Event.ROLE_CHANGED,
        Event.USER_CHANGED,
        Event.ACCESS_REVOKED,
        Event.ACCESS_RESTORED,
        Event.SESSION_ENDED,
        Event.TWO_FACTOR_SET_UP,
        Event.BACKUP_CODES_ISSUED,
        Event.PASSWORD_RESET,
        Event.AGENCY_ADDED,
        Event.AGENCY_CHANGED,
        Event.REPRESENTATIVE_NAMED,
        Event.AGREEMENT_ADDED,
        Event.AGREEMENT_CHANGED,
        Event.AGREEMENT_STATUS,
        Event.VERSION_ADDED,
        Event.VERSION_CHANGED,
        Event.SIGNATURE_INVITED,
        Event.SIGNATURE_RECORDED,
        Event.SIGNATURE_WITHDRAWN,
        Event.INCIDENT_RECORDED,
        Event.INCIDENT_CHANGED,
        Event.SUBJECT_ACCESS_RECEIVED,
        Event.SUBJECT_ACCESS_CHANGED,
        Event.RECORD_SEALED,
        Event.RECORD_DISPOSED,
        Event.LEGAL_HOLD_PLACED,
        Event.LEGAL_HOLD_LIFTED,
        Event.ACCESS_REQUESTED,
        Event.ACCESS_APPROVED,
        Event.ACCESS_REFUSED,
        Event.TWO_FACTOR_RESET,
        Event.PASSKEY_ADDED,
        Event.PASSKEY_REMOVED,
        Event.TWO_FACTOR_REMOVED,
    }
)


class RevealingIterable(ModelIterable):
    """Entries as model instances, with their personal values put back (``audit.erasure``): one
    query per batch, and none for a batch that holds none."""

    BATCH = 2000

    def __iter__(self):
        batch = []
        for entry in super().__iter__():
            batch.append(entry)
            if len(batch) >= self.BATCH:
                erasure.reveal(batch)
                yield from batch
                batch = []
        erasure.reveal(batch)
        yield from batch


class AuditEntryQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._iterable_class = RevealingIterable

    def visible_to(self, user) -> "AuditEntryQuerySet":
        """IG officers read the trail: a partnership-wide one all of it, an agency one their agency's.

        An agency's part is every entry about its records or made by its staff.
        """
        if not user.is_authenticated or not user.can(Perm.VIEW_AUDIT):
            return self.none()
        if user.partnership_wide:
            return self
        return self.about_or_by_agency(user.agency_id)

    def about_or_by_agency(self, agency_id: int) -> "AuditEntryQuerySet":
        return self.filter(models.Q(agency_id=agency_id) | models.Q(actor_agency_id=agency_id))


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        # The agency a record belongs to, so an agency IG officer can be shown its trail.
        kwargs.setdefault("agency_id", audit_agency_id(instance))
        if isinstance(kwargs.get("changes"), dict):
            # auditlog also diffs reverse relations ("users": "accounts.User.None"): noise, not evidence.
            own = {f.name for f in instance._meta.concrete_fields} | {
                f.name for f in instance._meta.many_to_many
            }
            kwargs["changes"] = {k: v for k, v in kwargs["changes"].items() if k in own}
        token = erasure.writing_about.set(instance)
        try:
            return super().log_create(instance, force_log=force_log, **kwargs)
        finally:
            erasure.writing_about.reset(token)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        # As log_create: a change to a record's many-to-many (a consent's recipients) is its agency's.
        kwargs.setdefault("agency_id", audit_agency_id(instance))
        token = erasure.writing_about.set(instance)
        try:
            return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)
        finally:
            erasure.writing_about.reset(token)


def audited_content_types() -> list[ContentType]:
    """The types of record the trail is about, for choosing one in the viewer."""
    from auditlog.registry import auditlog

    # The trail itself too: exports of the trail are entries about it.
    types = ContentType.objects.get_for_models(*auditlog.get_models(), AuditEntry).values()
    return sorted(types, key=lambda ct: str(ct.model_class()._meta.verbose_name).lower())


def audit_agency_id(instance) -> int | None:
    """Which agency a record belongs to: its ``audit_agency_id`` if it says, else its ``agency``."""
    if hasattr(instance, "audit_agency_id"):
        return instance.audit_agency_id
    return getattr(instance, "agency_id", None)


CHANGE_LABELS = {
    AbstractLogEntry.Action.CREATE: "Created",
    AbstractLogEntry.Action.UPDATE: "Changed",
    AbstractLogEntry.Action.DELETE: "Deleted",
}
# Read once: ``get_event_display`` rebuilds a dict of every event's label on each call, and the
# audit viewer asks for fifty labels a page.
EVENT_LABELS = {value: str(label) for value, label in Event.choices}


class AuditTrailIsAppendOnly(Exception):
    """An audit entry may be written once, never changed or removed."""


class AuditEntry(AbstractLogEntry):
    # PROTECT, not auditlog's SET_NULL and CASCADE: deleting a user or a content type
    # must not try to rewrite history (the database triggers would refuse it anyway).
    # No index on a column alone (db_index=False here and below, where auditlog has one):
    # the composite indexes in Meta lead with the columns the viewer filters on, and at ten
    # million entries each single-column index was another 70-240 MB written on every entry.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="content type",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        null=True,
        related_name="+",
        verbose_name="actor",
        db_index=False,
    )
    object_pk = models.CharField(max_length=255, verbose_name="object pk")
    object_id = models.BigIntegerField(blank=True, null=True, verbose_name="object id")
    action = models.PositiveSmallIntegerField(choices=AbstractLogEntry.Action.choices, verbose_name="action")
    cid = models.CharField(max_length=255, blank=True, null=True, verbose_name="Correlation ID")  # noqa: DJ001 (auditlog's column as it is)
    timestamp = models.DateTimeField(default=timezone.now, verbose_name="timestamp")
    event = models.CharField(max_length=20, choices=Event.choices, default=Event.CHANGE)
    agency = models.ForeignKey(
        "agreements.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency whose record this entry is about.",
        db_index=False,
    )
    actor_agency = models.ForeignKey(
        "agreements.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The actor's agency at the time.",
        db_index=False,
    )
    actor_role = models.CharField(max_length=20, blank=True)
    source = models.CharField(
        max_length=100, blank=True, help_text="'web', or the management command that wrote it."
    )

    prev_hash = models.CharField(max_length=64, editable=False, default="")
    entry_hash = models.CharField(max_length=64, editable=False, default="")

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["actor", "timestamp"], name="audit_actor_time"),
            models.Index(fields=["content_type", "object_pk", "timestamp"], name="audit_object_time"),
            models.Index(fields=["agency", "timestamp"], name="audit_agency_time"),
            models.Index(fields=["event", "timestamp"], name="audit_event_time"),
            # The viewer's keyset pagination and its filters (audit.views).
            models.Index(fields=["timestamp", "id"], name="audit_time_id"),
            models.Index(fields=["actor_agency", "timestamp"], name="audit_actor_agency_time"),
            models.Index(fields=["content_type", "timestamp"], name="audit_type_time"),
            models.Index(fields=["action", "timestamp"], name="audit_action_time"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("An audit entry cannot be changed once written.")
        self._stamp_from_context()
        # Personal values leave the entry for AuditValue; the chain hashes their commitments.
        values = erasure.commit(self)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if connections[using].vendor == "postgresql":
            # One statement that takes the chain's lock, draws the id, reads the head and inserts
            # the entry and its personal values: no BEGIN, COMMIT or savepoint of its own. The lock
            # is held until the transaction around it commits (or, in autocommit, until the
            # statement ends), so the next writer chains onto this entry.
            self._insert_linked(values, using)
            return
        # SQLite reads the head, then inserts: both in one transaction.
        # Always an INSERT: with the id given as an expression Django would try an UPDATE first.
        kwargs["force_insert"] = True
        with transaction.atomic(using=using, savepoint=False):
            chain.stamp(self)
            super().save(*args, **kwargs)
            if values:
                for value in values:
                    value.entry_id = self.pk
                AuditValue.objects.using(using).bulk_create(values)
        erasure.restore(self)

    def _insert_linked(self, values: list, using: str) -> None:
        """The PostgreSQL write (``chain.insert_sql``), with Django's save signals around it."""
        cls = type(self)
        connection = connections[using]
        signals.pre_save.send(sender=cls, instance=self, raw=False, using=using, update_fields=None)
        fields, value_fields = _linked_insert_fields(using)
        params = [chain.content_param(self)]
        params += [field.get_db_prep_save(field.pre_save(self, True), connection) for field, _ in fields]
        for value in values:
            params += [
                field.get_db_prep_save(getattr(value, field.attname), connection) for field, _ in value_fields
            ]
        sql = chain.insert_sql(
            cls._meta.db_table,
            tuple(field.column for field, _ in fields),
            AuditValue._meta.db_table,
            tuple((field.column, sql_type) for field, sql_type in value_fields),
            len(values),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            self.id, self.prev_hash, self.entry_hash = cursor.fetchone()
        self._state.adding = False
        self._state.db = using
        for value in values:
            value.entry_id = self.pk
        erasure.restore(self)
        signals.post_save.send(
            sender=cls, instance=self, created=True, update_fields=None, raw=False, using=using
        )

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("An audit entry cannot be deleted.")

    @property
    def activity_label(self) -> str:
        if self.event == Event.CHANGE:
            return CHANGE_LABELS.get(self.action, "Changed")
        return EVENT_LABELS.get(self.event, self.event)

    @property
    def record_type_label(self) -> str:
        """The type of record as people name it ("Consent record", "Person's account")."""
        from audit.wording import record_type_label

        return record_type_label(self.content_type)

    @property
    def sentence(self) -> str:
        """What happened, in a sentence: "Priya Shah (practitioner, Northshire CSC) viewed decision ..."."""
        from audit.wording import sentence

        return sentence(self)

    def _stamp_from_context(self) -> None:
        context = current()
        if context is not None and self.actor_id is None:
            actor = context.current_actor()
            if actor is not None:
                self.actor = actor
        # An actor named by the writer (a service's ``by``) is stamped with or without a context.
        if self.actor_id is not None:
            self.actor_email = self.actor.email
            self.actor_agency_id = self.actor.agency_id
            self.actor_role = self.actor.role
        elif context is not None and not self.actor_email and context.actor_label:
            self.actor_email = context.actor_label
        if context is None:
            return
        if self.remote_addr is None:
            self.remote_addr = context.remote_addr
        if not self.source:
            self.source = context.source


class SealSalt(models.Model):
    """The salt of a seal's erasable fields (``audit.seals``), kept beside the chain so that erasing
    a record can delete it. Written once with its seal; deleted when the record is erased."""

    # No foreign key constraint: the entry is append-only, so it is always there, and a constraint
    # would make the trail's own TRUNCATE fail on the reference before its trigger could refuse it.
    entry = models.OneToOneField(
        AuditEntry, on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Salt of seal {self.entry_id}"


class AuditValue(models.Model):
    """A personal value written to the trail (``audit.erasure``): the chain holds its salted
    commitment, this row the value and the salt, so retention can erase it. Never changed
    (PostgreSQL refuses an UPDATE); deleted when the record or child it is about is erased."""

    # No foreign key constraints, as for SealSalt: the entry is append-only, so always there.
    entry = models.ForeignKey(
        AuditEntry, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    commitment = models.CharField(max_length=64, unique=True)
    salt = models.CharField(max_length=32)
    value = models.TextField(help_text="The value as canonical JSON, exactly as committed.")
    # What it is about, so that erasing a record (or a child, and all about them) finds it.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,  # audit_value_record leads with it
    )
    object_pk = models.CharField(max_length=255)
    field = models.CharField(max_length=100, help_text="The field, or object_repr for the record's name.")
    child_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "audit value"
        indexes = [
            models.Index(fields=["content_type", "object_pk", "field"], name="audit_value_record"),
            models.Index(fields=["child_id"], name="audit_value_child"),
        ]

    def __str__(self) -> str:
        return f"Value of {self.field} in entry {self.entry_id}"


@functools.cache
def _linked_insert_fields(using: str) -> tuple[tuple, tuple]:
    """The columns the PostgreSQL INSERT writes, as (field, SQL type): the entry's but the three
    the chain fills, and its personal values' but their id and the entry's id."""
    connection = connections[using]

    def columns(model, skip):
        fields = model._meta.concrete_fields
        return tuple((field, field.db_type(connection)) for field in fields if field.attname not in skip)

    return columns(AuditEntry, {"id", "prev_hash", "entry_hash"}), columns(AuditValue, {"id", "entry_id"})


class SubjectAccessRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubjectAccessRequestQuerySet":
        """IG officers: the partnership's requests, or their agency's."""
        if not user.is_authenticated or not user.can(Perm.EXPORT_SUBJECT_ACCESS):
            return self.none()
        return self if user.partnership_wide else self.filter(agency_id=user.agency_id)

    def open(self) -> "SubjectAccessRequestQuerySet":
        return self.filter(responded_on__isnull=True)


class SubjectAccessStatus(models.TextChoices):
    """Where a request has got to (``audit.sar`` moves it on): records gathered, a reviewer marking
    what to withhold, agencies that supplied information consulted, ready, and the bundle issued."""

    GATHERING = "gathering", "Gathering records"
    IN_REVIEW = "in_review", "In review"
    CONSULTING = "consulting", "Consulting the agencies that supplied information"
    READY = "ready", "Ready to issue"
    ISSUED = "issued", "Issued"


class SubjectAccessRequest(models.Model):
    """A request for a child's records under UK GDPR Art 15: who asked, how their identity and
    entitlement were checked, when it was received, and the one-month clock (``isa_portal.clocks``)."""

    child = models.ForeignKey(
        "consent.Child", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.PROTECT, related_name="+", help_text="The agency answering it."
    )
    requester_name = models.CharField("who asked", max_length=150)
    requester_relationship = models.CharField(
        "their relationship to the child",
        max_length=150,
        help_text="For example: the child, mother, solicitor.",
    )
    identity_check = models.TextField(
        "how their identity and entitlement were checked",
        help_text="For example: passport seen, parental responsibility confirmed from the birth certificate.",
    )
    received_on = models.DateField(
        "date received", help_text="Or the date identity was confirmed, if later: the clock starts then."
    )
    extension_reason = models.TextField(
        "why the time was extended",
        blank=True,
        help_text="Only when the request is complex or one of many (UK GDPR Art 12(3)): two more months.",
    )
    responded_on = models.DateField("date the response was sent", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=SubjectAccessStatus.choices, default=SubjectAccessStatus.GATHERING
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    objects = SubjectAccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"Subject access request {self.reference}"

    @property
    def reference(self) -> str:
        return f"SAR-{self.received_on:%Y}-{self.pk or 0:05d}"

    @property
    def audit_agency_id(self) -> int | None:
        return self.agency_id

    @property
    def extended(self) -> bool:
        return bool(self.extension_reason.strip())

    @property
    def clock(self):
        from isa_portal import clocks

        return clocks.subject_access_clock(
            self.received_on, extended=self.extended, responded_on=self.responded_on
        )

    @property
    def due_on(self):
        return self.clock.due

    @property
    def is_issued(self) -> bool:
        """Issued: the bundle went, and what was withheld from it is fixed."""
        return self.status == SubjectAccessStatus.ISSUED

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        today = timezone.localdate()
        errors = {}
        if self.received_on and self.received_on > today:
            errors["received_on"] = "The date received must be today or in the past"
        if self.responded_on:
            if self.received_on and self.responded_on < self.received_on:
                errors["responded_on"] = "The response must be on or after the date the request was received"
            elif self.responded_on > today:
                errors["responded_on"] = "The date of the response must be today or in the past"
        if errors:
            raise ValidationError(errors)


auditlog.register(SubjectAccessRequest)

# The reviewer's redactions and the consultations of supplying agencies (issue 15), kept beside the
# request in their own module.
from audit.sar_models import SubjectAccessRedaction, SupplierConsultation  # noqa: E402, F401


class AuditCheckpoint(models.Model):
    """A signed checkpoint of the trail (``audit.checkpoints``): its size, chain head and Merkle root,
    signed with the operator's key. Append-only (PostgreSQL refuses UPDATE, DELETE and TRUNCATE); a
    copy of each is also written to ``AUDIT_CHECKPOINT_DIR`` outside the database."""

    tree_size = models.BigIntegerField(help_text="Entries the checkpoint covers.")
    last_entry_id = models.BigIntegerField(help_text="The id of the newest entry it covers.")
    chain_head = models.CharField(max_length=64)
    merkle_root = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    note = models.TextField(help_text="The signed note, exactly as written to the checkpoint directory.")

    class Meta:
        verbose_name = "audit checkpoint"
        indexes = [models.Index(fields=["tree_size"], name="audit_checkpoint_size")]

    def __str__(self) -> str:
        return f"Checkpoint of {self.tree_size} entries"
