"""Writes to a journey's draft, and the end of a journey whose record waits for it. Each runs in one
transaction with its audit entries."""

from django.db import models, transaction

from journeys.engine import RecordJourney
from journeys.models import Draft


@transaction.atomic
def draft_save(*, user, child, journey: str, step: str, answers: dict, next_url: str = "") -> Draft:
    """Keep one page's answers of an unfinished journey, replacing that page's earlier answers."""
    draft, _ = Draft.objects.select_for_update().get_or_create(user=user, child=child, journey=journey)
    draft.answers = {**draft.answers, step: answers}
    if next_url:
        draft.next_url = next_url
    draft.save()
    return draft


@transaction.atomic
def draft_discard(*, user, child, journey: str) -> None:
    for draft in Draft.objects.filter(user=user, child=child, journey=journey):
        draft.delete()


@transaction.atomic
def journey_complete(*, journey: RecordJourney, child, by, values: dict) -> models.Model:
    """Record what a finished journey asked (its service writes the record and its event) and
    let go of its draft: both or neither."""
    record = journey.complete(child=child, user=by, values=values)
    draft_discard(user=by, child=child, journey=journey.name)
    return record
