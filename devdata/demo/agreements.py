"""The demo partnership's agreements, versions, signatures (in every state) and incidents.

Runs after ``devdata.demo.people``: signatures and incidents name the user who recorded them.
Idempotent: each record is looked up by its natural key before it is made.
"""

import datetime
import functools

from django.core.files.base import ContentFile
from django.utils import timezone

from agreements import services
from agreements.models import (
    BREACH_KINDS,
    Agreement,
    AgreementCondition,
    AgreementStatus,
    AgreementTier,
    AgreementVersion,
    ConditionKind,
    Incident,
    IncidentKind,
    IncidentOutcome,
    IncidentStatus,
    Signature,
    SignatureState,
)
from isa_portal.vocabulary import Article6Basis, Article9Condition, SharingPurpose

P = SharingPurpose
PROTOCOL = "Northshire Safeguarding Partnership Information Sharing Protocol"
MASH = "Multi-Agency Safeguarding Hub (MASH) Information Sharing Agreement"
EARLY_HELP = "Early Help Information Sharing Agreement"
ENCOMPASS = "Domestic Abuse Notifications to Schools Agreement"

# What every demo agreement says (the synthetic partnership's agreements say it too).
CONTENTS = {
    "parties_and_roles": "Each signatory is a controller for the information it holds and shares; "
    "recipients become controllers of what they receive.",
    "data_items": "Only what is relevant, adequate and necessary for the purpose: identifying details, "
    "the concern, relevant history and the views of the child and family.",
    "lawful_basis": Article6Basis.PUBLIC_TASK.value,
    "article9_condition": Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST_SAFEGUARDING.value,
    "recipients": "Named practitioners of signatory agencies with a role in the child's safeguarding "
    "or welfare.",
    "frequency": "Case by case, when a practitioner decides to share.",
    "data_quality": "Accurate and up to date when shared; facts kept apart from opinion.",
    "security": "Secure email or the partnership's case system; never personal email or messaging apps.",
    "retention_and_disposal": "Kept under each agency's retention schedule, then securely destroyed.",
    "rights_and_complaints": "Requests and complaints go to the agency that holds the information; "
    "it consults the agency that supplied it.",
    "breach_procedure": "Report to your data protection officer within 24 hours; they tell the "
    "supplying agency and decide on reporting to the ICO within 72 hours.",
    "dpia_reference": "NSP-DPIA-2024-03",
    "onward_disclosure": "Information received may be passed on only with the supplying agency's "
    "agreement, unless the law requires or a child's safety demands it.",
    "termination": "A signatory may withdraw on 30 days' notice; information already shared stays "
    "under this agreement's terms.",
}


