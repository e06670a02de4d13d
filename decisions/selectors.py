"""Reads for the decision pages: the answers as a summary, the log's filters, the chronology source."""

import dataclasses
import functools
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.permissions import Perm
from consent.models import Child, InformationCategory
from decisions import integrations, labels
from decisions.journeys import DECISION, fields_of
from decisions.models import (
    SHARING_OUTCOMES,
    Decision,
    DecisionAddendum,
    DecisionReview,
    ReviewAction,
    Status,
)
from isa_portal import clocks
from isa_portal.pagination import Page, keyset_page
from isa_portal.rows import instances, rows_of
from isa_portal.vocabulary import GroundForSharingWithoutConsent, OtherReasonToShare
from isa_portal.web import display_value, field_display, long_date
from journeys.engine import Row, Section

# How each answer is labelled on "check your answers", the record and its PDF.
LABELS = {
    "request_method": "How the request was made",
    "requester_name": "Who asked",
    "requester_role": "Their role",
    "requester_agency": "Their agency",
    "request_received_on": "Date of the request",
    "identity_check": "How identity and entitlement were checked",
    "purpose": "Purpose",
    "purpose_detail": "The concern or need",
    "sexual_activity_under_13": "Evidence of sexual activity of a child under 13",
    "clear_purpose": "A clear and legitimate purpose",
    "identifies_person": "Identifies a person",
    "confidential": "Confidential",
    "other_reasons": "Other reasons to share",
    "outcome": "Decision",
    "departure_reason": "Why the decision differs from the one suggested",
    "override_reason": "Why consent was overridden",
    "grounds": "Grounds for sharing without consent",
    "harm_if_shared": "What might happen if shared",
    "harm_if_not_shared": "What might happen if not shared",
    "article6_basis": "Article 6 basis",
    "article9_condition": "Article 9 condition",
    "advice_sought": "Advice sought",
    "advice_from": "Advice from",
    "advice_role": "Their role",
    "advice_given": "What they advised",
    "information_shared": "Information shared",
    "recipient_agency": "Shared with (agency)",
    "recipient_name": "Named person",
    "recipient_role": "Their role",
    "share_method": "How",
    "shared_on": "When",
    "confirmed_in_writing": "Confirmed in writing",
    "no_agreement_reason": "Why shared without an agreement",
    "family_told": "Child or family told",
    "family_not_told_reason": "Why not",
    "protected_identities": "Identities to protect",
    "from_other_agency": "Information from another agency",
    "source_agency": "Which agency",
    "source_agency_agreed": "Did it agree to onward disclosure",
    "no_share_detriment": "Why sharing would be more detrimental to the child",
}


# Lists of choices, one a line; an empty list is an answer ("none of these"), not a gap.
LIST_CHOICES = {
    "other_reasons": OtherReasonToShare.choices,
    "grounds": GroundForSharingWithoutConsent.choices,
    "information_categories": InformationCategory.choices,
}


def _display(decision: Decision, field: str) -> str:
    if field in LIST_CHOICES:
        return display_value(getattr(decision, field), choices=LIST_CHOICES[field], empty="None", joiner="\n")
    return field_display(decision, field)


def change_url(decision: Decision, step: str) -> str:
    """A question page of a draft, coming back to check your answers once it is saved."""
    return f"{reverse('decisions:step', args=[decision.pk, step])}?from=check"


def unanswered_steps(decision: Decision) -> list[str]:
    """The question pages a draft still needs, in the order asked: each applicable page with a
    question unanswered (or answered in a way that stops it being submitted, ``rules.problems``)."""
    from decisions import rules

    missing = {problem.step for problem in rules.problems(decision)}
    return [step.name for step in DECISION.applicable(decision) if step.name in missing]


def _has_answers(decision: Decision, step) -> bool:
    """Whether any question of the page holds something other than its starting value."""
    for name in fields_of(step):
        field = decision._meta.get_field(name)
        if getattr(decision, field.attname) != field.get_default():
            return True
    return False


def resume_url(decision: Decision) -> str:
    """Where a draft picks up: its first unanswered question, else check your answers.

    A page counts as answered when nothing on it stops the decision being submitted and it, or a
    page after it, holds an answer: so a page whose questions may be left empty (another reason to
    share) or that asks nothing (the consent position) is not skipped before the person has seen it."""
    applicable = DECISION.applicable(decision)
    missing = set(unanswered_steps(decision))
    reached = max((i for i, step in enumerate(applicable) if _has_answers(decision, step)), default=-1)
    answered = {step.name for i, step in enumerate(applicable) if i <= reached and step.name not in missing}
    step = DECISION.resume_at(decision, answered)
    if step is None:
        return reverse("decisions:check", args=[decision.pk])
    return reverse("decisions:step", args=[decision.pk, step.name])


