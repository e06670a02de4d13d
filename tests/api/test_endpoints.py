"""The API reads through the same scope as the web, answers 404 outside it, and audits every call."""

import pytest
from django.urls import reverse

from api.models import ApiClient
from audit.models import AuditEntry, Event
from consent.models import Child, ConsentRecord
from decisions.models import Decision, Status
from tests.api.conftest import api_for, make_token

pytestmark = pytest.mark.django_db


def test_a_child_is_found_by_nhs_number_within_the_agency(api, child, outsider_records):
    response = api.get(reverse("api:child_lookup"), {"nhs_number": "943 476 5919"})
    assert response.status_code == 200
    assert [found["id"] for found in response.json()] == [child.pk]
    # Another agency's child, though the NHS number is right, is not found.
    response = api.get(reverse("api:child_lookup"), {"nhs_number": "9876543210"})
    assert response.json() == []


def test_a_wrong_nhs_number_is_a_400_naming_the_field(api):
    response = api.get(reverse("api:child_lookup"), {"nhs_number": "1234567890"})
    assert response.status_code == 400
    assert "nhs_number" in response.json()


def test_another_agencys_child_consent_and_decision_answer_404(api, child, outsider_records):
    records = outsider_records
    for url in (
        reverse("api:child_detail", args=[records["child"].pk]),
        reverse("api:decision_detail", args=[records["decision"].pk]),
        reverse("api:decision_provenance", args=[records["decision"].pk]),
        reverse("api:consent_detail", args=[records["consent"].pk]),
        reverse("api:consent_fhir", args=[records["consent"].pk]),
    ):
        response = api.get(url)
        assert response.status_code == 404, url
    # ...and each refusal is written against the record asked for, for its agency to see.
    refused = AuditEntry.objects.filter(event=Event.DENIED, source="api")
    assert refused.filter(content_type__model="child", object_id=records["child"].pk).exists()
    assert refused.filter(content_type__model="consentrecord", object_id=records["consent"].pk).exists()
    # Nor do the lists show them.
    listed = api.get(reverse("api:decision_list")).json()["results"]
    assert records["decision"].pk not in [d["id"] for d in listed]
    listed = api.get(reverse("api:consent_list")).json()["results"]
    assert records["consent"].pk not in [c["id"] for c in listed]


def test_own_agencys_records_are_read(api, child, decision, consent):
    response = api.get(reverse("api:child_detail", args=[child.pk]))
    assert response.json()["nhs_number"] == "9434765919"
    assert "no-store" in response["Cache-Control"]  # personal data: kept by no browser or proxy
    body = api.get(reverse("api:decision_detail", args=[decision.pk])).json()
    assert body["reference"] == decision.reference and body["status"] == decision.status
    listed = api.get(reverse("api:decision_list"), {"child": child.pk}).json()
    assert [d["id"] for d in listed["results"]] == [decision.pk]
    body = api.get(reverse("api:consent_detail", args=[consent.pk])).json()
    assert body["answer"] == "given" and body["recipients"] == ["Recipient Police"]


def test_drafts_are_never_listed(api, practitioner, child):
    from decisions.services import decision_start

    draft = decision_start(child=child, by=practitioner)
    assert api.get(reverse("api:decision_detail", args=[draft.pk])).status_code == 404
    assert api.get(reverse("api:decision_list")).json()["results"] == []


def test_every_call_leaves_an_audit_entry_naming_the_client(api, child, decision, consent):
    client = ApiClient.objects.get()
    calls = [
        (reverse("api:child_lookup"), {"nhs_number": "9434765919"}, Event.LIST),
        (reverse("api:child_detail", args=[child.pk]), {}, Event.VIEW),
        (reverse("api:decision_list"), {}, Event.LIST),
        (reverse("api:decision_detail", args=[decision.pk]), {}, Event.VIEW),
        (reverse("api:decision_provenance", args=[decision.pk]), {}, Event.VIEW),
        (reverse("api:consent_list"), {}, Event.LIST),
        (reverse("api:consent_detail", args=[consent.pk]), {}, Event.VIEW),
        (reverse("api:consent_fhir", args=[consent.pk]), {}, Event.VIEW),
    ]
    for url, query, event in calls:
        before = AuditEntry.objects.count()
        assert api.get(url, query).status_code == 200, url
        entry = AuditEntry.objects.order_by("-id").first()
        assert AuditEntry.objects.count() == before + 1, url
        assert entry.event == event
        assert entry.source == "api"
        assert entry.actor_id is None  # the client acts as the agency, never as a person
        assert entry.actor_email == client.audit_label
        assert entry.agency_id == client.agency_id
        assert entry.additional_data["api_client"] == client.pk


def test_a_session_does_not_authenticate_the_api(client, practitioner, child):
    client.force_login(practitioner)
    response = client.get(reverse("api:child_detail", args=[child.pk]))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_and_the_attempt_recorded(api, admin, child):
    from api.services import api_client_revoke

    url = reverse("api:child_detail", args=[child.pk])
    assert api.get(url).status_code == 200
    api_client_revoke(client=ApiClient.objects.get(), by=admin)
    assert api.get(url).status_code == 401
    refused = AuditEntry.objects.filter(event=Event.DENIED, content_type__model="apiclient").get()
    assert refused.additional_data["reason"] == "revoked"


