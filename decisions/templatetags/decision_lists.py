"""The rows of a list of decisions (``decisions/_decision_rows.html``), written in Python.

The practitioner's decisions, the decision log and the practitioner's home list 25 rows; the
template's lookups, ``get_*_display``, ``date`` filters and ``{% url %}`` cost more a row than the
query does. Every cell is text the template escapes.
"""

from django import template
from django.urls import reverse

from decisions.models import Decision, Outcome, Status
from isa_portal.web import short_date

register = template.Library()

_OUTCOMES = {value: str(label) for value, label in Outcome.choices}
_STATUSES = {value: str(label) for value, label in Status.choices}
_TAGS = {
    Status.RETURNED: " govuk-tag--red",
    Status.ESCALATED: " govuk-tag--red",
    Status.DRAFT: " govuk-tag--grey",
    Status.AWAITING_REVIEW: " govuk-tag--yellow",
}
_MARKER = 987654321


def _url_maker(name: str):
    before, _, after = reverse(name, args=[_MARKER]).partition(str(_MARKER))
    return lambda pk: f"{before}{pk}{after}"


@register.filter
def list_rows(decisions) -> list[tuple]:
    """Per decision: link, whether a draft, link text, child, started, outcome, status, tag class, erased."""
    purposes = {value: str(label) for value, label in Decision._meta.get_field("purpose").flatchoices}
    resume, detail = _url_maker("decisions:resume"), _url_maker("decisions:detail")
    rows = []
    for decision in decisions:
        draft = decision.status == Status.DRAFT
        rows.append(
            (
                resume(decision.pk) if draft else detail(decision.pk),
                draft,
                (purposes.get(decision.purpose, decision.purpose) or "purpose not chosen yet")
                if draft
                else decision.reference,
                str(decision.child),
                short_date(decision.created),
                _OUTCOMES.get(decision.outcome, decision.outcome) or "Not decided",
                _STATUSES.get(decision.status, decision.status),
                _TAGS.get(decision.status, " govuk-tag--green"),
                decision.tombstoned_at is not None,
            )
        )
    return rows
