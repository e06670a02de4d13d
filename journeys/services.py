"""Writes to a journey's draft. Each runs in one transaction with its audit entry (auditlog)."""

from django.db import transaction

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
