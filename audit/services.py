"""Writing the audit entries that django-auditlog does not: named events, views, exports, sign-ins.

Every service that changes a record writes the event in the product's words, zulip-style, in
its own transaction and naming who did it::

    with transaction.atomic():
        ...the change...
        record_event(Event.DECISION_ENDORSED, decision, actor=by, detail={...})

django-auditlog writes, beside it, an entry per record with each field's before and after.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import HttpRequest

from audit import seals
from audit.context import current
from audit.models import DOMAIN_EVENTS, AuditEntry, Event, SealSalt, audit_agency_id


def record_event(
    event: Event,
    obj: models.Model | None = None,
    *,
    actor=None,
    model: type[models.Model] | None = None,
    label: str = "",
    detail: dict[str, Any] | None = None,
    agency_id: int | None = None,
    action: int = AuditEntry.Action.ACCESS,
) -> AuditEntry:
    """Write one entry about ``obj`` (or, with no object, about ``model``, e.g. a list or export).

    A domain event (``audit.models.DOMAIN_EVENTS``) is written inside the transaction of the
    change it records, so the two commit together or not at all, and names who did it: whoever the
    audit context says is acting (the signed-in user, a command), as on auditlog's entries for the
    same change, or else the ``actor`` given (a service's ``by``). Other entries take the actor,
    address and source from the current audit context unless given.
    The entry's agency is the object's; with no object, ``agency_id`` may say whose business it was.
    """
    if event in DOMAIN_EVENTS:
        if _context_names_the_actor():
            # Stamped from the context, as auditlog's field changes of the same write are: the
            # signed-in user, or the command that is running. ``by`` names them where none is.
            actor = None
        elif actor is None:
            raise ValueError(f"A {event} entry names who did it: actor=by, or a command's audit context.")
        if not transaction.get_connection().in_atomic_block:
            raise transaction.TransactionManagementError(
                f"Write the {event} entry inside the transaction.atomic() of the change it records."
            )
    if obj is not None:
        model = obj._meta.model  # not type(obj): request.user is a lazy proxy
    if model is None:
        raise ValueError("record_event needs an object or a model.")
    entry = AuditEntry(
        event=event,
        action=action,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_pk=str(obj.pk) if obj is not None else "",
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=label or (str(obj) if obj is not None else str(model._meta.verbose_name_plural)),
        agency_id=audit_agency_id(obj) if obj is not None else agency_id,
        additional_data=detail or None,
        actor=actor,
    )
    entry._record = obj  # whose personal values these are (audit.erasure)
    entry.save()
    return entry


def record_seal(record: models.Model, *, by) -> AuditEntry:
    """Seal a record just written (``audit.seals``), in the transaction that wrote it: the seal's
    digests go into the chain, the salt of its erasable text beside it. Call it after the record
    and its many-to-many links are saved."""
    sealed, salt = seals.seal(record)
    entry = record_event(
        Event.RECORD_SEALED, record, actor=by, label=seals.label_of(record), detail={"seal": sealed}
    )
    SealSalt.objects.create(entry=entry, salt=salt)
    return entry


def _context_names_the_actor() -> bool:
    """Whether the audit context says who is acting: a signed-in person, or a command (``AuditedCommand``)."""
    context = current()
    return context is not None and (context.current_actor() is not None or bool(context.actor_label))


def changed_fields(before: models.Model, after: models.Model) -> list[str]:
    """The fields whose value differs between two copies of a record, for an event's detail (the
    values themselves are in auditlog's entry beside it). The edit counter is not a change."""
    return [
        field.name
        for field in after._meta.concrete_fields
        if field.name != "lock_version" and field.value_from_object(before) != field.value_from_object(after)
    ]


def record_view(obj: models.Model, **detail: Any) -> AuditEntry:
    """A record was shown. Call it after rendering the page (``response = render(...)``, then
    ``record_view(obj)``, then ``return response``): a page that fails to render was not shown."""
    return record_event(Event.VIEW, obj, detail=detail or None)


def record_list(model: type[models.Model], *, label: str, **detail: Any) -> AuditEntry:
    """A list of records was shown (for example a search of children), with what was asked."""
    return record_event(Event.LIST, model=model, label=label, detail=detail or None)


def record_export(model: type[models.Model], *, label: str, **detail: Any) -> AuditEntry:
    return record_event(Event.EXPORT, model=model, label=label, detail=detail or None)


def record_denied(request: HttpRequest, *, status: int) -> AuditEntry | None:
    """A signed-in user was refused (403) or sent a record outside their scope (404)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "refusal_recorded", False):
        return None  # an out-of-scope record's refusal is already written against it (accounts.access)
    request.refusal_recorded = True  # once: by the middleware, or else by the error page
    match = getattr(request, "resolver_match", None)
    return record_event(
        Event.DENIED,
        model=get_user_model(),
        label=f"{request.method} {request.path}",
        detail={
            "status": status,
            "url_name": match.view_name if match else None,
            "kwargs": {k: str(v) for k, v in match.kwargs.items()} if match else None,
        },
    )