def answer_sections(decision: Decision, *, editable: bool) -> list[Section]:
    """The answers page by page, in the order asked; with change links while a draft. Labels are
    plain English from ``decisions.labels``; follow-up questions the answers did not call for are
    left out."""
    sections = []
    for step in DECISION.applicable(decision):
        change = change_url(decision, step.name) if editable else None
        if step.name == "consent":
            rows = [
                Row(
                    labels.label("consent_status"),
                    decision.get_consent_status_display() or "Not yet looked up",
                    change,
                )
            ]
        else:
            rows = [
                Row(labels.label(field, step.form_class), _display(decision, field), change)
                for field in fields_of(step)
                if labels.applies(field, decision)
            ]
        if step.name == "outcome":
            rows.insert(
                0,
                Row(labels.label("proposed_outcome"), decision.get_proposed_outcome_display() or "None"),
            )
        sections.append(Section(step.title, rows))
    return sections


# And the deciding agency itself: its facts (competent authority...) say which pages applied.
NAMED_AGENCIES = ("agency", "requester_agency", "recipient_agency", "source_agency")


def with_named_agencies(decision: Decision) -> Decision:
    """Attach the agencies the answers name (who decided, asked, received, where it came from): from
    ``with_record_parts``'s rows where the decision was read with them, else read in one query. Joined
    into the decision's own query with the rest of the record, they made PostgreSQL plan a join of ten
    tables: 4 to 6 ms of planning on every record page."""
    from agreements.models import Agency

    if hasattr(decision, "agency_rows"):
        rows = instances(Agency, _every_field(Agency), decision.agency_rows)
        agencies = {agency.pk: agency for agency in rows}
    else:
        ids = {getattr(decision, f"{field}_id") for field in NAMED_AGENCIES} - {None}
        agencies = Agency.objects.in_bulk(ids) if ids else {}
    for field in NAMED_AGENCIES:
        agency_id = getattr(decision, f"{field}_id")
        if agency_id is not None:
            setattr(decision, field, agencies[agency_id])
    return decision


# The decisions linked to a record by a reconsideration: what the record shows of them.
LINKED_FIELDS = ("id", "reference", "status", "created", "reconsiders")


def _every_field(model) -> tuple[str, ...]:
    return tuple(field.name for field in model._meta.concrete_fields)


def with_record_parts(queryset):
    """The decisions with their reviews, their addenda, the decision each reconsiders and those that
    reconsider it, and the agencies their answers name, each as rows in a column of the decisions' own
    query (``isa_portal.rows``): four queries fewer on the record, each of which cost its compilation
    and a round trip."""
    from agreements.models import Agency

    linked = Decision.objects.filter(Q(reconsiders_id=OuterRef("pk")) | Q(pk=OuterRef("reconsiders_id")))
    named = Q()
    for field in NAMED_AGENCIES:
        named |= Q(pk=OuterRef(f"{field}_id"))
    return queryset.annotate(
        review_rows=rows_of(
            DecisionReview.objects.filter(decision=OuterRef("pk")), _every_field(DecisionReview)
        ),
        addendum_rows=rows_of(
            DecisionAddendum.objects.filter(decision=OuterRef("pk")), _every_field(DecisionAddendum)
        ),
        linked_rows=rows_of(linked, LINKED_FIELDS),
        # Every column: the deciding agency's facts (competent authority...) say which questions applied.
        agency_rows=rows_of(Agency.objects.filter(named), _every_field(Agency)),
    )


class RecordParts(NamedTuple):
    reviews: list[DecisionReview]  # oldest first
    addenda: list[DecisionAddendum]  # oldest first
    reconsiderations: list[Decision]  # the decisions that reconsider this one, newest first


