"""The partnership: agencies, their representatives, the people, agreements and signatures, incidents.

Agencies and people exist from shortly before the five years begin (the partnership went
live then). Agreements follow the usual shape: one overarching protocol that nearly every
agency signs, re-signed as new versions come, two codes of practice and service agreements
that a few agencies each sign, in every status.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from agreements.models import (
    Agency,
    AgencyKind,
    Agreement,
    AgreementPurpose,
    AgreementVersion,
    Incident,
    IncidentKind,
    NominatedRepresentative,
    Signature,
)
from devdata.demo.agreements import CONTENTS
from devdata.volume import words
from devdata.volume.run import DAY, HOUR, MINUTE, YEAR, Run, creation, fields, update
from devdata.volume.tables import Table, day_start, logged_time, to_datetime
from devdata.volume.trail import CREATE, SYSTEM, UPDATE, WEB, Actor, Entry
from isa_portal.vocabulary import SharingPurpose

DOMAIN = "volume.invalid"  # reserved (RFC 2606): no one can receive mail there

# Well-known accounts for the benchmark and for signing in by hand: address -> (agency, role,
# partnership-wide). All but one are in the first and largest agency, the county council.
PERSONAS = {
    f"practitioner@{DOMAIN}": (1, Role.PRACTITIONER, False),
    f"lead@{DOMAIN}": (1, Role.LEAD, False),
    f"ig@{DOMAIN}": (1, Role.IG_OFFICER, False),
    f"admin@{DOMAIN}": (1, Role.ADMIN, False),
    f"partnership-ig@{DOMAIN}": (1, Role.IG_OFFICER, True),
    f"partnership-admin@{DOMAIN}": (1, Role.ADMIN, True),
    f"practitioner2@{DOMAIN}": (2, Role.PRACTITIONER, False),
    f"partnership-lead@{DOMAIN}": (1, Role.PARTNERSHIP_LEAD, False),
}

K = AgencyKind
# How often each kind appears after the first agency (always the county council), and its size.
KIND_WEIGHTS = {
    K.LOCAL_AUTHORITY: (3, 60),
    K.POLICE: (2, 50),
    K.NHS_TRUST: (7, 30),
    K.GP_PRACTICE: (22, 5),
    K.SCHOOL: (35, 8),
    K.EARLY_YEARS: (10, 3),
    K.VOLUNTARY: (10, 6),
    K.COMMISSIONED: (4, 8),
    K.OTHER: (7, 10),
}
CORE_KINDS = {K.LOCAL_AUTHORITY, K.POLICE, K.NHS_TRUST}

AGENCY_COLUMNS = (
    "id", "name", "kind", "address", "commissioned_by_id", "group", "ico_registration_expires_on",
    "ico_registration_number", "is_active", "lock_version", "public_authority", "competent_authority",
    "password_sign_in",
)  # fmt: skip
REPRESENTATIVE_COLUMNS = ("id", "name", "email", "phone", "started_on", "ended_on", "agency_id")
USER_COLUMNS = (
    "id", "password", "last_login", "is_superuser", "email", "full_name", "job_title", "role",
    "partnership_wide", "is_active", "is_staff", "date_joined", "agency_id", "lock_version",
    "role_approved",
)  # fmt: skip
AGREEMENT_COLUMNS = (
    "id", "title", "tier", "status", "owner_id", "parent_id", "article9_condition", "breach_procedure",
    "data_items", "data_quality", "dpia_reference", "frequency", "lawful_basis", "lock_version",
    "onward_disclosure", "parties_and_roles", "purpose", "recipients", "retention_and_disposal",
    "review_interval_months", "rights_and_complaints", "security", "termination", "retention_years",
)  # fmt: skip
VERSION_COLUMNS = (
    "id", "number", "signed_off_on", "next_review_date", "agreement_id", "author", "created_at",
    "document", "signed_off_by", "summary_of_changes", "text",
)  # fmt: skip
PURPOSE_COLUMNS = ("id", "purpose", "agreement_id")
SIGNATURE_COLUMNS = (
    "id", "signed_by_name", "signed_by_role", "signed_on", "group", "state", "withdrawn_on",
    "withdrawal_reason", "recorded_at", "agency_id", "agreement_id", "recorded_by_id",
    "representative_id", "version_id",
    # Issue 20's evidence: the synthetic history was recorded before it was kept (method "recorded"),
    # with the snapshot the data migration fills in for such signatures.
    "method", "signer_id", "signer_email", "agency_name", "representative_name", "representative_email",
    "signed_at", "version_sha256", "statements_key", "statements", "signature_page", "evidence",
)  # fmt: skip
INCIDENT_COLUMNS = (
    "id", "lock_version", "kind", "reported_by", "reported_on", "occurred_on", "summary", "status",
    "outcome", "closed_on", "lessons_learned", "recorded_at", "agency_id", "agreement_id", "recorded_by_id",
    "acknowledged_on", "decision_id", "discovered_at", "reportable", "reported_to_ico_at",
)  # fmt: skip

TABLES = [
    Table(Agency, AGENCY_COLUMNS),
    Table(NominatedRepresentative, REPRESENTATIVE_COLUMNS),
    Table(User, USER_COLUMNS),
    Table(Agreement, AGREEMENT_COLUMNS),
    Table(AgreementVersion, VERSION_COLUMNS),
    Table(AgreementPurpose, PURPOSE_COLUMNS),
    Table(Signature, SIGNATURE_COLUMNS),
    Table(Incident, INCIDENT_COLUMNS),
]


P = SharingPurpose
# title, tier, owner ("la", "nhs", "police"), purposes, parent (index), status,
# versions as (number, when signed off: years after the start, or days before today when negative),
# how many of the agencies sign it.
AGREEMENTS = [
    (
        f"{words.COUNTY} Safeguarding Partnership Information Sharing Protocol",
        "protocol",
        "la",
        list(P),
        None,
        "in_force",
        [("1.0", 0.05), ("2.0", 2.0), ("3.0", -200)],
        0.92,
    ),
    (
        "Health Information Sharing Code of Practice",
        "code_of_practice",
        "nhs",
        [P.HEALTH_CARE, P.SAFEGUARDING, P.CHILD_IN_NEED],
        0,
        "in_force",
        [("1.0", 0.25), ("1.1", 3.0)],
        0.35,
    ),
    (
        "Schools and Early Years Information Sharing Code of Practice",
        "code_of_practice",
        "la",
        [P.EDUCATION, P.EARLY_HELP, P.SAFEGUARDING],
        0,
        "in_force",
        [("1.0", 0.35)],
        0.4,
    ),
    (
        "Multi-Agency Safeguarding Hub (MASH) Information Sharing Agreement",
        "service",
        "la",
        [P.SAFEGUARDING, P.MULTI_AGENCY, P.CRIME],
        0,
        "in_force",
        [("1.0", 0.1), ("2.0", -400)],
        0.25,
    ),
    (
        "Early Help Information Sharing Agreement",
        "service",
        "la",
        [P.EARLY_HELP, P.CHILD_IN_NEED],
        2,
        "under_review",
        [("1.0", 0.55)],
        0.3,
    ),
    (
        "Domestic Abuse Notifications to Schools Agreement",
        "service",
        "police",
        [P.SAFEGUARDING, P.EDUCATION],
        0,
        "in_force",
        [("1.0", 1.0)],
        0.3,
    ),
    (
        "Missing and Exploited Children Agreement",
        "service",
        "police",
        [P.SAFEGUARDING, P.CRIME],
        0,
        "in_force",
        [("1.0", 1.5)],
        0.2,
    ),
    (
        "Health Visiting and School Nursing Agreement",
        "service",
        "nhs",
        [P.HEALTH_CARE],
        1,
        "in_force",
        [("1.0", 0.8)],
        0.25,
    ),
    (
        "Youth Justice Information Sharing Agreement",
        "service",
        "la",
        [P.CRIME, P.MULTI_AGENCY],
        0,
        "superseded",
        [("1.0", 0.15)],
        0.1,
    ),
    ("Family Hubs Pilot Agreement", "service", "la", [P.EARLY_HELP], 0, "expired", [("1.0", 0.3)], 0.1),
    (
        "Housing and Homelessness Agreement",
        "service",
        "la",
        [P.CHILD_IN_NEED],
        0,
        "draft",
        [("0.1", None)],
        0,
    ),
]
TIER_SPECIFICITY = {"service": 0, "code_of_practice": 1, "protocol": 2}
EFFECTIVE = {"in_force", "under_review"}


@dataclass
class AgencyInfo:
    id: int
    name: str
    kind: str
    group: str
    representatives: list = field(default_factory=list)  # (id, name, from, until, email)
    ico_expires: date | None = None  # the ICO registration's expiry (None: none recorded)

    def representative_on(self, on: date):
        for rep in self.representatives:
            if rep[2] <= on and (rep[3] is None or on <= rep[3]):
                return rep
        return self.representatives[-1]


@dataclass
class Person:
    id: int
    email: str
    full_name: str
    job_title: str
    role: str
    agency_id: int | None
    partnership_wide: bool
    actor: Actor


@dataclass
class Partnership:
    agencies: list[AgencyInfo]
    people: list[Person]
    practitioners: dict[int, list[Person]]
    leads: dict[int, list[Person]]
    ig_officers: dict[int, list[Person]]
    partnership_ig: list[Person]
    admin: Person
    # Agreement cover, as agreements.selectors.agreement_cover answers it:
    # agreement id -> (tier, status, purposes, [(version id, signed off on)])
    agreements: dict[int, tuple]
    # (agency id, version id) -> [(signed on, withdrawn on or None)]
    signatures: dict[tuple[int, int], list[tuple[date, date | None]]]
    incidents: int = 0
    next_review: dict[int, date | None] = field(default_factory=dict)  # version id -> next review date

    def agency(self, agency_id: int) -> AgencyInfo:
        return self.agencies[agency_id - 1]

    def authors(self, agency_id: int) -> list[Person]:
        return self.practitioners[agency_id] + self.leads[agency_id]

    def cover(self, agency_id: int, purpose: str, on: date, sharer_id: int | None = None) -> int | None:
        return _cover(self, agency_id, purpose, on, sharer_id)


def _cover(
    partnership: Partnership, agency_id: int, purpose: str, on: date, sharer_id: int | None = None
) -> int | None:
    """The agreement version covering a share from ``sharer_id`` to ``agency_id`` for ``purpose`` on ``on``,
    or None, as ``agreements.selectors.cover_check`` finds it: both agencies signed the version in force,
    it is not past its review date, and neither agency's ICO registration has expired."""
    best = None
    parties = {agency_id} if sharer_id is None else {agency_id, sharer_id}
    if any(
        (expires := partnership.agency(party).ico_expires) is not None and expires < on for party in parties
    ):
        return None
    for tier, status, purposes, versions in partnership.agreements.values():
        if status not in EFFECTIVE or purpose not in purposes:
            continue
        in_force = [v for v in versions if v[1] is not None and v[1] <= on]
        if not in_force:
            continue
        version_id, signed_off = max(in_force, key=lambda v: (v[1], v[0]))
        review = partnership.next_review.get(version_id)
        if review is not None and review < on:
            continue
        live = all(
            any(
                signed_on <= on and (withdrawn is None or withdrawn > on)
                for signed_on, withdrawn in partnership.signatures.get((party, version_id), ())
            )
            for party in parties
        )
        if live:
            key = (TIER_SPECIFICITY[tier], -signed_off.toordinal(), -version_id)
            if best is None or key < best[0]:
                best = (key, version_id)
    return best[1] if best else None


