"""The rows of a list of decisions (``decisions/_decision_rows.html``), written in Python.

The practitioner's decisions, the decision log and the practitioner's home list 25 rows; the
template's lookups, ``get_*_display``, ``date`` filters and ``{% url %}`` cost more a row than the
query does, and then its nine variables a row more than the rest of the table. Every cell is
escaped, as the template would escape it.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

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


_ROW = """
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{url}">{link}</a></td>
      <td class="govuk-table__cell">{child}</td>
      <td class="govuk-table__cell">{started}</td>
      <td class="govuk-table__cell">{outcome}</td>
      <td class="govuk-table__cell"><strong class="govuk-tag{tag}">{status}</strong>{erased}</td>
    </tr>
  """
_DRAFT_ABOUT = '<span class="govuk-visually-hidden">, about {child}, started {started}</span>'
_ERASED = ' <strong class="govuk-tag govuk-tag--grey">Erased</strong>'


@register.simple_tag
def decision_rows(decisions) -> SafeString:
    """The table's <tr>s, one a decision (``list_rows``), as the template loop wrote them: its
    variables cost more than the rest of the page's table. Escaped with the standard library's
    html.escape, as Django's own escape is."""
    rows = []
    for url, draft, text, child, started, outcome, status, tag, erased in list_rows(decisions):
        text, child, started = escape(text), escape(child), escape(started)
        if draft:
            text = f"Draft: {text}{_DRAFT_ABOUT.format(child=child, started=started)}"
        rows.append(
            _ROW.format(
                url=escape(url),
                link=text,
                child=child,
                started=started,
                outcome=escape(outcome),
                tag=tag,
                status=escape(status),
                erased=_ERASED if erased else "",
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above; tag is one of _TAGS)
