"""Reads about agreements that other parts of the product, and the register, rely on."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from agreements.models import (
    Agency,
    AgencyKind,
    Agreement,
    AgreementCondition,
    AgreementTier,
    AgreementVersion,
    ConditionKind,
    IcoState,
    IncidentKind,
    IncidentOutcome,
    IncidentStatus,
    NominatedRepresentative,
    Signature,
    SignatureState,
)
from isa_portal.vocabulary import SharingPurpose
from isa_portal.web import long_date

REVIEW_WARNING_DAYS = 90

# The most specific agreement answers first: a service agreement before the protocol above it.
TIER_SPECIFICITY = {AgreementTier.SERVICE: 0, AgreementTier.CODE_OF_PRACTICE: 1, AgreementTier.PROTOCOL: 2}


def version_in_force(agreement: Agreement, on: datetime.date) -> AgreementVersion | None:
    """The latest version signed off on or before ``on``, if the agreement is in force (or under review).

    Uses prefetched ``versions`` when the caller prefetched them.
    """
    if not agreement.is_effective:
        return None
    candidates = [
        v for v in agreement.versions.all() if v.signed_off_on is not None and v.signed_off_on <= on
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.signed_off_on, v.pk))


def _live_on(on: datetime.date) -> Q:
    """Signatures that were live on ``on``: signed by then and not yet withdrawn.

    A replaced signature stays live for its own version: it was replaced only
    when a later version came into force, so it is never asked about after that.
    """
    return Q(signed_on__lte=on) & (~Q(state=SignatureState.WITHDRAWN) | Q(withdrawn_on__gt=on))


@dataclass(frozen=True)
class AgreementCover:
    agreement: Agreement
    version: AgreementVersion
    signature: Signature  # the receiving agency's
    sharer_signature: Signature | None = None  # the sharing agency's (None: not asked about)


# Cover (issue 12, item 4): a share is covered by an agreement only when BOTH the sharing and the
# receiving agency hold a live signature of the version in force, the agreement covers the purpose,
# and nothing about the agreement or either signatory has lapsed. Sources:
# - ICO data sharing code of practice (2021), "Data sharing agreements": an agreement binds the
#   parties that sign it, and is reviewed regularly ("review date and owner"); an agreement past its
#   review date has not been kept under review, and does not count as cover (whatever its status).
# - The Data Protection (Charges and Information) Regulations 2018: a controller pays the data
#   protection fee and is registered with the ICO; an agency whose registration has expired is not
#   a signatory in good standing.
# - Every partnership protocol in shared/reference/ (for example the Warrington Information Sharing
#   Protocol, "signatories"): only a signatory in its own right is bound; a commissioner's signature
#   does not bind the provider it commissions.
COVER_MESSAGES = {
    "no_agreement": "no agreement in force covers {purpose}",
    "no_version": "{agreement} has no version in force on {date}",
    "past_review": "{version} was due for review on {date} and has not been reviewed",
    "not_signed": "{agency} has not signed {agreement}",
    "earlier_version": "{agency} signed an earlier version of {agreement}, not {version}, which is in force",
    "withdrawn": "{agency} withdrew its signature of {agreement} on {date}",
    "ico_expired": "{agency}'s ICO registration expired on {date}",
    "inactive": "{agency} is no longer an active partner",
}


@dataclass(frozen=True)
class CoverCheck:
    """Whether an agreement covers a share, and in plain words what covered it or why nothing did.

    True when covered; ``version`` None when not (so it reads like the cover it replaces)."""

    cover: AgreementCover | None
    gaps: tuple[str, ...]
    note: str

    def __bool__(self) -> bool:
        return self.cover is not None

    @property
    def version(self) -> AgreementVersion | None:
        return self.cover.version if self.cover is not None else None


def _live_signature_on(signature: Signature, on: datetime.date) -> bool:
    """As ``_live_on``: signed by ``on`` and not withdrawn by then (a replaced signature stays live for
    its own version, which is never the one in force after it was replaced)."""
    if signature.signed_on > on:
        return False
    return signature.state != SignatureState.WITHDRAWN or (
        signature.withdrawn_on is not None and signature.withdrawn_on > on
    )


def _party_gaps(agency: Agency, agreement: Agreement, version: AgreementVersion, signatures, on) -> list[str]:
    """Why ``agency`` is not a signatory in good standing of ``version`` on ``on`` ([] if it is)."""
    names = {"agency": agency.name, "agreement": agreement.title, "version": str(version)}
    gaps = []
    if not agency.is_active:
        gaps.append(COVER_MESSAGES["inactive"].format(**names))
    if agency.ico_state(on) == IcoState.EXPIRED:
        gaps.append(
            COVER_MESSAGES["ico_expired"].format(**names, date=long_date(agency.ico_registration_expires_on))
        )
    own = [s for s in signatures if s.agency_id == agency.pk and s.agreement_id == agreement.pk]
    if any(s.version_id == version.pk and _live_signature_on(s, on) for s in own):
        return gaps
    withdrawn = [s for s in own if s.withdrawn_on is not None and s.withdrawn_on <= on]
    if withdrawn:
        latest = max(withdrawn, key=lambda s: s.withdrawn_on)
        gaps.append(COVER_MESSAGES["withdrawn"].format(**names, date=long_date(latest.withdrawn_on)))
    elif any(s.signed_on <= on for s in own):
        gaps.append(COVER_MESSAGES["earlier_version"].format(**names))
    else:
        gaps.append(COVER_MESSAGES["not_signed"].format(**names))
    return gaps


def cover_check(
    *, recipient: Agency, purpose: str, on: datetime.date, sharer: Agency | None = None
) -> CoverCheck:
    """Is the share from ``sharer`` to ``recipient`` for ``purpose`` on ``on`` covered by an agreement in
    force? Both must hold a live signature of the version in force (``sharer`` None: only the
    recipient is asked about); the version must not be past its review date; neither agency's ICO
    registration may have expired. When several agreements cover it, the most specific tier answers
    (a service agreement before the protocol above it), then the most recently signed-off. The note
    says what covered it, or every reason nothing did.
    """
    parties = [recipient] if sharer is None or sharer.pk == recipient.pk else [sharer, recipient]
    agreements = (
        Agreement.objects.effective()
        .filter(purposes__purpose=purpose)
        .prefetch_related("versions")
        .distinct()
    )
    in_force = []
    gaps: list[str] = []
    for agreement in agreements:
        version = version_in_force(agreement, on)
        if version is None:
            gaps.append(COVER_MESSAGES["no_version"].format(agreement=agreement.title, date=long_date(on)))
        else:
            in_force.append((agreement, version))
    purpose_label = dict(SharingPurpose.choices).get(purpose, purpose).lower()
    if not in_force and not gaps:
        gaps.append(COVER_MESSAGES["no_agreement"].format(purpose=purpose_label))
    signatures = list(
        Signature.objects.filter(
            agency__in=[party.pk for party in parties], agreement__in=[a.pk for a, _ in in_force]
        )
    )
    covers = []
    for agreement, version in in_force:
        found = []
        if version.next_review_date is not None and version.next_review_date < on:
            found.append(
                COVER_MESSAGES["past_review"].format(
                    version=str(version), date=long_date(version.next_review_date)
                )
            )
        for party in parties:
            found.extend(_party_gaps(party, agreement, version, signatures, on))
        if found:
            gaps.extend(found)
            continue
        live = {
            s.agency_id: s for s in signatures if s.version_id == version.pk and _live_signature_on(s, on)
        }
        covers.append(
            AgreementCover(
                agreement=agreement,
                version=version,
                signature=live[recipient.pk],
                sharer_signature=live.get(sharer.pk) if sharer is not None else None,
            )
        )
    if not covers:
        return CoverCheck(
            cover=None, gaps=tuple(gaps), note="No agreement covered this share: " + "; ".join(gaps) + "."
        )
    cover = min(
        covers,
        key=lambda c: (
            TIER_SPECIFICITY[c.agreement.tier],
            -c.version.signed_off_on.toordinal(),
            -c.version.pk,
        ),
    )
    signed = [f"{recipient.name} on {long_date(cover.signature.signed_on)}"]
    if cover.sharer_signature is not None and sharer is not None and sharer.pk != recipient.pk:
        signed.insert(0, f"{sharer.name} on {long_date(cover.sharer_signature.signed_on)}")
    review = cover.version.next_review_date
    note = (
        f"Shared under {cover.agreement.title} version {cover.version.number}, in force and due for review "
        f"{long_date(review) if review else '(no date set)'}: signed by {' and by '.join(signed)}."
    )
    return CoverCheck(cover=cover, gaps=(), note=note)


def agreement_cover(
    *, agency: Agency, purpose: str, on: datetime.date, sharer: Agency | None = None
) -> AgreementCover | None:
    """The cover ``cover_check`` finds for a share to ``agency`` (from ``sharer``), or None."""
    return cover_check(recipient=agency, purpose=purpose, on=on, sharer=sharer).cover


# Conditions the decision reads (issue 20, item 6) ----------------------------------------------------
#
# An agreement version's conditions (``AgreementCondition``) bind the shares that rely on it: the version
# ``cover_check`` found. A second-tier agreement works under the agreement above it (Derby and
# Derbyshire ISA, section 5.1: "a second tier agreement under the overarching ... agreement"), so the
# conditions of the versions in force of the agreements above it bind too. What the law lets a share
# do whatever an agreement says is decided in ``decisions.rules`` (an agreement cannot override a
# statutory duty), not here.

CONDITION_MESSAGES = {
    ConditionKind.CONSENT_REQUIRED: "{where} allows sharing for {purposes} only with consent.",
    ConditionKind.ORIGINATOR_AGREEMENT: "{where} allows information from another agency to be passed on "
    "only with that agency's agreement: {source} {answer}.",
    ConditionKind.DATA_CATEGORIES: "{where} allows sharing only these kinds of information: {allowed}. "
    "It does not allow {refused}.",
    ConditionKind.RECIPIENT_KINDS: "{where} allows sharing only with {allowed}: {recipient} is recorded as "
    "“{kind}”.",
}
SOURCE_ANSWERS = {"refused": "refused", "not_asked": "was not asked"}


@dataclass(frozen=True)
class ShareFacts:
    """A share as the decision records it, for checking against an agreement's conditions. None or
    empty: not answered yet (nothing is checked against an answer not given)."""

    purpose: str
    information_categories: tuple[str, ...] = ()
    recipient: Agency | None = None
    with_consent: bool | None = None  # consent given, or not needed (not identifying, not confidential)
    source: Agency | None = None  # the agency the information came from
    source_agreed: str = ""  # decisions.models.SourceAgreed


@dataclass(frozen=True)
class ConditionBreach:
    condition: AgreementCondition
    message: str


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def _listed(labels: list[str]) -> str:
    labels = [_lower(label) for label in labels]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def conditions_binding(version: AgreementVersion, on: datetime.date) -> list[AgreementCondition]:
    """The conditions of ``version`` and of the versions in force of the agreements above it."""
    versions = [version]
    parent = version.agreement.parent
    while parent is not None:
        above = version_in_force(parent, on)
        if above is not None:
            versions.append(above)
        parent = parent.parent
    return list(
        AgreementCondition.objects.filter(version__in=versions).select_related("version__agreement")
    )


def _consent_breach(condition: AgreementCondition, facts: ShareFacts) -> dict | None:
    if facts.with_consent is not False:
        return None
    return {"purposes": _listed([SharingPurpose(p).label for p in condition.purposes])}


def _originator_breach(condition: AgreementCondition, facts: ShareFacts) -> dict | None:
    if facts.source is None or facts.source_agreed not in SOURCE_ANSWERS:
        return None
    return {"source": facts.source.name, "answer": SOURCE_ANSWERS[facts.source_agreed]}


def _categories_breach(condition: AgreementCondition, facts: ShareFacts) -> dict | None:
    from consent.models import InformationCategory

    refused = [c for c in facts.information_categories if c not in condition.information_categories]
    if not refused:
        return None
    labels = dict(InformationCategory.choices)
    # The labels hold commas ("name, date of birth, address..."): listed with semicolons.
    return {
        "allowed": "; ".join(_lower(labels[c]) for c in condition.information_categories),
        "refused": "; ".join(_lower(labels.get(c, c)) for c in refused),
    }


def _recipient_breach(condition: AgreementCondition, facts: ShareFacts) -> dict | None:
    if facts.recipient is None or facts.recipient.kind in condition.recipient_kinds:
        return None
    return {
        "allowed": _listed([AgencyKind(kind).label for kind in condition.recipient_kinds]),
        "recipient": facts.recipient.name,
        "kind": facts.recipient.get_kind_display(),
    }


# Each kind: what of the share breaks it (the words for its message), or None.
BREACH_OF = {
    ConditionKind.CONSENT_REQUIRED: _consent_breach,
    ConditionKind.ORIGINATOR_AGREEMENT: _originator_breach,
    ConditionKind.DATA_CATEGORIES: _categories_breach,
    ConditionKind.RECIPIENT_KINDS: _recipient_breach,
}


def condition_breaches(
    *, version: AgreementVersion, facts: ShareFacts, on: datetime.date
) -> list[ConditionBreach]:
    """Each condition binding ``version`` that the share breaks, with a message naming the agreement,
    its version and the clause, such as "The West Yorkshire Information Sharing Protocol (version
    2.1, clause 5.3) allows sharing for early help only with consent." A condition for some purposes
    binds only shares for one of them."""
    breaches = []
    for condition in conditions_binding(version, on):
        if condition.purposes and facts.purpose not in condition.purposes:
            continue
        words = BREACH_OF[condition.kind](condition, facts)
        if words is None:
            continue
        bound = condition.version
        where = f"{bound.agreement.title} (version {bound.number}, {condition.clause})"
        message = CONDITION_MESSAGES[condition.kind].format(where=where, **words)
        breaches.append(ConditionBreach(condition, message))
    return breaches


class RegisterState:
    SIGNED_CURRENT = "signed_current"
    SIGNED_EARLIER = "signed_earlier"
    NOT_SIGNED = "not_signed"
    WITHDRAWN = "withdrawn"
    ICO_LAPSED = "ico_lapsed"

    LABELS = {
        SIGNED_CURRENT: "Signed the current version",
        SIGNED_EARLIER: "Signed an earlier version: needs to sign again",
        NOT_SIGNED: "Not signed",
        WITHDRAWN: "Withdrawn",
        ICO_LAPSED: "Signed, but not cover: ICO registration expired",
    }
    TAGS = {
        SIGNED_CURRENT: "govuk-tag--green",
        SIGNED_EARLIER: "govuk-tag--yellow",
        NOT_SIGNED: "govuk-tag--grey",
        WITHDRAWN: "govuk-tag--red",
        ICO_LAPSED: "govuk-tag--orange",
    }
    CHOICES = list(LABELS.items())


class StillToSign:
    """What still needs signing (issue 20, item 4): the one definition the home page, the signatory
    register and ``send_reminders`` all count by. Every register state that is not cover today falls
    in exactly one category, for the reasons ``cover_check`` gives (``_party_gaps``):

    - never signed: no signature of the agreement at all;
    - to sign again: signed only an earlier version (a new version asks every signatory again);
    - lapsed: signed, but the signature no longer counts: withdrawn, or the agency's ICO registration
      has expired (the Buckinghamshire code: each signatory is responsible for being registered).

    The nominated representative leaving is not a lapse: the agency signs, not the person (every
    reference protocol's signatories are organisations), and the register keeps who signed as they
    were. An agency with no representative is still counted; its reminder has nobody to go to, which
    ``send_reminders`` reports.
    """

    NEVER_SIGNED = "never_signed"
    SIGN_AGAIN = "sign_again"
    LAPSED = "lapsed"

    OF_STATE = {
        RegisterState.NOT_SIGNED: NEVER_SIGNED,
        RegisterState.SIGNED_EARLIER: SIGN_AGAIN,
        RegisterState.WITHDRAWN: LAPSED,
        RegisterState.ICO_LAPSED: LAPSED,
    }
    LABELS = {
        NEVER_SIGNED: "Never signed",
        SIGN_AGAIN: "Signed an earlier version: to sign again",
        LAPSED: "Signature lapsed: withdrawn or ICO registration expired",
    }
    CHOICES = list(LABELS.items())

    @classmethod
    def of(cls, state: str) -> str | None:
        return cls.OF_STATE.get(state)


@dataclass
class RegisterRow:
    agreement: Agreement
    version: AgreementVersion | None
    agency: Agency
    state: str
    signature: Signature | None
    representative: NominatedRepresentative | None
    ico_state: IcoState

    @property
    def state_label(self) -> str:
        return RegisterState.LABELS[self.state]

    @property
    def state_tag(self) -> str:
        return RegisterState.TAGS[self.state]

    @property
    def still_to_sign(self) -> str | None:
        return StillToSign.of(self.state)

    @property
    def commissioner_note(self) -> str:
        """A provider whose commissioner signed is still not covered: say so where it matters."""
        agency = self.agency
        if (
            agency.is_commissioned_provider
            and agency.commissioned_by
            and self.state != RegisterState.SIGNED_CURRENT
        ):
            return f"Commissioned by {agency.commissioned_by}, whose signature does not cover it"
        return ""


def register_agencies():
    """The agencies the register lists, with their commissioners. Their representatives are read by
    ``register_details`` for the rows shown, not for every agency."""
    return Agency.objects.active().select_related("commissioned_by")


# What the register's rows read of a signature (its page, its export, ``processing.rows`` and
# ``send_reminders``): the rest (the statements confirmed, the files, the signer's account) is
# read only on the signature's own page. ``how_signed`` reads who recorded a paper signature.
REGISTER_SIGNATURE_FIELDS = (
    "agreement_id",
    "agency_id",
    "version_id",
    "state",
    "signed_on",
    "withdrawn_on",
    "withdrawal_reason",
    "signed_by_name",
    "signed_by_role",
    "method",
    "agency_name",
    "representative_name",
    "representative_email",
    "version_sha256",
    "recorded_by__full_name",
    "recorded_by__email",
)


def latest_signatures(
    agreements: list[Agreement], *, agency_ids=None, states_only: bool = False
) -> dict[tuple[int, int], Signature]:
    """Per (agency, agreement): the live signature if there is one, else the latest withdrawn.

    ``agency_ids``: only these agencies' (None: every agency's). ``states_only``: rows of only
    what ``register_state`` reads, not signatures (for counting them, not showing them). Otherwise
    signatures of ``REGISTER_SIGNATURE_FIELDS``, each given its version from the agreements'
    prefetched ``versions`` (a signature's version is one of its agreement's), not from a join.
    """
    signatures = (
        Signature.objects.filter(agreement__in=[a.pk for a in agreements])
        .exclude(state=SignatureState.REPLACED)
        .order_by("signed_on", "id")
    )
    if agency_ids is not None:
        signatures = signatures.filter(agency_id__in=agency_ids)
    if states_only:
        signatures = signatures.values_list("agency_id", "agreement_id", "version_id", "state", named=True)
    else:
        signatures = signatures.select_related("recorded_by").only(*REGISTER_SIGNATURE_FIELDS)
        versions = {version.pk: version for agreement in agreements for version in agreement.versions.all()}
    latest: dict[tuple[int, int], Signature] = {}
    for signature in signatures:
        if not states_only:
            signature.version = versions[signature.version_id]
        key = (signature.agency_id, signature.agreement_id)
        held = latest.get(key)
        if held is None or held.state != SignatureState.LIVE:
            latest[key] = signature
    return latest


def register_state(
    signature: Signature | None, version: AgreementVersion | None, *, ico_expired: bool = False
) -> str:
    """Where an agency stands on an agreement, given its signature from ``latest_signatures`` and
    whether its ICO registration has expired (a signature of the version in force then stops
    counting as cover, as ``cover_check`` says)."""
    if signature is None:
        return RegisterState.NOT_SIGNED
    if signature.state == SignatureState.WITHDRAWN:
        return RegisterState.WITHDRAWN
    if version is not None and signature.version_id == version.pk:
        return RegisterState.ICO_LAPSED if ico_expired else RegisterState.SIGNED_CURRENT
    return RegisterState.SIGNED_EARLIER


class RegisterEntry(NamedTuple):
    """One agency against one agreement before its signature and representative are read: what the
    register's state filter, its figures and its paging need of every row."""

    agreement: Agreement
    version: AgreementVersion | None
    agency: Agency
    state: str
    ico_state: IcoState

    @property
    def still_to_sign(self) -> str | None:
        return StillToSign.of(self.state)


