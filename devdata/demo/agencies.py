"""The demo partnership's agencies, their ICO registration and nominated representatives.

Runs first: every other seeder needs the agencies. Agreements, signatures and
incidents name who recorded them, so they are seeded after the users
(``devdata.demo.agreements``).
"""

import datetime

from django.utils import timezone

from agreements import services
from agreements.models import Agency, AgencyKind, NominatedRepresentative, PartnershipGroup

K = AgencyKind
CORE, VIRTUAL = PartnershipGroup.CORE, PartnershipGroup.VIRTUAL

# key -> (name, kind, group, ICO number, days until the registration expires (None: not recorded))
AGENCIES = {
    "la": ("Northshire County Council Children's Services", K.LOCAL_AUTHORITY, CORE, "Z5347709", 300),
    "police": ("Northshire Police", K.POLICE, CORE, "Z6612345", 200),
    "health": ("Northshire Community Health NHS Trust", K.NHS_TRUST, CORE, "ZA104512", 250),
    "school": ("Riverside Primary School", K.SCHOOL, VIRTUAL, "ZA337201", 150),
    "nursery": ("Little Acorns Day Nursery", K.EARLY_YEARS, VIRTUAL, "ZB120458", 45),
    "voluntary": ("Northshire Family Support", K.VOLUNTARY, VIRTUAL, "ZA889102", 320),
    "icb": ("Northshire Integrated Care Board", K.NHS_TRUST, CORE, "ZB004417", 330),
    "mental_health": ("Northshire Mental Health NHS Foundation Trust", K.NHS_TRUST, CORE, "Z9023381", 180),
    "gp_riverside": ("Riverside Medical Practice", K.GP_PRACTICE, VIRTUAL, "Z7781402", 270),
    "gp_hillcrest": ("Hillcrest Surgery", K.GP_PRACTICE, VIRTUAL, "Z8812006", 60),
    "valley_high": ("Valley High School", K.SCHOOL, VIRTUAL, "ZA554310", 210),
    "st_marys": ("St Mary's Church of England Primary School", K.SCHOOL, VIRTUAL, "ZA661209", 240),
    "college": ("Northshire College", K.OTHER, VIRTUAL, "Z5590211", 190),
    "sunbeams": ("Sunbeams Pre-School", K.EARLY_YEARS, VIRTUAL, "", None),
    "youth_justice": ("Northshire Youth Justice Service", K.LOCAL_AUTHORITY, CORE, "Z5347710", 300),
    "probation": ("Northshire Probation Delivery Unit", K.OTHER, CORE, "Z4410087", 160),
    "safe_haven": ("Safe Haven Domestic Abuse Service", K.VOLUNTARY, VIRTUAL, "ZA771045", 200),
    "young_carers": ("Northshire Young Carers", K.VOLUNTARY, VIRTUAL, "ZB310988", -60),
    "brighter_futures": ("Brighter Futures Family Support", K.COMMISSIONED, VIRTUAL, "ZB447210", 280),
    "housing": ("Northshire Housing Partnership", K.OTHER, VIRTUAL, "Z6120934", 230),
    "fire": ("Northshire Fire and Rescue Service", K.OTHER, VIRTUAL, "Z3309871", 140),
    "school_nursing": ("Northshire School Nursing Service", K.NHS_TRUST, VIRTUAL, "ZA902216", 260),
}
COMMISSIONED_BY = {"brighter_futures": "la"}
# Facts an administrator records where the kind does not settle them: (public authority, competent
# authority for law enforcement). "Other" holds public authorities (probation, fire and rescue, the FE
# college) and one that is not (the housing association); probation is also a competent authority.
AUTHORITY_FACTS = {
    "probation": (True, True),
    "fire": (True, None),
    "college": (True, None),
    "housing": (False, None),
    "youth_justice": (None, True),
}
# Agencies with no nominated representative yet (so they cannot sign).
NO_REPRESENTATIVE = {"brighter_futures", "fire"}
# The local authority's post has changed hands: the history keeps the first holder.
PREVIOUS_REPRESENTATIVES = {"la": ("Margaret Oduya", 800, 400)}  # name, from (days ago), to (days ago)


def _representative_name(key: str) -> str:
    first = ["Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Jamie", "Morgan", "Taylor", "Casey", "Jordan"]
    last = ["Hughes", "Begum", "Kowalski", "Evans", "Nwosu", "Campbell", "Ahmed", "Walsh", "Singh", "Reid"]
    n = sum(ord(c) for c in key)
    return f"{first[n % len(first)]} {last[(n // 3) % len(last)]}"


def seed(demo) -> None:
    today = timezone.localdate()
    for key, (name, kind, group, ico, expires_in) in AGENCIES.items():
        agency = Agency.objects.filter(name=name).first()
        if agency is None:
            agency = services.agency_create(
                agency=Agency(
                    name=name,
                    kind=kind,
                    group=group,
                    address=f"{name}\nNorthshire",
                    ico_registration_number=ico,
                    ico_registration_expires_on=(
                        today + datetime.timedelta(days=expires_in) if expires_in is not None else None
                    ),
                    commissioned_by=demo.agencies.get(COMMISSIONED_BY.get(key, "")),
                    public_authority=AUTHORITY_FACTS.get(key, (None, None))[0],
                    competent_authority=AUTHORITY_FACTS.get(key, (None, None))[1],
                ),
                by=None,
            )
        demo.agencies[key] = agency
        if key in NO_REPRESENTATIVE or NominatedRepresentative.objects.filter(agency=agency).exists():
            continue
        if key in PREVIOUS_REPRESENTATIVES:
            previous, since, until = PREVIOUS_REPRESENTATIVES[key]
            services.representative_appoint(
                agency=agency,
                name=previous,
                email=f"{previous.split()[0].lower()}.{previous.split()[1].lower()}@{key}.demo.test",
                started_on=today - datetime.timedelta(days=since),
                by=None,
            )
            started = today - datetime.timedelta(days=until)
        else:
            started = today - datetime.timedelta(days=700)
        person = _representative_name(key)
        services.representative_appoint(
            agency=agency,
            name=person,
            email=f"{person.replace(' ', '.').lower()}@{key.replace('_', '-')}.demo.test",
            phone="01632 960" + str(100 + len(key) * 7)[-3:],
            started_on=started,
            by=None,
        )
    demo.log(f"Agencies: {len(AGENCIES)}, with nominated representatives and ICO registration")
