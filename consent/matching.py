"""One child, one record: the child the partnership may already hold, found before another is added.

The NHS number is the consistent identifier (Children Act 2004 s16LC, when in force; carried
now): a child whose NHS number the partnership holds is that child, whichever agency added them,
so adding them again links the practitioner's agency to the record instead of making a second
one. Without an NHS number, near matches (the same name and date of birth, one name the same, or
day and month swapped) are offered for the practitioner to choose from.

Matching looks across the whole partnership, not only what the user's agency can see, so a match
shows no more than the practitioner typed in (the name and date of birth) until they choose it;
once linked, their agency sees the child and its own records only (``visible_to``).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from consent.models import Child, ChildAgency
from consent.validators import normalise_nhs_number

BY_NHS_NUMBER = "nhs_number"
BY_NAME_AND_BIRTH = "name_and_birth"
SIMILAR = "similar"
NEAR_MATCHES_SHOWN = 10

NHS_NUMBER_DIFFERENT_BIRTH = (
    "The partnership already holds a child with this NHS number, born on a different date: check the "
    "NHS number and the date of birth"
)


@dataclass(frozen=True)
class Match:
    child: Child
    by: str  # BY_NHS_NUMBER, BY_NAME_AND_BIRTH or SIMILAR
    held_by_you: bool  # the user's agency already holds a record about the child


@dataclass(frozen=True)
class Matches:
    nhs: Match | None = None  # the child with this NHS number, born the same day
    nhs_problem: str = ""  # the NHS number is held for a child born another day
    near: list[Match] = field(default_factory=list)


def _swapped(day: datetime.date) -> datetime.date | None:
    """The date with its day and month swapped (3 April for 4 March), if that is a date and differs."""
    try:
        swapped = day.replace(month=day.day, day=day.month)
    except ValueError:
        return None
    return swapped if swapped != day else None


def child_matches(
    *, user, given_name: str, family_name: str, date_of_birth: datetime.date, nhs_number: str = ""
) -> Matches:
    """The children of the partnership who are, or may be, the child being added."""
    children = Child.objects.annotate(
        held_by_you=Exists(ChildAgency.objects.filter(child=OuterRef("pk"), agency_id=user.agency_id))
    )
    nhs = normalise_nhs_number(nhs_number)
    if nhs:
        same_number = children.filter(nhs_number=nhs).order_by("id").first()
        if same_number is not None:
            if same_number.date_of_birth != date_of_birth:
                return Matches(nhs_problem=NHS_NUMBER_DIFFERENT_BIRTH)
            return Matches(nhs=Match(same_number, BY_NHS_NUMBER, same_number.held_by_you))
    given, family = given_name.strip(), family_name.strip()
    same_names = Q(given_name__iexact=given, family_name__iexact=family)
    near = Q(date_of_birth=date_of_birth) & (Q(given_name__iexact=given) | Q(family_name__iexact=family))
    if swapped := _swapped(date_of_birth):
        near |= same_names & Q(date_of_birth=swapped)
    candidates = children.filter(near)
    if nhs:  # a child recorded with another NHS number is another child
        candidates = candidates.filter(nhs_number="")
    found = []
    for child in candidates.order_by("family_name", "given_name", "id")[:NEAR_MATCHES_SHOWN]:
        exact = (
            child.given_name.lower() == given.lower()
            and child.family_name.lower() == family.lower()
            and child.date_of_birth == date_of_birth
        )
        found.append(Match(child, BY_NAME_AND_BIRTH if exact else SIMILAR, child.held_by_you))
    return Matches(near=found)
