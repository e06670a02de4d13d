from agreements.models import Agency, AgencyKind

AGENCIES = {
    "la": ("Northshire County Council Children's Services", AgencyKind.LOCAL_AUTHORITY),
    "police": ("Northshire Police", AgencyKind.POLICE),
    "health": ("Northshire Community Health NHS Trust", AgencyKind.NHS_TRUST),
    "school": ("Riverside Primary School", AgencyKind.SCHOOL),
    "nursery": ("Little Acorns Day Nursery", AgencyKind.EARLY_YEARS),
    "voluntary": ("Northshire Family Support", AgencyKind.VOLUNTARY),
}


def seed(demo) -> None:
    for key, (name, kind) in AGENCIES.items():
        agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
        demo.agencies[key] = agency
    demo.log(f"Agencies: {len(AGENCIES)}")
