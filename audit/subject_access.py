"""The subject access bundle: every record an agency holds about one child, as a PDF and CSV files
in a ZIP.

A child known to two agencies has a record at each, and each agency answers a request for its
own: every query here goes through ``visible_to(user)`` of the IG officer making the bundle
(a partnership-wide one sees every agency's). Drafts are not records yet and are left out.

``build_bundle(child, user=...)`` gathers the child, their agency links, competence assessments,
consent records (withdrawals are consent records too), decisions with their addenda,
reviews and recipients, and the audit entries about all of those. Every cell of every
CSV goes through ``isa_portal.exports.neutralise``.

Third parties: a decision records in ``protected_identities`` anyone whose identity must
be protected (a referrer, a witness). That field is withheld, and every name it lists
(one per line, comma or semicolon) is replaced wherever it appears in the bundle, the
audit entries' recorded changes included. ``REDACTIONS.txt`` and the PDF say where
something was withheld and why. A consent record's named parent is kept: consent
records carry no protection flag, and the parent is the person the child's family
dealt with.
"""

import csv
import functools
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string

from audit.models import AuditEntry
from consent.models import Child, ChildAgency, CompetenceAssessment, ConsentRecord
from decisions.models import Decision, DecisionAddendum, DecisionReview
from isa_portal.exports import neutralise
from isa_portal.pdf import render_pdf

REDACTED = "[REDACTED: protected third party]"
WITHHELD = "[WITHHELD: identities the decision maker recorded as needing protection]"
REDACTION_REASON = (
    "Withheld under the Data Protection Act 2018, Schedule 2, Part 3, paragraph 16 "
    "(information identifying another individual): the decision maker recorded that "
    "this person's identity must be protected."
)
NAME_SEPARATORS = re.compile(r"[\n\r,;]+")
MIN_NAME_LENGTH = 3  # shorter fragments would blank ordinary words


@dataclass
class Section:
    filename: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        return [list(zip(self.header, row, strict=True)) for row in self.rows]


# Where a reviewer withheld words, the bundle shows a black bar and the exemption relied on: in the
# CSV files as these characters, in the PDF as a black box (``audit.readable_bundle``).
BAR = "\u2588" * 6


def withheld_marker(short_reason: str) -> str:
    return f"{BAR} [withheld under {short_reason}]"


@functools.lru_cache(maxsize=256)
def _pattern(words: str) -> re.Pattern:
    """The words, whatever the spacing or line endings between them, also as JSON writes a line
    break (the audit entries' recorded changes are JSON)."""
    gap = r"(?:\s|\\[nrt])+"
    return re.compile(gap.join(re.escape(part) for part in words.split()), flags=re.IGNORECASE)


def matches(words: str, text: str) -> bool:
    """Whether ``words`` appear in ``text``, as the bundle will find them to withhold them."""
    return bool(words.split()) and bool(_pattern(words).search(text or ""))


@dataclass
class Redactor:
    """Replaces protected names and withheld passages in any text, and remembers where it did."""

    names: list[str]
    notes: list[str] = field(default_factory=list)
    # What stands in for each name or passage; REDACTED unless a reviewer gave a reason.
    markers: dict[str, str] = field(default_factory=dict)
    # The reviewer's exemptions, in full, for the page saying what was withheld and why.
    exemptions: list[str] = field(default_factory=list)

    @classmethod
    def for_decisions(cls, decisions, redactions=()) -> "Redactor":
        names: set[str] = set()
        for decision in decisions:
            text = decision.protected_identities.strip()
            if not text:
                continue
            names.add(text)
            names.update(
                part.strip() for part in NAME_SEPARATORS.split(text) if len(part.strip()) >= MIN_NAME_LENGTH
            )
        markers = {}
        exemptions = []
        for redaction in redactions:
            # A reviewer's passage is withheld wherever it appears, not only in the answer it was
            # marked in: the audit entries' recorded changes hold the same words.
            markers[redaction.text.strip()] = withheld_marker(redaction.short_reason)
            label = redaction.get_exemption_display()
            if label not in exemptions:
                exemptions.append(label)
        names |= set(markers)
        # Longest first, so "Ann Smith" goes before "Ann" would leave "Smith".
        return cls(sorted(names, key=len, reverse=True), markers=markers, exemptions=exemptions)

    @property
    def protects_identities(self) -> bool:
        """Whether a decision maker's protected identities are among what is withheld."""
        return any(name not in self.markers for name in self.names)

    def text(self, value, where: str) -> object:
        if not isinstance(value, str) or not self.names:
            return value
        redacted = value
        for name in self.names:
            marker = self.markers.get(name, REDACTED)
            redacted = _pattern(name).sub(lambda _match, marker=marker: marker, redacted)
        if redacted != value:
            self.notes.append(where)
        return redacted