def _name(run: Run) -> tuple[str, str]:
    return run.rng.choice(words.GIVEN_NAMES), run.rng.choice(words.FAMILY_NAMES)


def _email_part(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def build(run: Run, *, agencies: int, users: int, password: str) -> Partnership:
    if users < 2 * agencies + 6:
        raise ValueError(
            f"{users} users cannot staff {agencies} agencies: each needs a practitioner and a lead, "
            f"and the partnership its IG officers and administrator (at least {2 * agencies + 6})."
        )
    founded = run.start - 120 * DAY
    agency_list = _agencies(run, agencies, founded)
    people = _people(run, agency_list, users, founded, make_password(password))
    partnership = _agreements(run, agency_list, people, founded)
    _incidents(run, partnership)
    return partnership


def _agencies(run: Run, count: int, founded: int) -> list[AgencyInfo]:
    rng = run.rng
    others = rng.choices(list(KIND_WEIGHTS), weights=[w for w, _ in KIND_WEIGHTS.values()], k=count - 1)
    kinds = [K.LOCAL_AUTHORITY, *others]
    names: set[str] = set()
    agencies, rows, representatives = [], [], []
    today = run.day(run.now)
    councils = [i + 1 for i, kind in enumerate(kinds) if kind == K.LOCAL_AUTHORITY]
    for index, kind in enumerate(kinds):
        agency_id = index + 1
        name = _agency_name(run, kind, names, first=index == 0)
        group = "core" if kind in CORE_KINDS else "virtual"
        ico, expires = "", None
        if rng.random() < 0.92:
            ico = (
                f"Z{rng.randrange(10**7):07d}"
                if rng.random() < 0.5
                else (f"Z{chr(65 + rng.randrange(3))}{rng.randrange(10**6):06d}")
            )
            expires = today + timedelta(days=rng.randint(-60, 365))
        town = rng.choice(words.TOWNS)
        row = (
            agency_id,
            name,
            kind.value,
            f"{rng.randint(1, 200)} High Street\n{town}\n{words.COUNTY}",
            rng.choice(councils) if kind == K.COMMISSIONED else None,
            group,
            expires,
            ico,
            True,
            0,
            None,  # public authority and competent authority: as the kind says
            None,
            True,  # people may sign in with a password (the agency has no single sign-on)
        )
        rows.append(row)
        info = AgencyInfo(agency_id, name, kind.value, group, ico_expires=expires)
        agencies.append(info)
        created = founded + index * MINUTE
        run.record(
            created,
            Entry(
                CREATE,
                "change",
                run.content_type(Agency),
                agency_id,
                name,
                SYSTEM,
                agency_id,
                creation(fields(AGENCY_COLUMNS, row)),
            ),
        )
        # Representatives: one in post since before the start; some changed hands since.
        first_from = run.day(founded) - timedelta(days=rng.randint(100, 900))
        change = run.day(run.between(run.start, run.now - 60 * DAY)) if rng.random() < 0.3 else None
        terms = [(first_from, change - timedelta(days=1) if change else None)]
        if change:
            terms.append((change, None))
        for started, ended in terms:
            rep_id = len(representatives) + 1
            given, family = _name(run)
            rep = (
                rep_id,
                f"{given} {family}",
                f"{_email_part(given)}.{_email_part(family)}.rep{rep_id}@{DOMAIN}",
                f"01632 {rng.randrange(960000, 960999)}",
                started,
                ended,
                agency_id,
            )
            representatives.append(rep)
            info.representatives.append((rep_id, rep[1], started, ended, rep[2]))
            at = created + MINUTE if started <= run.day(founded) else run.at_work(day_start(started))
            run.record(
                at,
                Entry(
                    CREATE,
                    "change",
                    run.content_type(NominatedRepresentative),
                    rep_id,
                    f"{rep[1]} ({name})",
                    SYSTEM,
                    agency_id,
                    creation(fields(REPRESENTATIVE_COLUMNS, rep)),
                ),
            )
            if ended is not None:
                run.record(
                    run.at_work(day_start(change)) - MINUTE,
                    Entry(
                        UPDATE,
                        "change",
                        run.content_type(NominatedRepresentative),
                        rep_id,
                        f"{rep[1]} ({name})",
                        SYSTEM,
                        agency_id,
                        update({"ended_on": None}, {"ended_on": ended}),
                    ),
                )
    # The representatives' history is the agency's: order matters for representative_on().
    run.copy(TABLES[0], rows)
    run.copy(TABLES[1], representatives)
    return agencies


def _agency_name(run: Run, kind, taken: set[str], first: bool) -> str:
    if first:
        name = f"{words.COUNTY} County Council Children's Services"
    else:
        for _ in range(50):
            name = run.rng.choice(words.AGENCY_NAMES[kind.value]).format(town=run.rng.choice(words.TOWNS))
            if name not in taken:
                break
        else:
            name = f"{name} ({len(taken) + 1})"
    taken.add(name)
    return name


def _people(run: Run, agencies: list[AgencyInfo], total: int, founded: int, password: str):
    """Staff in proportion to agency size: mostly practitioners, a lead or more each, IG and admin staff
    in the larger agencies, and a few who work across the whole partnership."""
    rng = run.rng
    sizes = [KIND_WEIGHTS[AgencyKind(a.kind)][1] * (0.6 + 0.8 * rng.random()) for a in agencies]
    sizes[0] = max(sizes) * 1.5  # the county council is the largest
    wide = 4  # two partnership IG officers, a partnership administrator and the designated lead
    share = [s / sum(sizes) * (total - wide) for s in sizes]
    staff = [max(2, int(s)) for s in share]
    staff[0] += (total - wide) - sum(staff)  # the rounding goes to the council
    if staff[0] < 6:
        raise ValueError("Too few users for the agencies asked for.")
    people: list[Person] = []
    rows = []
    plan = []  # (agency id, role, partnership-wide, email or None)
    for agency, n in zip(agencies, staff, strict=True):
        # The council has every role the benchmark signs in as, and two leads to review each other.
        first = agency.id == 1
        leads = max(2 if first else 1, round(n * 0.09))
        ig = max(1, round(n * 0.03)) if n >= 12 or first else 0
        admins = 1 if n >= 15 or first else 0
        roles = [Role.LEAD] * leads + [Role.IG_OFFICER] * ig + [Role.ADMIN] * admins
        roles += [Role.PRACTITIONER] * (n - len(roles))
        plan += [(agency.id, role, False) for role in roles]
    plan += [(1, Role.IG_OFFICER, True), (1, Role.IG_OFFICER, True), (1, Role.ADMIN, True)]
    plan += [(1, Role.PARTNERSHIP_LEAD, False)]  # the top of the escalation ladder
    emails: dict[int, str] = {}  # place in the plan -> a well-known address
    for email, wanted in PERSONAS.items():
        emails[next(i for i, slot in enumerate(plan) if slot == wanted and i not in emails)] = email
    by_role: dict[str, dict[int, list[Person]]] = {role: {a.id: [] for a in agencies} for role in Role.values}
    wide_ig, admin = [], None
    for index, (agency_id, role, wide) in enumerate(plan):
        user_id = index + 1
        given, family = _name(run)
        email = emails.get(index) or f"{_email_part(given)}.{_email_part(family)}.{user_id}@{DOMAIN}"
        kind = agencies[agency_id - 1].kind
        title = {
            Role.PRACTITIONER: rng.choice(words.PRACTITIONER_TITLES[kind]),
            Role.LEAD: rng.choice(words.LEAD_TITLES),
            Role.IG_OFFICER: "Partnership data protection officer" if wide else rng.choice(words.IG_TITLES),
            Role.ADMIN: rng.choice(words.ADMIN_TITLES),
            Role.PARTNERSHIP_LEAD: "Partnership designated safeguarding lead",
        }[role]
        joined = founded + HOUR + index * 1000
        octet = user_id % 250 + 1
        address = f"10.{(agency_id >> 8) & 255}.{agency_id & 255}.{octet}"
        person = Person(
            user_id,
            email,
            f"{given} {family}",
            title,
            role.value,
            agency_id,
            wide,
            Actor(user_id, email, role.value, agency_id, address),
        )
        people.append(person)
        if wide and role == Role.IG_OFFICER:
            wide_ig.append(person)
        elif wide:
            admin = person
        else:
            by_role[role][agency_id].append(person)
        row = (
            user_id,
            password,
            None,
            False,
            email,
            person.full_name,
            title,
            role.value,
            wide,
            True,
            False,
            to_datetime(joined),
            agency_id,
            0,
            True,  # invited and approved before the period the data covers
        )
        rows.append(row)
        values = fields(USER_COLUMNS, row) | {"date_joined": logged_time(joined)}
        for secret in ("password", "last_login"):  # never in the trail (accounts.models)
            values.pop(secret)
        run.record(
            joined,
            Entry(
                CREATE,
                "change",
                run.content_type(User),
                user_id,
                person.full_name,
                SYSTEM,
                agency_id,
                creation(values),
            ),
        )
    run.copy(TABLES[2], rows)
    return people, by_role, wide_ig, admin


def _agreements(run: Run, agencies: list[AgencyInfo], staff, founded: int) -> Partnership:
    people, by_role, wide_ig, admin = staff
    partnership = Partnership(
        agencies=agencies,
        people=people,
        practitioners=by_role[Role.PRACTITIONER],
        leads=by_role[Role.LEAD],
        ig_officers=by_role[Role.IG_OFFICER],
        partnership_ig=wide_ig,
        admin=admin,
        agreements={},
        signatures={},
    )
    owners = {
        "la": 1,
        "nhs": next((a.id for a in agencies if a.kind == K.NHS_TRUST), 1),
        "police": next((a.id for a in agencies if a.kind == K.POLICE), 1),
    }
    today = run.day(run.now)
    agreements, versions, purposes, signatures = [], [], [], []
    ct = {
        model: run.content_type(model) for model in (Agreement, AgreementVersion, AgreementPurpose, Signature)
    }
    actor = admin.actor
    for index, (title, tier, owner_key, covers, parent, status, numbers, reach) in enumerate(AGREEMENTS):
        agreement_id = index + 1
        owner = owners[owner_key]
        offs = [_sign_off(run, when) for _, when in numbers]
        created = run.at_work((day_start(offs[0]) if offs[0] else run.now - 30 * DAY) - 20 * DAY)
        row = (
            agreement_id,
            title,
            tier,
            status,
            owner,
            parent + 1 if parent is not None else None,
            CONTENTS["article9_condition"],
            CONTENTS["breach_procedure"],
            CONTENTS["data_items"],
            CONTENTS["data_quality"],
            CONTENTS["dpia_reference"],
            CONTENTS["frequency"],
            CONTENTS["lawful_basis"],
            0 if status == "draft" else 1,
            CONTENTS["onward_disclosure"],
            CONTENTS["parties_and_roles"],
            "To let partners share information for: " + ", ".join(p.label.lower() for p in covers),
            CONTENTS["recipients"],
            CONTENTS["retention_and_disposal"],
            12,
            CONTENTS["rights_and_complaints"],
            CONTENTS["security"],
            CONTENTS["termination"],
            None,
        )
        agreements.append(row)
        values = fields(AGREEMENT_COLUMNS, row) | {"status": "draft", "lock_version": 0}
        run.record(
            created,
            Entry(
                CREATE,
                "change",
                ct[Agreement],
                agreement_id,
                title,
                actor,
                owner,
                creation(values),
                source=WEB,
            ),
        )
        for purpose in covers:
            purpose_id = len(purposes) + 1
            purposes.append((purpose_id, purpose.value, agreement_id))
            run.record(
                created + 1000,
                Entry(
                    CREATE,
                    "change",
                    ct[AgreementPurpose],
                    purpose_id,
                    purpose.label,
                    actor,
                    owner,
                    creation({"id": purpose_id, "purpose": purpose.value, "agreement": agreement_id}),
                    source=WEB,
                ),
            )
        version_ids = []
        for (number, _), signed_off in zip(numbers, offs, strict=True):
            version_id = len(versions) + 1
            written = run.at_work((day_start(signed_off) if signed_off else run.now - 20 * DAY) - 7 * DAY)
            version = (
                version_id,
                number,
                signed_off,
                signed_off + timedelta(days=365) if signed_off else None,
                agreement_id,
                "Partnership information governance group",
                to_datetime(written),
                "",
                f"Chair, {words.COUNTY} Safeguarding Partnership" if signed_off else "",
                "First version." if number in ("0.1", "1.0") else "Updated for changes in the law.",
                f"{title}\n\nVersion {number}.\n\n{CONTENTS['data_items']}",
            )
            versions.append(version)
            version_ids.append((version_id, signed_off))
            partnership.next_review[version_id] = version[3]
            values = fields(VERSION_COLUMNS, version) | {"created_at": logged_time(written)}
            run.record(
                written,
                Entry(
                    CREATE,
                    "change",
                    ct[AgreementVersion],
                    version_id,
                    f"{title} v{number}",
                    actor,
                    owner,
                    creation(values),
                    source=WEB,
                ),
            )
        if status != "draft":
            run.record(
                run.at_work(day_start(offs[0]) + DAY),
                Entry(
                    UPDATE,
                    "change",
                    ct[Agreement],
                    agreement_id,
                    title,
                    actor,
                    owner,
                    update({"status": "draft", "lock_version": 0}, {"status": status, "lock_version": 1}),
                    source=WEB,
                ),
            )
        partnership.agreements[agreement_id] = (tier, status, {p.value for p in covers}, version_ids)
        if status != "draft":
            _sign(
                run,
                partnership,
                agreement_id,
                title,
                owner,
                version_ids,
                [n for n, _ in numbers],
                reach,
                signatures,
                today,
            )
    run.copy(TABLES[3], agreements)
    run.copy(TABLES[4], versions)
    run.copy(TABLES[5], purposes)
    run.copy(TABLES[6], signatures)
    return partnership


def _sign_off(run: Run, when) -> date | None:
    if when is None:
        return None
    if when < 0:
        return run.day(run.now) + timedelta(days=when)
    return run.day(run.start + int(when * YEAR))


def _sign(run, partnership, agreement_id, title, owner, version_ids, numbers, reach, rows, today) -> None:
    """Agencies sign each version as it comes; signing a later one replaces the earlier signature."""
    rng = run.rng
    actor = partnership.admin.actor
    ct = run.content_type(Signature)
    live: dict[int, list] = {}  # agency id -> its live signature row
    labels: dict[int, str] = {}
    for (version_id, signed_off), number in zip(version_ids, numbers, strict=True):
        for agency in partnership.agencies:
            signed_before = agency.id in live
            chance = (0.85 if signed_before else 0.5 * reach) if number != numbers[0] else reach
            if agency.id != owner and rng.random() >= chance:
                continue
            signed_on = signed_off + timedelta(days=rng.randint(0, 120))
            if signed_on > today:
                continue
            recorded = run.before_now(run.at_work(day_start(signed_on) + rng.randrange(DAY)))
            rep = agency.representative_on(signed_on)
            signature_id = len(rows) + 1
            row = [
                signature_id,
                rep[1],
                "Nominated representative",
                signed_on,
                agency.group,
                "live",
                None,
                "",
                to_datetime(recorded),
                agency.id,
                agreement_id,
                actor.id,
                rep[0],
                version_id,
                "recorded",
                None,
                "",
                agency.name,
                rep[1],
                rep[4],
                None,
                "",
                "",
                None,
                "",
                "",
            ]
            labels[signature_id] = f"{agency.name} signed {title} v{number}"
            if signed_before:
                previous = live[agency.id]
                previous[5] = "replaced"
                run.record(
                    recorded - 1000,
                    Entry(
                        UPDATE,
                        "change",
                        ct,
                        previous[0],
                        labels[previous[0]],
                        actor,
                        agency.id,
                        update({"state": "live"}, {"state": "replaced"}),
                        source=WEB,
                    ),
                )
            rows.append(row)
            live[agency.id] = row
            values = fields(SIGNATURE_COLUMNS, row) | {"recorded_at": logged_time(recorded)}
            run.record(
                recorded,
                Entry(
                    CREATE,
                    "change",
                    ct,
                    signature_id,
                    labels[signature_id],
                    actor,
                    agency.id,
                    creation(values),
                    source=WEB,
                ),
            )
    for row in live.values():
        withdrawn = row[3] + timedelta(days=rng.randint(30, 400))
        if rng.random() >= 0.03 or withdrawn >= today:
            continue
        row[5], row[6] = "withdrawn", withdrawn
        row[7] = "Left the pathway this agreement covers; will sign again after restructuring."
        run.record(
            run.at_work(day_start(withdrawn)),
            Entry(
                UPDATE,
                "change",
                ct,
                row[0],
                labels[row[0]],
                actor,
                row[9],
                update(
                    {"state": "live", "withdrawn_on": None, "withdrawal_reason": ""},
                    {"state": "withdrawn", "withdrawn_on": withdrawn, "withdrawal_reason": row[7]},
                ),
                source=WEB,
            ),
        )
    for row in rows:
        if row[10] == agreement_id:
            partnership.signatures.setdefault((row[9], row[13]), []).append(
                (row[3], row[6] if row[5] == "withdrawn" else None)
            )


def _incidents(run: Run, partnership: Partnership) -> None:
    rng = run.rng
    today = run.day(run.now)
    rows = []
    count = max(4, round(len(partnership.agencies) * 1.5))
    kinds = [k.value for k in IncidentKind]
    effective = [a for a, (_, status, _, _) in partnership.agreements.items() if status in EFFECTIVE]
    ct = run.content_type(Incident)
    for incident_id in range(1, count + 1):
        agency = rng.choice(partnership.agencies)
        reported = run.between(run.start, run.now - DAY)
        reported_on = run.day(reported)
        kind = rng.choice(kinds)
        closed = (today - reported_on).days > 90
        outcome = (
            rng.choice(["upheld", "partly_upheld", "not_upheld", "withdrawn", "referred_to_ico"])
            if closed
            else ""
        )
        closed_on = reported_on + timedelta(days=rng.randint(10, 80)) if closed else None
        recorders = partnership.ig_officers[agency.id] or partnership.partnership_ig
        recorder = rng.choice(recorders)
        row = (
            incident_id,
            0,
            kind,
            rng.choice(words.REPORTERS),
            reported_on,
            reported_on - timedelta(days=rng.randint(0, 20)) if rng.random() < 0.8 else None,
            rng.choice(words.INCIDENT_SUMMARIES[kind]),
            "closed" if closed else rng.choice(["open", "investigating"]),
            outcome,
            closed_on,
            rng.choice(words.LESSONS) if closed and rng.random() < 0.6 else "",
            to_datetime(reported),
            agency.id,
            rng.choice(effective) if rng.random() < 0.6 else None,
            recorder.id,
            None,  # acknowledged_on: the complaints clock starts with incidents recorded in the product
            None,  # decision_id
            None,  # discovered_at
            None,  # reportable: not assessed
            None,  # reported_to_ico_at
        )
        rows.append(row)
        values = fields(INCIDENT_COLUMNS, row) | {"recorded_at": logged_time(reported)}
        label = f"INC-{reported_on:%Y}-{incident_id:05d}: {IncidentKind(kind).label}"
        run.record(
            reported,
            Entry(
                CREATE,
                "change",
                ct,
                incident_id,
                label,
                recorder.actor,
                agency.id,
                creation(values),
                source=WEB,
            ),
        )
    run.copy(TABLES[7], rows)
    partnership.incidents = count
