"""The two questions this part asks of its neighbours: is there consent, and is there an agreement.

The answers belong to the consent part (``consent.selectors.consent_position``) and the
agreements part (``agreements.selectors.cover_check``); asking through here keeps the
decision journey's dependencies on them in one place.
"""

from datetime import date

from agreements.selectors import CoverCheck, cover_check
from consent.selectors import ConsentFound, consent_position


def consent_for(*, child, recipient, purpose: str, on: date, information_categories=None) -> ConsentFound:
    """Where consent stands for sharing this information about the child with this recipient for this
    purpose on ``on``, from every consent record of the child (status "none" if nothing applies)."""
    return consent_position(
        child=child,
        recipient=recipient,
        purpose=purpose,
        on=on,
        information_categories=information_categories,
    )


def cover_for(*, agency, purpose: str, on: date, sharer=None) -> CoverCheck | None:
    """Whether an agreement covers sharing from ``sharer`` with ``agency`` for ``purpose`` on ``on``: true
    when it does, with the version and a note of what covered it or why nothing did (None: no
    recipient or purpose yet)."""
    if agency is None or not purpose:
        return None
    return cover_check(recipient=agency, purpose=purpose, on=on, sharer=sharer)
