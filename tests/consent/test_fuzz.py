"""Generated submissions to every form page: never a server error, never a partial write."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from consent.forms import ChildForm, CriteriaForm
from consent.journeys import ASSESSMENT, CONSENT
from consent.models import Child, ChildAgency, CompetenceAssessment, ConsentRecord
from journeys.models import Draft
from tests.consent.factories import make_assessment, make_consent
from tests.fuzz import fuzz_settings, posted_names

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZ = fuzz_settings(120)  # per form; the journeys get JOURNEY_EXAMPLES spread over their pages

JOURNEY_EXAMPLES = 300

# Values that are sometimes right: every choice the forms offer, and parts of dates near today.
CHOICES = [
    "yes",
    "no",
    "unsure",
    "competent",
    "not_competent",
    "given",
    "refused",
    "withdrawn",
    "child",
    "parent",
    "information_sharing",
    "sexual_health",
    "safeguarding",
    "early_help",
    "health",
    "identity",
    "phone",
    "in_person",
    "risk_to_child",
    "prejudice_crime",
]
DATE_PARTS = ["1", "12", "29", "31", "2", "13", "0", "2026", "2025", "2012", "1899", "99999"]
TEXT = st.text(max_size=40)
# What a draft can hold: text the forms accepted (they refuse NUL, as PostgreSQL's JSON does).
CLEAN_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(st.sampled_from(CHOICES + DATE_PARTS), TEXT, st.integers(-5, 10**6).map(str))


def field_names(form_class) -> list[str]:
    """The names a page posts: dates as their three parts, criteria pages their questions and notes."""
    names = []
    if issubclass(form_class, CriteriaForm):
        for criterion in form_class.page_criteria(form_class):
            names += [criterion.key, f"{criterion.key}_note"]
    return names + posted_names(form_class.base_fields)


def submissions(names: list[str]):
    return st.dictionaries(
        st.sampled_from(names), st.one_of(VALUE, st.lists(VALUE, max_size=3)), max_size=len(names)
    )


def step_submission(journey):
    return st.sampled_from(journey.steps).flatmap(
        lambda step: st.tuples(st.just(step), submissions([*field_names(step.form_class), "recipients"]))
    )


def _draft_state(user, child, journey):
    draft = Draft.objects.filter(user=user, child=child, journey=journey).first()
    return dict(draft.answers) if draft else {}


@pytest.mark.parametrize("journey", [CONSENT, ASSESSMENT], ids=lambda j: j.name)
def test_journey_pages_take_anything(client, practitioner, child, journey):
    make_assessment(child, practitioner)  # so the assessment choice has something to choose
    client.force_login(practitioner)
    # Answer the gateway questions so every page of the journey is reachable.
    if journey is CONSENT:
        gates = [({"sought": "yes"}, "sought"), ({"asked": "child"}, "who")]
    else:
        gates = [
            (
                {
                    "matter": "sexual_health",
                    "assessed_on_0": "1",
                    "assessed_on_1": "1",
                    "assessed_on_2": "2026",
                },
                "matter",
            )
        ]

    @fuzz_settings(JOURNEY_EXAMPLES)
    # Drafts persist between examples, so a gate answered now and then keeps every page reachable.
    @given(step_submission(journey), st.sampled_from([*gates, None, None, None]))
    def post(submission, gate):
        step, data = submission
        if gate:
            client.post(
                reverse(f"consent:{journey.name}_step", kwargs={"pk": child.pk, "step": gate[1]}), gate[0]
            )
        before = _draft_state(practitioner, child, journey.name)
        records = (ConsentRecord.objects.count(), CompetenceAssessment.objects.count())
        url = reverse(f"consent:{journey.name}_step", kwargs={"pk": child.pk, "step": step.name})
        response = client.post(url, data)
        assert response.status_code in (200, 302)
        after = _draft_state(practitioner, child, journey.name)
        if response.status_code == 200:
            assert after == before  # a refused page writes nothing
        else:
            assert {k: v for k, v in after.items() if k != step.name} == {
                k: v for k, v in before.items() if k != step.name
            }
        assert (ConsentRecord.objects.count(), CompetenceAssessment.objects.count()) == records

    post()


@FUZZ
@given(data=submissions(field_names(ChildForm)))
def test_adding_a_child_takes_anything(client, practitioner, data):
    client.force_login(practitioner)
    before = (Child.objects.count(), ChildAgency.objects.count())
    response = client.post(reverse("consent:child_create"), data)
    assert response.status_code in (200, 302)
    after = (Child.objects.count(), ChildAgency.objects.count())
    assert after == ((before[0] + 1, before[1] + 1) if response.status_code == 302 else before)


@FUZZ
@given(
    data=submissions(
        ["withdrawn_on_0", "withdrawn_on_1", "withdrawn_on_2", "how_obtained", "discussion_note"]
    )
)
def test_withdrawing_takes_anything(client, practitioner, child, data):
    client.force_login(practitioner)
    consent = make_consent(child, practitioner, on=datetime.date(2026, 1, 1))
    before = ConsentRecord.objects.count()
    response = client.post(reverse("consent:consent_withdraw", kwargs={"pk": consent.pk}), data)
    assert response.status_code in (200, 302)
    withdrawn = ConsentRecord.objects.filter(withdraws=consent).first()
    if response.status_code == 302:
        assert ConsentRecord.objects.count() == before + 1
        assert list(withdrawn.recipients.all()) == list(consent.recipients.all())
    else:
        assert withdrawn is None and ConsentRecord.objects.count() == before


DAY = st.dates(datetime.date(2000, 1, 1), datetime.date(2027, 12, 31)).map(datetime.date.isoformat)
CONSENT_ANSWERS = st.fixed_dictionaries(
    {
        "purpose": st.fixed_dictionaries(
            {
                "purpose": st.sampled_from(["safeguarding", "crime", "bogus"]),
                "matter": st.sampled_from(["information_sharing", "sexual_health"]),
            }
        ),
        "information": st.fixed_dictionaries(
            {
                "information_categories": st.lists(
                    st.sampled_from(["health", "identity", "nonsense"]), max_size=3
                )
            }
        ),
        "recipients": st.fixed_dictionaries({"recipients": st.lists(st.integers(-1, 5), max_size=3)}),
        "sought": st.fixed_dictionaries({"sought": st.sampled_from(["yes", "no"])}),
        "not-sought": st.fixed_dictionaries(
            {
                "not_sought_reason": st.sampled_from(["risk_to_child", "", "x"]),
                "not_sought_note": CLEAN_TEXT,
                "given_on": DAY,
            }
        ),
        "who": st.fixed_dictionaries({"asked": st.sampled_from(["child", "parent", ""])}),
        "answer": st.fixed_dictionaries(
            {
                "answer": st.sampled_from(["given", "refused", "withdrawn"]),
                "how_obtained": st.sampled_from(["phone", ""]),
                "given_on": DAY,
            }
        ),
        "parent": st.fixed_dictionaries({"parent_name": CLEAN_TEXT, "parent_relationship": CLEAN_TEXT}),
        "assessment": st.fixed_dictionaries({"assessment": st.one_of(st.none(), st.integers(-1, 1000))}),
        "valid-until": st.fixed_dictionaries({"valid_until": st.one_of(st.none(), DAY)}),
        "disagreement": st.fixed_dictionaries(
            {"disagreement": st.sampled_from(["yes", "no"]), "best_interests_reasoning": CLEAN_TEXT}
        ),
        "discussion": st.fixed_dictionaries({"discussion_note": CLEAN_TEXT}),
    }
)


@FUZZ
@given(answers=CONSENT_ANSWERS)
def test_check_answers_saves_all_or_nothing(client, practitioner, child, answers):
    """Whatever a draft holds (even if tampered with), saving writes a whole record or nothing."""
    assessment = make_assessment(child, practitioner)
    answers["assessment"]["assessment"] = answers["assessment"]["assessment"] or assessment.pk
    answers["recipients"]["recipients"] = [
        r if r != 0 else practitioner.agency_id for r in answers["recipients"]["recipients"]
    ]
    client.force_login(practitioner)
    Draft.objects.update_or_create(
        user=practitioner, child=child, journey="consent", defaults={"answers": answers}
    )
    before = ConsentRecord.objects.count()
    response = client.post(reverse("consent:consent_check", kwargs={"pk": child.pk}))
    assert response.status_code in (200, 302)
    if response.status_code == 302 and "recorded" in response["Location"]:
        record = ConsentRecord.objects.latest("id")
        assert ConsentRecord.objects.count() == before + 1
        assert record.recipients.exists()
        assert not Draft.objects.filter(user=practitioner, child=child).exists()
    else:
        assert ConsentRecord.objects.count() == before
