"""Decisions as practitioners make them: the question pages in order, submission, review, addenda, views.

Every submitted decision is one ``decisions.rules.problems`` has nothing to say about: the
proposed outcome, the consent position and the lawful bases an agency may rely on are
``decisions.rules``' own answers (asked once for each combination of answers), the consent
and agreement cover are what ``decisions.integrations`` finds for that child, recipient,
purpose and day, and the pages that do not apply are blank, as ``decision_submit`` leaves
them. Review moves only along ``decisions.services.TRANSITIONS``, and reviews are named by
the labels of their ``action`` field. References are ``ISD-<year>-<number>``, numbered per year of
submission.

The mixes (about three in four decisions share, most with consent or without it on
recorded grounds; most are endorsed within a day or two) are invented but plausible;
change them here.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from uuid import UUID

from agreements.models import Agency
from consent import position
from decisions import rules
from decisions.journeys import DECISION
from decisions.models import (
    REFUSALS,
    SHARING_OUTCOMES,
    Decision,
    DecisionAddendum,
    DecisionReview,
)
from decisions.services import TRANSITIONS
from devdata.volume import words
from devdata.volume.children import PURPOSES, Children, age_on
from devdata.volume.partnership import Partnership, Person
from devdata.volume.run import DAY, HOUR, MINUTE, Run, Weighted, below, creation, pick
from devdata.volume.tables import (
    NULL,
    Table,
    compact_json,
    escape,
    iso_time,
    json_string,
    logged_time,
    to_datetime,
    to_us,
)
from devdata.volume.trail import ACCESS, CREATE, UPDATE, WEB, Entry
from isa_portal.vocabulary import GroundForSharingWithoutConsent, OtherReasonToShare

DECISION_COLUMNS = (
    "id", "practitioner_name", "practitioner_job_title", "practitioner_role", "agency_name", "reference",
    "status", "creation_token", "created", "updated", "submitted_at", "requester_name", "requester_role",
    "request_method", "request_received_on", "identity_check", "purpose", "purpose_detail",
    "sexual_activity_under_13", "clear_purpose", "identifies_person", "confidential", "consent_status",
    "other_reasons", "proposed_outcome", "outcome", "departure_reason", "consent_position",
    "override_reason", "grounds", "harm_if_shared", "harm_if_not_shared", "article6_basis",
    "article9_condition", "advice_sought", "advice_from", "advice_role", "advice_given",
    "information_shared", "recipient_name", "recipient_role", "share_method", "shared_on",
    "confirmed_in_writing", "no_agreement_acknowledged", "no_agreement_reason", "family_told",
    "family_not_told_reason", "protected_identities", "from_other_agency", "source_agency_agreed",
    "no_share_detriment", "countersigned_at", "agency_id", "agreement_version_id", "child_id",
    "countersigned_by_id", "created_by_id", "recipient_agency_id", "reconsiders_id", "requester_agency_id",
    "source_agency_id", "competence_assessment_id", "consent_record_id", "legal_hold", "legal_hold_reason",
    "tombstone_reason", "tombstoned_at", "information_categories", "law_enforcement", "schedule8_condition",
    "events_on", "identity_checked_against", "identity_method", "identity_outcome", "referral_agency_id",
    "referral_made_on", "referral_reference", "written_confirmation", "cover_note", "originator_refused",
    "onward_override_reason", "onward_disclosure", "submitted_child_name", "submitted_child_date_of_birth",
    "submitted_child_nhs_number", "withheld_information", "withheld_reason", "new_information",
    "unsure_about", "advice_source", "advice_on",
)  # fmt: skip
REVIEW_COLUMNS = (
    "id", "action", "comments", "reviewer_name", "reviewer_job_title", "created", "decision_id",
    "reviewer_id", "escalated_to", "outcome",
)  # fmt: skip
# How generated disagreements end (decisions.models.EscalationOutcome), most by agreement.
RESOLUTIONS = Weighted(("agreed", "upheld", "overturned"), (70, 20, 10))
ADDENDUM_COLUMNS = ("id", "text", "author_name", "author_role", "created", "author_id", "decision_id")

TABLES = [
    Table(Decision, DECISION_COLUMNS),
    Table(DecisionReview, REVIEW_COLUMNS),
    Table(DecisionAddendum, ADDENDUM_COLUMNS),
]

TIMES = {"created", "updated", "submitted_at", "countersigned_at", "tombstoned_at"}
DATES = {"request_received_on", "shared_on", "events_on", "referral_made_on", "advice_on"}
# Field names as django-auditlog writes them into ``changes``.
NAMES = {name: name[:-3] if name.endswith("_id") and name != "id" else name for name in DECISION_COLUMNS}

# What the record says of its cover (agreements.selectors.cover_check writes the agreement's name and
# the dates of both signatures; a generated record says it in general terms).
COVERED = "Shared under an agreement in force for this purpose that both agencies have signed."
NOT_COVERED = "No agreement covered this share: the agencies are not both signatories of one in force."
ONWARD_OVERRIDE_REASON = (
    "The child is at risk now and the agency that supplied it could not be reached in time to agree."
)

# A new draft, as decision_start saves it: every field at the model's default.
BLANK = {
    field.attname: field.get_default()
    for field in Decision._meta.concrete_fields
    if field.attname not in ("id", "created", "updated")
}

# How each kind of agency's practitioners share, over PURPOSES' order.
PURPOSE_WEIGHTS = {
    "local_authority": (35, 25, 15, 3, 4, 4, 14),
    "police": (45, 5, 3, 35, 2, 2, 8),
    "nhs_trust": (30, 10, 8, 2, 40, 3, 7),
    "gp_practice": (30, 8, 5, 2, 50, 2, 3),
    "school": (35, 10, 20, 2, 5, 25, 3),
    "early_years": (35, 10, 35, 1, 8, 8, 3),
    "voluntary": (35, 15, 35, 3, 4, 3, 5),
    "commissioned": (30, 20, 35, 2, 5, 3, 5),
    "other": (35, 15, 15, 15, 5, 10, 5),
}
METHODS = (("phone", 30), ("email", 30), ("meeting", 14), ("letter", 10), ("own_initiative", 16))
SHARE_METHODS = (("secure_email", 55), ("phone", 15), ("meeting", 12), ("secure_portal", 15), ("post", 3))
OTHER_REASONS = [r.value for r in OtherReasonToShare]
GROUNDS = [g.value for g in GroundForSharingWithoutConsent]
# What happens after submission, by how long ago that was: (scenario, weight).
WORKFLOWS = tuple(
    (limit, Weighted([s for s, _ in mix], [w for _, w in mix]))
    for limit, mix in (
        (3, (("wait", 55), ("endorse", 30), ("return", 6), ("escalate", 4), ("return_answer_endorse", 5))),
        (
            30,
            (
                ("wait", 12),
                ("endorse", 66),
                ("return", 5),
                ("return_answer_endorse", 6),
                ("escalate", 3),
                ("escalate_resolve", 4),
                ("endorse_addendum", 4),
            ),
        ),
        (
            None,
            (
                ("wait", 1),
                ("endorse", 80),
                ("return", 1),
                ("return_answer_endorse", 7),
                ("escalate", 0.5),
                ("escalate_resolve", 3.5),
                ("endorse_addendum", 7),
            ),
        ),
    )
)
PURPOSE_PICKS = {kind: Weighted(PURPOSES, weights) for kind, weights in PURPOSE_WEIGHTS.items()}
METHOD_PICK = Weighted([m for m, _ in METHODS], [w for _, w in METHODS])
SHARE_METHOD_PICK = Weighted([m for m, _ in SHARE_METHODS], [w for _, w in SHARE_METHODS])
# What a share in part held back and why; what a reconsideration rests on (issue 12, item 7).
WITHHELD = (
    ("The family's earlier history with the service", "Only the current concern is needed for this purpose"),
    ("The name of the person who reported the concern", "Naming them could put them at risk of harm"),
    ("The mother's health information", "The recipient does not need her health information for this"),
    ("Another agency's assessment", "It is that agency's to share, and it has not agreed"),
)
NEW_INFORMATION = (
    "The requester has told us of a new injury seen this week",
    "The police have told us the father has moved back into the home",
    "The school has reported that the child is afraid to go home",
)
SOURCE_AGREED = Weighted(("agreed", "refused", "not_asked"), (70, 10, 20))
SCENARIOS = {
    "wait": (),
    "endorse": ("endorse",),
    "return": ("return",),
    "escalate": ("escalate",),
    "return_answer_endorse": ("return", "answer", "endorse"),
    "escalate_resolve": ("escalate", "resolve"),
    "endorse_addendum": ("endorse", "addendum"),
}
ACTIONS = dict(DecisionReview._meta.get_field("action").choices)  # review steps, as the product names them
# Trail entries each scenario writes: a review and the decision's change; an addendum (and the change
# of status when it answers a return).
REVIEW_ENTRIES = {
    name: sum(1 if step == "addendum" else 2 for step in steps) for name, steps in SCENARIOS.items()
}
# The status each review action leads to.
AFTER = {action.value: to.value for action, (to, _event) in TRANSITIONS.items()}


def ruled(d: dict) -> tuple[str, str]:
    """``decisions.rules``' proposed outcome and consent position for the answers in a row as a dict."""
    return _ruled(
        d["sexual_activity_under_13"],
        d["clear_purpose"],
        d["identifies_person"],
        d["confidential"],
        d["consent_status"],
        tuple(d["other_reasons"]),
        d["outcome"],
    )


