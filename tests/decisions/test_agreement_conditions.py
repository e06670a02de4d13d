"""Conditions the decision reads (issue 20, item 6): a share that relies on an agreement version is
checked against the version's conditions, on the page where each shows and again at submission,
and refused with a message naming the agreement, version and clause. Where the law itself allows the
share to protect a child, a condition gives way and the record says so."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from agreements.models import AgencyKind, AgreementCondition, ConditionKind
from agreements.services import condition_add
from decisions import services
from decisions.models import Decision, Status
from tests.agreements.factories import SignatureFactory, in_force_agreement
from tests.decisions.test_consent_that_counts import walk
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cover_found():
    """Overrides the package's stand-in: these tests ask the agreements part itself."""
    return None


@pytest.fixture
def school(db):
    return AgencyFactory(name="Oak Primary School", kind=AgencyKind.SCHOOL)


def _agreement(admin, parties, *, title, number, kind, clause, **params):
    _, version = in_force_agreement(owner=admin.agency, title=title, purposes=["safeguarding", "early_help"])
    version.number = number
    version.save()
    condition_add(
        condition=AgreementCondition(
            version=version, kind=kind, clause=clause, wording="As the document says it.", **params
        ),
        by=admin,
    )
    for agency in parties:
        SignatureFactory(version=version, agency=agency)
    return version


# Each kind of condition: the agreement that sets it, the answers that break it (page: answers), the
# page where it shows and the field named, and the message (agreement, version and clause).
WITHOUT_CONSENT_EARLY_HELP = {"grounds": {"grounds": ["early_help_proportionate"]}}
CASES = {
    ConditionKind.CONSENT_REQUIRED: dict(
        title="West Yorkshire Information Sharing Protocol",
        number="2.5",
        clause="section 3.2",
        params={"purposes": ["early_help"]},
        answers={"purpose": {"purpose": "early_help"}, **WITHOUT_CONSENT_EARLY_HELP},
        page="recipient",
        message="West Yorkshire Information Sharing Protocol (version 2.5, section 3.2) allows sharing for "
        "early help and prevention only with consent.",
    ),
    ConditionKind.ORIGINATOR_AGREEMENT: dict(
        title="Buckinghamshire Code of Practice",
        number="1.0",
        clause="section 3",
        params={},
        answers={
            **WITHOUT_CONSENT_EARLY_HELP,
            "openness": {
                "from_other_agency": "yes",
                "source_agency": "SCHOOL",
                "source_agency_agreed": "not_asked",
            },
        },
        page="openness",
        message="Buckinghamshire Code of Practice (version 1.0, section 3) allows information from another "
        "agency to be passed on only with that agency's agreement: Oak Primary School was not asked.",
    ),
    ConditionKind.DATA_CATEGORIES: dict(
        title="Derby and Derbyshire Information Sharing Agreement",
        number="2",
        clause="section 5.2",
        params={"information_categories": ["identity", "concerns"]},
        answers={
            **WITHOUT_CONSENT_EARLY_HELP,
            "purpose": {"information_categories": ["concerns", "health"]},
        },
        page="recipient",
        message="Derby and Derbyshire Information Sharing Agreement (version 2, section 5.2) allows sharing "
        "only these kinds of information: name, date of birth, address and contact details; safeguarding "
        "concerns and incidents. It does not allow physical or mental health.",
    ),
    ConditionKind.RECIPIENT_KINDS: dict(
        title="MASH Information Sharing Agreement",
        number="1.1",
        clause="clause 4.1",
        params={"recipient_kinds": ["local_authority", "police"]},
        answers=WITHOUT_CONSENT_EARLY_HELP,
        page="recipient",
        message="MASH Information Sharing Agreement (version 1.1, clause 4.1) allows sharing only with local "
        "authority children's services or police: Oak Primary School is recorded as “School or academy”.",
    ),
}


def _case(kind, admin, practitioner, recipient, school):
    case = CASES[kind]
    parties = [practitioner.agency, recipient, school]
    version = _agreement(
        admin,
        parties,
        title=case["title"],
        number=case["number"],
        kind=kind,
        clause=case["clause"],
        **case["params"],
    )
    answers = {
        step: {k: (school.pk if v == "SCHOOL" else v) for k, v in values.items()}
        for step, values in case["answers"].items()
    }
    # The recipient kinds condition is broken by sharing with the school, the others with the police.
    to = school if kind == ConditionKind.RECIPIENT_KINDS else recipient
    return case, version, answers, to