def register_agreements(agreements=None):
    """The agreements the register lists, in its order, with their versions."""
    agreements = agreements if agreements is not None else Agreement.objects.all()
    return agreements.effective().prefetch_related("versions").order_by("tier", "title")


def register_entries(
    *,
    agreements: list[Agreement],
    agencies: list[Agency],
    on: datetime.date,
    latest: dict[tuple[int, int], Signature] | None = None,
) -> list[RegisterEntry]:
    """Every agency of ``agencies`` against every agreement of ``agreements`` (from
    ``register_agreements``), agreement by agreement. ``latest``: the signatures from
    ``latest_signatures``, if the caller has them; otherwise their states are read (one query)."""
    if latest is None:
        latest = latest_signatures(agreements, states_only=True)
    # Once per agency, not once per agency and agreement.
    ico_states = [(agency, agency.ico_state(on)) for agency in agencies]
    entries = []
    for agreement in agreements:
        version = version_in_force(agreement, on)
        for agency, ico_state in ico_states:
            row_state = register_state(
                latest.get((agency.pk, agreement.pk)), version, ico_expired=ico_state == IcoState.EXPIRED
            )
            entries.append(RegisterEntry(agreement, version, agency, row_state, ico_state))
    return entries


def register_details(
    entries: list[RegisterEntry], *, latest: dict[tuple[int, int], Signature] | None = None
) -> list[RegisterRow]:
    """The register's rows of ``entries`` whole, each with the state its entry was counted and
    filtered by: with its signature (from ``latest``, whole signatures from ``latest_signatures``,
    or else read for these rows' agencies and agreements only) and its agency's current
    representative (read for these rows' agencies only). No query for no rows."""
    if not entries:
        return []
    agencies = list({entry.agency.pk: entry.agency for entry in entries}.values())
    prefetch_related_objects(
        agencies,
        Prefetch("representatives", queryset=NominatedRepresentative.objects.filter(ended_on__isnull=True)),
    )
    if latest is None:
        latest = latest_signatures(
            list({entry.agreement.pk: entry.agreement for entry in entries}.values()),
            agency_ids=[agency.pk for agency in agencies],
        )
    return [
        RegisterRow(
            agreement=entry.agreement,
            version=entry.version,
            agency=entry.agency,
            state=entry.state,
            signature=latest.get((entry.agency.pk, entry.agreement.pk)),
            representative=entry.agency.current_representative,
            ico_state=entry.ico_state,
        )
        for entry in entries
    ]