@cache
def _ruled(
    sexual_activity_under_13,
    clear_purpose,
    identifies_person,
    confidential,
    consent_status,
    other_reasons,
    outcome,
) -> tuple[str, str]:
    # Asked of an unsaved decision once per combination: a million decisions share a few hundred.
    decision = Decision(
        sexual_activity_under_13=sexual_activity_under_13,
        clear_purpose=clear_purpose,
        identifies_person=identifies_person,
        confidential=confidential,
        consent_status=consent_status,
        other_reasons=list(other_reasons),
        outcome=outcome,
    )
    return str(rules.proposed_outcome(decision)), str(rules.consent_position(decision))


# One planned decision: (id, created, child, agency, author, draft?, pages saved by, submitted, reference).
Planned = tuple[int, int, int, int, int, bool, int, int, str | None]


@dataclass
class Plan:
    decisions: list[Planned]  # oldest first: ids follow time
    counters: dict[int, int]  # year -> last reference number given


def plan(run: Run, partnership: Partnership, children: Children, count: int) -> Plan:
    """Who decides what about whom and when, for every decision, before any is made.

    Decided here, in one place, so the decisions can then be made in any order (in parallel):
    when each is submitted, and so its reference, numbered per year in order of submission.
    """
    rng = run.rng
    weights = [
        ((end - row[5].timestamp() * 1e6) / DAY + 30) ** 0.5 * rng.lognormvariate(0, 0.7)
        for row, end in zip(children.rows, children.ends, strict=True)
    ]
    picks = rng.choices(range(len(children.rows)), weights=weights, k=count)
    chosen = []
    for index in picks:
        links = children.links[index]
        agency_id, since = links[0] if len(links) == 1 or rng.random() < 0.55 else pick(rng, links[1:])
        at = run.between(since, children.ends[index])
        people = partnership.practitioners[agency_id] if rng.random() < 0.88 else partnership.leads[agency_id]
        author = pick(rng, people or partnership.leads[agency_id])
        chosen.append((at, index + 1, agency_id, author.id))
    chosen.sort()
    decisions = []
    for decision_id, (created, child_id, agency_id, author_id) in enumerate(chosen, start=1):
        # Most are left as drafts only when recent; a few old ones were abandoned.
        draft = rng.random() < (0.25 if run.now - created < 45 * DAY else 0.004)
        pages_done = created + len(DECISION.steps) * MINUTE + below(rng, len(DECISION.steps) * 5 * MINUTE)
        roll = rng.random()
        if roll < 0.8:
            gap = below(rng, 30 * MINUTE)
        else:
            gap = HOUR + below(rng, 7 * HOUR) if roll < 0.95 else DAY + below(rng, 2 * DAY)
        submitted = pages_done + gap
        if gap >= HOUR:  # submitted later that day or another day: still in working hours
            folded = run.at_work(submitted)
            submitted = folded if folded > pages_done else pages_done + MINUTE
        draft = draft or submitted > run.now - MINUTE
        decisions.append(
            [decision_id, created, child_id, agency_id, author_id, draft, pages_done, submitted, None]
        )
    counters: dict[int, int] = {}
    for decision in sorted((d for d in decisions if not d[5]), key=lambda d: (d[7], d[0])):
        year = to_datetime(decision[7]).year
        counters[year] = counters.get(year, 0) + 1
        decision[8] = f"ISD-{year}-{counters[year]:06d}"
    return Plan([tuple(d) for d in decisions], counters)


