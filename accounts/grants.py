"""Two people to grant access to children's records (issue 14, item 2).

A role that reads children's records (practitioner, safeguarding lead, the partnership's designated
lead, IG officer), given to a new account or by a change of role or agency, is a request
(``AccessGrant``) until a second person approves it: a partnership administrator, or a safeguarding
lead of the agency the access is to; never the person who asked, nor the person it is for. Until
then a new account can do nothing (``User.role_approved``) and a changed one keeps the access it had.
Asking, approving and refusing are each a named audit event about the request, which belongs to
that agency, so the agency's IG officer sees all three.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessGrant, GrantStatus, Role, User
from accounts.permissions import Perm, role_has
from audit.models import Event
from audit.services import record_event


def reads_children(role: str) -> bool:
    return role_has(role, Perm.VIEW_CHILD_RECORDS)


def needs_approval(role: str, partnership_wide: bool) -> bool:
    """A role that reads children's records; and a partnership administrator's, who approves them
    (else one could make a second administrator account of their own to approve their requests)."""
    return reads_children(role) or (role == Role.ADMIN and partnership_wide)


def access_request(*, user: User, role: str, agency, partnership_wide: bool, by: User) -> AccessGrant:
    """Ask for ``role`` (at ``agency``) for ``user``: call it inside the transaction of the change."""
    if AccessGrant.objects.pending().filter(user=user).exists():
        raise ValidationError(
            {
                "role": f"A change of role for {user} is already waiting for approval: "
                "it must be approved or refused first"
            }
        )
    grant = AccessGrant.objects.create(
        user=user,
        role=role,
        agency=agency,
        partnership_wide=partnership_wide,
        previous_role="" if not user.role_approved else user.role,
        requested_by=by,
    )
    record_event(
        Event.ACCESS_REQUESTED,
        grant,
        actor=by,
        detail={
            "user": user.pk,
            "role": role,
            "agency": grant.agency_id,
            "partnership_wide": partnership_wide,
        },
    )
    return grant


def can_decide(grant: AccessGrant, by: User) -> bool:
    """A partnership administrator, or a safeguarding lead of the agency; never the one who asked,
    nor the person it is for."""
    if not by.is_authenticated or not by.is_active or not by.role_approved:
        return False
    if by.pk in (grant.requested_by_id, grant.user_id):
        return False
    if by.role == Role.ADMIN and by.partnership_wide:
        return True
    return (
        by.role == Role.LEAD
        and not grant.partnership_wide
        and grant.agency_id is not None
        and by.agency_id == grant.agency_id
    )


def why_not(grant: AccessGrant, by: User) -> str:
    """Why ``by`` cannot decide this request, in plain words (for the page)."""
    if by.pk == grant.requested_by_id:
        return "You asked for this access, so someone else must approve it."
    if by.pk == grant.user_id:
        return "This access is for you, so someone else must approve it."
    return "Only a partnership administrator, or a safeguarding lead of the agency, can approve or refuse it."


def _decidable(grant: AccessGrant, by: User) -> AccessGrant:
    locked = AccessGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if not can_decide(locked, by):
        raise PermissionDenied(why_not(locked, by))
    if not locked.is_pending:
        raise ValidationError(f"This request was already {locked.get_status_display().lower()}")
    return locked


def access_grant_approve(*, grant: AccessGrant, by: User) -> AccessGrant:
    """Approve: the person now holds the role (and agency) asked for."""
    with transaction.atomic():
        grant = _decidable(grant, by)
        person = User.objects.select_for_update().get(pk=grant.user_id)
        person.role = grant.role
        person.agency = grant.agency
        person.partnership_wide = grant.partnership_wide
        person.role_approved = True
        person.full_clean(exclude=["password"])
        person.save()
        grant.status = GrantStatus.APPROVED
        grant.decided_by = by
        grant.decided_at = timezone.now()
        grant.save()
        record_event(
            Event.ACCESS_APPROVED,
            grant,
            actor=by,
            detail={"user": person.pk, "role": grant.role, "requested_by": grant.requested_by_id},
        )
    return grant


def access_grant_refuse(*, grant: AccessGrant, by: User) -> AccessGrant:
    """Refuse: a new account stays without any access; a changed one keeps what it had."""
    with transaction.atomic():
        grant = _decidable(grant, by)
        grant.status = GrantStatus.REFUSED
        grant.decided_by = by
        grant.decided_at = timezone.now()
        grant.save()
        record_event(
            Event.ACCESS_REFUSED,
            grant,
            actor=by,
            detail={"user": grant.user_id, "role": grant.role, "requested_by": grant.requested_by_id},
        )
    return grant