@pytest.mark.parametrize("kind", list(CASES))
def test_a_decision_breaking_the_condition_is_refused_on_its_page_naming_the_clause(
    client, admin, practitioner, recipient, school, child, kind
):
    case, _, answers, to = _case(kind, admin, practitioner, recipient, school)
    client.force_login(practitioner)
    page = case["page"]
    decision, url = walk(client, child, to, until=page, **{k: v for k, v in answers.items() if k != page})
    assert url.endswith(f"/{page}/")
    from tests.decisions.test_consent_that_counts import _pages

    data = _pages(to, {page: answers.get(page, {})})[page]
    response = client.post(url, data)  # a POST made by hand is the same POST: the server decides
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and escape(case["message"]) in html
    decision.refresh_from_db()
    if page == "recipient":
        assert decision.recipient_agency_id is None  # nothing of the refused page was saved
    else:
        assert decision.from_other_agency is None


@pytest.mark.parametrize("kind", list(CASES))
def test_a_draft_breaking_the_condition_by_a_route_around_its_page_is_refused_at_submission(
    client, admin, practitioner, recipient, school, child, kind
):
    """The answers are written as a hand-made request past the page's own check would write them
    (straight through the service): submission checks every condition again."""
    case, version, answers, _ = _case(kind, admin, practitioner, recipient, school)
    client.force_login(practitioner)
    decision, check = walk(client, child, recipient)  # lawful answers: submittable
    assert check == reverse("decisions:check", args=[decision.pk])
    assert decision.agreement_version == version
    for step, values in answers.items():
        written = {k: v for k, v in values.items() if k in _FIELDS.get(step, values)}
        if step == "openness":
            written = {
                "from_other_agency": True,
                "source_agency": school,
                "source_agency_agreed": "not_asked",
            }
        services.decision_answer(decision=decision, step=step, answers=written, by=practitioner)
    if kind == ConditionKind.RECIPIENT_KINDS:
        services.decision_answer(
            decision=decision, step="recipient", answers={"recipient_agency": school}, by=practitioner
        )
    response = client.post(check)
    assert response.status_code == 200
    assert escape(case["message"]) in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == Status.DRAFT and decision.reference is None


_FIELDS = {"purpose": {"purpose", "information_categories"}, "grounds": {"grounds"}}


def test_a_condition_does_not_block_what_the_law_allows_to_protect_a_child(
    client, admin, practitioner, recipient, school, child
):
    """West Yorkshire's early help consent condition gives way where a child is at risk of significant
    harm: the protocol's own section 3.3, and the statutory duties no agreement can take away."""
    version = _agreement(
        admin,
        [practitioner.agency, recipient],
        title="West Yorkshire Information Sharing Protocol",
        number="2.5",
        clause="section 3.2",
        kind=ConditionKind.CONSENT_REQUIRED,
        purposes=["early_help"],
    )
    client.force_login(practitioner)
    decision, check = walk(
        client,
        child,
        recipient,
        purpose={"purpose": "early_help"},
        grounds={"grounds": ["significant_harm_evidence"]},
    )
    assert client.post(check).status_code == 302
    decision = Decision.objects.get(pk=decision.pk)
    assert decision.reference and decision.agreement_version == version
    assert "The law allows this share whatever the agreement says" in decision.cover_note
    assert "West Yorkshire Information Sharing Protocol version 2.5, section 3.2" in decision.cover_note
    record = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "its condition gave way" in record


def test_a_condition_binds_only_the_purposes_it_names(client, admin, practitioner, recipient, school, child):
    _agreement(
        admin,
        [practitioner.agency, recipient],
        title="West Yorkshire Information Sharing Protocol",
        number="2.5",
        clause="section 3.2",
        kind=ConditionKind.CONSENT_REQUIRED,
        purposes=["early_help"],
    )
    client.force_login(practitioner)
    _, check = walk(client, child, recipient, grounds={"grounds": ["early_help_proportionate"]})
    assert client.post(check).status_code == 302  # safeguarding, not early help: the condition is silent