def test_a_client_of_an_agency_turned_off_is_refused(api, agency, child):
    agency.is_active = False
    agency.save(update_fields=["is_active"])
    assert api.get(reverse("api:child_detail", args=[child.pk])).status_code == 401


def test_an_expired_or_unknown_token_is_refused(admin, child):
    from django.utils import timezone

    expired = make_token(admin, name="Old system")
    old = ApiClient.objects.get(name="Old system")
    old.expires_at = timezone.now()
    old.save(update_fields=["expires_at"])
    url = reverse("api:child_detail", args=[child.pk])
    assert api_for(expired).get(url).status_code == 401
    assert api_for(expired[:-2] + "xx").get(url).status_code == 401
    assert api_for("isa_000000000000_nothing").get(url).status_code == 401
    assert api_for("not-a-token").get(url).status_code == 401


def test_a_missing_scope_is_403(admin, child, consent):
    token = make_token(admin, scopes=["read_decisions"])
    api = api_for(token)
    assert api.get(reverse("api:consent_detail", args=[consent.pk])).status_code == 403
    refused = AuditEntry.objects.get(event=Event.DENIED, content_type__model="apiclient")
    assert refused.additional_data == {"status": 403, "reason": "scope not given"}
    assert refused.actor_email.startswith("API client Mosaic")
    assert api.get(reverse("api:child_detail", args=[child.pk])).status_code == 200


def test_the_rate_limit_answers_429(api, child, settings):
    settings.API_RATE_LIMIT = "3/minute"
    url = reverse("api:child_detail", args=[child.pk])
    assert [api.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_rate_limits_are_counted_per_client(admin, child, settings):
    settings.API_RATE_LIMIT = "2/minute"
    url = reverse("api:child_detail", args=[child.pk])
    first, second = api_for(make_token(admin, name="A")), api_for(make_token(admin, name="B"))
    assert [first.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(url).status_code == 200


def test_a_draft_decision_is_started_for_the_practitioner_to_complete(api, practitioner, child):
    response = api.post(
        reverse("api:draft_create"),
        {"child": child.pk, "practitioner_email": "Practitioner@example.org", "purpose": "safeguarding"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    draft = Decision.objects.get(pk=response.json()["id"])
    assert (
        draft.status == Status.DRAFT and draft.created_by == practitioner and draft.purpose == "safeguarding"
    )
    # The practitioner finds it among their drafts, and the start is audited as the client's act.
    assert Decision.objects.visible_to(practitioner).filter(pk=draft.pk, status=Status.DRAFT).exists()
    started = AuditEntry.objects.get(event=Event.DECISION_STARTED, object_id=draft.pk)
    assert started.actor_id is None and started.actor_email.startswith("API client Mosaic")


def test_the_same_idempotency_key_gives_the_same_draft(api, child, practitioner):
    body = {
        "child": child.pk,
        "practitioner_email": practitioner.email,
        "idempotency_key": "5b0e3f4e-9c52-4f0e-a3f0-1f0b2c3d4e5f",
    }
    first = api.post(reverse("api:draft_create"), body, content_type="application/json").json()
    second = api.post(reverse("api:draft_create"), body, content_type="application/json").json()
    assert first["id"] == second["id"]
    assert Decision.objects.filter(status=Status.DRAFT).count() == 1


def test_a_draft_cannot_be_started_for_someone_outside_the_agency_or_who_does_not_decide(
    api, child, outsider, ig_officer, outsider_records
):
    url = reverse("api:draft_create")
    for email in (outsider.email, ig_officer.email, "nobody@example.org"):
        response = api.post(
            url, {"child": child.pk, "practitioner_email": email}, content_type="application/json"
        )
        assert response.status_code == 400
        assert "practitioner_email" in response.json()
    # Nor about another agency's child.
    response = api.post(
        url,
        {"child": outsider_records["child"].pk, "practitioner_email": "practitioner@example.org"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Decision.objects.filter(status=Status.DRAFT).exists()


def test_the_api_cannot_submit_a_decision(api, practitioner, child):
    from django.core.exceptions import PermissionDenied

    from api.auth import AgencyReader
    from decisions.services import decision_submit

    made = api.post(
        reverse("api:draft_create"),
        {"child": child.pk, "practitioner_email": practitioner.email},
        content_type="application/json",
    ).json()
    draft = Decision.objects.get(pk=made["id"])
    # No endpoint submits: the web's submit page wants a signed-in person, not a token.
    assert api.post(f"/api/v1/decisions/{draft.pk}/submit/").status_code == 404
    response = api.post(reverse("decisions:check", args=[draft.pk]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    # And the service refuses the client as the one submitting.
    with pytest.raises(PermissionDenied):
        decision_submit(decision=draft, by=AgencyReader(ApiClient.objects.get()))
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.reference is None


def test_list_queries_do_not_grow_with_the_records(
    api, practitioner, recipient, django_assert_max_num_queries
):
    from tests.consent.factories import make_consent
    from tests.factories import ChildFactory

    for _ in range(3):
        child = ChildFactory(created_by=practitioner)
        make_consent(child, practitioner, recipients=[recipient])
    with django_assert_max_num_queries(8):
        assert len(api.get(reverse("api:consent_list")).json()["results"]) == 3
    assert Child.objects.count() == 3 and ConsentRecord.objects.count() == 3