def _cell(value) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _record_rows(records, redactor: Redactor, label: str, *, withhold=()) -> tuple[list[str], list[list]]:
    """Every concrete field of each record, by column name, with redaction applied."""
    model = records.model
    columns = [f.attname for f in model._meta.concrete_fields]
    rows = []
    for record in records:
        row = []
        for column in columns:
            value = _cell(getattr(record, column))
            where = f"{label} {record.pk}, {column}"
            if column in withhold and value:
                value = WITHHELD
                redactor.notes.append(where)
            else:
                value = redactor.text(value, where)
            row.append(value)
        rows.append(row)
    return columns, rows


def _audit_entries(records_by_model: dict[type[models.Model], list[int]], user):
    about = Q(pk__in=[])
    for model, pks in records_by_model.items():
        if pks:
            content_type = ContentType.objects.get_for_model(model)
            about |= Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])
    return (
        AuditEntry.objects.visible_to(user)
        .filter(about)
        .select_related("content_type")
        .order_by("timestamp", "id")
    )


def _sources(child: Child, *, user) -> list[tuple[str, str, models.QuerySet, tuple[str, ...]]]:
    """(file name, title, records, columns withheld whole) for each kind of record held about the
    child that ``user`` may see. Drafts are not records yet."""
    decisions = (
        Decision.objects.visible_to(user)
        .submitted()
        .filter(child=child)
        .order_by("created", "id")
        .select_related("agency", "recipient_agency", "agreement_version", "source_agency")
    )
    return [
        ("child.csv", "The child", Child.objects.visible_to(user).filter(pk=child.pk), ()),
        (
            "agency_links.csv",
            "Agencies holding a record",
            ChildAgency.objects.visible_to(user).filter(child=child),
            (),
        ),
        (
            "competence_assessments.csv",
            "Competence assessments",
            CompetenceAssessment.objects.visible_to(user).filter(child=child).order_by("assessed_on", "id"),
            (),
        ),
        (
            "consent_records.csv",
            "Consent records and withdrawals",
            ConsentRecord.objects.visible_to(user).filter(child=child).order_by("given_on", "id"),
            (),
        ),
        ("decisions.csv", "Information-sharing decisions", decisions, ("protected_identities",)),
        (
            "decision_addenda.csv",
            "Addenda to decisions",
            DecisionAddendum.objects.filter(decision__in=decisions).order_by("created", "id"),
            (),
        ),
        (
            "decision_reviews.csv",
            "Reviews of decisions",
            DecisionReview.objects.filter(decision__in=decisions).order_by("created", "id"),
            (),
        ),
    ]


# Answers a reviewer may withhold a passage of: free text, not choices, dates or internal columns.
NOT_REVIEWED = {"reference", "protected_identities", "creation_token", "nhs_number"}


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name not in NOT_REVIEWED
    ]


def gathered_record(child: Child, *, user, record_type: str, record_id) -> models.Model | None:
    """One record of the bundle, by its model label and number, if ``user`` gathers it."""
    for _filename, _title, records, _withhold in _sources(child, user=user):
        if records.model._meta.label == record_type:
            return records.filter(pk=record_id).first()
    return None


