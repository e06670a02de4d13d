"""The competence assessment and consent journeys through their pages: one question a page, drafts
kept on the server, check your answers, confirmation."""

import time

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY
from audit.models import AuditEntry
from consent.models import CompetenceAssessment, ConsentRecord
from journeys.models import Draft
from tests.consent.factories import make_assessment
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db


def step_url(journey, child, step):
    return reverse(f"consent:{journey}_step", kwargs={"pk": child.pk, "step": step})


def check_url(journey, child):
    return reverse(f"consent:{journey}_check", kwargs={"pk": child.pk})


def date_data(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def answer(client, journey, child, step, data, *, expect_next=None):
    response = client.post(step_url(journey, child, step), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    if expect_next:
        expected = (
            check_url(journey, child) if expect_next == "check" else step_url(journey, child, expect_next)
        )
        assert response["Location"] == expected
    return response


@pytest.fixture
def health():
    return AgencyFactory(name="Northshire NHS Trust")


def scope(client, child, health):
    answer(
        client,
        "consent",
        child,
        "purpose",
        {"purpose": "child_in_need", "matter": "information_sharing"},
        expect_next="information",
    )
    answer(
        client,
        "consent",
        child,
        "information",
        {"information_categories": ["health", "education"]},
        expect_next="recipients",
    )
    answer(client, "consent", child, "recipients", {"recipients": [health.pk]}, expect_next="sought")


def test_a_parents_consent_walks_every_page_to_check_answers_and_confirmation(
    client, practitioner, child, health
):
    client.force_login(practitioner)
    assert client.get(reverse("consent:consent_start", kwargs={"pk": child.pk}))["Location"] == step_url(
        "consent", child, "purpose"
    )
    scope(client, child, health)
    answer(client, "consent", child, "sought", {"sought": "yes"}, expect_next="who")
    answer(client, "consent", child, "who", {"asked": "parent"}, expect_next="answer")
    answer(
        client,
        "consent",
        child,
        "answer",
        {"answer": "given", "how_obtained": "in_person", **date_data("given_on", days_ago(1))},
        expect_next="parent",
    )
    answer(
        client,
        "consent",
        child,
        "parent",
        {"parent_name": "Kelly Okoye", "parent_relationship": "Mother"},
        expect_next="valid-until",
    )
    answer(
        client,
        "consent",
        child,
        "valid-until",
        date_data("valid_until", days_ago(-100)),
        expect_next="disagreement",
    )
    answer(client, "consent", child, "disagreement", {"disagreement": "no"}, expect_next="discussion")
    answer(
        client, "consent", child, "discussion", {"discussion_note": "Happy to share."}, expect_next="check"
    )

    page = client.get(check_url("consent", child))
    rows = {row.label: row.value for section in page.context["sections"] for row in section.rows}
    assert rows["Which agencies would receive the information?"] == "Northshire NHS Trust"
    assert rows["Name of the person you asked"] == "Kelly Okoye"
    assert not ConsentRecord.objects.exists()

    response = client.post(check_url("consent", child))
    record = ConsentRecord.objects.get()
    assert response["Location"] == reverse("consent:consent_confirmation", kwargs={"pk": record.pk})
    assert (record.answer, record.asked, record.parent_name, record.given_on) == (
        "given",
        "parent",
        "Kelly Okoye",
        days_ago(1),
    )
    assert record.valid_until == days_ago(-100)
    assert list(record.recipients.all()) == [health]
    assert record.information_categories == ["health", "education"]
    assert not Draft.objects.exists()
    created = AuditEntry.objects.get(content_type__model="consentrecord", action=AuditEntry.Action.CREATE)
    assert (created.actor, created.agency_id) == (practitioner, practitioner.agency_id)
    assert "Consent record saved" in client.get(response["Location"]).content.decode()


def test_not_sought_skips_to_the_reason_and_records_it(client, practitioner, child, health):
    client.force_login(practitioner)
    scope(client, child, health)
    answer(client, "consent", child, "sought", {"sought": "no"}, expect_next="not-sought")
    answer(
        client,
        "consent",
        child,
        "not-sought",
        {
            "not_sought_reason": "prejudice_crime",
            "not_sought_note": "Police enquiry.",
            **date_data("given_on", days_ago(0)),
        },
        expect_next="check",
    )
    client.post(check_url("consent", child))
    record = ConsentRecord.objects.get()
    assert (record.answer, record.not_sought_reason, record.asked) == ("not_sought", "prejudice_crime", "")


def test_a_childs_consent_offers_only_recent_competent_assessments_for_the_matter(
    client, practitioner, child, health, outsider
):
    good = make_assessment(child, practitioner, on=days_ago(3))
    make_assessment(child, practitioner, on=days_ago(200))
    make_assessment(child, practitioner, matter="sexual_health")
    make_assessment(child, outsider)  # another agency's
    client.force_login(practitioner)
    scope(client, child, health)
    answer(client, "consent", child, "sought", {"sought": "yes"})
    answer(client, "consent", child, "who", {"asked": "child"})
    answer(
        client,
        "consent",
        child,
        "answer",
        {"answer": "refused", "how_obtained": "phone", **date_data("given_on", days_ago(0))},
        expect_next="assessment",
    )
    page = client.get(step_url("consent", child, "assessment"))
    assert list(page.context["form"].fields["assessment"].queryset) == [good]
    answer(client, "consent", child, "assessment", {"assessment": good.pk}, expect_next="disagreement")
    answer(
        client,
        "consent",
        child,
        "disagreement",
        {"disagreement": "yes", "best_interests_reasoning": "Safety."},
    )
    answer(client, "consent", child, "discussion", {"discussion_note": "Said no."}, expect_next="check")
    client.post(check_url("consent", child))
    record = ConsentRecord.objects.get()
    assert (record.asked, record.assessment, record.answer, record.disagreement) == (
        "child",
        good,
        "refused",
        True,
    )


def test_a_changed_answer_switches_later_pages_and_their_answers_off(client, practitioner, child, health):
    client.force_login(practitioner)
    scope(client, child, health)
    answer(client, "consent", child, "sought", {"sought": "yes"})
    answer(client, "consent", child, "who", {"asked": "parent"})
    # Changed: not sought after all. The parent's page no longer applies.
    answer(client, "consent", child, "sought", {"sought": "no"}, expect_next="not-sought")
    assert client.get(step_url("consent", child, "parent"))["Location"] == step_url(
        "consent", child, "not-sought"
    )


def test_a_validation_error_keeps_every_answer_on_the_page(client, practitioner, child):
    client.force_login(practitioner)
    response = client.post(step_url("consent", child, "not-sought"), {})  # inactive until "sought" answered
    assert response.status_code == 302
    response = client.post(step_url("consent", child, "purpose"), {"purpose": "early_help"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select what the consent is about" in body
    assert 'value="early_help"\n    \n      checked' in body or 'value="early_help"' in body
    assert response.context["form"]["purpose"].value() == "early_help"
    assert response.context["form"].errors.keys() == {"matter"}
    assert not Draft.objects.exists()


def test_answers_survive_signing_out_and_the_child_page_offers_to_continue(
    client, practitioner, child, health
):
    client.force_login(practitioner)
    scope(client, child, health)
    client.post(reverse("accounts:logout"))
    client.force_login(practitioner)
    page = client.get(reverse("consent:child_detail", kwargs={"pk": child.pk}))
    assert page.context["drafts"][0][2] == reverse("consent:consent_start", kwargs={"pk": child.pk})
    resumed = client.get(reverse("consent:consent_start", kwargs={"pk": child.pk}))
    assert resumed["Location"] == step_url("consent", child, "sought")
    shown = client.get(step_url("consent", child, "recipients")).context["form"]
    assert shown["recipients"].value() == [health.pk]


def test_answers_survive_an_idle_time_out(client, practitioner, child, health, settings):
    client.force_login(practitioner)
    scope(client, child, health)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    timed_out = client.post(step_url("consent", child, "sought"), {"sought": "yes"})
    assert timed_out["Location"].startswith(reverse("accounts:signed_out"))
    client.force_login(practitioner)
    resumed = client.get(reverse("consent:consent_start", kwargs={"pk": child.pk}))
    assert resumed["Location"] == step_url("consent", child, "sought")
    assert set(Draft.objects.get().answers) == {"purpose", "information", "recipients"}


def test_drafts_are_their_authors_alone(client, practitioner, lead, child, health):
    client.force_login(practitioner)
    scope(client, child, health)
    client.force_login(lead)
    assert client.get(reverse("consent:consent_start", kwargs={"pk": child.pk}))["Location"] == step_url(
        "consent", child, "purpose"
    )


def test_check_answers_refuses_what_the_service_refuses_and_keeps_the_draft(
    client, practitioner, child, health, settings
):
    assessment = make_assessment(child, practitioner, on=days_ago(5))
    client.force_login(practitioner)
    scope(client, child, health)
    answer(client, "consent", child, "sought", {"sought": "yes"})
    answer(client, "consent", child, "who", {"asked": "child"})
    answer(
        client,
        "consent",
        child,
        "answer",
        {"answer": "given", "how_obtained": "phone", **date_data("given_on", days_ago(0))},
    )
    answer(client, "consent", child, "assessment", {"assessment": assessment.pk})
    answer(client, "consent", child, "valid-until", {})
    answer(client, "consent", child, "disagreement", {"disagreement": "no"})
    answer(client, "consent", child, "discussion", {"discussion_note": "Yes."})
    settings.CONSENT_COMPETENCE_VALID_DAYS = 2  # the assessment has aged out since it was chosen
    response = client.post(check_url("consent", child))
    assert response.status_code == 200
    assert response.context["problems"] == [
        (
            "Select an assessment made in the 2 days before consent was sought",
            step_url("consent", child, "assessment"),
        )
    ]
    assert response.content.decode().count("govuk-error-summary") >= 1
    assert not ConsentRecord.objects.exists()
    assert Draft.objects.exists()


def test_a_safe_next_address_is_kept_to_the_confirmation_and_an_unsafe_one_dropped(
    client, practitioner, child, health
):
    client.force_login(practitioner)
    back = "/decisions/42/"
    start = client.get(reverse("consent:consent_start", kwargs={"pk": child.pk}), {"next": back})
    assert start["Location"] == step_url("consent", child, "purpose") + "?next=%2Fdecisions%2F42%2F"
    client.post(start["Location"], {"purpose": "child_in_need", "matter": "information_sharing"})
    assert Draft.objects.get().next_url == back
    answer(client, "consent", child, "information", {"information_categories": ["health"]})
    answer(client, "consent", child, "recipients", {"recipients": [health.pk]})
    answer(client, "consent", child, "sought", {"sought": "no"})
    answer(
        client,
        "consent",
        child,
        "not-sought",
        {"not_sought_reason": "risk_to_child", "not_sought_note": "X", **date_data("given_on", days_ago(0))},
    )
    done = client.post(check_url("consent", child))
    record = ConsentRecord.objects.get()
    assert done["Location"].endswith("?next=%2Fdecisions%2F42%2F")
    page = client.get(done["Location"])
    assert page.context["next_url"] == f"/decisions/42/?consent={record.pk}"

    for evil in ("https://evil.example/", "//evil.example/x"):
        start = client.get(reverse("consent:consent_start", kwargs={"pk": child.pk}), {"next": evil})
        assert "evil" not in start["Location"]
        page = client.get(reverse("consent:consent_confirmation", kwargs={"pk": record.pk}), {"next": evil})
        assert page.context["next_url"] == ""


def test_discarding_deletes_the_draft(client, practitioner, child, health):
    client.force_login(practitioner)
    scope(client, child, health)
    client.post(reverse("consent:consent_discard", kwargs={"pk": child.pk}))
    assert not Draft.objects.exists()


# The competence assessment journey -------------------------------------------------------------------


def criteria(keys, value="yes"):
    return {key: value for key in keys}


UNDERSTANDING = ["understands_question", "understands_what", "understands_why", "understands_implications"]
REASONING = ["considers_alternatives", "weighs_up", "own_view", "consistent"]
FRASER = [
    "fraser_understands_advice",
    "fraser_parents",
    "fraser_likely_to_continue",
    "fraser_health_suffers",
    "fraser_best_interests",
]


def test_sexual_health_adds_the_fraser_page_and_records_the_assessment(client, practitioner, child):
    client.force_login(practitioner)
    answer(
        client,
        "assessment",
        child,
        "matter",
        {"matter": "sexual_health", **date_data("assessed_on", days_ago(0))},
        expect_next="understanding",
    )
    answer(
        client,
        "assessment",
        child,
        "understanding",
        {**criteria(UNDERSTANDING), "understands_why_note": "Clear."},
        expect_next="reasoning",
    )
    answer(client, "assessment", child, "reasoning", criteria(REASONING), expect_next="fraser")
    answer(client, "assessment", child, "fraser", criteria(FRASER), expect_next="outcome")
    answer(client, "assessment", child, "outcome", {"outcome": "competent"}, expect_next="check")
    response = client.post(check_url("assessment", child))
    assessment = CompetenceAssessment.objects.get()
    assert response["Location"] == reverse("consent:assessment_confirmation", kwargs={"pk": assessment.pk})
    assert assessment.answers["understands_why"] == {"answer": "yes", "note": "Clear."}
    assert set(assessment.answers) == set(UNDERSTANDING + REASONING + FRASER)
    assert assessment.age_at_assessment == child.age


def test_the_outcome_page_refuses_competent_with_a_criterion_unmet_and_asks_for_reasons(
    client, practitioner, child
):
    client.force_login(practitioner)
    answer(
        client,
        "assessment",
        child,
        "matter",
        {"matter": "information_sharing", **date_data("assessed_on", days_ago(0))},
    )
    answer(
        client, "assessment", child, "understanding", {**criteria(UNDERSTANDING), "understands_why": "unsure"}
    )
    answer(client, "assessment", child, "reasoning", criteria(REASONING), expect_next="outcome")
    response = client.post(step_url("assessment", child, "outcome"), {"outcome": "competent"})
    assert "while a criterion is not met" in response.content.decode()
    response = client.post(step_url("assessment", child, "outcome"), {"outcome": "not_competent"})
    assert "Explain why you judged a child of 12 or over not to be competent" in response.content.decode()
    answer(client, "assessment", child, "outcome", {"outcome": "not_competent", "reason": "Unsure why."})


def test_an_assessment_made_from_the_consent_journey_returns_to_it(client, practitioner, child, health):
    client.force_login(practitioner)
    here = step_url("consent", child, "assessment")
    start = client.get(reverse("consent:assessment_start", kwargs={"pk": child.pk}), {"next": here})
    client.post(start["Location"], {"matter": "information_sharing", **date_data("assessed_on", days_ago(0))})
    answer(client, "assessment", child, "understanding", criteria(UNDERSTANDING))
    answer(client, "assessment", child, "reasoning", criteria(REASONING))
    answer(client, "assessment", child, "outcome", {"outcome": "competent"})
    done = client.post(check_url("assessment", child))
    assessment = CompetenceAssessment.objects.get()
    page = client.get(done["Location"])
    assert page.context["next_url"] == f"{here}?assessment={assessment.pk}"