def register_rows(
    *,
    agreements=None,
    agencies=None,
    state: str = "",
    on: datetime.date | None = None,
) -> list[RegisterRow]:
    """Every active agency against every agreement in force, one row each, whole: in five queries
    (the agreements, their versions, the agencies, the signatures, the representatives)."""
    on = on or timezone.localdate()
    agreements = list(register_agreements(agreements))
    agencies = list(agencies if agencies is not None else register_agencies())
    latest = latest_signatures(agreements)
    entries = register_entries(agreements=agreements, agencies=agencies, on=on, latest=latest)
    if state:
        entries = [entry for entry in entries if entry.state == state]
    return register_details(entries, latest=latest)


@dataclass
class ReviewDue:
    agreement: Agreement
    version: AgreementVersion

    @property
    def overdue(self) -> bool:
        return self.version.next_review_date < timezone.localdate()


def reviews_due(
    *, on: datetime.date | None = None, within_days: int = REVIEW_WARNING_DAYS, agreements=None
) -> list[ReviewDue]:
    """Agreements in force whose version in force is due for review within ``within_days``, or overdue.

    ``agreements``: the agreements in force with their versions prefetched, if the caller has them.
    """
    on = on or timezone.localdate()
    horizon = on + datetime.timedelta(days=within_days)
    if agreements is None:
        agreements = Agreement.objects.effective().select_related("owner").prefetch_related("versions")
    due = []
    for agreement in agreements:
        version = version_in_force(agreement, on)
        if version is not None and version.next_review_date and version.next_review_date <= horizon:
            due.append(ReviewDue(agreement=agreement, version=version))
    return sorted(due, key=lambda d: d.version.next_review_date)


