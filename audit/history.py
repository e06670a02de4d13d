"""A child's access history: every view, download, export, change and refused attempt touching the
child or any of their records (decisions, their addenda and reviews, consent records, competence
assessments, PDFs and chronologies), for IG officers and for a lead of an agency holding the child.

Scope: a partnership-wide IG officer sees every agency's entries. Anyone else sees the entries
about their agency's records or made by their agency's staff (``AuditEntry.about_or_by_agency``),
and every refused attempt on the child's records, whichever agency made it: a refusal is exactly
what the agency holding the record needs to see.

A refused request is found two ways: written against the record it asked for (content type and
pk, with the record's agency), or, as older entries were, against the user with the URL's name and
arguments in its detail (``audit.services.record_denied``); ``DENIED_URLS`` maps those back.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from accounts.permissions import Perm
from audit import wording
from audit.models import DOMAIN_EVENTS, AuditEntry, Event
from consent.models import Child, CompetenceAssessment, ConsentRecord
from decisions.models import Decision, DecisionAddendum, DecisionReview


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    events: frozenset


KINDS = [
    Kind("viewed", "Viewed", frozenset({Event.VIEW, Event.LIST})),
    Kind(
        "downloaded",
        "Downloaded, printed or exported",
        frozenset({Event.DOWNLOAD, Event.PRINT, Event.EXPORT}),
    ),
    Kind("changed", "Created or changed", frozenset({Event.CHANGE, *DOMAIN_EVENTS})),
    Kind("refused", "Refused access", frozenset({Event.DENIED})),
]
KIND_CHOICES = [(kind.key, kind.label) for kind in KINDS]
KIND_OF_EVENT = {event: kind.label for kind in KINDS for event in kind.events}

# URL names whose ``pk`` argument is a record of the child, for refusals recorded against the user.
DENIED_URLS = {
    Child: [
        "consent:child_detail",
        "consent:chronology_print",
        "consent:chronology_pdf",
        "consent:consent_start",
        "consent:assessment_start",
        "audit:subject_access_child",
        "audit:child_history",
        "audit:child_history_export",
        "audit:child_history_export_xlsx",
    ],
    Decision: [
        "decisions:detail",
        "decisions:pdf",
        "decisions:step",
        "decisions:check",
        "decisions:review",
        "decisions:addendum",
        "decisions:reconsider",
    ],
    ConsentRecord: ["consent:consent_detail", "consent:consent_confirmation", "consent:consent_withdraw"],
    CompetenceAssessment: ["consent:assessment_detail", "consent:assessment_confirmation"],
}


def can_see_history(user) -> bool:
    return user.is_authenticated and user.can(Perm.VIEW_ACCESS_HISTORY)


def records_of(child: Child) -> dict[type, list[int]]:
    """Every record about the child, by model: the child, every agency's decisions, their addenda
    and reviews, consent records and competence assessments."""
    decisions = list(Decision.objects.filter(child=child).values_list("pk", flat=True))
    return {
        Child: [child.pk],
        Decision: decisions,
        DecisionAddendum: list(
            DecisionAddendum.objects.filter(decision__child=child).values_list("pk", flat=True)
        ),
        DecisionReview: list(
            DecisionReview.objects.filter(decision__child=child).values_list("pk", flat=True)
        ),
        ConsentRecord: list(ConsentRecord.objects.filter(child=child).values_list("pk", flat=True)),
        CompetenceAssessment: list(
            CompetenceAssessment.objects.filter(child=child).values_list("pk", flat=True)
        ),
    }


def _about(records: dict[type, list[int]], child: Child) -> Q:
    types = ContentType.objects.get_for_models(*records, get_user_model())
    about = [
        Q(content_type=types[model], object_pk__in=[str(pk) for pk in pks])
        for model, pks in records.items()
        if pks
    ]
    # The decision log filtered to this child, on screen or exported.
    about.append(
        Q(
            content_type=types[Decision],
            event__in=[Event.LIST, Event.EXPORT],
            additional_data__filters__child=str(child.pk),
        )
    )
    # Refusals recorded against the user, with the URL asked for.
    for model, names in DENIED_URLS.items():
        pks = records.get(model)
        if pks:
            about.append(
                Q(
                    content_type=types[get_user_model()],
                    event=Event.DENIED,
                    additional_data__url_name__in=names,
                    additional_data__kwargs__pk__in=[str(pk) for pk in pks],
                )
            )
    return reduce(or_, about)


def history(child: Child, user, *, kinds=(), start=None, end=None):
    """The entries touching ``child`` that ``user`` may see, newest first (none without the right)."""
    if not can_see_history(user):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.filter(_about(records_of(child), child))
    if not user.partnership_wide:
        agency = user.agency_id
        entries = entries.filter(Q(agency_id=agency) | Q(actor_agency_id=agency) | Q(event=Event.DENIED))
    if kinds:
        events = set().union(*(kind.events for kind in KINDS if kind.key in kinds))
        entries = entries.filter(event__in=sorted(events))
    if start:
        entries = entries.filter(timestamp__gte=start)
    if end:
        entries = entries.filter(timestamp__lt=end)
    return entries.select_related("content_type", "actor", "actor_agency", "agency").order_by(
        "-timestamp", "-id"
    )


def denied_record(entry: AuditEntry, child: Child) -> str | None:
    """For a refusal: the record it asked for, named for the sentence (its own label is the address
    asked for, which names no child)."""
    if entry.event != Event.DENIED:
        return None
    if entry.content_type.model != "user":  # written against the record itself (accounts.access)
        return _named(entry.content_type.model_class(), entry.object_pk, child)
    detail = entry.additional_data or {}
    name = detail.get("url_name")
    for model, names in DENIED_URLS.items():
        if name in names:
            if model is Child:
                return f"{wording.record_noun('child')} {child}"
            return _named(model, (detail.get("kwargs") or {}).get("pk"), child)
    return None


def _named(model, pk, child: Child) -> str:
    if model is Child:
        return f"{wording.record_noun('child')} {child}"
    if model is Decision:
        reference = Decision.objects.filter(pk=pk).values_list("reference", flat=True).first()
        return f"decision {reference or pk}"
    return f"{wording.record_noun(model._meta.model_name)} {pk}"


HEADER = [
    "When (UK time)",
    "Who",
    "Their agency",
    "Their role",
    "What happened",
    "Kind",
    "Type of record",
    "Record",
    "From address",
    "Through",
]


def rows(entries, child: Child):
    """Each entry as a row of the history (and its exports): plain words, the time as a time."""
    for entry in entries:
        record = denied_record(entry, child)
        yield (
            entry,
            [
                entry.timestamp,
                (entry.actor.full_name if entry.actor_id else "") or entry.actor_email or "The system",
                entry.actor_agency.name if entry.actor_agency_id else "",
                wording.role_label(entry.actor_role) if entry.actor_role else "",
                wording.sentence(entry, record),
                KIND_OF_EVENT.get(entry.event, "Other"),
                wording.record_type_label(entry.content_type) if record is None else "Refused request",
                record or entry.object_repr,
                entry.remote_addr or "",
                entry.source or "",
            ],
        )