@dataclass
class Made:
    """What one maker made, for the log."""

    decisions: int = 0
    submitted: int = 0
    drafts: int = 0
    reviews: int = 0
    addenda: int = 0


class _Consent:
    """A generated consent row (``children.CONSENT_COLUMNS``), read as ``consent.position`` reads a
    ``ConsentRecord``, so the generator finds the consent position as the product does."""

    __slots__ = (
        "answer",
        "asked",
        "asked_label",
        "child",
        "given_on",
        "information_categories",
        "matter",
        "pk",
        "purpose",
        "recipient_ids",
        "row",
        "valid_until",
        "withdraws_id",
    )  # fmt: skip

    def __init__(self, row: tuple, recipients: tuple[int, ...]):
        self.row, self.pk, self.purpose, self.matter = row, row[0], row[1], row[2]
        self.information_categories, self.answer, self.asked = row[3], row[4], row[5]
        self.given_on, self.valid_until, self.withdraws_id = row[11], row[12], row[21]
        self.recipient_ids, self.child = recipients, "the child"
        self.asked_label = row[6] or "the child"


class DecisionMaker:
    """Makes planned decisions, oldest first: rows into files, entries into the run's pending trail.

    With several workers, each makes the decisions about its own share of the children (a
    reconsideration follows a decision about the same child) and numbers reviews and addenda
    in its own stride, so ids never collide.
    """

    def __init__(self, run: Run, partnership: Partnership, children: Children, files, worker=0, workers=1):
        self.run, self.rng = run, run.rng
        self.partnership, self.children = partnership, children
        self.files = files  # table name -> text file
        self.made = Made()
        self.next_review, self.next_addendum, self.stride = worker + 1, worker + 1, workers
        self.not_shared: dict[tuple[int, int], tuple] = {}  # (child, agency) -> decision to reconsider
        self.cover_cache: dict[tuple, int | None] = {}
        self.today = run.day(run.now)
        agencies = partnership.agencies
        self.police = [a.id for a in agencies if a.kind == "police"] or [1]
        self.councils = [a.id for a in agencies if a.kind == "local_authority"]
        self.ct = {model: run.content_type(model) for model in (Decision, DecisionReview, DecisionAddendum)}

    # Looking things up as the product does
    def consent_for(
        self, child_id: int, recipient: int | None, purpose: str, on: date, categories
    ) -> tuple[str, tuple | None]:
        """As the product looks it up: ``consent.position.consent_position`` over the child's rows."""
        rows = sorted(
            (row for row in self.children.consents.get(child_id, ()) if row[11] <= on),
            key=lambda row: (row[11], row[16], row[0]),
        )
        records = [_Consent(row, self.children.recipients[row[0]]) for row in rows]
        share = position.Share(
            purpose=purpose, recipient=recipient, information_categories=tuple(categories)
        )
        found = position.consent_position(child=None, on=on, share=share, records=records)
        return (found.status, found.record.row) if found.record is not None else ("none", None)

    def cover(self, agency_id: int, purpose: str, on: date, sharer_id: int) -> int | None:
        key = (agency_id, purpose, on, sharer_id)
        if key not in self.cover_cache:
            self.cover_cache[key] = self.partnership.cover(agency_id, purpose, on, sharer_id)
        return self.cover_cache[key]

    def _target(self, child_id: int, agency_id: int) -> int:
        rng = self.rng
        roll = rng.random()
        linked = [a for a, _ in self.children.links[child_id - 1] if a != agency_id]
        if roll < 0.25:
            target = pick(rng, self.police)
        elif roll < 0.5 and self.councils:
            target = pick(rng, self.councils)
        elif roll < 0.8 and linked:
            target = pick(rng, linked)
        else:
            target = pick(rng, self.partnership.agencies).id
        if target == agency_id:
            target = 1 if agency_id != 1 else 2
        return target

    # Making one decision
    def make(
        self, decision_id, created, child_id, agency_id, author_id, draft, pages_done, submitted, reference
    ):
        rng, run = self.rng, self.run
        author = self.partnership.people[author_id - 1]
        agency = self.partnership.agency(agency_id)
        self.made.decisions += 1

        # When each page was saved: the planned span, shared out unevenly between the pages.
        gaps = [1 + rng.random() * 5 for _ in DECISION.steps]
        total, elapsed, page_times = sum(gaps), 0.0, []
        for gap in gaps:
            elapsed += gap
            page_times.append(created + int((pages_done - created) * elapsed / total))
        on = run.day(created if draft else submitted)

        answers, steps = self._answers(created, on, child_id, agency, author)
        state = dict(BLANK)
        state.update(
            id=decision_id,
            practitioner_name=author.full_name,
            practitioner_job_title=author.job_title,
            practitioner_role=author.role,
            agency_name=agency.name,
            agency_id=agency_id,
            child_id=child_id,
            created_by_id=author_id,
            created=created,
            updated=created + 7,
            creation_token=UUID(int=rng.getrandbits(128)),
        )
        previous = answers.pop("_reconsiders", None)
        if previous is not None:
            state["reconsiders_id"] = previous[0]
            state.update(previous[1])
        entries: list[tuple[int, Entry]] = []
        label = f"Draft decision {decision_id}"
        entries.append((created, self._change(CREATE, state, label, author, _logged_state(state))))

        # The question pages, in order, each saved with the answers derived from it. The trail has
        # room for a few page saves (the rest of N goes to submission, review and views), so
        # neighbouring pages share an entry, as if saved together.
        if draft:
            steps = steps[: below(rng, len(steps))]
        steps = [(step, at) for step, at in zip(steps, page_times, strict=False) if at < run.now - MINUTE]
        budget = run.audit_per_record
        scenario, reviewer = (None, None) if draft else self._reviewer(author, agency_id, submitted)
        room = budget - 1 if draft else budget - 2 - REVIEW_ENTRIES[scenario]
        groups = min(len(steps), room if draft else max(1, room // 2)) if room > 0 else 0
        pages = []
        size = -(-len(steps) // groups) if groups else len(steps) + 1
        for start in range(0, len(steps), size):
            changes: dict = {}
            for step, page_at in steps[start : start + size]:
                _apply(state, answers[step], changes)
                proposed, position = ruled(state)
                _apply(
                    state,
                    {"proposed_outcome": proposed, "consent_position": position, "updated": page_at},
                    changes,
                )
            if groups:
                pages.append((page_at, changes))

        reviews, addenda = [], []
        if draft:
            self.made.drafts += 1
        else:
            self.made.submitted += 1
            changes = {}
            _apply(
                state,
                {
                    "reference": reference,
                    "status": "awaiting_review",
                    "submitted_at": submitted,
                    "updated": submitted,
                },
                changes,
            )
            label = state["reference"]
            submit = (submitted, self._change(UPDATE, state, label, author, changes))
            reviews, addenda, later = self._review(
                state, author, agency_id, submitted, label, scenario, reviewer
            )
            if state["outcome"] == "do_not_share":
                self.not_shared[(child_id, agency_id)] = (
                    decision_id,
                    submitted,
                    {
                        name: state[name]
                        for name in (
                            "requester_name",
                            "requester_role",
                            "requester_agency_id",
                            "request_method",
                            "identity_check",
                            "identity_method",
                            "identity_checked_against",
                            "identity_outcome",
                            "written_confirmation",
                            "purpose",
                            "purpose_detail",
                        )
                    },
                )

        # The trail: its creation, page saves, submission, reviews and addenda, then views, N in all.
        entries += [
            (t, self._change(UPDATE, state, f"Draft decision {decision_id}", author, c)) for t, c in pages
        ]
        if not draft:
            entries += [submit, *later]
            entries = entries[:budget]
            entries += self._views(state, author, agency_id, submitted, max(0, budget - len(entries)))
        for at, entry in entries:
            run.record(at, entry)

        self._write(state, reviews, addenda)

    def _answers(self, created, on, child_id, agency, author):
        """The answers of every page that applies, as the practitioner gives them, in page order."""
        rng = self.rng
        child_age = age_on(self.children.dob(child_id), self.run.day(created))
        answers: dict = {}
        previous = self.not_shared.get((child_id, agency.id))
        if previous is not None and previous[1] < created and rng.random() < 0.2:
            del self.not_shared[(child_id, agency.id)]
            answers["_reconsiders"] = (previous[0], previous[2])
        match = None
        consents = self.children.consents.get(child_id)
        if "_reconsiders" not in answers and consents and rng.random() < 0.8:
            valid = [c for c in consents if c[11] <= on and (c[12] is None or c[12] >= on)]
            match = pick(rng, valid) if valid else None
        if "_reconsiders" in answers:
            request = dict(answers["_reconsiders"][1])
            purpose = request["purpose"]
            target = request["requester_agency_id"] or self._target(child_id, agency.id)
        else:
            if match is not None:
                purpose = match[1]
                target = pick(rng, self.children.recipients[match[0]])
                if target == agency.id:
                    target = self._target(child_id, agency.id)
            else:
                purpose = PURPOSE_PICKS[agency.kind].pick(rng)
                target = self._target(child_id, agency.id)
            method = METHOD_PICK.pick(rng)
            if method == "own_initiative":
                request = {
                    "request_method": method,
                    "requester_name": "",
                    "requester_role": "",
                    "requester_agency_id": None,
                    "identity_check": "",
                    "identity_method": "",
                    "identity_checked_against": "",
                    "identity_outcome": "",
                    "written_confirmation": "",
                }
            else:
                given, family = pick(rng, words.GIVEN_NAMES), pick(rng, words.FAMILY_NAMES)
                request = {
                    "request_method": method,
                    "requester_name": f"{given} {family}",
                    "requester_role": pick(rng, words.REQUESTER_ROLES),
                    "requester_agency_id": target if rng.random() < 0.85 else None,
                    "identity_check": pick(rng, words.IDENTITY_CHECKS),
                    "identity_method": IDENTITY_METHOD_PICK.pick(rng),
                    "identity_checked_against": pick(rng, CHECKED_AGAINST),
                    "identity_outcome": "confirmed",
                    "written_confirmation": WRITTEN_PICK.pick(rng) if method == "phone" else "",
                }
            request["purpose"] = purpose
            request["purpose_detail"] = pick(rng, words.PURPOSE_DETAILS[purpose])
        received = None
        if request["request_method"] != "own_initiative":
            received = on - timedelta(days=pick(rng, (0, 0, 0, 1, 2)))
        answers["request"] = {
            "request_method": request["request_method"],
            "requester_name": request["requester_name"],
            "requester_role": request["requester_role"],
            "requester_agency_id": request["requester_agency_id"],
            "request_received_on": received,
            "identity_check": request["identity_check"],
            "identity_method": request["identity_method"],
            "identity_checked_against": request["identity_checked_against"],
            "identity_outcome": request["identity_outcome"],
            "written_confirmation": request["written_confirmation"],
        }
        # Sexual activity involving a child under 13 (decisions.rules.sexual_activity_under_13: the
        # categories and the child's age when it happened, here the day of the decision).
        under_13 = child_age < 13 and rng.random() < 0.01
        categories = CATEGORY_PICKS[purpose].pick(rng)
        answers["purpose"] = {
            "purpose": purpose,
            "purpose_detail": request["purpose_detail"],
            "sexual_activity_under_13": under_13,
            "information_categories": ["sexual_activity", "concerns"] if under_13 else categories,
            "events_on": on if under_13 else None,
        }
        answers["questions"] = {
            "clear_purpose": rng.random() < 0.97,
            "identifies_person": rng.random() < 0.95,
            "confidential": rng.random() < 0.9,
        }
        d = {**answers["purpose"], **answers["questions"], "other_reasons": [], "outcome": ""}
        requester = answers["request"]["requester_agency_id"]

        shared = answers["purpose"]["information_categories"]
        status, record = self.consent_for(child_id, target, purpose, on, shared)
        other = []
        if status != "given" and rng.random() < 0.7:
            other = sorted(rng.sample(OTHER_REASONS, rng.randint(1, 2)), key=OTHER_REASONS.index)
        d.update(consent_status=status, other_reasons=other)
        proposed, _ = ruled(d)
        roll = rng.random()
        if d["sexual_activity_under_13"]:
            outcome = "share" if roll < 0.9 else "share_in_part"
        elif proposed == "share":
            outcome = "share" if roll < 0.76 else ("share_in_part" if roll < 0.94 else "do_not_share")
        else:  # the flowchart stopped (no purpose; no consent and no other reason): not shared
            outcome = "do_not_share"
        sharing = outcome in SHARING_OUTCOMES
        if not sharing and requester != target:  # the consent looked up at submission is the requester's
            status, record = self.consent_for(child_id, requester, purpose, on, shared)
            other = [] if status == "given" else other
            d.update(consent_status=status, other_reasons=other)
            proposed, _ = ruled(d)
        d["outcome"] = outcome
        _, position = ruled(d)
        answers["consent"] = {
            "consent_status": status,
            "consent_record_id": record[0] if record else None,
            "competence_assessment_id": record[18] if record else None,
        }
        steps = ["request", "purpose", "questions", "consent"]
        if "_reconsiders" in answers:
            answers["new_information"] = {"new_information": pick(rng, NEW_INFORMATION)}
            steps.insert(1, "new_information")
        if status != "given":
            answers["other_reason"] = {"other_reasons": other}
            steps.append("other_reason")
        answers["outcome"] = {
            "outcome": outcome,
            "departure_reason": pick(rng, words.DEPARTURE_REASONS) if outcome != proposed else "",
            "override_reason": pick(rng, words.OVERRIDE_REASONS) if sharing and status in REFUSALS else "",
        }
        steps.append("outcome")
        if under_13:
            answers["referral"] = {
                "referral_agency_id": 1,  # the partnership's first agency is always a council
                "referral_made_on": on,
                "referral_reference": f"MASH-{rng.randrange(10**6):06d}",
            }
            steps.append("referral")
        if position == "without_consent":
            answers["grounds"] = {
                "grounds": ["significant_harm_evidence"]
                if under_13
                else sorted(rng.sample(GROUNDS, rng.randint(1, 2)), key=GROUNDS.index),
                "harm_if_shared": pick(rng, words.HARM_IF_SHARED),
                "harm_if_not_shared": pick(rng, words.HARM_IF_NOT_SHARED),
            }
            steps.append("grounds")
        if sharing:
            if agency.kind in COMPETENT_KINDS:
                answers["law_enforcement"] = {"law_enforcement": False}
                steps.append("law_enforcement")
            special = bool(
                set(answers["purpose"]["information_categories"]) & rules.SPECIAL_CATEGORY_INFORMATION
            ) or bool(answers["purpose"]["sexual_activity_under_13"])
            answers["lawful_basis"] = self._lawful_basis(agency, status, special)
            steps.append("lawful_basis")
        sought = rng.random() < 0.35
        leads = self.partnership.leads[agency.id]
        answers["advice"] = {
            "advice_sought": sought,
            "advice_from": pick(rng, leads).full_name if sought else "",
            "advice_role": "Designated safeguarding lead" if sought else "",
            "advice_given": pick(rng, words.ADVICE_GIVEN) if sought else "",
        }
        steps.append("advice")
        if sharing:
            shared_on = on + timedelta(days=1) if rng.random() < 0.1 and on < self.today else on
            version = self.cover(target, purpose, on, agency.id)
            given, family = pick(rng, words.GIVEN_NAMES), pick(rng, words.FAMILY_NAMES)
            answers["recipient"] = {
                "information_shared": pick(rng, words.INFORMATION_SHARED),
                "recipient_agency_id": target,
                "recipient_name": f"{given} {family}",
                "recipient_role": pick(rng, words.RECIPIENT_ROLES),
                "share_method": SHARE_METHOD_PICK.pick(rng),
                "shared_on": shared_on,
                "confirmed_in_writing": rng.random() < 0.7,
                "agreement_version_id": version,
                "cover_note": COVERED if version is not None else NOT_COVERED,
            }
            steps.append("recipient")
            if outcome == "share_in_part":
                withheld, why = pick(rng, WITHHELD)
                answers["withheld"] = {"withheld_information": withheld, "withheld_reason": why}
                steps.append("withheld")
            if version is None:
                answers["agreement"] = {
                    "no_agreement_acknowledged": True,
                    "no_agreement_reason": pick(rng, words.NO_AGREEMENT_REASONS),
                }
                steps.append("agreement")
            told = rng.random() < 0.6
            from_other = rng.random() < 0.2
            source = pick(rng, self.partnership.agencies).id if from_other else None
            if source == agency.id:
                source = target
            agreed = SOURCE_AGREED.pick(rng) if from_other else ""
            answers["openness"] = {
                "family_told": told,
                "family_not_told_reason": "" if told else pick(rng, words.FAMILY_NOT_TOLD),
                "protected_identities": pick(rng, words.PROTECTED_IDENTITIES),
                "from_other_agency": from_other,
                "source_agency_id": source,
                "source_agency_agreed": agreed,
                # decisions.rules.originator_refused: the originator refused, so a reason is given
                "originator_refused": agreed == "refused",
                "onward_override_reason": ONWARD_OVERRIDE_REASON if agreed == "refused" else "",
            }
            steps.append("openness")
        else:
            answers["no_share"] = {"no_share_detriment": pick(rng, words.NO_SHARE_DETRIMENT)}
            steps.append("no_share")
        return answers, steps

    def _lawful_basis(self, agency, consent_status: str, special: bool) -> dict:
        article6, article9 = _bases(agency.kind, consent_status == "given", special)
        return {
            "article6_basis": article6.pick(self.rng),
            "article9_condition": article9.pick(self.rng),
            "schedule8_condition": "",
        }

    def _reviewer(self, author: Person, agency_id: int, submitted: int) -> tuple[str, Person | None]:
        """What happens after submission (by how long ago it was), and which lead does it."""
        leads = [lead for lead in self.partnership.leads[agency_id] if lead.id != author.id]
        if not leads:  # the agency's only lead wrote it: it waits for a lead who is not its author
            return "wait", None
        age = (self.run.now - submitted) / DAY
        mix = next(weights for limit, weights in WORKFLOWS if limit is None or age < limit)
        return mix.pick(self.rng), pick(self.rng, leads)

    def _other_leads(self, agency_id: int, *besides: Person) -> list[Person]:
        ids = {person.id for person in besides}
        return [lead for lead in self.partnership.leads[agency_id] if lead.id not in ids]

    def _review(self, state, author, agency_id, submitted, label, scenario, reviewer):
        """A lead of the agency (never the author) reviews; the author answers a return with an addendum."""
        rng, run = self.rng, self.run
        at = submitted
        reviews, addenda, entries = [], [], []
        for step in SCENARIOS[scenario]:
            if step in ("endorse", "return", "escalate"):
                roll = rng.random()
                at += (
                    (10 * MINUTE + below(rng, 8 * HOUR))
                    if roll < 0.7
                    else (8 * HOUR + below(rng, 5 * DAY) if roll < 0.95 else 5 * DAY + below(rng, 15 * DAY))
                )
            elif step == "resolve":
                at += DAY + below(rng, 13 * DAY)
            elif step == "answer":
                at += 2 * HOUR + below(rng, 5 * DAY)
            else:
                at += DAY + below(rng, 119 * DAY)
            folded = run.at_work(at)
            at = folded if folded > reviews_and_addenda_after(reviews, addenda, submitted) else at
            if at > run.now - MINUTE:
                break
            changes = {}
            escalated_to = outcome = ""
            if step == "escalate":
                # The next rung (decisions.rules.escalation_tier): another lead of the agency, if any.
                others = self._other_leads(agency_id, author, reviewer)
                escalated_to = "agency" if others else "partnership"
            elif step == "resolve":
                # Nobody resolves their own escalation: another lead of the agency does, with an
                # outcome; with none, the disagreement waits for the partnership (not generated).
                others = self._other_leads(agency_id, author, reviewer)
                if not others:
                    break
                reviewer, outcome = pick(rng, others), RESOLUTIONS.pick(rng)
            if step in ACTIONS:
                comments = pick(rng, words.REVIEW_COMMENTS[step])
                review_id, self.next_review = self.next_review, self.next_review + self.stride
                self.made.reviews += 1
                row = (
                    review_id,
                    step,
                    comments,
                    reviewer.full_name,
                    reviewer.job_title,
                    to_datetime(at),
                    state["id"],
                    reviewer.id,
                    escalated_to,
                    outcome,
                )
                reviews.append(row)
                values = dict(zip(REVIEW_COLUMNS, row, strict=True)) | {"created": logged_time(at)}
                values["decision"], values["reviewer"] = values.pop("decision_id"), values.pop("reviewer_id")
                entries.append(
                    (
                        at,
                        Entry(
                            CREATE,
                            "change",
                            self.ct[DecisionReview],
                            review_id,
                            f"{ACTIONS[step]} on {label} by {reviewer.full_name}",
                            reviewer.actor,
                            agency_id,
                            creation(values),
                        ),
                    )
                )
                moved = {"status": AFTER[step], "updated": at}
                if step == "endorse" and state["countersigned_at"] is None:
                    moved |= {"countersigned_by_id": reviewer.id, "countersigned_at": at}
                _apply(state, moved, changes)
                entries.append((at + 1000, self._change(UPDATE, state, label, reviewer, changes)))
            else:
                writer = author if step == "answer" or rng.random() < 0.6 else (reviewer or author)
                addendum_id, self.next_addendum = self.next_addendum, self.next_addendum + self.stride
                self.made.addenda += 1
                row = (
                    addendum_id,
                    pick(rng, words.ADDENDA),
                    writer.full_name,
                    writer.role,
                    to_datetime(at),
                    writer.id,
                    state["id"],
                )
                addenda.append(row)
                values = dict(zip(ADDENDUM_COLUMNS, row, strict=True)) | {"created": logged_time(at)}
                values["author"], values["decision"] = values.pop("author_id"), values.pop("decision_id")
                entries.append(
                    (
                        at,
                        Entry(
                            CREATE,
                            "change",
                            self.ct[DecisionAddendum],
                            addendum_id,
                            f"Addendum to {label} by {writer.full_name}",
                            writer.actor,
                            agency_id,
                            creation(values),
                        ),
                    )
                )
                if step == "answer" and state["status"] == "returned":
                    _apply(state, {"status": "awaiting_review", "updated": at}, changes)
                    entries.append((at + 1000, self._change(UPDATE, state, label, writer, changes)))
        if rng.random() < 0.002 and state["status"] != "awaiting_review":
            hold_at = run.between(at + DAY, run.now - HOUR)
            if hold_at < run.now - HOUR:
                changes = {}
                _apply(
                    state,
                    {
                        "legal_hold": True,
                        "legal_hold_reason": "Subject of a serious case review.",
                        "updated": hold_at,
                    },
                    changes,
                )
                holder = pick(rng, self.partnership.partnership_ig)
                entries.append((hold_at, self._change(UPDATE, state, label, holder, changes)))
        return reviews, addenda, entries

    def _views(self, state, author, agency_id, submitted, count):
        """Views and downloads of the record by its author, leads and IG officers, over the weeks after."""
        rng, run = self.rng, self.run
        readers = (
            [author] * 4
            + self.partnership.leads[agency_id] * 3
            + (self.partnership.ig_officers[agency_id] or self.partnership.partnership_ig)
            + self.partnership.practitioners[agency_id][:5]
        )
        views = []
        for _ in range(count):
            at = submitted + HOUR + int(rng.expovariate(1 / 12) * DAY) % (90 * DAY)
            if at > run.now - MINUTE:
                at = submitted + below(rng, max(1, run.now - MINUTE - submitted))
            reader = pick(rng, readers)
            download = rng.random() < 0.08
            views.append(
                (
                    at,
                    Entry(
                        ACCESS,
                        "download" if download else "view",
                        self.ct[Decision],
                        state["id"],
                        state["reference"],
                        reader.actor,
                        agency_id,
                        detail='{"format":"pdf"}' if download else None,
                        source=WEB,
                    ),
                )
            )
        return views

    def _change(self, action: int, state: dict, label: str, actor: Person, changes) -> Entry:
        if not isinstance(changes, str):
            changes = _changes_json(changes)
        return Entry(
            action, "change", self.ct[Decision], state["id"], label, actor.actor, state["agency_id"], changes
        )

    def _write(self, state: dict, reviews: list, addenda: list) -> None:
        self.files[TABLES[0].name].write(_decision_line(state))
        for review in reviews:
            self.files[TABLES[1].name].write(TABLES[1].line(review))
        for addendum in addenda:
            self.files[TABLES[2].name].write(TABLES[2].line(addendum))

    def finish(self) -> None:
        for file in self.files.values():
            file.flush()


# The kinds of information each purpose shares (consent.models.InformationCategory), and how often.
CATEGORY_PICKS = {
    purpose: Weighted(options, weights)
    for purpose, options, weights in (
        (
            "safeguarding",
            [["concerns", "identity"], ["concerns", "family"], ["concerns", "health"]],
            (5, 3, 2),
        ),
        ("child_in_need", [["social_care", "family"], ["family", "health"]], (3, 1)),
        ("early_help", [["family", "education"], ["family"]], (2, 1)),
        ("crime", [["offending", "identity"], ["concerns", "offending"]], (1, 1)),
        ("health_care", [["health"], ["health", "family"], ["sexual_health"]], (5, 3, 1)),
        ("education", [["education"], ["education", "family"]], (3, 1)),
        ("multi_agency", [["concerns", "family", "education"], ["concerns", "health"]], (3, 1)),
    )
}
COMPETENT_KINDS = {"police"}
IDENTITY_METHOD_PICK = Weighted(
    ("call_back", "secure_email", "in_person", "known", "headed_request"), (40, 30, 10, 15, 5)
)
CHECKED_AGAINST = (
    "The agency's switchboard number on its website",
    "The partnership contacts directory",
    "Their staff identity card",
    "The secure email domain list",
)
WRITTEN_PICK = Weighted(("received", "follow_up"), (80, 20))

# How often each lawful basis is relied on, where decisions.rules allows it.
ARTICLE6_WEIGHTS = {
    "public_task": 55,
    "legal_obligation": 15,
    "vital_interests": 3,
    "consent": 12,
    "recognised_legitimate_interest": 10,
    "legitimate_interests": 5,
}
ARTICLE9_WEIGHTS = {
    "none": 25,
    "9_2_g_sch1_18": 45,
    "9_2_g_sch1_6": 10,
    "9_2_h": 5,  # 15 in health agencies
    "9_2_c": 2,
    "9_2_f": 2,
    "9_2_a": 10,
    "dpa_part3": 40,
}


@cache
def _bases(kind: str, given: bool, special: bool) -> tuple[Weighted, Weighted]:
    """The Article 6 bases and Article 9 conditions ``decisions.rules`` offers an agency of this kind
    (its public-authority fact as the kind says) for this share, and how often each is relied on."""
    agency = Agency(name="", kind=kind)
    facts = rules.BasisFacts(
        agency="",
        public_authority=agency.is_public_authority,
        competent_authority=agency.is_competent_authority,
        health_or_social_care=kind in rules.HEALTH_AND_SOCIAL_CARE_KINDS,
        commissioned=kind == "commissioned",
        special_categories=("health",) if special else (),
        consent_given=given,
        law_enforcement=False,
    )
    offered6 = dict(rules.article6_choices(facts))
    offered9 = dict(rules.article9_choices(facts))
    article6 = {basis: w for basis, w in ARTICLE6_WEIGHTS.items() if basis in offered6}
    article9 = {
        condition: 15 if condition == "9_2_h" and kind in ("nhs_trust", "gp_practice") else w
        for condition, w in ARTICLE9_WEIGHTS.items()
        if condition in offered9
    }
    return Weighted(article6, article6.values()), Weighted(article9, article9.values())


def _line_function():
    """``line(state)``: a decision as one COPY line, compiled once into a single f-string (a million
    rows of seventy columns: a function call per value would cost more than making the decision)."""
    fields = {f.attname: f for f in Decision._meta.concrete_fields}
    parts = []
    for name in DECISION_COLUMNS:
        value = f"s[{name!r}]"
        internal = fields[name].get_internal_type()
        if name in TIMES:
            text = f"iso_time({value})"
        elif internal in ("CharField", "TextField"):
            text = f"escape({value})"
        elif internal == "BooleanField":
            text = f"('t' if {value} else 'f')"
        elif internal == "JSONField":
            text = f"escape(compact_json({value}))"
        else:  # integers, keys, dates, the UUID: as str() writes them
            text = value
        if fields[name].null:
            text = f"(NULL if {value} is None else {text})"
        parts.append("{" + text + "}")
    source = 'def line(s):\n    return f"' + "\\t".join(parts) + '\\n"\n'
    namespace = {"iso_time": iso_time, "escape": escape, "compact_json": compact_json, "NULL": NULL}
    exec(compile(source, "<decision line>", "exec"), namespace)  # noqa: S102 (our own column list)
    return namespace["line"]


_decision_line = _line_function()


def _logged_state(state: dict) -> str:
    """A new draft's create entry (what ``creation`` gives, from a template: a million are written)."""
    if state["reconsiders_id"] is not None:  # its request is copied from the decision it reconsiders
        return creation(
            {NAMES[k]: (logged_time(v) if k in TIMES and v is not None else v) for k, v in state.items()}
        )
    values = []
    for name in _VARYING:
        value = state[name]
        if name in TIMES:
            values.append(json_string(logged_time(value)))
        elif type(value) is int:
            values.append(str(value))
        else:
            values.append(json_string(str(value)))
    return _CREATED % tuple(values)


# A new draft's fields that differ between decisions, in the order of their names (as the JSON
# sorts them); the others are the same blank answers in every new draft.
_VARYING = tuple(
    sorted(
        (
            "id",
            "practitioner_name",
            "practitioner_job_title",
            "practitioner_role",
            "agency_name",
            "agency_id",
            "child_id",
            "created_by_id",
            "created",
            "updated",
            "creation_token",
        ),
        key=NAMES.get,
    )
)


def _created_template() -> str:
    """``creation()`` of a new draft with a ``%s`` for each of the varying fields."""
    parts = {
        NAMES[k]: f"{json_string(NAMES[k])}:[null,{compact_json(v)}]"
        for k, v in BLANK.items()
        if v is not None and k not in _VARYING
    }
    parts |= {NAMES[k]: f"{json_string(NAMES[k])}:[null,%s]" for k in _VARYING}
    return "{" + ",".join(parts[name] for name in sorted(parts)) + "}"


_CREATED = _created_template()


def _apply(state: dict, values: dict, changes: dict) -> None:
    """Set ``values`` on the decision, noting in ``changes`` each field's first and latest value."""
    for name, value in values.items():
        old = state[name]
        if old != value:
            changes[name] = (changes[name][0] if name in changes else old, value)
            state[name] = value


def _changes_json(changes: dict) -> str:
    """An update entry's ``changes``, as django-auditlog writes them."""
    logged = {}
    for name, (old, new) in changes.items():
        if old == new:
            continue
        if name in TIMES:
            old = None if old is None else logged_time(old)
            new = None if new is None else logged_time(new)
        elif name in DATES:
            old = None if old is None else str(old)
            new = None if new is None else str(new)
        logged[NAMES[name]] = [old, new]
    return compact_json(logged)


def reviews_and_addenda_after(reviews: list, addenda: list, submitted: int) -> int:
    """The latest moment already used by this decision's review, so a working-hours fold never goes back."""
    times = [to_us(row[5]) for row in reviews] + [to_us(row[4]) for row in addenda]
    return max([submitted, *times])
