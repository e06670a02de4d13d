from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from accounts.models import Role, User
from agreements.models import Agency
from audit.models import AuditEntry

DEMO_USERS = {
    "practitioner@demo.test": Role.PRACTITIONER,
    "lead@demo.test": Role.LEAD,
    "ig@demo.test": Role.IG_OFFICER,
    "admin@demo.test": Role.ADMIN,
    "practitioner2@demo.test": Role.PRACTITIONER,
    "partnership-ig@demo.test": Role.IG_OFFICER,
    "partnership-lead@demo.test": Role.PARTNERSHIP_LEAD,
    "school-lead@demo.test": Role.LEAD,
    "partnership-admin@demo.test": Role.ADMIN,
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for the tests that only read what it built, in a transaction rolled
    back after the module's last test (each test runs inside it, in a savepoint of its own). The
    tests before the first that asks for it see an empty database."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_builds_the_partnership_once_and_prints_the_sign_in_list(capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a demo password for tests")
    call_command("seed_demo", "--force")
    first = {model: model.objects.count() for model in (User, Agency, AuditEntry)}
    output = capsys.readouterr().out
    call_command("seed_demo", "--force")

    assert {model: model.objects.count() for model in (User, Agency)} == {
        User: first[User],
        Agency: first[Agency],
    }
    for email, role in DEMO_USERS.items():
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.check_password("a demo password for tests")
        assert email in output
    assert "a demo password for tests" in output
    assert User.objects.get(email="partnership-ig@demo.test").partnership_wide
    assert User.objects.get(email="partnership-admin@demo.test").partnership_wide
    la = User.objects.get(email="practitioner@demo.test").agency
    assert User.objects.get(email="practitioner2@demo.test").agency != la
    assert {u.agency for u in User.objects.filter(email__in=list(DEMO_USERS)[:4])} == {la}
    assert Agency.objects.values("kind").distinct().count() >= 4


@pytest.mark.django_db
def test_seed_demo_writes_are_attributed_to_the_command_in_the_audit_trail(seeded):
    entries = AuditEntry.objects.all()
    assert entries.exists()
    assert set(entries.values_list("source", flat=True)) == {"command:seed_demo"}
    # The partnership is built by the command; children's records are written as the demo
    # practitioner of each agency, as a real practitioner would write them.
    child_level = {
        "child",
        "childagency",
        "competenceassessment",
        "consentrecord",
        "decision",
        "decisionaddendum",
        "decisionreview",
        "referencecounter",
    }
    partnership = entries.exclude(content_type__model__in=child_level)
    assert set(partnership.values_list("actor_email", flat=True)) == {"system (seed_demo)"}
    children = entries.filter(content_type__model__in=child_level)
    assert set(children.values_list("actor_email", flat=True)) == {
        "practitioner@demo.test",
        "practitioner2@demo.test",
        "lead@demo.test",  # reviews and countersignatures of decisions
        "partnership-lead@demo.test",  # resolves the council's only lead's escalation
    }


@pytest.mark.django_db
def test_seed_demo_holds_what_the_rules_of_issue_12_turn_on(seeded):
    """An agency of each kind and of each public/non-public standing, a competent child who refused,
    an originator who refused onward disclosure, an agency with one lead, and the partnership's
    designated lead."""
    from agreements.models import AgencyKind
    from consent.models import ConsentRecord
    from consent.position import consent_position
    from decisions.models import Decision

    agencies = list(Agency.objects.all())
    assert {agency.kind for agency in agencies} == set(AgencyKind.values)
    assert {agency.is_public_authority for agency in agencies} >= {True, False}
    others = {agency.is_public_authority for agency in agencies if agency.kind == AgencyKind.OTHER}
    assert others == {True, False}  # "other" holds probation, fire, a college, and a housing association

    refusal = ConsentRecord.objects.get(answer="refused", asked="child", assessment__outcome="competent")
    later = ConsentRecord.objects.get(child=refusal.child, answer="given", asked="parent")
    assert later.given_on > refusal.given_on
    summary = consent_position(child=refusal.child, on=later.given_on)
    assert summary.competent_child_refused

    originator = Decision.objects.get(onward_disclosure="refused")
    passed_on = Decision.objects.get(originator_refused=True, source_agency=originator.agency)
    assert passed_on.onward_override_reason and passed_on.is_complete and passed_on.countersigned_by

    leads = Counter(User.objects.filter(role=Role.LEAD, is_active=True).values_list("agency", flat=True))
    assert 1 in leads.values()
    assert User.objects.filter(role=Role.PARTNERSHIP_LEAD, is_active=True).exists()


@pytest.mark.django_db
def test_seed_demo_agreements_in_force_hold_the_ico_checklist(seeded):
    """Issue 20: every agreement in force (or under review) holds every item of the ICO checklist."""
    from django.utils import timezone

    from agreements import checklist
    from agreements.models import Agreement

    effective = Agreement.objects.effective()
    assert effective.exists()
    today = timezone.localdate()
    assert {agreement.title: checklist.missing(agreement, today) for agreement in effective} == {
        agreement.title: [] for agreement in effective
    }


@pytest.mark.django_db
def test_seed_demo_agreements_carry_the_reference_documents_conditions(seeded):
    """Issue 20, item 6: West Yorkshire 2.5's early help only with consent, Buckinghamshire's and Derby and
    Derbyshire's originator's agreement for onward disclosure, each with its clause, on a version in
    force; and the draft notifications agreement's recipients and kinds of information."""
    from django.utils import timezone

    from agreements.models import AgreementCondition
    from agreements.selectors import version_in_force
    from devdata.demo.agreements import EARLY_HELP, MASH, PROTOCOL

    call_command("seed_demo", "--force", verbosity=0)  # again: idempotent, the conditions added once
    found = {
        (c.version.agreement.title, c.kind, c.clause): c
        for c in AgreementCondition.objects.select_related("version__agreement")
    }
    assert len(found) == AgreementCondition.objects.count() == 5
    early_help = found[(EARLY_HELP, "consent_required", "West Yorkshire procedures 2.5, section 3.2")]
    assert early_help.purposes == ["early_help"] and "must always be done with consent" in early_help.wording
    bucks = found[(PROTOCOL, "originator_agreement", "Buckinghamshire Code of Practice, section 3")]
    assert "obtain the consent of the original information owner" in bucks.wording
    derby = found[(MASH, "originator_agreement", "Derby and Derbyshire ISA, section 5, clause 7")]
    assert "without the agreement of the agency that provided the information" in derby.wording
    for condition in (early_help, bucks, derby):  # on the version each agreement has in force
        assert condition.version == version_in_force(
            condition.version.agreement, timezone.localdate()
        )
    assert {c.kind for c in found.values()} == {
        "consent_required",
        "originator_agreement",
        "data_categories",
        "recipient_kinds",
    }
