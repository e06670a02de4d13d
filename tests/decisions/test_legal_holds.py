"""The legal hold screen: an IG officer places and lifts a hold on a decision or a child, with a
reason, audited; retention keeps what is on hold and erases it once the hold is lifted."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEntry, Event
from decisions import retention
from decisions.models import Decision
from tests.agreements.factories import AgreementFactory, VersionFactory
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(practitioner, recipient, cover_found):
    cover_found.version = VersionFactory(
        agreement=AgreementFactory(title="Northshire protocol", retention_years=1)
    )
    return submitted_decision(practitioner, recipient, purpose={"purpose_detail": "Clinic dates"})


def _hold_url(decision):
    return reverse("decisions:legal_hold", args=[decision.pk])


def test_an_ig_officer_places_a_hold_with_a_reason_and_it_is_audited(client, ig_officer, decision):
    client.force_login(ig_officer)
    page = client.get(_hold_url(decision)).content.decode()
    assert "Why is the hold needed?" in page
    response = client.post(_hold_url(decision), {"reason": "County court claim 2026-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:detail", args=[decision.pk])
    decision.refresh_from_db()
    assert decision.legal_hold and decision.legal_hold_reason == "County court claim 2026-123"
    entry = AuditEntry.objects.get(event=Event.LEGAL_HOLD_PLACED)
    assert entry.actor == ig_officer
    assert entry.object_pk == str(decision.pk)
    assert entry.additional_data == {"reason": "County court claim 2026-123"}
    detail = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "On legal hold" in detail and "Lift the legal hold" in detail
    holds = client.get(reverse("decisions:legal_holds")).content.decode()
    assert decision.reference in holds


def test_a_hold_needs_a_reason(client, ig_officer, decision):
    client.force_login(ig_officer)
    response = client.post(_hold_url(decision), {"reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter why the hold is needed" in page
    decision.refresh_from_db()
    assert not decision.legal_hold
    assert not AuditEntry.objects.filter(event=Event.LEGAL_HOLD_PLACED).exists()


def test_lifting_a_hold_says_why_and_retention_then_erases(client, ig_officer, decision, monkeypatch):
    client.force_login(ig_officer)
    client.post(_hold_url(decision), {"reason": "Serious case review"})
    today = retention._today()
    monkeypatch.setattr(retention, "_today", lambda: today + timedelta(days=800))
    call_command("apply_retention")
    assert Decision.objects.get(pk=decision.pk).tombstoned_at is None  # kept while on hold
    assert "Why can the hold be lifted?" in client.get(_hold_url(decision)).content.decode()
    client.post(_hold_url(decision), {"reason": "The review has reported"})
    lifted = AuditEntry.objects.get(event=Event.LEGAL_HOLD_LIFTED)
    assert lifted.additional_data == {
        "reason": "The review has reported",
        "placed_for": "Serious case review",
    }
    call_command("apply_retention")
    erased = Decision.objects.get(pk=decision.pk)
    assert erased.tombstoned_at is not None and erased.purpose_detail == ""
    assert client.get(_hold_url(decision)).status_code == 404  # nothing left to hold


def test_a_hold_on_a_child_keeps_every_record_about_them(client, ig_officer, decision, monkeypatch):
    client.force_login(ig_officer)
    url = reverse("decisions:child_legal_hold", args=[decision.child_id])
    assert client.post(url, {"reason": "Inquiry"}).status_code == 302
    assert (
        "On legal hold"
        in client.get(reverse("consent:child_detail", args=[decision.child_id])).content.decode()
    )
    today = retention._today()
    monkeypatch.setattr(retention, "_today", lambda: today + timedelta(days=800))
    call_command("apply_retention")
    assert Decision.objects.get(pk=decision.pk).tombstoned_at is None
    assert AuditEntry.objects.filter(event=Event.LEGAL_HOLD_PLACED, object_pk=str(decision.child_id)).exists()


def test_only_ig_officers_within_their_scope_and_never_on_get(
    client, csrf_client, practitioner, lead, decision
):
    for user, status in ((practitioner, 403), (lead, 403)):
        client.force_login(user)
        assert client.post(_hold_url(decision), {"reason": "x"}).status_code == status
    elsewhere = UserFactory(
        email="ig@elsewhere.example.org",
        role=Role.IG_OFFICER,
        agency=child_for(UserFactory(email="p@elsewhere.example.org")).created_by.agency,
    )
    client.force_login(elsewhere)
    assert client.post(_hold_url(decision), {"reason": "x"}).status_code == 404
    assert client.get(_hold_url(decision), {"reason": "x"}).status_code == 404
    decision.refresh_from_db()
    assert not decision.legal_hold


def test_a_post_without_the_csrf_token_is_refused(csrf_client, ig_officer, decision):
    csrf_client.force_login(ig_officer)
    assert csrf_client.post(_hold_url(decision), {"reason": "x"}).status_code == 403
    decision.refresh_from_db()
    assert not decision.legal_hold
