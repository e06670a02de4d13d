"""Writes for API clients: made and revoked by an administrator, each with its audit event; and the
one record a client may start, a draft decision for a practitioner of its agency to complete."""

import uuid
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import Perm
from api.models import ApiClient, Scope, hash_token, new_token
from audit.models import Event
from audit.services import record_event


def _may_manage(by, agency_id: int) -> None:
    if not by.can(Perm.MANAGE_API_CLIENTS) or not by.sees_agency(agency_id):
        raise PermissionDenied(
            "Only an administrator of the agency, or of the partnership, manages its API clients."
        )


@transaction.atomic
def api_client_create(
    *, name: str, agency, scopes: list[str], expires_at: datetime | None, by
) -> tuple[ApiClient, str]:
    """Make a client and its token. The token is returned once, here, and kept only as its digest."""
    _may_manage(by, agency.pk)
    errors = {}
    if not name.strip():
        errors["name"] = "Enter a name for the case system"
    if not scopes or not set(scopes) <= set(Scope.values):
        errors["scopes"] = "Select what the case system may do"
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_on"] = "The date it expires must be in the future"
    if errors:
        raise ValidationError(errors)
    prefix, token = new_token()
    client = ApiClient.objects.create(
        name=name.strip(),
        agency=agency,
        scopes=sorted(set(scopes)),
        token_prefix=prefix,
        token_hash=hash_token(token),
        created_by=by,
        expires_at=expires_at,
    )
    record_event(
        Event.ACCESS_GRANTED,
        client,
        actor=by,
        detail={"api_client": client.name, "scopes": client.scopes, "expires_at": str(expires_at or "")},
    )
    return client, token


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by) -> ApiClient:
    """Stop a client's token working, from now on. A revoked client stays listed, for the record."""
    _may_manage(by, client.agency_id)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError("This API client has already been revoked")
    client.revoked_at = timezone.now()
    client.revoked_by = by
    client.save(update_fields=["revoked_at", "revoked_by"])
    record_event(Event.ACCESS_REVOKED, client, actor=by, detail={"api_client": client.name})
    return client


def practitioner_for(*, client: ApiClient, email: str):
    """The person of the client's agency who will complete the draft: one who records decisions.
    Anyone else, in this agency or another, is answered alike, so nothing is learnt of who exists."""
    person = (
        get_user_model()
        .objects.select_related("agency")
        .filter(email__iexact=email.strip(), agency_id=client.agency_id)
        .first()
    )
    if person is None or not person.can(Perm.RECORD_DECISION):
        raise ValidationError(
            {"practitioner_email": "No one of your agency who records decisions has this email"}
        )
    return person


@transaction.atomic
def draft_decision_start(
    *,
    client: ApiClient,
    child,
    practitioner,
    purpose: str = "",
    purpose_detail: str = "",
    idempotency_key: uuid.UUID | None = None,
):
    """Start a draft decision that ``practitioner`` finds in their drafts and completes. The client
    only opens it (and may answer the purpose page): it can never submit it, which is the person's
    act (``decisions.services.decision_submit`` asks for someone who records decisions)."""
    from decisions.services import decision_answer, decision_start

    if not client.has_scope(Scope.CREATE_DRAFT_DECISION) or practitioner.agency_id != client.agency_id:
        raise PermissionDenied
    decision = decision_start(child=child, by=practitioner, token=idempotency_key)
    if purpose and decision.is_draft and not decision.purpose:
        decision = decision_answer(
            decision=decision,
            step="purpose",
            answers={"purpose": purpose, "purpose_detail": purpose_detail},
            by=practitioner,
        )
    return decision
