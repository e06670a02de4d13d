"""The guided decision through its pages: drafts saved page by page, check your answers, submit."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event
from decisions.models import Decision, Status
from tests.decisions.factories import draft_decision, submitted_decision

pytestmark = pytest.mark.django_db


def _step(decision, step):
    return reverse("decisions:step", args=[decision.pk, step])


PAGES = {
    "request": {
        "request_method": "email",
        "requester_name": "Sam Lee",
        "requester_role": "DC",
        "requester_agency": "",
        "request_received_on_0": "20",
        "request_received_on_1": "11",
        "request_received_on_2": "2026",
        "identity_method": "secure_email",
        "identity_checked_against": "The partnership directory",
        "identity_outcome": "confirmed",
        "identity_check": "",
    },
    "purpose": {
        "purpose": "safeguarding",
        "purpose_detail": "Bruises",
        "information_categories": ["concerns"],
    },
    "questions": {"clear_purpose": "yes"},
    "identifies": {"identifies_person": "yes"},
    "confidential": {"confidential": "yes"},
    "consent": {},
    "other_reason": {"other_reasons": ["child_safety"]},
    "outcome": {"outcome": "share", "departure_reason": "", "override_reason": "Risk outweighs the refusal"},
    "grounds": {
        "grounds": ["significant_harm_evidence"],
        "harm_if_shared": "The family may be upset with us",
        "harm_if_not_shared": "The child may be hurt again",
    },
    "lawful_basis": {"article6_basis": "public_task", "article9_condition": "9_2_g_sch1_18"},
    "advice": {"advice_sought": "no"},
    "recipient": {
        "information_shared": "Injury dates",
        "recipient_agency": "RECIPIENT",
        "recipient_name": "Sam Lee",
        "recipient_role": "DC",
        "share_method": "secure_email",
        "shared_on_0": "21",
        "shared_on_1": "11",
        "shared_on_2": "2026",
        "confirmed_in_writing": "yes",
    },
    "agreement": {"no_agreement_acknowledged": "on", "no_agreement_reason": "Urgent"},
    "openness": {"family_told": "yes", "from_other_agency": "no", "protected_identities": ""},
}


def test_a_practitioner_walks_the_whole_journey_and_submits(
    client, practitioner, child, recipient, consent_found
):
    consent_found.status = "refused"
    client.force_login(practitioner)
    response = client.get(reverse("decisions:new"))
    assert response.status_code == 200
    token = response.context["form"].initial["token"]
    response = client.post(reverse("decisions:new"), {"child": child.pk, "token": token})
    decision = Decision.objects.get()
    assert response["Location"] == _step(decision, "request")
    visited = []
    url = response["Location"]
    while "/answers/" in url:
        step = url.rstrip("/").split("/")[-1]
        visited.append(step)
        assert client.get(url).status_code == 200, step
        data = {k: (recipient.pk if v == "RECIPIENT" else v) for k, v in PAGES[step].items()}
        response = client.post(url, data)
        assert response.status_code == 302, (step, response.context and response.context["form"].errors)
        url = response["Location"]
    assert visited == [
        "request",
        "purpose",
        "questions",
        "identifies",
        "confidential",
        "consent",
        "other_reason",
        "outcome",
        "grounds",
        "lawful_basis",
        "advice",
        "recipient",
        "agreement",
        "openness",
    ]
    assert url == reverse("decisions:check", args=[decision.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["problems"] == []
    assert b"Change" in response.content
    response = client.post(url)
    decision.refresh_from_db()
    assert response["Location"] == reverse("decisions:detail", args=[decision.pk])
    assert decision.status == Status.AWAITING_REVIEW
    assert decision.overrides_refusal and not decision.is_complete
    assert decision.request_received_on.isoformat() == "2026-11-20"


def test_each_page_saves_a_draft_as_it_goes(client, practitioner, child):
    client.force_login(practitioner)
    client.post(
        reverse("decisions:new"), {"child": child.pk, "token": "8a4f1a52-8f43-4c43-9a39-3e2b0f6a9d11"}
    )
    decision = Decision.objects.get()
    client.post(_step(decision, "request"), {**PAGES["request"], "requester_agency": ""})
    client.logout()  # a time-out, a closed tab
    decision.refresh_from_db()
    assert decision.requester_name == "Sam Lee" and decision.is_draft
    client.force_login(practitioner)
    response = client.get(_step(decision, "request"))
    assert response.context["form"].initial["requester_name"] == "Sam Lee"


def test_a_page_shown_again_keeps_every_answer_and_names_the_problem(client, practitioner, child):
    client.force_login(practitioner)
    client.post(
        reverse("decisions:new"), {"child": child.pk, "token": "8a4f1a52-8f43-4c43-9a39-3e2b0f6a9d12"}
    )
    decision = Decision.objects.get()
    response = client.post(_step(decision, "request"), {**PAGES["request"], "identity_method": ""})
    assert response.status_code == 200
    assert "Select how you checked who they are and that they are entitled" in response.content.decode()
    assert 'value="Sam Lee"' in response.content.decode()
    decision.refresh_from_db()
    assert decision.requester_name == ""  # nothing half-saved


def test_the_outcome_page_refuses_do_not_share_for_a_mandatory_referral(client, practitioner, recipient):
    sexual_activity = {"information_categories": ["sexual_activity"], "events_on": date(2026, 1, 5)}
    decision = draft_decision(practitioner, recipient, purpose=sexual_activity)
    client.force_login(practitioner)
    response = client.post(_step(decision, "outcome"), {"outcome": "do_not_share", "departure_reason": "x"})
    assert response.status_code == 200
    assert "cannot be &#x27;do not share&#x27;" in response.content.decode()
    decision.refresh_from_db()
    assert decision.outcome == "share"


def test_a_public_authority_is_not_offered_recognised_legitimate_interest_nor_part_3(
    client, practitioner, recipient
):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    page = client.get(_step(decision, "lawful_basis")).content.decode()
    assert "recognised_legitimate_interest" not in page
    assert "dpa_part3" not in page
    response = client.post(
        _step(decision, "lawful_basis"),
        {"article6_basis": "recognised_legitimate_interest", "article9_condition": "dpa_part3"},
    )
    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.article6_basis == "public_task"


def test_check_your_answers_links_each_problem_to_its_page(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient, advice={"advice_sought": None})
    client.force_login(practitioner)
    response = client.post(reverse("decisions:check", args=[decision.pk]))
    assert response.status_code == 200
    assert _step(decision, "advice") in response.content.decode()
    decision.refresh_from_db()
    assert decision.is_draft and decision.reference is None


# No path changes a submitted decision ---------------------------------------------------------


def _snapshot(decision):
    decision.refresh_from_db()
    return {f.attname: getattr(decision, f.attname) for f in decision._meta.concrete_fields}


def test_no_question_page_changes_a_submitted_decision(client, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    before = _snapshot(decision)
    client.force_login(practitioner)
    for step, data in PAGES.items():
        data = {k: (recipient.pk if v == "RECIPIENT" else v) for k, v in data.items()}
        response = client.post(_step(decision, step), {**data, "outcome": "do_not_share"})
        assert response.status_code == 302
        assert response["Location"] == reverse("decisions:detail", args=[decision.pk])
    assert _snapshot(decision) == before


def test_a_replayed_or_double_clicked_submit_creates_one_decision(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    first = client.post(reverse("decisions:check", args=[decision.pk]))
    second = client.post(reverse("decisions:check", args=[decision.pk]))
    assert first.status_code == second.status_code == 302
    assert Decision.objects.count() == 1
    decision.refresh_from_db()
    assert decision.reference.endswith("000001")
    from decisions.models import ReferenceCounter

    assert ReferenceCounter.objects.get().last_number == 1


def test_tampered_hidden_fields_and_extra_fields_change_nothing(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    client.post(
        _step(decision, "advice"),
        {
            "advice_sought": "no",
            "status": "endorsed",
            "reference": "ISD-1999-000001",
            "outcome": "do_not_share",
            "created_by": "1",
            "countersigned_by": str(practitioner.pk),
            "agency": "999",
        },
    )
    decision.refresh_from_db()
    assert decision.is_draft and decision.reference is None and decision.outcome == "share"
    assert decision.countersigned_by_id is None


def test_the_django_admin_offers_no_way_to_change_a_decision(client, practitioner, recipient, agency):
    from tests.factories import UserFactory

    decision = submitted_decision(practitioner, recipient)
    superuser = UserFactory(agency=agency, role="admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    base = "/django-admin/decisions/decision/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}{decision.pk}/change/", {"outcome": "do_not_share"}).status_code == 404
    assert client.post(f"{base}{decision.pk}/delete/", {"post": "yes"}).status_code == 404
    decision.refresh_from_db()
    assert decision.outcome == "share"


def test_a_lead_cannot_open_a_colleagues_draft(client, practitioner, lead, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(lead)
    assert client.post(_step(decision, "advice"), {"advice_sought": "no"}).status_code == 404
    assert client.post(reverse("decisions:check", args=[decision.pk])).status_code == 404


def test_unknown_step_is_404(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    assert client.get(_step(decision, "nonsense")).status_code == 404


def test_submitting_through_the_page_is_audited(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    client.post(reverse("decisions:check", args=[decision.pk]))
    about = AuditEntry.objects.filter(content_type__model="decision", object_pk=str(decision.pk))
    entry = about.filter(event=Event.CHANGE).latest("id")
    assert entry.actor == practitioner
    assert "status" in entry.changes_dict and entry.changes_dict["status"][1] == "awaiting_review"
    submitted = about.latest("id")  # the named event, after the field changes it explains
    assert (submitted.event, submitted.actor) == (Event.DECISION_SUBMITTED, practitioner)


def test_a_page_opened_again_shows_no_error_until_it_is_submitted(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient, advice={"advice_sought": None})
    client.force_login(practitioner)
    assert "govuk-error-summary" not in client.get(_step(decision, "advice")).content.decode()
    assert "govuk-error-summary" in client.post(_step(decision, "advice"), {}).content.decode()
