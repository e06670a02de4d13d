"""Writes about children, consent and competence. Each runs in one transaction with its audit entries."""

from django.db import transaction

from consent.models import Child, ChildAgency


@transaction.atomic
def child_agency_link(*, child: Child, agency, local_reference: str = "") -> ChildAgency:
    """Record that ``agency`` holds a record about ``child``, so its users may see the child.

    Called by every service that writes a record about a child (the child itself,
    a consent, an assessment, a decision). Idempotent; a reference, once set, is kept.
    """
    link, created = ChildAgency.objects.get_or_create(
        child=child, agency=agency, defaults={"local_reference": local_reference}
    )
    if not created and local_reference and not link.local_reference:
        link.local_reference = local_reference
        link.save()
    return link
