"""Reads about children and consent that other parts of the product rely on."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet

from consent import position
from consent.models import Child, CompetenceAssessment, ConsentRecord, ConsentStatus
from consent.validators import normalise_nhs_number


@dataclass(frozen=True)
class ConsentFound:
    status: str  # a ConsentStatus: the record's answer, or "none" where no record applies
    record: ConsentRecord | None
    # consent.position.Bearing: every record of the child and why it counts or not (not compared).
    bearings: tuple = field(default=(), compare=False)
    competent_child_refused: bool = field(default=False, compare=False)


NO_CONSENT_RECORDED = ConsentFound(status=ConsentStatus.NONE, record=None)


def consent_position(
    *, child: Child, recipient, purpose: str, on: datetime.date, information_categories=None
) -> ConsentFound:
    """The consent position for sharing this child's information with ``recipient`` (None: not chosen
    yet) for ``purpose`` on ``on``: ``consent.position.consent_position`` over every record of the
    child, whatever purpose or recipient it was recorded for. ``information_categories`` None: not
    checked (not known yet)."""
    categories = None if information_categories is None else tuple(information_categories)
    found = position.consent_position(
        child=child,
        on=on,
        share=position.Share(purpose=purpose, recipient=recipient, information_categories=categories),
    )
    return ConsentFound(
        status=found.status,
        record=found.record,
        bearings=found.bearings,
        competent_child_refused=found.competent_child_refused,
    )


def assessments_supporting_consent(
    *, child: Child, user, matter: str, on: datetime.date
) -> QuerySet[CompetenceAssessment]:
    """The user's agency's "competent" assessments of the child for this matter recent enough to rely on."""
    earliest = on - datetime.timedelta(days=settings.CONSENT_COMPETENCE_VALID_DAYS)
    return CompetenceAssessment.objects.visible_to(user).filter(
        child=child, matter=matter, outcome="competent", assessed_on__gte=earliest, assessed_on__lte=on
    )


def child_search(
    *, user, name: str = "", date_of_birth: datetime.date | None = None, nhs_number: str = ""
) -> QuerySet[Child]:
    """Children the user may see, narrowed by any of name, date of birth and NHS number."""
    children = Child.objects.visible_to(user)
    for word in name.split():
        children = children.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    if date_of_birth:
        children = children.filter(date_of_birth=date_of_birth)
    if nhs_number:
        children = children.filter(nhs_number=normalise_nhs_number(nhs_number))
    return children


def recent_children(*, user, limit: int = 5) -> list[Child]:
    """The children most recently added to the records the user's agency holds."""
    return list(Child.objects.visible_to(user).order_by("-created_at")[:limit])


def consent_is_withdrawable(consent: ConsentRecord) -> bool:
    return consent.answer == ConsentStatus.GIVEN and not hasattr(consent, "withdrawal")
