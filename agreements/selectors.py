"""Reads about agreements that other parts of the product, and the register, rely on."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from agreements.models import (
    Agency,
    Agreement,
    AgreementTier,
    AgreementVersion,
    IcoState,
    IncidentKind,
    IncidentOutcome,
    IncidentStatus,
    NominatedRepresentative,
    Signature,
    SignatureState,
)

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
    signature: Signature


def agreement_cover(*, agency: Agency, purpose: str, on: datetime.date) -> AgreementCover | None:
    """Is `agency` an active signatory (live signature on the version in force on `on`) of an
    agreement in force that covers `purpose` (a isa_portal.vocabulary.SharingPurpose value)? Which version?

    Only the agency's own signature counts: a commissioned provider is not covered
    by its commissioner's. An inactive agency is covered by nothing. When several
    agreements cover the purpose, the most specific tier answers (a service
    agreement before the protocol above it), then the most recently signed-off.
    """
    if not agency.is_active:
        return None
    agreements = (
        Agreement.objects.effective()
        .filter(purposes__purpose=purpose)
        .prefetch_related("versions")
        .distinct()
    )
    in_force = {}
    for agreement in agreements:
        version = version_in_force(agreement, on)
        if version is not None:
            in_force[version.pk] = (agreement, version)
    if not in_force:
        return None
    signatures = Signature.objects.filter(_live_on(on), agency=agency, version_id__in=in_force.keys())
    covers = [
        AgreementCover(agreement=in_force[s.version_id][0], version=in_force[s.version_id][1], signature=s)
        for s in signatures
    ]
    if not covers:
        return None
    return min(
        covers,
        key=lambda c: (
            TIER_SPECIFICITY[c.agreement.tier],
            -c.version.signed_off_on.toordinal(),
            -c.version.pk,
        ),
    )


class RegisterState:
    SIGNED_CURRENT = "signed_current"
    SIGNED_EARLIER = "signed_earlier"
    NOT_SIGNED = "not_signed"
    WITHDRAWN = "withdrawn"

    LABELS = {
        SIGNED_CURRENT: "Signed the current version",
        SIGNED_EARLIER: "Signed an earlier version: needs to sign again",
        NOT_SIGNED: "Not signed",
        WITHDRAWN: "Withdrawn",
    }
    TAGS = {
        SIGNED_CURRENT: "govuk-tag--green",
        SIGNED_EARLIER: "govuk-tag--yellow",
        NOT_SIGNED: "govuk-tag--grey",
        WITHDRAWN: "govuk-tag--red",
    }
    CHOICES = list(LABELS.items())


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
    return (
        Agency.objects.active()
        .select_related("commissioned_by")
        .prefetch_related(
            Prefetch(
                "representatives", queryset=NominatedRepresentative.objects.filter(ended_on__isnull=True)
            )
        )
    )


def latest_signatures(
    agreements: list[Agreement], *, agency_ids=None, states_only: bool = False
) -> dict[tuple[int, int], Signature]:
    """Per (agency, agreement): the live signature if there is one, else the latest withdrawn.

    ``agency_ids``: only these agencies' (None: every agency's). ``states_only``: rows of only
    what ``register_state`` reads, not signatures (for counting them, not showing them).
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
        signatures = signatures.select_related("version")
    latest: dict[tuple[int, int], Signature] = {}
    for signature in signatures:
        key = (signature.agency_id, signature.agreement_id)
        held = latest.get(key)
        if held is None or held.state != SignatureState.LIVE:
            latest[key] = signature
    return latest


def register_state(signature: Signature | None, version: AgreementVersion | None) -> str:
    """Where an agency stands on an agreement, given its signature from ``latest_signatures``."""
    if signature is None:
        return RegisterState.NOT_SIGNED
    if signature.state == SignatureState.WITHDRAWN:
        return RegisterState.WITHDRAWN
    if version is not None and signature.version_id == version.pk:
        return RegisterState.SIGNED_CURRENT
    return RegisterState.SIGNED_EARLIER


def register_rows(
    *,
    agreements=None,
    agencies=None,
    state: str = "",
    on: datetime.date | None = None,
) -> list[RegisterRow]:
    """Every active agency against every agreement in force: one row each, in four queries."""
    on = on or timezone.localdate()
    agreements = list(
        (agreements if agreements is not None else Agreement.objects.all())
        .effective()
        .prefetch_related("versions")
        .order_by("tier", "title")
    )
    agencies = list(agencies if agencies is not None else register_agencies())
    latest = latest_signatures(agreements)
    # Once per agency, not once per agency and agreement.
    representatives = {agency.pk: agency.current_representative for agency in agencies}
    ico_states = {agency.pk: agency.ico_state(on) for agency in agencies}
    rows = []
    for agreement in agreements:
        version = version_in_force(agreement, on)
        for agency in agencies:
            signature = latest.get((agency.pk, agreement.pk))
            row_state = register_state(signature, version)
            if state and row_state != state:
                continue
            rows.append(
                RegisterRow(
                    agreement=agreement,
                    version=version,
                    agency=agency,
                    state=row_state,
                    signature=signature,
                    representative=representatives[agency.pk],
                    ico_state=ico_states[agency.pk],
                )
            )
    return rows


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


def resignatures_needed(*, on: datetime.date | None = None) -> list[Signature]:
    """Live signatures of a version that is no longer the one in force."""
    on = on or timezone.localdate()
    needed = []
    agreements = {a.pk: a for a in Agreement.objects.effective().prefetch_related("versions")}
    current = {pk: version_in_force(a, on) for pk, a in agreements.items()}
    for signature in (
        Signature.objects.live()
        .filter(agreement_id__in=agreements.keys())
        .select_related("agency", "version", "agreement")
    ):
        version = current.get(signature.agreement_id)
        if version is not None and signature.version_id != version.pk:
            needed.append(signature)
    return needed


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


def signing_outstanding(user, *, on: datetime.date | None = None) -> dict[str, int]:
    """How many (agency, agreement in force) pairs in the user's scope still need a signature of the
    version in force: those that signed an earlier version and those that never signed. Counted from
    the signatory register's own rows, so the figure is the register's."""
    agencies = register_agencies().filter(pk__in=Agency.objects.in_scope_of(user).values("pk"))
    counts = Counter(row.state for row in register_rows(agencies=agencies, on=on))
    return {
        RegisterState.SIGNED_EARLIER: counts[RegisterState.SIGNED_EARLIER],
        RegisterState.NOT_SIGNED: counts[RegisterState.NOT_SIGNED],
    }


def landing_flags(user) -> dict:
    """What the admin and IG landing pages flag: reviews due or overdue, ICO registration problems,
    and agencies that need to sign a new version. ICO flags cover the agencies in the user's scope;
    agreements are the partnership's, so their reviews show to every admin and IG officer."""
    return {
        "reviews_due": reviews_due(),
        "ico_flags": ico_flags(Agency.objects.in_scope_of(user)),
        "resignatures_needed": [s for s in resignatures_needed() if user.sees_agency(s.agency_id)],
        "to_sign": signing_outstanding(user),
        "today": timezone.localdate(),
    }
