"""What changed between two versions of an agreement (issue 20, item 5).

``text_rows`` sets the two versions' text side by side, line by line, with the words taken out
wrapped in ``<del>`` and the words put in wrapped in ``<ins>``; each carries visually hidden
"removed"/"added" text, so a screen reader (and a reader who cannot tell the colours apart)
hears what changed. ``field_changes`` lists the version's other recorded fields that differ, and its
conditions (part of what is signed) when they differ.
"""

import difflib
import hashlib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from agreements.models import AgreementVersion
from isa_portal.web import field_display

# The version's own record, not its place in the database or the text compared above.
NOT_COMPARED = frozenset({"id", "agreement", "text", "created_at"})
WORDS = re.compile(r"(\s+)")


@dataclass(frozen=True)
class Row:
    before: SafeString | None  # None: no line on this side
    after: SafeString | None
    changed: bool


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


def _removed(text: str) -> str:
    return format_html('<del><span class="govuk-visually-hidden">removed: </span>{}</del>', text)


def _added(text: str) -> str:
    return format_html('<ins><span class="govuk-visually-hidden">added: </span>{}</ins>', text)


def _joined(parts: list) -> SafeString:
    """Parts already escaped or built by format_html, joined without escaping them twice."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    a, b = WORDS.split(old), WORDS.split(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(_removed(old_part))
        if new_part:
            right.append(_added(new_part))
    return _joined(left), _joined(right)


def _alike(old: str, new: str) -> bool:
    """Enough words in common that marking the changed words reads better than the whole line."""
    return difflib.SequenceMatcher(None, WORDS.split(old), WORDS.split(new), autojunk=False).ratio() >= 0.5


def text_rows(before: str, after: str) -> list[Row]:
    """The two texts line by line: unchanged lines side by side, changed lines paired with their
    changed words marked, a removed line against a gap and an added line against a gap."""
    a, b = before.splitlines(), after.splitlines()
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [Row(escape(line), escape(line), False) for line in a[i1:i2]]
            continue
        old, new = a[i1:i2], b[j1:j2]
        for k in range(max(len(old), len(new))):
            if k < len(old) and k < len(new) and _alike(old[k], new[k]):
                rows.append(Row(*_word_diff(old[k], new[k]), True))
            elif k < len(old) and k < len(new):  # a different line: taken out whole, put in whole
                rows.append(Row(_removed(old[k]), _added(new[k]), True))
            elif k < len(old):
                rows.append(Row(_removed(old[k]) if old[k] else escape(""), None, True))
            else:
                rows.append(Row(None, _added(new[k]) if new[k] else escape(""), True))
    return rows


def _document(version: AgreementVersion) -> str:
    if not version.document:
        return "No PDF"
    try:
        with version.document.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "A PDF (its file cannot be read)"
    return f"A PDF (fingerprint {digest[:12]})"


def _shown(version: AgreementVersion, field) -> str:
    if field.name == "document":
        return _document(version)
    return field_display(version, field.name)


def _conditions(version: AgreementVersion) -> str:
    """The conditions decisions relying on the version are checked against (issue 20, item 6), a line each."""
    lines = []
    for condition in version.conditions.all():
        terms = condition.purpose_labels() + condition.category_labels() + condition.recipient_kind_labels()
        detail = f" ({'; '.join(terms)})" if terms else ""
        lines.append(f"{condition.clause}: {condition.get_kind_display()}{detail}")
    return "\n".join(lines) or "None"


def field_changes(before: AgreementVersion, after: AgreementVersion) -> list[FieldChange]:
    changes = []
    for field in AgreementVersion._meta.concrete_fields:
        if field.name in NOT_COMPARED:
            continue
        old, new = _shown(before, field), _shown(after, field)
        if old != new:
            label = str(field.verbose_name)
            changes.append(FieldChange(label[:1].upper() + label[1:], old, new))
    old, new = _conditions(before), _conditions(after)
    if old != new:
        changes.append(FieldChange("Conditions decisions are checked against", old, new))
    return changes
