"""What an agreement must hold before it comes into force: the ICO's checklist, defined once.

Source: ICO, Data sharing: a code of practice (2021), "Data sharing agreements" and Annex A
("Data sharing checklist"): the parties and their roles, the purpose, the data items (and any
special category data), the lawful basis and conditions, who receives it, how often, data quality
standards, security, retention and deletion, individuals' rights and complaints, what to do about
a breach, the DPIA, review, who is responsible, and how the agreement ends.

``missing(agreement, on)`` is read by ``services.agreement_change_status`` (which refuses to put
an incomplete agreement in force) and by the agreement page (which shows the checklist).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from agreements.models import Agreement, AgreementVersion


def _text(name: str) -> Callable[[Agreement, AgreementVersion | None], bool]:
    return lambda agreement, version: bool(str(getattr(agreement, name) or "").strip())


def _purpose(agreement: Agreement, version: AgreementVersion | None) -> bool:
    return bool(agreement.purpose.strip()) and bool(agreement.purpose_values)


def _lawful_basis(agreement: Agreement, version: AgreementVersion | None) -> bool:
    # The Article 9 condition is answered too: "none needed" is an answer (no special category data).
    return bool(agreement.lawful_basis) and bool(agreement.article9_condition)


def _review_date(agreement: Agreement, version: AgreementVersion | None) -> bool:
    return version is not None and version.next_review_date is not None


@dataclass(frozen=True)
class Item:
    key: str
    label: str  # the ICO checklist's item, in plain English
    where: str  # where the agreement records it, as the missing message names it
    done: Callable[[Agreement, AgreementVersion | None], bool]


ITEMS: tuple[Item, ...] = (
    Item(
        "parties",
        "Parties and their roles",
        "the parties and their controller roles",
        _text("parties_and_roles"),
    ),
    Item("purpose", "Purpose", "the purpose and objectives, and the purposes covered", _purpose),
    # Special category data: the Article 9 condition says whether any is shared ("none needed").
    Item(
        "data_items", "Data items and special categories", "the information to be shared", _text("data_items")
    ),
    Item(
        "lawful_basis",
        "Lawful basis and conditions",
        "the Article 6 lawful basis and the Article 9 condition (or that none is needed)",
        _lawful_basis,
    ),
    Item("recipients", "Recipients", "who may receive the information", _text("recipients")),
    Item("frequency", "Frequency", "how often information is shared", _text("frequency")),
    Item("data_quality", "Data quality", "the data quality standard", _text("data_quality")),
    Item("security", "Security", "the security of the information", _text("security")),
    Item(
        "retention",
        "Retention and disposal",
        "the retention period and disposal",
        _text("retention_and_disposal"),
    ),
    Item(
        "rights",
        "Individuals' rights and complaints",
        "individuals' rights, subject access and complaints",
        _text("rights_and_complaints"),
    ),
    Item("breach", "Breach procedure", "what to do about a breach", _text("breach_procedure")),
    Item("dpia", "DPIA reference", "the DPIA reference", _text("dpia_reference")),
    Item("review", "Review date", "a next review date on the signed-off version", _review_date),
    Item(
        "owner",
        "Owner",
        "the agency that owns the agreement",
        lambda agreement, version: agreement.owner_id is not None,
    ),
    Item("termination", "Termination", "how the agreement ends", _text("termination")),
)


def version_to_bring_in_force(agreement: Agreement, on: datetime.date) -> AgreementVersion | None:
    """The latest version signed off on or before ``on`` (the one that would be in force)."""
    candidates = [
        v for v in agreement.versions.all() if v.signed_off_on is not None and v.signed_off_on <= on
    ]
    return max(candidates, key=lambda v: (v.signed_off_on, v.pk)) if candidates else None


def rows(agreement: Agreement, on: datetime.date) -> list[tuple[Item, bool]]:
    version = version_to_bring_in_force(agreement, on)
    return [(item, bool(item.done(agreement, version))) for item in ITEMS]


def missing(agreement: Agreement, on: datetime.date) -> list[Item]:
    return [item for item, done in rows(agreement, on) if not done]


def missing_message(items: list[Item]) -> str:
    """A GOV.UK error message naming what is missing."""
    names = [item.where for item in items]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Before putting the agreement in force, enter {listed}"