def record_parts(decision: Decision) -> RecordParts:
    """A decision's reviews, addenda and reconsiderations from ``with_record_parts``'s rows, in the
    order the record lists them; the decision it reconsiders is set on it (its four columns)."""
    reviews = instances(DecisionReview, _every_field(DecisionReview), decision.review_rows, order_by=ORDER)
    addenda = instances(
        DecisionAddendum, _every_field(DecisionAddendum), decision.addendum_rows, order_by=ORDER
    )
    linked = instances(Decision, LINKED_FIELDS, decision.linked_rows, order_by=ORDER)
    if decision.reconsiders_id is not None:
        decision.reconsiders = next(row for row in linked if row.pk == decision.reconsiders_id)
    reconsiderations = [row for row in reversed(linked) if row.reconsiders_id == decision.pk]
    return RecordParts(reviews, addenda, reconsiderations)


def consent_preview(decision: Decision):
    """What the consent part holds now for this child, recipient and purpose (no write)."""
    return integrations.consent_for(
        child=decision.child,
        recipient=decision.recipient_agency or decision.requester_agency,
        purpose=decision.purpose,
        on=timezone.localdate(),
        information_categories=decision.information_categories or None,
    )


def consent_journey_urls(decision: Decision) -> dict[str, str]:
    """Where to record consent or a competence assessment, coming back to this page afterwards."""
    back = urlencode({"next": reverse("decisions:step", args=[decision.pk, "consent"])})
    return {
        key: f"{reverse(name, kwargs={'pk': decision.child_id})}?{back}"
        for key, name in (("consent", "consent:consent_start"), ("assessment", "consent:assessment_start"))
    }


def log_scope(user):
    """The submitted decisions the user may see: their agency's, or every agency's when partnership-wide."""
    return Decision.objects.visible_to(user).submitted()


def _log_people(user, agency_id: int | None):
    """The practitioners and leads the log can be filtered by: the user's agency's; for a
    partnership-wide user, those of the agency they chose (None before they choose one: a list of
    every practitioner in the partnership would run to thousands of names)."""
    if user.partnership_wide:
        if agency_id is None:
            return None
    else:
        agency_id = user.agency_id
    return get_user_model().objects.filter(
        is_active=True, agency_id=agency_id, role__in=["practitioner", "lead"]
    )


def log_practitioners(user, agency_id: int | None = None) -> list[tuple[int, str]]:
    """Whom the log can be filtered by, as (id, name) rows, not users: the form needs two columns,
    and building a user per option was a tenth of the log's time."""
    people = _log_people(user, agency_id)
    return [] if people is None else list(people.order_by("full_name").values_list("id", "full_name"))


class LogChoices(NamedTuple):
    """The options of the log's filter form, as (id, name) rows."""

    practitioners: list[tuple[int, str]]  # empty: no practitioner filter (see _log_people)
    agencies: list[tuple[int, str]] | None  # a partnership-wide user's filter by agency; None for others
    recipients: list[tuple[int, str]] | None  # for IG officers: every agency a decision may have gone to


def log_choices(user, agency_id: int | None = None) -> LogChoices:
    """The filter form's options in one query: the practitioners and, for those who filter by agency
    or by recipient agency, every agency (one list serves both), read together with UNION ALL rather
    than one query each."""
    from agreements.models import Agency

    people = _log_people(user, agency_id)  # None only for a partnership-wide officer, who lists agencies
    can_export = user.can(Perm.EXPORT_DECISION_LOG)
    # Leads filter by the kind of recipient, not by agency, and see no agency list.
    wants_agencies = user.partnership_wide or can_export
    parts = []
    if people is not None:
        parts.append(people.order_by().annotate(part=Value(0)).values_list("part", "id", "full_name"))
    if wants_agencies:
        parts.append(Agency.objects.order_by().annotate(part=Value(1)).values_list("part", "id", "name"))
    query = parts[0].union(*parts[1:], all=True)
    # The name is the third column either way; the union names it after the first part's.
    practitioners, agencies = [], []
    for part, pk, name in query.order_by("part", "full_name" if people is not None else "name"):
        (agencies if part else practitioners).append((pk, name))
    return LogChoices(
        practitioners, agencies if user.partnership_wide else None, agencies if can_export else None
    )


