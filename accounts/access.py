"""Access checks shared by every view: a role check and a scoped fetch.

An action outside the user's role answers 403; a record outside the user's
scope answers 404, exactly as if it did not exist. Both are recorded in the
audit trail by the error handlers in ``isa_portal.views``.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from accounts.permissions import Perm


def require(*perms: Perm) -> Callable:
    """Decorate a view: sign-in required, then every named permission, else 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not all(request.user.can(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perms = perms  # read by the URL x role matrix test
        return login_required(wrapped)

    return decorator


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views every signed-in user may use (their own profile, the landing page)."""
    wrapped = login_required(view)
    wrapped.required_perms = ()
    return wrapped


def get_visible_or_404(
    model_or_queryset: type[models.Model] | models.QuerySet, user, **lookup: Any
) -> models.Model:
    """Fetch one record through the model's ``visible_to(user)`` scope, or answer 404."""
    queryset = (
        model_or_queryset._default_manager.all() if isinstance(model_or_queryset, type) else model_or_queryset
    )
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        _record_refusal(queryset.model, lookup)
        raise Http404 from None


def _record_refusal(model: type[models.Model], lookup: dict[str, Any]) -> None:
    """A record that exists but is outside the user's scope: the refusal is written against it (its
    type, id and agency), so the agency whose record was asked for sees the attempt. Written here,
    where the refusal is decided, so it is recorded with ``DEBUG`` on too (Django's debug 404 page
    skips the error handler). The entry names the record by type and id only: the refused person's
    own IG officer reads it too, and must not learn a child's name from it."""
    from audit.context import current
    from audit.models import Event
    from audit.services import record_event

    try:
        record = model._default_manager.filter(**lookup).first()
    except (ValueError, TypeError):
        return
    if record is None:
        return
    context = current()
    request = context.request if context is not None else None
    match = getattr(request, "resolver_match", None)
    asked = f"{request.method} {request.path}" if request is not None else ""
    record_event(
        Event.DENIED,
        record,
        label=asked or f"{model._meta.verbose_name} {record.pk}",
        detail={
            "status": 404,
            "url_name": match.view_name if match else None,
            "kwargs": {k: str(v) for k, v in match.kwargs.items()} if match else None,
        },
    )
    if request is not None:
        request.refusal_recorded = True
