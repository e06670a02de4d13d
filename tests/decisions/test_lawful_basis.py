"""The lawful basis is worked out from facts the product holds, offered only where lawful, and every
other combination refused on the server: driven through the decision journey's pages (issue 12, item 1).
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from agreements.models import AgencyKind
from decisions.models import Decision
from tests.decisions.factories import draft_decision
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

HEALTH = {"information_categories": ["health", "concerns"]}


def _author(name: str, kind: str, **facts) -> object:
    return UserFactory(agency=AgencyFactory(name=name, kind=kind, **facts), role=Role.PRACTITIONER)


def _page(client, decision, step="lawful_basis"):
    return client.get(reverse("decisions:step", args=[decision.pk, step]))


def _post(client, decision, data, step="lawful_basis"):
    return client.post(reverse("decisions:step", args=[decision.pk, step]), data)


def _offered(response, field):
    return [value for value, _ in response.context["form"].fields[field].choices]


def _before(decision):
    return Decision.objects.filter(pk=decision.pk).values().get()


def test_probation_recorded_as_a_public_authority_is_not_offered_nor_allowed_legitimate_interests(
    client, recipient
):
    author = _author("Northshire Probation", AgencyKind.OTHER, public_authority=True)
    decision = draft_decision(author, recipient)
    client.force_login(author)
    response = _page(client, decision)
    assert "recognised_legitimate_interest" not in _offered(response, "article6_basis")
    assert "legitimate_interests" not in _offered(response, "article6_basis")
    assert response.context["form"].initial["article6_basis"] == "public_task"
    assert "Northshire Probation is a public authority" in response.content.decode()

    before = _before(decision)
    response = _post(
        client, decision, {"article6_basis": "recognised_legitimate_interest", "article9_condition": "none"}
    )
    assert response.status_code == 200
    assert "Northshire Probation is a public authority: it cannot rely on legitimate interests" in (
        response.content.decode()
    )
    assert _before(decision) == before


def test_an_other_agency_whose_public_status_is_not_recorded_is_not_offered_legitimate_interests(
    client, recipient
):
    author = _author("Unrecorded Service", AgencyKind.OTHER)
    decision = draft_decision(author, recipient)
    client.force_login(author)
    assert "recognised_legitimate_interest" not in _offered(_page(client, decision), "article6_basis")
    response = _post(
        client, decision, {"article6_basis": "legitimate_interests", "article9_condition": "none"}
    )
    assert "is not recorded" in response.content.decode()


def test_a_charity_is_offered_recognised_legitimate_interest_and_not_public_task(client, recipient):
    author = _author("Family Support", AgencyKind.VOLUNTARY)
    decision = draft_decision(
        author, recipient, lawful_basis={"article6_basis": "", "article9_condition": ""}
    )
    client.force_login(author)
    response = _page(client, decision)
    assert "public_task" not in _offered(response, "article6_basis")
    assert response.context["form"].initial["article6_basis"] == "recognised_legitimate_interest"
    response = _post(client, decision, {"article6_basis": "public_task", "article9_condition": "none"})
    assert "Family Support is not a public authority" in response.content.decode()


def test_schedule_1_paragraph_18_is_neither_offered_nor_accepted_with_consent(
    client, practitioner, recipient, consent_found
):
    consent_found.status = "given"
    decision = draft_decision(
        practitioner, recipient, purpose=HEALTH, lawful_basis={"article9_condition": "9_2_a"}
    )
    client.force_login(practitioner)
    response = _page(client, decision)
    assert "9_2_g_sch1_18" not in _offered(response, "article9_condition")
    before = _before(decision)
    response = _post(client, decision, {"article6_basis": "consent", "article9_condition": "9_2_g_sch1_18"})
    assert response.status_code == 200
    assert "Schedule 1 paragraph 18 is only for sharing without consent" in response.content.decode()
    assert _before(decision) == before


def test_article_9_2_h_is_only_for_health_and_social_care_agencies(client, recipient):
    teacher = _author("Riverside Primary", AgencyKind.SCHOOL)
    decision = draft_decision(teacher, recipient, purpose=HEALTH)
    client.force_login(teacher)
    assert "9_2_h" not in _offered(_page(client, decision), "article9_condition")
    response = _post(client, decision, {"article6_basis": "public_task", "article9_condition": "9_2_h"})
    assert "Article 9(2)(h) is for health and social care professionals" in response.content.decode()

    nurse = _author("Community Health NHS Trust", AgencyKind.NHS_TRUST)
    decision = draft_decision(nurse, recipient, purpose=HEALTH)
    client.force_login(nurse)
    assert "9_2_h" in _offered(_page(client, decision), "article9_condition")
    response = _post(client, decision, {"article6_basis": "public_task", "article9_condition": "9_2_h"})
    assert response.status_code == 302


def test_health_or_sexual_health_information_needs_an_article_9_condition(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient, purpose={"information_categories": ["sexual_health"]})
    client.force_login(practitioner)
    response = _page(client, decision)
    assert "none" not in _offered(response, "article9_condition")
    assert response.context["form"].initial["article9_condition"] == "9_2_g_sch1_18"
    assert "sexual health" in response.context["form"].suggestion.reason
    response = _post(client, decision, {"article6_basis": "public_task", "article9_condition": "none"})
    assert "which is special category information" in response.content.decode()


def test_part_3_is_not_an_article_9_condition_and_needs_a_schedule_8_condition(client, recipient):
    officer = _author("Northshire Police", AgencyKind.POLICE)
    decision = draft_decision(officer, recipient, purpose=HEALTH)
    client.force_login(officer)
    # Not sharing for law enforcement: UK GDPR, and Part 3 is no Article 9 condition.
    assert "dpa_part3" not in _offered(_page(client, decision), "article9_condition")
    response = _post(client, decision, {"article6_basis": "public_task", "article9_condition": "dpa_part3"})
    assert "Part 3 is not an Article 9 condition" in response.content.decode()

    # Sharing for law enforcement: Part 3, a Schedule 8 condition and no Article 6 or 9.
    assert _post(client, decision, {"law_enforcement": "yes"}, step="law_enforcement").status_code == 302
    response = _page(client, decision)
    form = response.context["form"]
    assert set(form.fields) == {"schedule8_condition"}
    assert "none" not in _offered(response, "schedule8_condition")
    assert form.initial["schedule8_condition"] == "sch8_4"
    response = _post(client, decision, {"schedule8_condition": "none"})
    assert "select a Schedule 8 condition" in response.content.decode()
    response = _post(client, decision, {"schedule8_condition": "sch8_4", "article6_basis": "public_task"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.schedule8_condition, decision.article6_basis, decision.article9_condition) == (
        "sch8_4",
        "",
        "",
    )
    response = client.post(reverse("decisions:check", args=[decision.pk]))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.reference


def test_part_3_is_refused_to_an_agency_that_is_not_a_competent_authority(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    response = _post(client, decision, {"law_enforcement": "yes"}, step="law_enforcement")
    assert response.status_code == 302  # a page that does not apply: on to check your answers
    decision.refresh_from_db()
    assert decision.law_enforcement is None


def test_probation_recorded_as_a_competent_authority_is_asked_about_law_enforcement(client, recipient):
    author = _author(
        "Probation Delivery Unit", AgencyKind.OTHER, public_authority=True, competent_authority=True
    )
    decision = draft_decision(author, recipient, law_enforcement={"law_enforcement": False})
    client.force_login(author)
    assert _page(client, decision, "law_enforcement").status_code == 200


def test_check_your_answers_refuses_an_unlawful_basis_stored_before_the_facts_changed(
    client, practitioner, recipient
):
    decision = draft_decision(practitioner, recipient)
    practitioner.agency.public_authority = False  # an administrator corrects the agency's facts
    practitioner.agency.save()
    client.force_login(practitioner)
    response = client.post(reverse("decisions:check", args=[decision.pk]))
    assert response.status_code == 200
    assert "is not a public authority" in response.content.decode()
    decision.refresh_from_db()
    assert decision.is_draft
