"""The audit trail in plain words: record types as people name them, and each entry as a sentence.

"Priya Shah (practitioner, Northshire CSC) viewed decision ISD-2026-000123". Used by the audit
viewer, its export, and a child's access history (``audit.history``), so the three say the same.
"""

import datetime as dt
import re

from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from accounts.models import Role
from audit.models import EVENT_LABELS, AuditEntry, Event
from isa_portal.web import display_value, long_date

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
    "accessgrant": "request for access to children's records",
    "apiclient": "case system's API client",
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
    Event.ACCESS_REQUESTED: "asked for access to children's records for",
    Event.ACCESS_APPROVED: "approved access to children's records for",
    Event.ACCESS_REFUSED: "refused access to children's records for",
    Event.TWO_FACTOR_RESET: "reset two-step sign-in of",
    Event.ADMIN_VIEWED: "used the operations admin:",
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
    """The record types an IG officer filters the trail by, in the order of ``IG_RECORD_TYPES``.

    Read from the content types' cache as they are, not sorted by name first (as
    ``audited_content_types`` sorts them for other lists): this order is ``IG_RECORD_TYPES``'s, and
    the audit viewer's filter asks for it on every page."""
    types = ContentType.objects.get_for_models(*auditlog.get_models(), AuditEntry).values()
    by_model = {ct.model: ct for ct in types}
    return [by_model[name] for name in IG_RECORD_TYPES if name in by_model]


def who_from(name: str, email: str, role: str, agency: str) -> str:
    """ "Priya Shah (practitioner, Northshire CSC)"; the email when the account has no name; "The
    system" (or the command's label, stored as the email) when no person did it."""
    about = [SHORT_ROLES.get(role, role)] if role else []
    if agency:
        about.append(agency)
    name = name or email or "The system"
    return f"{name} ({', '.join(about)})" if about else name


def who(entry: AuditEntry) -> str:
    return who_from(
        entry.actor.full_name if entry.actor_id else "",
        entry.actor_email or "",
        entry.actor_role,
        entry.actor_agency.name if entry.actor_agency_id else "",
    )


def verb_of(event: str, action: int) -> str:
    if event == Event.CHANGE:
        return CHANGE_VERBS.get(action, "changed")
    if event in SELF_EVENTS:
        return SELF_EVENTS[event]
    label = EVENT_LABELS.get(event, event)
    return VERBS.get(event, f"recorded \u201c{label}\u201d on")


def what_of(event: str, model: str, object_pk: str, object_repr: str, record: str | None = None) -> str:
    """The record an entry is about: "decision ISD-2026-000123", "consent record of ..."; a list's
    or an export's own label ("Decision log (CSV)")."""
    if event in SELF_EVENTS:
        return ""
    if record is not None:
        return record
    noun = record_noun(model)
    if not object_pk:
        return object_repr or f"{noun}s"
    if object_repr and object_repr.lower().startswith(noun.lower()):
        return noun + object_repr[len(noun) :]  # "Consent record of ..." reads "viewed consent record of ..."
    return f"{noun} {object_repr}".strip()


def sentence_from(
    who_text: str, event: str, action: int, model: str, object_pk: str, object_repr: str, record=None
) -> str:
    thing = what_of(event, model, object_pk, object_repr, record)
    return f"{who_text} {verb_of(event, action)}{' ' + thing if thing else ''}"


def sentence(entry: AuditEntry, record: str | None = None) -> str:
    """What happened, as a sentence; ``record`` names the record when the entry's own label does not
    (a refused request recorded by its address)."""
    return sentence_from(
        who(entry),
        entry.event,
        entry.action,
        entry.content_type.model,
        entry.object_pk,
        entry.object_repr,
        record,
    )


ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def readable(value, *, choices=(), related: dict | None = None) -> str:
    """A value as auditlog stored it (text, or JSON for structured fields), as a person reads it:
    a time as "6 December 2026, 02:03", a date written out, a choice by its label, a linked record
    by its name (``related``: pk as text -> name), a list one item after another, a mapping as
    "key: value" pairs. Empty is ""."""
    if value in (None, "None", ""):
        return ""
    if isinstance(value, dict):
        if value.get("type") == "m2m":  # auditlog's many-to-many change
            verb = {"add": "Added", "delete": "Removed"}.get(value.get("operation"), "Set to")
            return f"{verb}: {', '.join(str(item) for item in value.get('objects', []))}"
        return "; ".join(
            f"{key.replace('_', ' ')}: {readable(item, choices=choices)}" for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return "; ".join(readable(item, choices=choices, related=related) for item in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if related is not None and text in related:
        return related[text]
    if ISO_TIME.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{long_date(moment)}, {moment:%H:%M}"
    if ISO_DATE.match(text):
        try:
            return long_date(dt.date.fromisoformat(text))
        except ValueError:
            return text
    return display_value(text, choices=choices, empty="")


def field_changes(model, changes: dict, *, resolve: bool = True) -> list[dict]:
    """Each changed field with its value before and after, labelled as the record's form labels it,
    values as ``readable`` writes them. ``resolve`` looks up the names of linked records (a query
    per kind of linked record), for one entry's page; an export leaves their numbers."""
    rows = []
    for name, values in sorted(changes.items()):
        before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        label, choices, related = name, [], None
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a field since removed from the model keeps its stored name
                field = None
        if field is not None:
            label = str(getattr(field, "verbose_name", name))
            choices = getattr(field, "flatchoices", None) or _list_choices(model, name)
            if resolve and field.many_to_one and field.related_model is not None:
                pks = [str(v) for v in (before, after) if v not in (None, "None", "")]
                related = _names(field.related_model, pks)
        rows.append(
            {
                "field": label.capitalize(),
                "before": readable(before, choices=choices, related=related),
                "after": readable(after, choices=choices, related=related),
            }
        )
    return rows


def _list_choices(model, name: str):
    """The choices of a JSON list field (grounds, other reasons), where the record names them."""
    from decisions.selectors import LIST_CHOICES

    return LIST_CHOICES.get(name, []) if model._meta.model_name == "decision" else []


def _names(model, pks: list[str]) -> dict[str, str]:
    if not pks:
        return {}
    try:
        found = model._default_manager.filter(pk__in=pks)
    except (ValueError, TypeError):
        return {}
    return {str(obj.pk): _name_of(obj) for obj in found}


def _name_of(obj) -> str:
    full_name = getattr(obj, "full_name", "")
    return str(full_name or obj)


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))