def ico_flags(agencies, *, on: datetime.date | None = None) -> list[tuple[Agency, IcoState]]:
    """Active agencies whose ICO registration is missing, expired or expiring within 90 days."""
    on = on or timezone.localdate()
    flagged = []
    for agency in agencies.filter(is_active=True):
        state = agency.ico_state(on)
        if state != IcoState.VALID:
            flagged.append((agency, state))
    order = {IcoState.EXPIRED: 0, IcoState.MISSING: 1, IcoState.EXPIRING: 2}
    return sorted(flagged, key=lambda pair: (order[pair[1]], pair[0].name))


@dataclass
class IncidentSummary:
    year: int
    total: int
    by_kind: list[tuple[str, int]]
    by_agency: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    open_count: int
    lessons: list[tuple[str, str, str]] = field(default_factory=list)  # (reference, kind, lesson)


def incident_summary(incidents, *, year: int) -> IncidentSummary:
    """Counts by kind, agency and outcome for incidents reported in ``year``, and the lessons learned."""
    rows = list(
        incidents.filter(reported_on__year=year).select_related("agency").order_by("reported_on", "id")
    )
    kinds = Counter(r.kind for r in rows)
    agencies = Counter(r.agency.name for r in rows)
    outcomes = Counter(r.outcome or "" for r in rows if r.status == IncidentStatus.CLOSED)
    return IncidentSummary(
        year=year,
        total=len(rows),
        by_kind=[(label, kinds[value]) for value, label in IncidentKind.choices],
        by_agency=sorted(agencies.items()),
        by_outcome=[(label, outcomes[value]) for value, label in IncidentOutcome.choices],
        open_count=sum(1 for r in rows if r.status != IncidentStatus.CLOSED),
        lessons=[
            (r.reference, r.get_kind_display(), r.lessons_learned.strip())
            for r in rows
            if r.lessons_learned.strip()
        ],
    )


