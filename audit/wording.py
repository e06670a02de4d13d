"""The audit trail in plain words: record types as people name them, and each entry as a sentence.

"Priya Shah (practitioner, Northshire CSC) viewed decision ISD-2026-000123". Used by the audit
viewer, its export, and a child's access history (``audit.history``), so the three say the same.
"""

from django.contrib.contenttypes.models import ContentType

from accounts.models import Role
from audit.models import CHANGE_LABELS, AuditEntry, Event

# What people call each kind of record, by content type model name. The types an IG officer asks
# about are the ones listed in IG_RECORD_TYPES; the rest (sign-in devices, counters, drafts) keep a
# plain name for the rare entry that shows them but are not offered as a filter.
RECORD_NOUNS = {
    "child": "child",
    "childagency": "agency's link to a child",
    "decision": "decision",
    "decisionaddendum": "addendum to a decision",
    "decisionreview": "review of a decision",
    "consentrecord": "consent record",
    "competenceassessment": "competence assessment",
    "agency": "agency",
    "agreement": "agreement",
    "agreementversion": "agreement version",
    "agreementpurpose": "agreement purpose",
    "signature": "signature of an agreement",
    "incident": "incident",
    "nominatedrepresentative": "nominated representative",
    "user": "person's account",
    "auditentry": "audit trail",
    "usersession": "sign-in session",
    "totpdevice": "two-step sign-in app",
    "staticdevice": "backup codes",
    "statictoken": "backup code",
    "referencecounter": "decision reference counter",
    "remindersent": "reminder email",
    "draft": "draft form",
}
IG_RECORD_TYPES = (
    "child",
    "decision",
    "decisionaddendum",
    "decisionreview",
    "consentrecord",
    "competenceassessment",
    "agreement",
    "agreementversion",
    "signature",
    "incident",
    "agency",
    "user",
    "auditentry",
)

# Each event as the verb of its sentence; the record follows.
VERBS = {
    Event.VIEW: "viewed",
    Event.LIST: "viewed a list of",
    Event.EXPORT: "exported",
    Event.DOWNLOAD: "downloaded",
    Event.PRINT: "printed",
    Event.DENIED: "was refused access to",
    Event.DECISION_STARTED: "started",
    Event.DECISION_SUBMITTED: "submitted",
    Event.DECISION_ENDORSED: "endorsed",
    Event.DECISION_RETURNED: "returned",
    Event.DECISION_ESCALATED: "escalated",
    Event.DECISION_RESOLVED: "resolved the disagreement about",
    Event.ADDENDUM_ADDED: "added an addendum to",
    Event.CHILD_ADDED: "added",
    Event.ASSESSMENT_RECORDED: "recorded",
    Event.CONSENT_RECORDED: "recorded",
    Event.CONSENT_WITHDRAWN: "recorded the withdrawal of",
    Event.RECORD_SEALED: "sealed",
    Event.RECORD_DISPOSED: "erased under retention",
    Event.LEGAL_HOLD_PLACED: "placed a legal hold on",
    Event.LEGAL_HOLD_LIFTED: "lifted the legal hold on",
    Event.INCIDENT_RECORDED: "recorded",
    Event.INCIDENT_CHANGED: "changed",
}
CHANGE_VERBS = {
    AuditEntry.Action.CREATE: "created",
    AuditEntry.Action.UPDATE: "changed",
    AuditEntry.Action.DELETE: "deleted",
}
# Events about the person themselves: no record follows the verb.
SELF_EVENTS = {
    Event.SIGN_IN: "signed in",
    Event.SIGN_IN_FAILED: "failed to sign in",
    Event.SIGN_OUT: "signed out",
    Event.LOCKOUT: "was locked out",
    Event.SESSION_ENDED: "was signed out: session ended",
}
ROLE_LABELS = dict(Role.choices)
SHORT_ROLES = {
    "practitioner": "practitioner",
    "lead": "lead",
    "ig_officer": "IG officer",
    "admin": "administrator",
}


def record_noun(model_name: str) -> str:
    return RECORD_NOUNS.get(model_name, model_name)


def record_type_label(content_type: ContentType) -> str:
    """A record type as people name it, capitalised ("Consent record")."""
    return record_noun(content_type.model).capitalize()


def ig_content_types() -> list[ContentType]:
    """The record types an IG officer filters the trail by, in the order of ``IG_RECORD_TYPES``."""
    from audit.models import audited_content_types

    by_model = {ct.model: ct for ct in audited_content_types()}
    return [by_model[name] for name in IG_RECORD_TYPES if name in by_model]


def who(entry: AuditEntry) -> str:
    """ "Priya Shah (practitioner, Northshire CSC)"; the email when the account has no name; the
    command's or the system's label when no person did it."""
    actor = entry.actor if entry.actor_id else None
    name = (actor.full_name if actor is not None else "") or entry.actor_email or "The system"
    about = [SHORT_ROLES.get(entry.actor_role, entry.actor_role)] if entry.actor_role else []
    if entry.actor_agency_id:
        about.append(entry.actor_agency.name)
    return f"{name} ({', '.join(about)})" if about else name


def verb(entry: AuditEntry) -> str:
    if entry.event == Event.CHANGE:
        return CHANGE_VERBS.get(entry.action, "changed")
    if entry.event in SELF_EVENTS:
        return SELF_EVENTS[entry.event]
    return VERBS.get(entry.event, f"recorded \u201c{entry.get_event_display()}\u201d on")


def what(entry: AuditEntry, record: str | None = None) -> str:
    """The record the entry is about: "decision ISD-2026-000123", "a list of decisions"."""
    noun = record_noun(entry.content_type.model)
    if entry.event in SELF_EVENTS:
        return ""
    if record is not None:
        return record
    if not entry.object_pk:  # a list or an export of records: its label says which
        return entry.object_repr or f"{noun}s"
    label = entry.object_repr
    if label and label.lower().startswith(noun.lower()):
        return noun + label[len(noun) :]  # "Consent record of ..." reads "viewed consent record of ..."
    return f"{noun} {label}".strip()


def sentence(entry: AuditEntry, record: str | None = None) -> str:
    """What happened, as a sentence; ``record`` names the record when the entry's own label does not
    (a refused request recorded by its address)."""
    thing = what(entry, record)
    return f"{who(entry)} {verb(entry)}{' ' + thing if thing else ''}"


def activity_label(entry: AuditEntry) -> str:
    if entry.event == Event.CHANGE:
        return CHANGE_LABELS.get(entry.action, "Changed")
    return entry.get_event_display()


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))
