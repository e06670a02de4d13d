"""The rows of a list of decisions (``decisions/_decision_rows.html``), written in Python.

The practitioner's decisions, the decision log and the practitioner's home list 25 rows; the
template's lookups, ``get_*_display``, ``date`` filters and ``{% url %}`` cost more a row than the
query does, and then its nine variables a row more than the rest of the table. Every cell is
escaped, as the template would escape it.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from decisions.models import Decision, Outcome, Status
from isa_portal.templatetags.isa_forms import select_options
from isa_portal.web import short_date, url_of_pk

register = template.Library()

_OUTCOMES = {value: str(label) for value, label in Outcome.choices}
_STATUSES = {value: str(label) for value, label in Status.choices}
_TAGS = {
    Status.RETURNED: " govuk-tag--red",
    Status.ESCALATED: " govuk-tag--red",
    Status.DRAFT: " govuk-tag--grey",
    Status.AWAITING_REVIEW: " govuk-tag--yellow",
}


@register.filter
def list_rows(decisions) -> list[tuple]:
    """Per decision: link, whether a draft, link text, child, started, outcome, status, tag class, erased."""
    purposes = {value: str(label) for value, label in Decision._meta.get_field("purpose").flatchoices}
    resume, detail = url_of_pk("decisions:resume"), url_of_pk("decisions:detail")
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


# A select's closing tag is followed by the whitespace the template's {% else %} line left there.
_FILTER = """
    <div class="govuk-grid-column-one-quarter">
      <div class="govuk-form-group">
        <label class="govuk-label" for="{id}">{label}</label>
        {control}
      </div>
    </div>
  """
_SELECT = '<select class="govuk-select" id="{id}" name="{name}">{options}</select>\n        '
_DATE = '<input class="govuk-input" type="date" id="{id}" name="{name}" value="{value}">'


@register.simple_tag
def log_filter_fields(form) -> SafeString:
    """The decision log's filters (``LogFilterForm``'s visible fields) in the GOV.UK grid, a quarter
    each, labelled: a select for a choice, a date box for a date. Written here rather than by a
    template loop over the fields, which read six variables a field from a bound field each time."""
    fields = []
    for field in form.visible_fields():
        id_, name = escape(field.id_for_label), escape(field.html_name)
        if field.widget_type == "select":
            control = _SELECT.format(id=id_, name=name, options=select_options(field))
        else:
            value = field.value()
            control = _DATE.format(id=id_, name=name, value="" if value is None else escape(str(value)))
        fields.append(_FILTER.format(id=id_, label=escape(str(field.label)), control=control))
    return mark_safe("".join(fields))  # noqa: S308 (names, ids, labels and values escaped; options by select_options)
