from accounts.models import Role, User

# email -> (full name, job title, agency key, role, partnership-wide)
USERS = {
    "practitioner@demo.test": ("Priya Shah", "Social worker", "la", Role.PRACTITIONER, False),
    "lead@demo.test": ("Leon Adeyemi", "Designated safeguarding lead", "la", Role.LEAD, False),
    "ig@demo.test": ("Iris Green", "Information governance officer", "la", Role.IG_OFFICER, False),
    "admin@demo.test": ("Adam Mills", "Partnership administrator", "la", Role.ADMIN, False),
    "practitioner2@demo.test": ("Paul Okafor", "Class teacher", "school", Role.PRACTITIONER, False),
    "partnership-ig@demo.test": (
        "Grace Patel",
        "Partnership data protection officer",
        "la",
        Role.IG_OFFICER,
        True,
    ),
    # Adds agencies and manages every agency's signatures: an agency's own administrator cannot.
    "partnership-admin@demo.test": (
        "Pat Morgan",
        "Partnership business manager",
        "la",
        Role.ADMIN,
        True,
    ),
    # The top of the escalation ladder. The council is an agency with one lead (Leon): his
    # escalations, and his own decisions, fall through to her. So is the primary school (Sarah).
    "partnership-lead@demo.test": (
        "Helen Forde",
        "Partnership designated safeguarding lead",
        "la",
        Role.PARTNERSHIP_LEAD,
        False,
    ),
    "school-lead@demo.test": ("Sarah Quinn", "Designated safeguarding lead", "school", Role.LEAD, False),
}


def seed(demo) -> None:
    for email, (name, title, agency_key, role, wide) in USERS.items():
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "full_name": name,
                "job_title": title,
                "agency": demo.agencies[agency_key],
                "role": role,
                "partnership_wide": wide,
            },
        )
        if created or not user.check_password(demo.password):
            user.set_password(demo.password)
            user.save()
        demo.users[email] = user
