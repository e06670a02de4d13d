"""Children, the agencies that hold records about them, competence assessments and consent records.

Each child comes to the partnership's notice on one day (their home agency records them),
is known for a while (a few months to a few years, never past 18), and in that time other
agencies come to hold records about them. Assessments and consents fall inside that time
and obey the product's rules: a child's own consent rests on a "competent" assessment for
the same matter made at most 90 days before; a withdrawal points at the consent it withdraws.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from consent.competence import EXPECTED_COMPETENT_FROM_AGE, CriterionAnswer, Matter, criteria_for
from consent.models import Child, ChildAgency, CompetenceAssessment, ConsentRecord, InformationCategory
from devdata.volume import words
from devdata.volume.partnership import Partnership
from devdata.volume.run import DAY, HOUR, MINUTE, Run, Weighted, below, creation, fields, pick
from devdata.volume.tables import Table, compact_json, day_start, logged_time, to_datetime, to_us
from devdata.volume.trail import ACCESS, CREATE, UPDATE, WEB, Entry
from isa_portal.vocabulary import ConsentNotSoughtReason, SharingPurpose

CHILD_COLUMNS = (
    "id", "given_name", "family_name", "date_of_birth", "nhs_number", "created_at", "created_by_id",
    "legal_hold", "legal_hold_reason", "tombstoned_at", "tombstone_reason",
)  # fmt: skip
LINK_COLUMNS = ("id", "local_reference", "since", "agency_id", "child_id")
ASSESSMENT_COLUMNS = (
    "id", "matter", "matter_detail", "assessed_on", "age_at_assessment", "answers", "outcome", "reason",
    "created_at", "agency_id", "assessor_id", "child_id", "tombstoned_at", "tombstone_reason",
)  # fmt: skip
CONSENT_COLUMNS = (
    "id", "purpose", "matter", "information_categories", "answer", "asked", "parent_name",
    "parent_relationship", "not_sought_reason", "not_sought_note", "how_obtained", "given_on", "valid_until",
    "discussion_note", "disagreement", "best_interests_reasoning", "created_at", "agency_id", "assessment_id",
    "child_id", "recorded_by_id", "withdraws_id", "tombstoned_at", "tombstone_reason",
)  # fmt: skip
RECIPIENT_COLUMNS = ("id", "consentrecord_id", "agency_id")

TABLES = [
    Table(Child, CHILD_COLUMNS),
    Table(ChildAgency, LINK_COLUMNS),
    Table(CompetenceAssessment, ASSESSMENT_COLUMNS),
    Table(ConsentRecord, CONSENT_COLUMNS),
    Table(ConsentRecord.recipients.through, RECIPIENT_COLUMNS),
]

# Which purposes agencies share for, most often first.
PURPOSES = [p.value for p in SharingPurpose]
PURPOSE_WEIGHTS = [35, 15, 15, 8, 11, 10, 6]
AGE_WEIGHTS = [1.0] * 5 + [1.2] * 6 + [1.6] * 5 + [0.8]  # ages 0 to 16 when first known
MATTERS = [Matter.INFORMATION_SHARING, Matter.SEXUAL_HEALTH, Matter.HEALTH_TREATMENT, Matter.SERVICES]
MATTER_WEIGHTS = [80, 8, 6, 6]
CATEGORIES = [c.value for c in InformationCategory]
NOT_SOUGHT = [r.value for r in ConsentNotSoughtReason]
METHODS = ["in_person", "phone", "video", "in_writing"]

PURPOSE_PICK = Weighted(PURPOSES, PURPOSE_WEIGHTS)
AGES = Weighted(range(17), AGE_WEIGHTS)
MATTER_PICK = Weighted(MATTERS, MATTER_WEIGHTS)
EXTRA_AGENCIES = Weighted((0, 1, 2, 3), (45, 35, 15, 5))
CONSENT_COUNT = Weighted((0, 1, 2, 3), (22, 40, 26, 12))
ANSWERS = Weighted(("given", "refused", "not_sought"), (62, 18, 20))
ANSWER_LABELS = dict(ConsentRecord._meta.get_field("answer").choices)  # as the record names itself

# Kinds of trail entry about these records, ordered by time before they are written.
CHILD, LINK, VIEW, ASSESSMENT, CONSENT, RECIPIENTS = range(6)


@dataclass
class Children:
    """What the decisions need to know about each child, by child id - 1."""

    rows: list[tuple] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)  # when the partnership stops being involved
    links: list[list[tuple[int, int]]] = field(default_factory=list)  # (agency id, since) per child
    consents: dict[int, list[tuple]] = field(default_factory=dict)  # child id -> consent rows
    link_rows: list[tuple] = field(default_factory=list)
    assessments: list[tuple] = field(default_factory=list)
    consent_rows: list[tuple] = field(default_factory=list)
    recipients: dict[int, tuple[int, ...]] = field(default_factory=dict)  # consent id -> agencies
    events: list[tuple[int, int, int, int]] = field(default_factory=list)  # (when, kind, index, child id)

    def name(self, child_id: int) -> str:
        row = self.rows[child_id - 1]
        return f"{row[1]} {row[2]}"

    def dob(self, child_id: int) -> date:
        return self.rows[child_id - 1][3]


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _nhs_numbers(run: Run, count: int):
    """Valid NHS numbers from the 999 range the NHS keeps for test data."""
    pool = run.rng.sample(range(10**6), min(10**6, int(count * 1.3) + 10))
    for n in pool:
        digits = f"999{n:06d}"
        check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            yield digits + str(check)


def build(run: Run, partnership: Partnership, count: int) -> Children:
    rng = run.rng
    children = Children()
    authors = {a.id: partnership.authors(a.id) for a in partnership.agencies}
    # Children come to agencies in proportion to the staff who record decisions about them.
    agency_pick = Weighted(
        [a.id for a in partnership.agencies], [len(authors[a.id]) for a in partnership.agencies]
    )
    nhs = _nhs_numbers(run, count)
    created = sorted(run.between(run.start, run.now - 2 * HOUR) for _ in range(count))
    today = run.day(run.now)
    for index, at in enumerate(created):
        child_id = index + 1
        home = agency_pick.pick(rng)
        creator = pick(rng, authors[home])
        first_known = run.day(at)
        age = AGES.pick(rng)
        born = first_known - timedelta(days=int(age * 365.25) + below(rng, 365))
        adult = day_start(
            date(born.year + 18, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)
        )
        end = min(at + int((60 + rng.random() * 840) * DAY), adult - DAY, run.now - HOUR)
        end = max(end, at + HOUR)
        given, family = pick(rng, words.GIVEN_NAMES), pick(rng, words.FAMILY_NAMES)
        hold = rng.random() < 0.001
        row = (
            child_id,
            given,
            family,
            born,
            next(nhs, "") if rng.random() < 0.75 else "",
            to_datetime(at),
            creator.id,
            hold,
            "Serious case review in progress." if hold else "",
            None,  # never erased: retention is not run over a generated set
            "",
        )
        children.rows.append(row)
        children.ends.append(end)
        children.events.append((at, CHILD, index, child_id))
        links = [(home, at)]
        extra = EXTRA_AGENCIES.pick(rng)
        for _ in range(extra):
            other = agency_pick.pick(rng)
            if all(other != agency for agency, _ in links):
                links.append((other, run.between(at + HOUR, end)))
        children.links.append(links)
        for agency_id, since in links:
            prefix = words.REFERENCE_PREFIX[partnership.agency(agency_id).kind]
            reference = f"{prefix}-{100000 + below(rng, 900000)}" if rng.random() < 0.7 else ""
            link_id = len(children.link_rows) + 1
            children.link_rows.append((link_id, reference, to_datetime(since), agency_id, child_id))
            children.events.append((since + (1000 if since == at else 0), LINK, link_id - 1, child_id))
        children.events.append((run.between(at + HOUR, end), VIEW, index, child_id))
        assessment = _assess(run, children, partnership, authors, child_id, born, links, end, today)
        _consents(run, children, partnership, authors, child_id, born, links, end, today, assessment)
    children.events.sort()
    for table, rows in zip(
        TABLES,
        (
            children.rows,
            children.link_rows,
            children.assessments,
            children.consent_rows,
            _recipient_rows(children),
        ),
        strict=True,
    ):
        run.copy(table, rows)
    return children


def _recipient_rows(children: Children):
    row_id = 0
    for consent_id, agencies in children.recipients.items():
        for agency_id in agencies:
            row_id += 1
            yield (row_id, consent_id, agency_id)


def _assess(run, children, partnership, authors, child_id, born, links, end, today):
    """About a third of children of 10 and over have their competence assessed, usually once."""
    rng = run.rng
    if age_on(born, run.day(end)) < 10 or rng.random() >= 0.3:
        return None
    agency_id, since = pick(rng, links)
    at = run.between(max(since, day_start(date(born.year + 10, born.month, min(born.day, 28)))), end)
    assessed_on = run.day(at)
    age = age_on(born, assessed_on)
    matter = MATTER_PICK.pick(rng)
    competent = rng.random() < (0.85 if age >= EXPECTED_COMPETENT_FROM_AGE else 0.2)
    answers = {c.key: {"answer": CriterionAnswer.YES.value, "note": ""} for c in criteria_for(matter)}
    if not competent:
        keys = list(answers)
        for key in rng.sample(keys, rng.randint(1, 3)):
            answers[key] = {"answer": pick(rng, ["no", "unsure"]), "note": "Could not explain it back to me."}
    reason = ""
    if competent and age < EXPECTED_COMPETENT_FROM_AGE:
        reason = words.ASSESSMENT_REASONS_COMPETENT_YOUNG[0]
    elif not competent and age >= EXPECTED_COMPETENT_FROM_AGE:
        reason = pick(rng, words.ASSESSMENT_REASONS_NOT_COMPETENT)
    assessor = pick(rng, authors[agency_id])
    assessment_id = len(children.assessments) + 1
    row = (
        assessment_id,
        matter.value,
        "" if matter == Matter.INFORMATION_SHARING else "Referral to the clinic",
        assessed_on,
        age,
        answers,
        "competent" if competent else "not_competent",
        reason,
        to_datetime(at + 20 * MINUTE),
        agency_id,
        assessor.id,
        child_id,
        None,
        "",
    )
    children.assessments.append(row)
    children.events.append((at + 20 * MINUTE, ASSESSMENT, assessment_id - 1, child_id))
    return row


def _consents(run, children, partnership, authors, child_id, born, links, end, today, assessment):
    rng = run.rng
    count = CONSENT_COUNT.pick(rng)
    child_can_consent = (
        assessment is not None
        and assessment[6] == "competent"
        and assessment[1] == Matter.INFORMATION_SHARING
    )
    agency_ids = [agency for agency, _ in links]
    family = children.rows[child_id - 1][2]
    records = children.consents.setdefault(child_id, [])
    for number in range(count):
        by_child = child_can_consent and number == 0 and rng.random() < 0.7
        if by_child:
            agency_id = assessment[9]
            assessed = day_start(assessment[3])
            at = run.between(assessed + HOUR, min(assessed + 60 * DAY, end))
        else:  # consent is usually asked about early on, when an agency first becomes involved
            agency_id, since = pick(rng, links)
            at = run.between(since + HOUR, since + HOUR + (end - since) * 35 // 100)
        given_on = run.day(at)
        candidates = [a for a in agency_ids if a != agency_id] + [pick(rng, partnership.agencies).id, 1]
        recipients = tuple(sorted({pick(rng, candidates) for _ in range(rng.randint(1, 3))} - {agency_id}))
        if not recipients:
            recipients = (1,) if agency_id != 1 else (2,)
        answer = "given" if by_child else ANSWERS.pick(rng)
        recorder = pick(rng, authors[agency_id])
        consent = _consent_row(
            run,
            children,
            child_id,
            agency_id,
            recorder,
            given_on,
            at,
            answer,
            by_child,
            family,
            assessment,
            recipients,
        )
        records.append(consent)
        if answer == "given" and rng.random() < 0.08:
            withdrawn_at = run.between(at + 7 * DAY, min(at + 200 * DAY, end))
            if withdrawn_at > at + DAY:
                records.append(
                    _withdrawal(run, children, consent, withdrawn_at, pick(rng, authors[agency_id]))
                )


def _consent_row(
    run,
    children,
    child_id,
    agency_id,
    recorder,
    given_on,
    at,
    answer,
    by_child,
    family,
    assessment,
    recipients,
):
    rng = run.rng
    consent_id = len(children.consent_rows) + 1
    sought = answer != "not_sought"
    parent = sought and not by_child
    valid_until = None
    if answer == "given" and rng.random() < 0.75:
        valid_until = given_on + timedelta(days=rng.randint(365, 730))
    elif not sought and rng.random() < 0.5:
        valid_until = given_on + timedelta(days=90)
    disagreement = sought and rng.random() < 0.03
    categories = sorted(rng.sample(CATEGORIES, rng.randint(1, 3)), key=CATEGORIES.index)
    created = run.before_now(at + below(rng, 6 * HOUR))
    row = (
        consent_id,
        PURPOSE_PICK.pick(rng),
        "information_sharing",
        categories,
        answer,
        ("child" if by_child else "parent") if sought else "",
        f"{pick(rng, words.GIVEN_NAMES)} {family if rng.random() < 0.7 else pick(rng, words.FAMILY_NAMES)}"
        if parent
        else "",
        pick(rng, words.RELATIONSHIPS) if parent else "",
        "" if sought else pick(rng, NOT_SOUGHT),
        "" if sought else pick(rng, words.NOT_SOUGHT_NOTES),
        pick(rng, METHODS) if sought else "",
        given_on,
        valid_until,
        pick(rng, words.DISCUSSION_NOTES) if sought else "",
        disagreement,
        words.BEST_INTERESTS[0] if disagreement else "",
        to_datetime(created),
        agency_id,
        assessment[0] if by_child else None,
        child_id,
        recorder.id,
        None,
        None,
        "",
    )
    return _add_consent(children, row, recipients, created)


def _withdrawal(run, children, consent, at, recorder):
    rng = run.rng
    row = list(consent)
    created = run.before_now(at + below(rng, 2 * HOUR))
    row[0] = len(children.consent_rows) + 1
    row[4], row[10], row[11], row[12] = "withdrawn", pick(rng, METHODS), run.day(at), None
    row[13], row[14], row[15] = pick(rng, words.WITHDRAWAL_NOTES), False, ""
    row[16], row[17], row[20], row[21] = to_datetime(created), recorder.agency_id, recorder.id, consent[0]
    return _add_consent(children, tuple(row), children.recipients[consent[0]], created)


def _add_consent(children, row, recipients, created):
    children.consent_rows.append(row)
    children.recipients[row[0]] = recipients
    children.events.append((created, CONSENT, row[0] - 1, row[19]))
    children.events.append((created + 1000, RECIPIENTS, row[0] - 1, row[19]))
    return row


def entry(run: Run, partnership: Partnership, children: Children, kind: int, index: int) -> Entry:
    """The trail entry the product writes for one of these records (made when its turn comes)."""
    people = partnership.people
    if kind == CHILD:
        row = children.rows[index]
        actor = people[row[6] - 1].actor
        values = fields(CHILD_COLUMNS, row) | {"created_at": logged_time(_at(row[5]))}
        return Entry(
            CREATE,
            "change",
            run.content_type(Child),
            row[0],
            f"{row[1]} {row[2]}",
            actor,
            actor.agency_id,
            creation(values),
        )
    if kind == VIEW:
        row = children.rows[index]
        actor = pick(run.rng, partnership.authors(children.links[index][0][0])).actor  # the home agency
        return Entry(
            ACCESS,
            "view",
            run.content_type(Child),
            row[0],
            f"{row[1]} {row[2]}",
            actor,
            people[row[6] - 1].agency_id,
            detail='{"page":"child and chronology"}',
            source=WEB,
        )
    if kind == LINK:
        row = children.link_rows[index]
        agency = partnership.agency(row[3])
        actor = pick(run.rng, partnership.authors(row[3])).actor
        values = fields(LINK_COLUMNS, row) | {"since": logged_time(_at(row[2]))}
        return Entry(
            CREATE,
            "change",
            run.content_type(ChildAgency),
            row[0],
            f"{agency.name} holds a record about {children.name(row[4])}",
            actor,
            row[3],
            creation(values),
        )
    if kind == ASSESSMENT:
        row = children.assessments[index]
        values = fields(ASSESSMENT_COLUMNS, row) | {"created_at": logged_time(_at(row[8]))}
        return Entry(
            CREATE,
            "change",
            run.content_type(CompetenceAssessment),
            row[0],
            f"Competence assessment of {children.name(row[11])} on {row[3]:%d %B %Y}",
            people[row[10] - 1].actor,
            row[9],
            creation(values),
        )
    row = children.consent_rows[index]
    label = f"{ANSWER_LABELS[row[4]]} for {children.name(row[19])} on {row[11]:%d %B %Y}"
    actor = people[row[20] - 1].actor
    if kind == CONSENT:
        values = fields(CONSENT_COLUMNS, row) | {"created_at": logged_time(_at(row[16]))}
        return Entry(
            CREATE, "change", run.content_type(ConsentRecord), row[0], label, actor, row[17], creation(values)
        )
    names = sorted(partnership.agency(a).name for a in children.recipients[row[0]])
    changes = {"recipients": {"objects": names, "operation": "add", "type": "m2m"}}
    return Entry(
        UPDATE,
        "change",
        run.content_type(ConsentRecord),
        row[0],
        label,
        actor,
        row[17],
        compact_json(changes),
    )


def _at(moment) -> int:
    return to_us(moment)