def incident_years(incidents) -> list[int]:
    years = {d.year for d in incidents.dates("reported_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


@dataclass
class ToSign:
    """For one agreement in force: how many agencies still need to sign it, in each category."""

    agreement: Agreement
    version: AgreementVersion | None
    never_signed: int = 0
    sign_again: int = 0
    lapsed: int = 0

    @property
    def total(self) -> int:
        return self.never_signed + self.sign_again + self.lapsed

    def counts(self) -> list[tuple[str, int]]:
        """(category, count) in the order the pages show them."""
        return [(category, getattr(self, category)) for category in StillToSign.LABELS]


def to_sign_by_agreement(rows: list[RegisterEntry] | list[RegisterRow]) -> list[ToSign]:
    """Per agreement of the register's ``rows`` (in their order): the agencies still to sign, counted
    by ``StillToSign``. The home page and the signatory register both count with this, from
    ``register_entries``, so their figures cannot disagree."""
    by_agreement: dict[int, ToSign] = {}
    for row in rows:
        counted = by_agreement.get(row.agreement.pk)
        if counted is None:
            counted = by_agreement[row.agreement.pk] = ToSign(agreement=row.agreement, version=row.version)
        category = row.still_to_sign
        if category is not None:
            setattr(counted, category, getattr(counted, category) + 1)
    return list(by_agreement.values())


def signing_outstanding(user, *, on: datetime.date | None = None) -> list[ToSign]:
    """What still needs signing among the agencies in the user's scope, per agreement in force (the
    signatory register's figures for the same agencies)."""
    on = on or timezone.localdate()
    agreements = list(register_agreements())
    agencies = register_agencies().filter(pk__in=Agency.objects.in_scope_of(user).values("pk"))
    # Counted from the rows' states: their signatures and representatives are not shown.
    return to_sign_by_agreement(register_entries(agreements=agreements, agencies=list(agencies), on=on))


def landing_flags(user) -> dict:
    """What the admin and IG landing pages flag: reviews due or overdue, ICO registration problems,
    and what still needs signing. ICO flags and signing cover the agencies in the user's scope;
    agreements are the partnership's, so their reviews show to every admin and IG officer."""
    to_sign = signing_outstanding(user)
    return {
        "reviews_due": reviews_due(),
        "ico_flags": ico_flags(Agency.objects.in_scope_of(user)),
        "to_sign": to_sign,
        "to_sign_total": sum(count.total for count in to_sign),
        # An agency-scoped user's figures are their own agency's: the register's link narrows to it.
        "to_sign_agency": None if user.partnership_wide else user.agency_id,
        "today": timezone.localdate(),
    }