def filtered_log(user, filters: dict):
    """The log narrowed by the filters (the log form's cleaned data; empty for none)."""
    queryset = log_scope(user)
    # Bounds on ``created`` itself (not its date) so the indexes on (..., created, id) serve them.
    if filters.get("date_from"):
        queryset = queryset.filter(created__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        queryset = queryset.filter(created__lt=_start_of(filters["date_to"] + timedelta(days=1)))
    from agreements.models import kinds_in_sector
    from decisions.forms import SHARED

    if filters.get("outcome") == SHARED:
        queryset = queryset.filter(outcome__in=sorted(SHARING_OUTCOMES))
    elif filters.get("outcome"):
        queryset = queryset.filter(outcome=filters["outcome"])
    for field in ("consent_position", "article6_basis", "status"):
        if filters.get(field):
            queryset = queryset.filter(**{field: filters[field]})
    if filters.get("grounds"):
        queryset = queryset.filter(grounds__contains=[filters["grounds"]])
    if filters.get("recipient_agency"):
        queryset = queryset.filter(recipient_agency_id=filters["recipient_agency"])
    if filters.get("recipient_kind"):
        queryset = queryset.filter(recipient_agency__kind__in=kinds_in_sector(filters["recipient_kind"]))
    if filters.get("agency"):
        queryset = queryset.filter(agency_id=filters["agency"])
    if filters.get("practitioner"):
        queryset = queryset.filter(created_by_id=filters["practitioner"])
    if filters.get("child"):
        queryset = queryset.filter(child_id=filters["child"])
    return queryset


class ListedDecision(NamedTuple):
    """A decision as a list of decisions shows it (decisions/_decision_rows.html): what the rows need,
    read as columns rather than a decision and its child each made a model, which was half the time
    of the log's query."""

    pk: int
    reference: str
    status: str
    created: datetime
    purpose: str
    outcome: str
    tombstoned_at: datetime | None
    child: str  # the child's name, as str(child) gives it


_LISTED_COLUMNS = (
    "pk",
    "reference",
    "status",
    "created",
    "purpose",
    "outcome",
    "tombstoned_at",
    "child_id",
    "child__given_name",
    "child__family_name",
    "child__tombstoned_at",
)


def log_page(queryset, *, after: str | None) -> Page:
    """The page of the (filtered) log after the cursor, newest first, as ``ListedDecision`` rows."""
    page = keyset_page(queryset.values_list(*_LISTED_COLUMNS, named=True), after=after)
    name_from = Child.name_from
    items = [
        ListedDecision(
            row.pk,
            row.reference,
            row.status,
            row.created,
            row.purpose,
            row.outcome,
            row.tombstoned_at,
            name_from(row.child_id, row.child__given_name, row.child__family_name, row.child__tombstoned_at),
        )
        for row in page.items
    ]
    return dataclasses.replace(page, items=items)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def used_filters(filters: dict) -> dict:
    """The filters given, as text for the audit trail."""
    return {key: str(value) for key, value in filters.items() if value not in (None, "")}


def filter_child(user, child_id: int | None):
    """The child the log is filtered to, if the user may see them."""
    if child_id:
        return Child.objects.visible_to(user).filter(pk=child_id).first()
    return None


def waiting_for(decision: Decision, now) -> str:
    """How long a decision has waited for a lead, in words."""
    if decision.submitted_at is None:
        return ""
    return _how_long(now - decision.submitted_at)


class EscalationClock(NamedTuple):
    """Where an escalated disagreement stands: with whom, for how long, and by when they should answer."""

    review: DecisionReview
    waiting: str
    due: datetime
    working_days: int
    overdue: bool


def escalation_clock(decision: Decision, reviews: list[DecisionReview], now) -> EscalationClock | None:
    """The timer of the escalation the decision stands at (from its reviews, already read)."""
    if decision.status != Status.ESCALATED:
        return None
    escalations = [review for review in reviews if review.action == ReviewAction.ESCALATE]
    if not escalations:
        return None
    latest = escalations[-1]
    days = settings.ESCALATION_RESPONSE_WORKING_DAYS
    clock = clocks.escalation_clock(latest.created, working_days=days)
    overdue = clock.state(now) == clocks.ClockState.OVERDUE
    return EscalationClock(latest, _how_long(now - latest.created), clock.due, days, overdue)


def _how_long(delta: timedelta) -> str:
    days, hours = delta.days, delta.seconds // 3600
    if days:
        return f"{days} day{'s' if days != 1 else ''}"
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return "less than an hour"


def _chronology_details(decision: Decision) -> tuple[tuple[str, str], ...]:
    """What a decision's chronology entry says: the outcome, the recipient, what was shared, the
    reviews and the addenda, labelled as on the record (``decisions.labels``)."""
    rows = [(labels.label("outcome"), decision.get_outcome_display() or "Not decided")]
    if decision.is_sharing:
        recipient = decision.recipient_agency.name if decision.recipient_agency else ""
        person = ", ".join(part for part in (decision.recipient_name, decision.recipient_role) if part)
        rows.append(("Shared with", "; ".join(part for part in (recipient, person) if part) or "Not given"))
        rows.append((labels.label("information_shared"), decision.information_shared or "Not given"))
    rows.append(("Status", decision.get_status_display()))
    reviews = instances(DecisionReview, CHRONOLOGY_REVIEW_FIELDS, decision.review_rows, order_by=ORDER)
    lines = [
        f"{review.get_action_display()} by {review.reviewer_name}, {long_date(review.created)}"
        for review in reviews
    ]
    rows.append(("Reviews", "\n".join(lines) or "Not reviewed yet"))
    addenda = instances(DecisionAddendum, CHRONOLOGY_ADDENDUM_FIELDS, decision.addendum_rows, order_by=ORDER)
    if addenda:
        rows.append(
            ("Addenda", "\n".join(f"{note.author_name}, {long_date(note.created)}" for note in addenda))
        )
    return tuple(rows)


CHRONOLOGY_FIELDS = (
    "reference",
    "outcome",
    "purpose",
    "status",
    "submitted_at",
    "created",
    "agency_name",
    "practitioner_name",
    "recipient_name",
    "recipient_role",
    "information_shared",
    "agency__name",
    "recipient_agency__name",
)
CHRONOLOGY_REVIEW_FIELDS = ("id", "action", "reviewer_name", "created")
CHRONOLOGY_ADDENDUM_FIELDS = ("id", "author_name", "created")
ORDER = ("created", "id")  # the reviews' and addenda's own order (their Meta.ordering)


@functools.cache
def _chronology_decisions():
    """Submitted decisions as a chronology shows them: only the columns an entry shows (of some
    seventy), with the reviews and addenda in the same query, their three columns each
    (isa_portal.rows; a prefetch was a query of its own for each). Built once, as building its
    subqueries cost as much as running it; never evaluated itself, only narrowed per request."""
    return (
        Decision.objects.exclude(status=Status.DRAFT)
        .select_related("agency", "recipient_agency")
        .only(*CHRONOLOGY_FIELDS)
        .annotate(
            review_rows=rows_of(
                DecisionReview.objects.filter(decision=OuterRef("pk")), CHRONOLOGY_REVIEW_FIELDS
            ),
            addendum_rows=rows_of(
                DecisionAddendum.objects.filter(decision=OuterRef("pk")), CHRONOLOGY_ADDENDUM_FIELDS
            ),
        )
        .order_by("-created", "-id")
    )


def chronology_entries(child, user):
    """Decisions about ``child`` that ``user`` may see, for the child's chronology."""
    from consent.chronology import ChronologyEntry

    decisions = _chronology_decisions().visible_to(user).filter(child=child)
    for decision in decisions:
        yield ChronologyEntry(
            when=decision.submitted_at or decision.created,
            kind="Decision",
            title=f"{decision.reference}: {decision.get_outcome_display()}",
            summary=f"{decision.get_purpose_display()}.",
            agency_name=decision.agency_name or decision.agency.name,
            recorded_by=decision.practitioner_name,
            url=reverse("decisions:detail", args=[decision.pk]),
            details=_chronology_details(decision),
        )


HOME_LIMIT = 5


def home_context(user) -> dict:
    """The decisions sections of the practitioner's and the lead's landing pages."""
    from accounts.permissions import Perm

    context: dict = {}
    if user.can(Perm.RECORD_DECISION):
        context["recent_decisions"] = list(
            Decision.objects.visible_to(user).filter(created_by=user).for_lists()[:HOME_LIMIT]
        )
        # "Continue where you left off": the draft the person last saved an answer to.
        context["latest_draft"] = (
            Decision.objects.visible_to(user)
            .filter(created_by=user, status=Status.DRAFT)
            .for_lists()
            .order_by("-updated", "-id")
            .first()
        )
    if user.can(Perm.REVIEW_DECISION) or user.can(Perm.REVIEW_PARTNERSHIP_TIER):
        now = timezone.now()
        waiting = Decision.objects.review_queue_for(user).for_lists()[:10]
        context["review_rows"] = [(decision, waiting_for(decision, now)) for decision in waiting]
    return context