def gather(child: Child, *, user, request=None) -> tuple[list[Section], Redactor]:
    """What ``user``'s agency holds about the child: every query goes through ``visible_to(user)``.

    A child known to two agencies has two controllers' records; an agency IG officer answers
    for their own agency's only (a partnership-wide one for all). Drafts are not records yet.
    ``request``: the subject access request being answered, whose reviewer's redactions apply.
    """
    sources = _sources(child, user=user)
    decisions = sources[4][2]
    redactions = list(request.redactions.all()) if request is not None and request.pk else []
    redactor = Redactor.for_decisions(decisions, redactions)
    sections = []
    records_by_model: dict[type[models.Model], list[int]] = {}
    for filename, title, records, withhold in sources:
        header, rows = _record_rows(records, redactor, title, withhold=withhold)
        sections.append(Section(filename, title, header, rows))
        records_by_model[records.model] = [row[0] for row in rows]

    recipients = Section(
        "decision_recipients.csv",
        "Who information was shared with",
        [
            "decision",
            "reference",
            "outcome",
            "recipient agency",
            "recipient name",
            "recipient role",
            "shared on",
        ],
    )
    for decision in decisions:
        if not decision.recipient_agency_id and not decision.recipient_name:
            continue
        recipients.rows.append(
            [
                decision.pk,
                decision.reference or "",
                decision.outcome,
                decision.recipient_agency.name if decision.recipient_agency else "",
                redactor.text(decision.recipient_name, f"Recipient of decision {decision.pk}, name"),
                redactor.text(decision.recipient_role, f"Recipient of decision {decision.pk}, role"),
                _cell(decision.shared_on) or "",
            ]
        )
    sections.append(recipients)

    audit = Section(
        "audit_entries.csv",
        "Audit entries about these records",
        [
            "entry",
            "time",
            "who",
            "role",
            "what happened",
            "action",
            "record type",
            "record",
            "changes",
            "details",
        ],
    )
    for entry in _audit_entries(records_by_model, user):
        where = f"Audit entry {entry.pk}"
        changes = entry.changes_dict or {}
        if "protected_identities" in changes:
            changes = {**changes, "protected_identities": [WITHHELD, WITHHELD]}
            redactor.notes.append(f"{where}, changes to protected_identities")
        audit.rows.append(
            [
                entry.pk,
                entry.timestamp.isoformat(),
                entry.actor_email,
                entry.actor_role,
                entry.event,
                entry.get_action_display(),
                entry.content_type.model,
                redactor.text(entry.object_repr, f"{where}, record"),
                redactor.text(_cell(changes) if changes else "", f"{where}, changes"),
                redactor.text(
                    _cell(entry.additional_data) if entry.additional_data else "", f"{where}, details"
                ),
            ]
        )
    sections.append(audit)
    return sections, redactor


def _csv_bytes(section: Section) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(cell) for cell in section.header])
    for row in section.rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")  # Excel reads UTF-8 only with the BOM


BUNDLE_TEMPLATE = "audit/subject_access_bundle.html"


SHORT_REASON = "DPA 2018 Sch 2 para 16: it would identify another person"


def bundle_context(
    child: Child, sections: list[Section], redactor: Redactor, *, made_on: date, request=None
) -> dict:
    """``request``: the subject access request being answered, if one is recorded (the letter's
    addressee and the date it was received)."""
    from audit.readable_bundle import readable_sections

    return {
        "child": child,
        "sections": sections,
        "readable": readable_sections(sections, SHORT_REASON),
        "redactions": redactor.notes,
        "reason": REDACTION_REASON if redactor.protects_identities else "",
        "exemptions": redactor.exemptions,
        "made_on": made_on,
        "request": request,
    }


def render_html(
    child: Child, sections: list[Section], redactor: Redactor, *, made_on: date, request=None
) -> str:
    """The HTML the bundle's PDF is printed from (what the redaction tests read)."""
    return render_to_string(
        BUNDLE_TEMPLATE, bundle_context(child, sections, redactor, made_on=made_on, request=request)
    )