def _days(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _agreement(title, tier, owner, purposes, *, parent=None, by) -> Agreement:
    agreement = Agreement.objects.filter(title=title).first()
    if agreement is None:
        agreement = services.agreement_create(
            agreement=Agreement(
                title=title,
                tier=tier,
                parent=parent,
                owner=owner,
                purpose="To let partners share information for: "
                + ", ".join(p.label.lower() for p in purposes),
                **CONTENTS,
            ),
            purposes=[p.value for p in purposes],
            by=by,
        )
    return agreement


def _version(agreement, number, *, signed_off_days_ago=None, review_in_days=None, document=None, by):
    version = AgreementVersion.objects.filter(agreement=agreement, number=number).first()
    if version is None:
        signed_off_on = _days(signed_off_days_ago) if signed_off_days_ago is not None else None
        version = services.version_create(
            version=AgreementVersion(
                agreement=agreement,
                number=number,
                author="Partnership information governance group",
                summary_of_changes="First version."
                if number.endswith(".0") and number.startswith("1")
                else "Updated for the Data (Use and Access) Act 2025 and the duty to share.",
                text=f"{agreement.title}\n\nVersion {number}.\n\n{CONTENTS['data_items']}\n\n"
                f"{CONTENTS['onward_disclosure']}",
                signed_off_by="Chair, Northshire Safeguarding Partnership" if signed_off_on else "",
                signed_off_on=signed_off_on,
                next_review_date=(
                    timezone.localdate() + datetime.timedelta(days=review_in_days)
                    if review_in_days is not None
                    else None
                ),
            ),
            by=by,
        )
        if document is not None:
            version.document.save(f"{number}.pdf", document)
    return version


def _in_force(agreement, *, by) -> Agreement:
    agreement.refresh_from_db()
    if agreement.status == AgreementStatus.DRAFT:
        agreement = services.agreement_change_status(
            agreement=agreement, status=AgreementStatus.IN_FORCE, lock_version=agreement.lock_version, by=by
        )
    return agreement


def _sign(version, agency, days_ago, *, by) -> Signature:
    existing = Signature.objects.filter(version=version, agency=agency).first()
    if existing is not None:
        return existing
    representative = agency.current_representative
    return services.signature_record(
        version=version,
        agency=agency,
        signed_by_name=representative.name,
        signed_by_role="Nominated representative",
        signed_on=_days(days_ago),
        group=agency.group,
        evidence=ContentFile(_scan(), name="scan.pdf"),
        by=by,
    )


@functools.cache
def _scan() -> bytes:
    """The demo's stand-in for a scanned paper signature page (a paper signature needs one)."""
    import weasyprint

    html = "<h1>Signature page</h1><p>Signed on paper and scanned (demonstration data).</p>"
    return weasyprint.HTML(string=html).write_pdf()


# The reference documents' own conditions (shared/reference/), carried by the demo's agreements so
# that decisions relying on them are checked against them (issue 20, item 6): (agreement, version,
# kind, parameters, clause, wording as the document words it). The Warrington protocol sets none of
# these kinds: its section 4.2 (refer sexual activity of a child under 13 to children's social care or
# the police) and 4.3 (early help without consent only when proportionate) are law the rules enforce
# for every decision (decisions.rules: the mandatory referral, the grounds and their reasoning).
K = ConditionKind
CONDITIONS = [
    (
        PROTOCOL,
        "2.0",
        K.ORIGINATOR_AGREEMENT,
        {},
        "Buckinghamshire Code of Practice, section 3",
        "An underlying principle of the Code is that the agency receiving the request to disclose "
        "information will always retain ownership of the information it discloses to another signatory. "
        "A recipient of such information must therefore obtain the consent of the original information "
        "owner before making further disclosure to another party.",
    ),
    (
        EARLY_HELP,
        "1.0",
        K.CONSENT_REQUIRED,
        {"purposes": [P.EARLY_HELP.value]},
        "West Yorkshire procedures 2.5, section 3.2",
        "When contacting any Early Help, CAF or Early Intervention services in relation to children with "
        "additional needs, this must always be done with consent of them / their family.",
    ),
    (
        MASH,
        "1.0",
        K.ORIGINATOR_AGREEMENT,
        {},
        "Derby and Derbyshire ISA, section 5, clause 7",
        "Information received under this agreement will not be disclosed to another agency without the "
        "agreement of the agency that provided the information.",
    ),
    # The draft notifications agreement, in its own words (not yet signed: its conditions may change).
    (
        ENCOMPASS,
        "0.1",
        K.RECIPIENT_KINDS,
        {"recipient_kinds": ["school", "early_years"]},
        "clause 2",
        "Notifications go only to the designated safeguarding lead of the child's school or early years "
        "setting.",
    ),
    (
        ENCOMPASS,
        "0.1",
        K.DATA_CATEGORIES,
        {"information_categories": ["identity", "family", "concerns"]},
        "clause 3",
        "A notification says who the child is, that police attended a domestic abuse incident at their "
        "home, and when: nothing more.",
    ),
]


def _conditions(title: str, number: str, *, by) -> None:
    """Add the conditions of one version, before anyone signs it (after, they are fixed)."""
    version = AgreementVersion.objects.get(agreement__title=title, number=number)
    if version.conditions.exists() or version.signatures.exists():
        return
    for agreement, at, kind, params, clause, wording in CONDITIONS:
        if (agreement, at) == (title, number):
            services.condition_add(
                condition=AgreementCondition(
                    version=version, kind=kind, clause=clause, wording=wording, **params
                ),
                by=by,
            )


def _pdf():
    import weasyprint
    from django.core.files.base import ContentFile

    html = f"<h1>{PROTOCOL}</h1><p>Version 2.0, as signed off by the partnership.</p>"
    return ContentFile(weasyprint.HTML(string=html).write_pdf())


def seed(demo) -> None:
    a = demo.agencies
    admin = demo.users["admin@demo.test"]
    ig = demo.users["ig@demo.test"]

    protocol = _agreement(PROTOCOL, AgreementTier.PROTOCOL, a["la"], list(P), by=admin)
    v1 = _version(protocol, "1.0", signed_off_days_ago=700, review_in_days=-335, by=admin)
    protocol = _in_force(protocol, by=admin)
    for key, days in [
        ("la", 690),
        ("police", 680),
        ("health", 670),
        ("school", 660),
        ("nursery", 650),
        ("voluntary", 640),
        ("icb", 630),
        ("gp_riverside", 600),
        ("housing", 590),
        ("safe_haven", 580),
    ]:
        if not AgreementVersion.objects.filter(agreement=protocol, number="2.0").exists():
            _sign(v1, a[key], days, by=admin)
    has_pdf = AgreementVersion.objects.filter(agreement=protocol, number="2.0").exists()
    v2 = _version(
        protocol,
        "2.0",
        signed_off_days_ago=120,
        review_in_days=245,
        document=None if has_pdf else _pdf(),
        by=admin,
    )
    _conditions(PROTOCOL, "2.0", by=admin)
    # Signed the current version: these replace their signatures of 1.0. The rest of 1.0's
    # signatories (nursery, voluntary, GP, Safe Haven) still need to sign again.
    for key, days in [
        ("la", 110),
        ("police", 100),
        ("health", 95),
        ("school", 90),
        ("icb", 80),
        ("mental_health", 75),
        ("youth_justice", 70),
        ("housing", 60),
        ("valley_high", 50),
    ]:
        _sign(v2, a[key], days, by=admin)
    housing = Signature.objects.filter(version=v2, agency=a["housing"]).first()
    if housing is not None and housing.state == SignatureState.LIVE:
        services.signature_withdraw(
            signature=housing,
            withdrawn_on=_days(20),
            reason="Left the partnership's housing pathway; will sign again after restructuring.",
            by=admin,
        )

    mash = _agreement(
        MASH,
        AgreementTier.SERVICE,
        a["la"],
        [P.SAFEGUARDING, P.MULTI_AGENCY, P.CRIME],
        parent=protocol,
        by=admin,
    )
    mash_v1 = _version(mash, "1.0", signed_off_days_ago=320, review_in_days=45, by=admin)
    mash = _in_force(mash, by=admin)
    _conditions(MASH, "1.0", by=admin)
    for key, days in [("la", 310), ("police", 305), ("health", 300), ("mental_health", 290)]:
        _sign(mash_v1, a[key], days, by=admin)

    early_help = _agreement(
        EARLY_HELP, AgreementTier.SERVICE, a["la"], [P.EARLY_HELP, P.CHILD_IN_NEED], parent=protocol, by=admin
    )
    eh_v1 = _version(early_help, "1.0", signed_off_days_ago=385, review_in_days=-20, by=admin)
    early_help = _in_force(early_help, by=admin)
    _conditions(EARLY_HELP, "1.0", by=admin)
    for key, days in [("la", 380), ("school", 370), ("nursery", 360), ("voluntary", 350), ("st_marys", 340)]:
        _sign(eh_v1, a[key], days, by=admin)
    early_help.refresh_from_db()
    if early_help.status == AgreementStatus.IN_FORCE:
        services.agreement_change_status(
            agreement=early_help,
            status=AgreementStatus.UNDER_REVIEW,
            lock_version=early_help.lock_version,
            by=admin,
        )

    encompass = _agreement(
        ENCOMPASS,
        AgreementTier.SERVICE,
        a["police"],
        [P.SAFEGUARDING, P.EDUCATION],
        parent=protocol,
        by=admin,
    )
    _version(encompass, "0.1", by=admin)
    _conditions(ENCOMPASS, "0.1", by=admin)

    incidents = [
        (
            IncidentKind.COMPLAINT,
            "la",
            protocol,
            "Parent",
            200,
            210,
            IncidentStatus.CLOSED,
            IncidentOutcome.NOT_UPHELD,
            170,
            "A parent complained that a school shared a concern with children's social care without asking.",
            "Explain to families, where it is safe, what was shared and why; record the reasons.",
        ),
        (
            IncidentKind.BREACH_STAFF,
            "health",
            mash,
            "Health visitor",
            150,
            152,
            IncidentStatus.CLOSED,
            IncidentOutcome.UPHELD,
            120,
            "A referral was emailed to the wrong team inbox and deleted unread within the hour.",
            "Check the recipient address against the partnership directory before sending.",
        ),
        (
            IncidentKind.BREACH_PUBLIC,
            "school",
            early_help,
            "Member of the public",
            40,
            45,
            IncidentStatus.INVESTIGATING,
            "",
            None,
            "A caller reported seeing a printed early help plan left in a café.",
            "",
        ),
        (
            IncidentKind.CHALLENGE,
            "police",
            None,
            "Designated safeguarding lead of a school",
            10,
            None,
            IncidentStatus.OPEN,
            "",
            None,
            "A school challenged a decision not to share a domestic abuse notification.",
            "",
        ),
    ]
    for (
        kind,
        key,
        agreement,
        reporter,
        reported,
        occurred,
        status,
        outcome,
        closed,
        summary,
        lesson,
    ) in incidents:
        if Incident.objects.filter(kind=kind, summary=summary).exists():
            continue
        services.incident_create(
            incident=Incident(
                kind=kind,
                agency=a[key],
                agreement=agreement,
                reported_by=reporter,
                reported_on=_days(reported),
                occurred_on=_days(occurred) if occurred is not None else None,
                summary=summary,
                status=status,
                outcome=outcome,
                closed_on=_days(closed) if closed is not None else None,
                lessons_learned=lesson,
                # A breach's ICO clock runs from its discovery (here the morning it was reported); a
                # closed one was assessed as not reportable.
                **(
                    {
                        "discovered_at": timezone.make_aware(
                            datetime.datetime.combine(_days(reported), datetime.time(9, 0))
                        ),
                        "reportable": False if closed is not None else None,
                    }
                    if kind in BREACH_KINDS
                    else {}
                ),
            ),
            by=ig,
        )
    demo.log(
        f"Agreements: {Agreement.objects.count()}, signatures: {Signature.objects.count()}, "
        f"incidents: {Incident.objects.count()}"
    )
