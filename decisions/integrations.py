"""The two questions this part asks of its neighbours: is there consent, and is there an agreement.

``consent.selectors.consent_position`` and ``agreements.selectors.agreement_cover``
belong to the consent and agreements parts. They are imported when called, so this
part still loads (and answers "no consent recorded" / "no agreement") where they are
not installed.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from decisions.models import ConsentStatus


@dataclass(frozen=True)
class ConsentFound:
    status: str
    record: Any = None


def consent_for(*, child, recipient, purpose: str, on: date) -> ConsentFound:
    try:
        from consent.selectors import consent_position
    except ImportError:
        return ConsentFound(ConsentStatus.NONE)
    position = consent_position(child=child, recipient=recipient, purpose=purpose, on=on)
    return ConsentFound(position.status, position.record)


def cover_for(*, agency, purpose: str, on: date):
    """The agreement version under which ``agency`` may receive information for ``purpose``, or None."""
    if agency is None or not purpose:
        return None
    try:
        from agreements.selectors import agreement_cover
    except ImportError:
        return None
    return agreement_cover(agency=agency, purpose=purpose, on=on)