def redaction_note(redactor: Redactor) -> str:
    if not redactor.notes:
        return "Nothing was redacted from this bundle.\n"
    lines = [REDACTION_REASON, ""] if redactor.protects_identities else []
    if redactor.exemptions:
        lines += ["The reviewer also withheld information under:"]
        lines += [f"- {exemption}" for exemption in redactor.exemptions]
        lines += [""]
    lines += ["Where something was redacted or withheld:"]
    lines += [f"- {where}" for where in redactor.notes]
    return "\n".join(lines) + "\n"


def build_bundle(child: Child, *, user, made_on: date, request=None) -> tuple[bytes, dict]:
    """The ZIP's bytes, and a summary for the audit entry (counts only: no personal data).
    ``request``: the request answered (its letter and its reviewer's redactions); by default the
    child's latest open request, if any."""
    from audit.models import SubjectAccessRequest

    if request is None:
        request = SubjectAccessRequest.objects.visible_to(user).filter(child=child).open().last()
    sections, redactor = gather(child, user=user, request=request)
    pdf = render_pdf(
        BUNDLE_TEMPLATE, bundle_context(child, sections, redactor, made_on=made_on, request=request)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("subject-access.pdf", pdf)
        for section in sections:
            bundle.writestr(section.filename, _csv_bytes(section))
        bundle.writestr("REDACTIONS.txt", redaction_note(redactor))
    summary = {
        "kind": "subject_access",
        "records": {section.filename: len(section.rows) for section in sections},
        "redactions": len(redactor.notes),
    }
    return buffer.getvalue(), summary


@dataclass
class ReviewRecord:
    record_type: str
    pk: int
    title: str
    answers: list[tuple[str, str, object]]  # (field name, label, the answer as the bundle shows it)


def review_sections(child: Child, *, user, request) -> list[tuple[str, list[ReviewRecord]]]:
    """The gathered records' free-text answers, with what is withheld so far shown as black bars:
    what the reviewer reads to decide what else to withhold."""
    from audit.readable_bundle import _black_bars

    sources = _sources(child, user=user)
    redactor = Redactor.for_decisions(sources[4][2], list(request.redactions.all()))
    shown = []
    for _filename, title, records, withhold in sources:
        fields = [f for f in free_text_fields(records.model) if f.name not in withhold]
        items = []
        for index, record in enumerate(records, start=1):
            answers = [
                (
                    f.name,
                    str(f.verbose_name).capitalize(),
                    _black_bars(str(redactor.text(value, "")), SHORT_REASON),
                )
                for f in fields
                if (value := getattr(record, f.name))
            ]
            if answers:
                name = getattr(record, "reference", "") or f"{title}: {index} of {len(records)}"
                items.append(ReviewRecord(records.model._meta.label, record.pk, str(name), answers))
        shown.append((title, items))
    return shown


@dataclass
class Supplier:
    """An agency other than the one answering whose information is in the bundle, and where."""

    agency: object
    reasons: list[str] = field(default_factory=list)


def suppliers(request, *, user) -> list[Supplier]:
    """The agencies to consult before the bundle goes: any that supplied information a decision
    records (the decision's "it came from another agency"), and any other agency whose own records
    the bundle holds (a partnership-wide officer gathers every agency's)."""
    found: dict[int, Supplier] = {}

    def note(agency, reason: str) -> None:
        if agency is None or agency.pk == request.agency_id:
            return
        supplier = found.setdefault(agency.pk, Supplier(agency))
        if reason not in supplier.reasons:
            supplier.reasons.append(reason)

    for _filename, _title, records, _withhold in _sources(request.child, user=user):
        model = records.model
        if model is Decision:
            for decision in records:
                if decision.from_other_agency:
                    note(decision.source_agency, f"Supplied information recorded in {decision.reference}")
                note(decision.agency, "Holds records in this bundle")
        elif model in (CompetenceAssessment, ConsentRecord):
            for record in records.select_related("agency"):
                note(record.agency, "Holds records in this bundle")
    return sorted(found.values(), key=lambda supplier: supplier.agency.name)
