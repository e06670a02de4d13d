"""The subject access bundle's PDF in plain English: a cover letter, a contents page, each record a
readable page (labels, not column names; dates, names and labels, not codes), and what was withheld
shown as a black bar with the reason. Made from the same redacted sections as the CSV files
(``audit.subject_access.gather``), so nothing withheld there can appear here."""

import contextlib
import json
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from audit import wording

# Columns a family has no use for: internal numbers, locks, hashes, tokens.
TECHNICAL = {"id", "lock_version", "creation_token", "entry", "prev_hash", "entry_hash", "changes", "details"}
# The model each section's rows are, by file name (the audit entries and recipients are built by hand).
SECTION_MODELS = {
    "child.csv": "consent.Child",
    "agency_links.csv": "consent.ChildAgency",
    "competence_assessments.csv": "consent.CompetenceAssessment",
    "consent_records.csv": "consent.ConsentRecord",
    "decisions.csv": "decisions.Decision",
    "decision_addenda.csv": "decisions.DecisionAddendum",
    "decision_reviews.csv": "decisions.DecisionReview",
}
INTRODUCTIONS = {
    "child.csv": "The details we hold to identify you.",
    "agency_links.csv": "The organisations in the partnership that hold a record about you.",
    "competence_assessments.csv": (
        "Where a practitioner judged whether you could decide for yourself about sharing your information."
    ),
    "consent_records.csv": (
        "When you or your parent were asked to agree to information being shared, and the answer."
    ),
    "decisions.csv": "Each decision about whether to share information about you, and why.",
    "decision_addenda.csv": (
        "Notes added to a decision after it was made. A decision itself is never changed."
    ),
    "decision_reviews.csv": "When a senior colleague checked a decision.",
    "decision_recipients.csv": "Who information about you was given to.",
    "audit_entries.csv": "Every time someone looked at, printed, downloaded or changed these records.",
}
BAR = "&#9608;" * 6
MARKERS = (
    "[REDACTED: protected third party]",
    "[WITHHELD: identities the decision maker recorded as needing protection]",
)
# A reviewer's redaction (``audit.subject_access.withheld_marker``): the bar and the exemption.
REVIEWED = re.compile("\u2588+ \\[withheld under ([^\\]]+)\\]")


@dataclass
class Record:
    title: str
    rows: list[tuple[str, SafeString]] = field(default_factory=list)


@dataclass
class ReadableSection:
    anchor: str
    title: str
    introduction: str
    records: list[Record]


def _black_bars(text: str, reason: str) -> SafeString:
    """Escaped text with each withheld passage as a black bar and its reason."""
    html = escape(text)
    for marker in MARKERS:
        html = html.replace(
            escape(marker),
            f'<span class="redacted" role="img" aria-label="Withheld">{BAR}</span>'
            f'<span class="redaction-reason"> (withheld: {escape(reason)})</span>',
        )
    html = REVIEWED.sub(
        lambda match: (
            f'<span class="redacted" role="img" aria-label="Withheld">{BAR}</span>'
            f'<span class="redaction-reason"> (withheld: {match.group(1)})</span>'
        ),
        html,
    )
    return mark_safe(html)  # noqa: S308 (escaped above; only our own markup added)


def _label_and_value(model, column: str, value, names: dict) -> tuple[str, object] | None:
    if column in TECHNICAL or value in ("", None, [], "[]", "{}"):
        return None
    if isinstance(value, str) and value[:1] in ("[", "{"):
        with contextlib.suppress(ValueError):
            value = json.loads(value)  # a list or mapping the CSV holds as JSON
    if model is None and column == "what happened":
        return "What happened", wording.EVENT_LABELS.get(value, value)
    if model is None and column == "record type":
        return "Type of record", wording.record_noun(str(value)).capitalize()
    name = column[:-3] if column.endswith("_id") else column
    label, choices = name.replace("_", " "), []
    if model is not None:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            model_field = None
        if model_field is not None:
            label = str(getattr(model_field, "verbose_name", name))
            choices = getattr(model_field, "flatchoices", None) or wording._list_choices(model, name)
            if model_field.is_relation:
                related = names.get(model_field.related_model, {})
                if str(value) not in related:
                    return None  # an internal link the family has no use for
                return label.capitalize(), related[str(value)]
    return label.capitalize(), wording.readable(value, choices=choices)


def _names(sections) -> dict:
    """Names of the agencies and people the records link to, read once."""
    from accounts.models import User
    from agreements.models import Agency

    return {
        Agency: {str(pk): name for pk, name in Agency.objects.values_list("pk", "name")},
        User: {str(pk): name or "" for pk, name in User.objects.values_list("pk", "full_name")},
    }


def readable_sections(sections, reason: str) -> list[ReadableSection]:
    names = _names(sections)
    readable = []
    for number, section in enumerate(sections, start=1):
        label = SECTION_MODELS.get(section.filename)
        model = apps.get_model(label) if label else None
        records = []
        for index, row in enumerate(section.rows, start=1):
            values = dict(zip(section.header, row, strict=True))
            title = values.get("reference") or f"{section.title}: {index} of {len(section.rows)}"
            if section.filename == "audit_entries.csv":
                title = f"{wording.readable(values.get('time'))}"
            record = Record(str(title))
            for column, value in values.items():
                shown = _label_and_value(model, column, value, names)
                if shown is not None and shown[1] not in ("", None):
                    record.rows.append((shown[0], _black_bars(str(shown[1]), reason)))
            records.append(record)
        readable.append(
            ReadableSection(
                f"section-{number}", section.title, INTRODUCTIONS.get(section.filename, ""), records
            )
        )
    return readable
