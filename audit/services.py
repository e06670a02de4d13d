"""Writing audit entries that django-auditlog does not: views, exports, sign-ins, refusals."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from audit.models import AuditEntry, Event, audit_agency_id


def record_event(
    event: Event,
    obj: models.Model | None = None,
    *,
    actor=None,
    model: type[models.Model] | None = None,
    label: str = "",
    detail: dict[str, Any] | None = None,
    agency_id: int | None = None,
) -> AuditEntry:
    """Write one entry about ``obj`` (or, with no object, about ``model``, e.g. a list or export).

    Actor, address and source come from the current audit context unless given. The entry's
    agency is the object's; with no object, ``agency_id`` may say whose business it was.
    """
    if obj is not None:
        model = obj._meta.model  # not type(obj): request.user is a lazy proxy
    if model is None:
        raise ValueError("record_event needs an object or a model.")
    entry = AuditEntry(
        event=event,
        action=AuditEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_pk=str(obj.pk) if obj is not None else "",
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=label or (str(obj) if obj is not None else str(model._meta.verbose_name_plural)),
        agency_id=audit_agency_id(obj) if obj is not None else agency_id,
        additional_data=detail or None,
        actor=actor,
    )
    entry.save()
    return entry


def record_view(obj: models.Model, **detail: Any) -> AuditEntry:
    """A record was shown. Call it after rendering the page (``response = render(...)``, then
    ``record_view(obj)``, then ``return response``): an entry takes the hash chain's lock until the
    request's transaction commits, so the later it is written, the shorter other writers wait."""
    return record_event(Event.VIEW, obj, detail=detail or None)


def record_list(model: type[models.Model], *, label: str, **detail: Any) -> AuditEntry:
    """A list of records was shown (for example a search of children), with what was asked."""
    return record_event(Event.LIST, model=model, label=label, detail=detail or None)


def record_export(model: type[models.Model], *, label: str, **detail: Any) -> AuditEntry:
    return record_event(Event.EXPORT, model=model, label=label, detail=detail or None)


def record_denied(request: HttpRequest, *, status: int) -> AuditEntry | None:
    """A signed-in user was refused (403) or sent a record outside their scope (404)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
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
